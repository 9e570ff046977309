"""Tests of bookkit.live: the chapters as live notebooks that read like the book."""

import pytest

from bookkit import live, read_chapter, toc_entries
from bookkit.book import ROOT
from bookkit.notebook import GLUE_USED, read_notebook, source
from bookkit.student import student_cells

CHAPTERS = toc_entries(ROOT, notebooks=True)
MYST = ("{glue", "{eq}", "{ref}", "{doc}", "{cite", ":::{", "```{", ")=\n", "$$ (")


def test_glued_numbers_are_written_as_the_page_shows_them():
    values = {"acc": "0.9731", "steps": "120", "name": "'relu'"}
    text = "{glue:text}`acc:.1%` in {glue:text}`steps:d` steps with {glue:}`name`"
    assert live.fill_glue(text, values) == "97.3% in 120 steps with relu"
    with pytest.raises(KeyError, match="missing"):
        live.fill_glue("{glue:text}`missing:.2f`", values)


def test_build_only_statements_go_and_the_rest_stays():
    code = (
        "x = 2  # keep\n"
        'actlib.glue("x", x, display=False)\n'
        "assert x == 2, (\n    'a claim'\n)\n"
        "y = actlib.glue('y', 3)  # its value is used: keep\n"
    )
    assert live.strip_build_only(code) == (
        "x = 2  # keep\ny = actlib.glue('y', 3)  # its value is used: keep"
    )
    assert live.strip_build_only("# only build\nassert True\nactlib.glue('a', 1)") == ""
    magic = '%pip install "actlib"'
    assert live.strip_build_only(magic) == magic


class _Book:
    """Two small chapters for the Markdown conversion."""

    @staticmethod
    def links(site_url=None):
        nb = {
            "cells": [
                {
                    "cell_type": "markdown",
                    "metadata": {},
                    "source": "(b-sec)=\n## Sec B",
                },
            ]
        }
        from bookkit.notebook import parse

        here = {
            "cells": [{"cell_type": "markdown", "metadata": {}, "source": "(a-sec)="}]
        }
        a = parse(here, ROOT / "chapters" / "a.ipynb")
        b = parse(nb, ROOT / "chapters" / "b.ipynb")
        return live.Links([a, b], site_url)


def test_myst_becomes_plain_markdown():
    text = (
        "(a-sec)=\n## Section\n\n"
        "$$\nx = 1\n$$ (eq-x)\n\nSee {eq}`eq-x`, {ref}`b-sec` and "
        "{ref}`the part <a-sec>`, {doc}`Chapter B <b>`.\n\n"
        ":::{admonition} Learning goals\n:class: tip\n- one\n:::\n\n"
        ":::{exercise} Try it\n:label: a-ex\n:class: predict\n\nDo this.\n\n"
        "```python\nf = ...\n```\n:::\n"
    )
    state = {"exercise": 0, "cited": [], "references": live.References()}
    out = live.plain_markdown(text, "chapters/a", _Book.links(), {"eq-x": 1}, state)
    assert '<a id="a-sec"></a>\n## Section' in out
    assert "x = 1 \\tag{1}\n$$" in out and "See (1)" in out
    assert "[Sec B](b.ipynb#b-sec)" in out and "[the part](#a-sec)" in out
    assert "[Chapter B](b.ipynb)" in out
    assert "> **Learning goals**\n>\n> - one" in out
    assert '<a id="a-ex"></a>\n> **Exercise 1 (predict): Try it**' in out
    assert "> ```python\n> f = ...\n> ```" in out
    assert not any(mark in out for mark in MYST)
    site = live.plain_markdown(
        "{ref}`b-sec`", "chapters/a", _Book.links("https://book.org"), {}, state
    )
    assert site == "[Sec B](https://book.org/chapters/b.html#b-sec)"


def test_citations_become_linked_author_year_and_a_list_of_the_works_cited():
    references = live.References()
    state = {"exercise": 0, "cited": [], "references": references}
    text = (
        "As {footcite:t}`glorot2010understanding` showed, and others "
        "{footcite:p}`he2015delving,ioffe2015batch`.\n\n## References\n\n"
        "```{footbibliography}\n```\n"
    )
    out = live.plain_markdown(text, "chapters/a", _Book.links(), {}, state)
    assert (
        "[Glorot and Bengio](https://proceedings.mlr.press/v9/glorot10a.html) (2010)"
        in out
    )
    assert (
        "([He et al., 2015](https://doi.org/10.1109/ICCV.2015.123); "
        "[Ioffe and Szegedy, 2015](https://arxiv.org/abs/1502.03167))" in out
    )
    listing = out[out.index("## References") :]
    assert listing.count("\n- ") == 3 and "*Batch normalization:" in listing
    assert listing.index("Glorot") < listing.index("He et al.")
    assert not any(mark in out for mark in MYST)
    with pytest.raises(KeyError, match="nosuchkey"):
        live.plain_markdown(
            "{footcite:p}`nosuchkey`", "chapters/a", _Book.links(), {}, state
        )


def test_every_entry_of_the_bibliography_has_a_doi_an_arxiv_id_or_an_address():
    references = live.References()
    assert len(references.entries) > 20
    for key, entry in references.entries.items():
        assert references.link(key).startswith("https://"), key
        assert entry.fields.get("title") and entry.fields.get("year"), key


def _fake_values(path):
    text = "\n".join(source(c) for c in read_notebook(path)["cells"])
    return {m[1]: "1" for m in GLUE_USED.finditer(text)}


@pytest.mark.parametrize("entry", CHAPTERS)
@pytest.mark.parametrize("student", [False, True], ids=["instructor", "student"])
def test_every_chapter_reads_like_the_book_in_plain_markdown(entry, student):
    path = ROOT / f"{entry}.ipynb"
    chapters = [read_chapter(ROOT / f"{e}.ipynb") for e in CHAPTERS]
    chapter = read_chapter(path)
    cells = student_cells(chapter) if student else read_notebook(path)["cells"]
    out = live.live_cells(cells, entry, _fake_values(path), live.Links(chapters))
    markdown = "\n".join(source(c) for c in out if c["cell_type"] == "markdown")
    code = "\n".join(source(c) for c in out if c["cell_type"] == "code")
    assert not [mark for mark in MYST if mark in markdown]
    assert "actlib.glue(" not in code and "\nassert " not in f"\n{code}"
    assert live.NOTE in markdown
    assert sum("**Exercise" in source(c) for c in out) == len(chapter.exercises)
    assert all(not c.get("outputs") for c in out if c["cell_type"] == "code")
