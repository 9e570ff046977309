"""Tests for the local Sphinx extension `_ext/actlib_book.py` (no Sphinx build
needed)."""

import importlib.util
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from docutils import nodes

from bookkit import instructor, live, toc_entries
from bookkit.book import PLACEHOLDER_URL

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location(
    "actlib_book", ROOT / "_ext" / "actlib_book.py"
)
ext = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ext)


class FakeEnv:
    def __init__(self, path):
        self.path, self.noted = path, []

    def doc2path(self, docname):
        return self.path

    def note_dependency(self, filename):
        self.noted.append(filename)


def test_every_notebook_depends_on_every_actlib_source_file():
    env = FakeEnv(str(ROOT / "chapters" / "activations.ipynb"))
    ext._depend_on_actlib(SimpleNamespace(env=env), "chapters/activations", [""])
    expected = {str(p) for p in (ROOT / "actlib").rglob("*.py")}
    assert expected and set(env.noted) == expected


def test_markdown_pages_do_not_depend_on_actlib():
    env = FakeEnv(str(ROOT / "chapters" / "intro.md"))
    ext._depend_on_actlib(SimpleNamespace(env=env), "chapters/intro", [""])
    assert env.noted == []


def test_the_site_build_asks_for_static_explorers(monkeypatch):
    monkeypatch.setenv(
        "ACTLIB_STATIC_SITE", "0"
    )  # recorded, so the test leaves the variable as it found it
    ext._static_site(None, None)
    assert os.environ["ACTLIB_STATIC_SITE"] == "1"


# ---------------------------------------------------------------------- execution cache
def test_the_cache_is_emptied_when_actlib_changes(tmp_path):
    lib, cache = tmp_path / "lib", tmp_path / "cache"
    lib.mkdir()
    (lib / "a.py").write_text("x = 1\n")
    assert not ext.prepare_cache(cache, lib)  # a new cache: nothing to empty
    (cache / "executed.txt").write_text("outputs")
    assert not ext.prepare_cache(cache, lib) and (cache / "executed.txt").exists(), (
        "same actlib: keep"
    )
    (lib / "a.py").write_text("x = 2\n")
    assert ext.prepare_cache(cache, lib) and not (cache / "executed.txt").exists(), (
        "new actlib: empty"
    )
    (cache / "executed.txt").write_text("outputs")
    (lib / "b.py").write_text("")
    assert ext.prepare_cache(cache, lib), "a new file of actlib empties it too"


def test_a_cache_without_a_stamp_is_emptied(tmp_path):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "old").write_text("")
    assert ext.prepare_cache(tmp_path / "cache", ROOT / "actlib")


# ----------------------------------------------------------------------------- editions
def test_the_edition_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("ACTLIB_EDITION", raising=False)
    assert ext.edition() == "instructor"
    monkeypatch.setenv("ACTLIB_EDITION", "student")
    assert ext.edition() == "student"
    monkeypatch.setenv("ACTLIB_EDITION", "teacher")
    with pytest.raises(
        ValueError, match="ACTLIB_EDITION='teacher'.*instructor, student"
    ):
        ext.edition()


def test_the_student_edition_has_no_sources(monkeypatch):
    monkeypatch.setenv("ACTLIB_EDITION", "student")
    config = SimpleNamespace(html_copy_source=True, html_title="Book", project="Book")
    ext._set_edition(None, config)
    assert config.html_copy_source is False and "student edition" in config.html_title


def doctree_with_a_solution():
    from docutils import nodes
    from docutils.utils import new_document
    from sphinx_exercise.nodes import solution_end_node, solution_start_node

    doc = new_document("test")
    section = nodes.section()
    doc += section
    section += nodes.paragraph(text="exercise text")
    section += solution_start_node()
    section += nodes.paragraph(text="solution explanation")
    section += nodes.container(
        "", nodes.literal_block(text="secret = 42"), classes=["cell", "tag_solution"]
    )
    section += solution_end_node()
    check = nodes.container(nb_element="cell_code", classes=["cell"])
    check += nodes.container(
        "", nodes.literal_block(text="actlib.check_x(x)"), nb_element="cell_code_source"
    )
    check += nodes.container(
        "", nodes.literal_block(text="Correct: x"), nb_element="cell_code_output"
    )
    section += check
    section += nodes.container(
        "", nodes.literal_block(text="elsewhere = 1"), classes=["cell", "tag_solution"]
    )
    section += nodes.paragraph(text="after")
    return doc


def test_solutions_and_check_outputs_are_stripped():
    doc = doctree_with_a_solution()
    assert ext.strip_solutions(doc) >= 6
    text = doc.astext()
    assert "exercise text" in text and "after" in text and "actlib.check_x(x)" in text
    for gone in ("solution explanation", "secret = 42", "elsewhere = 1", "Correct: x"):
        assert gone not in text


BUTTONS = [
    {
        "type": "group",
        "buttons": [
            {"type": "link", "url": "../_sources/chapters/a.ipynb", "text": ".ipynb"},
            {"type": "link", "url": "../_sources/chapters/b.md", "text": ".md"},
            {"type": "javascript", "javascript": "window.print()", "text": ".pdf"},
        ],
    },
    {"type": "link", "url": "https://github.com/x/y"},
]


def test_the_download_button_offers_the_live_notebook():
    out = ext.download_buttons(BUTTONS, "../notebooks/chapters/a.ipynb", False)
    links = [b["url"] for b in out[0]["buttons"] if b["type"] == "link"]
    # the instructor edition keeps the other sources (a Markdown page's .md)
    assert links == ["../notebooks/chapters/a.ipynb", "../_sources/chapters/b.md"]
    assert out[1] == BUTTONS[1] and "notebook" in out[0]["buttons"][0]["tooltip"]


def test_the_student_download_button_offers_the_student_notebook_only():
    out = ext.download_buttons(BUTTONS, "../notebooks/chapters/a.ipynb", True)
    links = [b["url"] for b in out[0]["buttons"] if b["type"] == "link"]
    assert links == ["../notebooks/chapters/a.ipynb"] and out[1] == BUTTONS[1]
    assert "student notebook" in out[0]["buttons"][0]["tooltip"]
    markdown_page = ext.download_buttons(BUTTONS, None, True)
    assert [b["text"] for b in markdown_page[0]["buttons"]] == [".pdf"]


# ------------------------------------------------------------------------- launch links
OPTIONS = {
    "repository_url": "https://github.com/org/book",
    "repository_branch": "dev",
    "path_to_docs": "",
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org/",
        "colab_url": "https://colab.research.google.com",
    },
}


def test_launch_links_follow_the_repository_setting():
    links = dict(ext.launch_links(OPTIONS, "chapters/a.ipynb"))
    assert (
        links["Binder"]
        == "https://mybinder.org/v2/gh/org/book/dev?urlpath=lab/tree/chapters/a.ipynb"
    )
    assert (
        links["Colab"]
        == "https://colab.research.google.com/github/org/book/blob/dev/chapters/a.ipynb"
    )
    assert dict(ext.launch_links(dict(OPTIONS, path_to_docs="book/"), "a.ipynb"))[
        "Colab"
    ].endswith("/dev/book/a.ipynb")


def test_no_launch_links_without_a_github_repository():
    assert ext.launch_links({}, "a.ipynb") == []
    assert (
        ext.launch_links(
            dict(OPTIONS, repository_url="https://example.org/x"), "a.ipynb"
        )
        == []
    )


def test_the_launch_box_names_each_launcher():
    box = ext.launch_box([("Binder", "b"), ("Colab", "c")], "../notebooks/a.ipynb")
    assert (
        "Run this chapter live" in box.astext()
        and "Binder" in box.astext()
        and "student notebook" in box.astext()
    )


def test_without_launchers_the_box_says_how_to_run_the_chapter_locally():
    box = ext.launch_box([], None, "how-to-use.html")
    text = box.astext()
    assert "own machine" in text and "Binder" not in text and "Colab" not in text
    assert [r["refuri"] for r in box.findall(nodes.reference)] == ["how-to-use.html"]


def _config(url):
    options = {
        "repository_url": url,
        "use_repository_button": True,
        "launch_buttons": {"binderhub_url": "https://mybinder.org"},
    }
    return SimpleNamespace(html_theme_options=options)


def test_a_placeholder_repository_turns_every_repository_link_off():
    config = _config(PLACEHOLDER_URL)
    ext._no_placeholder_links(None, config)
    options = config.html_theme_options
    assert options["launch_buttons"] == {} and not options["use_repository_button"]
    assert ext.launch_links(options, "chapters/a.ipynb") == []
    real = _config("https://github.com/org/book")
    ext._no_placeholder_links(None, real)
    assert (
        real.html_theme_options
        == _config(real.html_theme_options["repository_url"]).html_theme_options
    )


# ---------------------------------------------------------------------- instructor page
def test_every_chapter_of_the_toc_is_summarised():
    chapters = toc_entries(ROOT, notebooks=True)
    assert chapters
    text = instructor.chapters_markdown(ROOT)
    for entry in chapters:
        s = instructor.chapter_summary(ROOT / f"{entry}.ipynb")
        assert s["title"] in text and s["goals"] and len(s["exercises"]) >= 4
        for ex in s["exercises"]:
            assert ex["check"] and ex["check"].startswith("actlib.check_")
            assert ex["label"] in text and f"`{ex['check']}`" in text
        assert s["minutes"] % 5 == 0 and s["minutes"] >= 8 * len(s["exercises"])


def test_the_time_estimate_follows_its_definition(tmp_path):
    nb = {
        "cells": [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": "# T\n\n" + "word " * 240,
            },
            {"cell_type": "code", "metadata": {}, "source": "x = 1"},
            {"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "source": "a"},
        ]
    }
    path = tmp_path / "t.ipynb"
    path.write_text(json.dumps(nb))
    s = instructor.chapter_summary(path)
    # 242 words / 120 + 0.5 * 1 visible code cell = 2.5 minutes: rounded up to 5
    summary = (s["title"], s["visible_code_cells"], s["code_cells"], s["minutes"])
    assert summary == ("T", 1, 2, 5)


def test_the_extension_builds_the_instructor_page_and_live_notebooks_with_bookkit():
    assert ext.chapters_markdown is instructor.chapters_markdown
    assert ext.live is live and ext.toc_entries is toc_entries


def test_mathjax_3_ships_in_an_installed_package():
    source = ext.mathjax_source()
    script = source / ext.MATHJAX_PATH.removeprefix("mathjax/")
    assert script.exists() and 'VERSION="3.' in script.read_text()
    assert (source / "output" / "chtml" / "fonts" / "woff-v2").is_dir()  # its fonts
