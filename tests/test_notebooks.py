"""Checks on the chapter files themselves (not their execution: nbval and the book build do that).

- Notebooks are stored without outputs, so a diff shows only what an author wrote and the site can
  never show outputs that the current code would not produce.
- Every chapter is in the table of contents, and every page of it exists.
- Every chapter follows the anatomy of CONTRIBUTING.md: learning goals, the setup cell, an explorer,
  numbers glued into the prose and asserted in hidden cells, a summary, and at least four exercises
  whose solutions are gated and followed by a check.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def toc_files():
    # _toc.yml is small and flat: read the `root:` and `file:` entries without a YAML parser.
    text = (ROOT / "_toc.yml").read_text()
    return re.findall(r"^\s*(?:root|- file):\s*(\S+)", text, flags=re.M)


def cells(path):
    return json.loads(path.read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def test_there_are_chapters():
    assert CHAPTERS, "chapters/ holds no notebook"


def test_every_toc_entry_exists_and_every_chapter_is_in_the_toc():
    entries = toc_files()
    for entry in entries:
        assert any((ROOT / f"{entry}{ext}").exists() for ext in (".md", ".ipynb")), f"{entry} is in _toc.yml but missing"
    for path in CHAPTERS:
        assert str(path.relative_to(ROOT).with_suffix("")) in entries, f"{path.name} is not in _toc.yml"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    for i, cell in enumerate(cells(path)):
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name}: cell {i} has stored outputs"
            assert cell.get("execution_count") is None, f"{path.name}: cell {i} has an execution count"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_follows_the_anatomy(path):
    nb = cells(path)
    markdown = "\n".join(source(c) for c in nb if c["cell_type"] == "markdown")
    code = [c for c in nb if c["cell_type"] == "code"]
    code_text = "\n".join(source(c) for c in code)

    assert re.search(r"learning goals", markdown, re.I), "no learning goals"
    assert "actlib.set_seed(" in code_text and "actlib.get_device()" in code_text, "no setup cell"
    assert "actlib.explore(" in code_text, "no explorer"
    assert re.search(r"^#+ Summary", markdown, re.M), "no summary section"

    glued = set(re.findall(r"glue\(\s*[\"']([\w-]+)[\"']", code_text))
    used = set(re.findall(r"\{glue:\w+\}`([\w-]+)", markdown))
    assert used, "no number is glued into the prose"
    assert used <= glued, f"prose uses names that no cell glues: {sorted(used - glued)}"
    hidden_asserts = [c for c in code if "remove-cell" in tags(c) and "assert" in source(c)]
    assert hidden_asserts, "no hidden cell asserts the chapter's claims"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_exercises_have_gated_solutions_and_checks(path):
    nb = cells(path)
    labels = []
    for i, cell in enumerate(nb):
        text = source(cell)
        if cell["cell_type"] == "markdown":
            labels += [(i, m) for m in re.findall(r"\{exercise\}[^\n]*\n:label:\s*(\S+)", text)]
    assert len(labels) >= 4, f"{path.name}: {len(labels)} exercises, at least 4 expected"
    for i, label in labels:
        rest = nb[i + 1 :]
        start = next(j for j, c in enumerate(rest) if f"{{solution-start}} {label}" in source(c))
        end = next(j for j, c in enumerate(rest) if j > start and "{solution-end}" in source(c))
        inside = rest[start + 1 : end]
        assert inside and all("solution" in tags(c) for c in inside if c["cell_type"] == "code"), (
            f"{label}: every code cell of the solution must be tagged 'solution'"
        )
        after = [c for c in rest[end + 1 :] if c["cell_type"] == "code"][:1]
        assert after and "actlib.check_" in source(after[0]), f"{label}: no check cell after the solution"
