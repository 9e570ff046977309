"""Checks on the built site, run by `make test` after the book build (`_build/html`).

Not collected by a plain `pytest tests` (the name does not start with `test_`): the Makefile runs
it explicitly once the site exists.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
ENTRIES = re.findall(r"^\s*(?:root|- file):\s*(\S+)", (ROOT / "_toc.yml").read_text(), flags=re.M)
CHAPTERS = [e for e in ENTRIES if (ROOT / f"{e}.ipynb").exists()]


def page(entry):
    path = HTML / f"{entry}.html"
    assert path.exists(), f"the site has no page for {entry}: build it with `make book`"
    return path.read_text()


@pytest.mark.parametrize("entry", ENTRIES)
def test_page_exists_without_errors(entry):
    html = page(entry)
    assert "Traceback (most recent call last)" not in html
    assert "output stderr" not in html and "output traceback" not in html
    assert "{glue" not in html, "a glue role was left unresolved"


@pytest.mark.parametrize("entry", CHAPTERS)
def test_chapter_has_a_kernel_free_explorer(entry):
    html = page(entry)
    assert "application/vnd.jupyter.widget-view+json" not in html, "a live widget leaked into the site"
    assert "HBox(children" not in html and "VBox(children" not in html
    assert 'class="actlib-explorer"' in html, "no kernel-free explorer"
    assert re.search(r'<input type="range"', html), "no inline slider"
    frames = re.findall(r'const d=\{"frames": \[(.*?)\]', html)
    assert frames and all(f.count(",") >= 1 for f in frames), "an explorer has fewer than two frames"


@pytest.mark.parametrize("entry", CHAPTERS)
def test_every_exercise_and_solution_is_rendered(entry):
    nb = json.loads((ROOT / f"{entry}.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    labels = re.findall(r"\{exercise\}[^\n]*\n:label:\s*(\S+)", text)
    html = page(entry)
    for label in labels:
        assert f'id="{label}"' in html, f"exercise {label} is missing from the page"
    assert html.count('class="solution') >= len(labels)
