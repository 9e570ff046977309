"""Checks on the chapter files themselves (not their execution: nbval and the book build
do that).

- Notebooks are stored without outputs, so a diff shows only what an author wrote and
  the site can never show outputs that the current code would not produce.
- Every chapter is in the table of contents, and every page of it exists.
- Every chapter follows the anatomy of CONTRIBUTING.md: learning goals, the setup cell,
  an explorer, numbers glued into the prose and asserted in hidden cells, a summary, at
  least six exercises whose solutions are gated and followed by a check, at least half
  of them asking to predict, diagnose or design (not to copy a cell of the chapter), and
  a closing list of the works the chapter cites.

The chapters are read by :mod:`bookkit.notebook`, the one parser of a chapter.
"""

import re
from pathlib import Path

import pytest

from bookkit import read_chapter, toc_entries

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def test_there_are_chapters():
    assert CHAPTERS, "chapters/ holds no notebook"


def test_every_toc_entry_exists_and_every_chapter_is_in_the_toc():
    entries = toc_entries(ROOT)
    for entry in entries:
        assert any((ROOT / f"{entry}{ext}").exists() for ext in (".md", ".ipynb")), (
            f"{entry} is in _toc.yml but missing"
        )
    for path in CHAPTERS:
        assert str(path.relative_to(ROOT).with_suffix("")) in entries, (
            f"{path.name} is not in _toc.yml"
        )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    for cell in read_chapter(path).code():
        assert not cell.data.get("outputs"), (
            f"{path.name}: cell {cell.index} has stored outputs"
        )
        assert cell.data.get("execution_count") is None, (
            f"{path.name}: cell {cell.index} has an execution count"
        )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_follows_the_anatomy(path):
    chapter = read_chapter(path)
    markdown = "\n".join(c.source for c in chapter.markdown())
    code = chapter.code()
    code_text = "\n".join(c.source for c in code)

    assert chapter.goals, "no learning goals"
    assert "actlib.set_seed(" in code_text and "actlib.get_device()" in code_text, (
        "no setup cell"
    )
    assert "actlib.explore(" in code_text, "no explorer"
    assert "{footcite" in markdown, "no work is cited"
    assert re.search(
        r"^## References\s+```\{footbibliography\}\s*\n```",
        chapter.cells[-1].source if chapter.cells[-1].is_markdown else "",
        re.M,
    ), "the chapter does not end with its list of references (footbibliography)"
    assert re.search(r"^#+ Summary", markdown, re.M), "no summary section"

    assert chapter.glue_used, "no number is glued into the prose"
    missing = sorted(chapter.glue_used - chapter.glue_defined)
    assert not missing, f"prose uses names that no cell glues: {missing}"
    hidden_asserts = [
        c for c in code if "remove-cell" in c.tags and "assert" in c.source
    ]
    assert hidden_asserts, "no hidden cell asserts the chapter's claims"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_exercises_have_gated_solutions_and_checks(path):
    chapter = read_chapter(path)  # raises on an unclosed gate or one naming no exercise
    n = len(chapter.exercises)
    assert n >= 6, f"{path.name}: {n} exercises, at least 6 expected"
    kinds = {ex.label: ex.kind for ex in chapter.exercises}
    assert None not in kinds.values(), f"exercises without a `:class:` kind: {kinds}"
    thinking = [k for k in kinds.values() if k in ("predict", "diagnose", "design")]
    assert 2 * len(thinking) >= n, (
        f"{path.name}: {len(thinking)} of {n} exercises predict, diagnose or design; "
        f"at least half should: {kinds}"
    )
    for ex in chapter.exercises:
        assert ex.gate is not None, f"{ex.label}: no gated solution"
        assert ex.gate.start > ex.cell, f"{ex.label}: the solution comes before it"
        inside = [chapter.cells[i] for i in ex.gate.inside]
        assert inside and all("solution" in c.tags for c in inside if c.is_code), (
            f"{ex.label}: every code cell of the solution must be tagged 'solution'"
        )
        after = [c for c in chapter.cells[ex.gate.end + 1 :] if c.is_code][:1]
        assert ex.check is not None and after and after[0].index == ex.check, (
            f"{ex.label}: no check cell right after the solution"
        )
        assert ex.check_name.startswith("actlib.check_")
