"""Tests for `bookkit`: the table of contents, the repository setting and the chapter
model.

The model is tested on small synthetic notebooks written here by hand (the expected
values are read off the cells, not computed by bookkit), then on the real chapters.
"""

import json
from pathlib import Path

import pytest
import yaml

from bookkit import (
    parse,
    read_chapter,
    read_notebook,
    repository,
    toc_entries,
    write_notebook,
)
from bookkit.notebook import strip_plain_solutions

ROOT = Path(__file__).resolve().parent.parent


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text, tags=()):
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": text}


def exercise(label, title="Square", skeleton="def square(x):\n    ...\n"):
    block = f"```python\n{skeleton}```\n" if skeleton is not None else ""
    return md(
        f":::{{exercise}} {title}\n:label: {label}\n:class: implement\n\n"
        f"Write it.\n\n{block}:::"
    )


START = md(":::{solution-start} ex-a\n:class: dropdown\n:::")
END = md(":::{solution-end}\n:::")
CHAPTER = [
    md("# A title\n\n:::{admonition} Learning goals\n- compute one\n- explain\n  two"),
    code("x = 2\nactlib.glue('x-value', x, display=False)", ["remove-cell"]),
    md("The value is {glue:text}`x-value:.2f` and {glue}`x-value`."),
    exercise("ex-a"),  # 3
    START,  # 4
    code("def square(x):\n    return x * x", ["solution"]),  # 5
    md("Because a square is a product."),  # 6
    END,  # 7
    code("actlib.check_square(square)"),  # 8
    exercise("ex-b", title="No skeleton", skeleton=None),  # 9
    md(":::{solution} ex-b\n:class: dropdown\nThe answer.\n:::"),  # 10
    code("answer = 1", ["solution"]),  # 11
    code("print(answer)"),  # 12
]


# -------------------------------------------------------------------- table of contents
def write_toc(tmp_path, text, notebooks=()):
    (tmp_path / "_toc.yml").write_text(text)
    for name in notebooks:
        path = tmp_path / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")


def test_the_toc_is_read_in_order_with_nested_sections(tmp_path):
    # the nested entries are written with the keys on separate lines and with
    # `sections:` below a chapter: a line-based regex for `- file:` would miss some
    toc = """
format: jb-book
root: intro
parts:
  - caption: One
    chapters:
      - file: a
        sections:
          - file: a/one.ipynb
          - title: no file here
            sections:
              - {file: a/deep}
      - title: B
        file: b.md
  - caption: Two
    chapters:
      -   file: "c"
"""
    write_toc(tmp_path, toc, notebooks=["a/one", "a/deep", "c"])
    entries = toc_entries(tmp_path)
    assert entries == ["intro", "a", "a/one", "a/deep", "b", "c"]
    assert toc_entries(tmp_path, notebooks=True) == ["a/one", "a/deep", "c"]


def test_a_toc_that_is_not_a_mapping_is_rejected(tmp_path):
    write_toc(tmp_path, "- file: a\n")
    with pytest.raises(ValueError, match="_toc.yml"):
        toc_entries(tmp_path)


def test_the_real_toc_starts_at_the_intro_and_lists_the_chapters():
    entries = toc_entries(ROOT)
    assert entries[0] == "chapters/intro"
    chapters = toc_entries(ROOT, notebooks=True)
    assert chapters and set(chapters) <= set(entries)
    assert all((ROOT / f"{e}.ipynb").exists() for e in chapters)


# --------------------------------------------------------------------------- repository
def test_the_repository_setting_is_read_with_yaml():
    config = yaml.safe_load(
        'repository:\n  url: "https://github.com/o/r/"  # a comment\n'
        "  branch: dev\n  path_to_book: book/\n"
    )
    assert repository(config) == ("https://github.com/o/r", "dev", "book")
    assert (
        repository({"repository": {"url": "https://github.com/o/r"}}).branch == "main"
    )


@pytest.mark.parametrize("config", [{}, {"repository": None}, {"repository": {"x": 1}}])
def test_a_config_without_a_repository_url_is_rejected(config):
    with pytest.raises(ValueError, match="repository"):
        repository(config)


# -------------------------------------------------------------------------------- model
def test_the_model_reads_title_goals_and_glue():
    chapter = parse({"cells": CHAPTER})
    assert chapter.title == "A title"
    assert chapter.goals == ("compute one", "explain two")
    assert chapter.glue_used == {"x-value"} and chapter.glue_defined == {"x-value"}


def test_the_model_reads_exercises_gates_skeletons_and_checks():
    chapter = parse({"cells": CHAPTER})
    a, b = chapter.exercises
    assert (a.label, a.title, a.cell) == ("ex-a", "Square", 3)
    assert a.skeleton == "def square(x):\n    ...\n"
    assert (a.gate.label, a.gate.start, a.gate.end) == ("ex-a", 4, 7)
    assert list(a.gate.inside) == [5, 6]
    assert (a.check, a.check_name) == (8, "actlib.check_square")
    # no gate: its check is looked for after the exercise, and print() is no check
    assert (b.label, b.skeleton, b.gate, b.check, b.check_name) == (
        "ex-b",
        "",
        None,
        None,
        None,
    )
    assert chapter.gates == (a.gate,)
    assert chapter.solution_tagged == (5, 11)
    assert chapter.plain_solutions == (10,)
    assert chapter.check_cells == (8,)
    assert chapter.exercise("ex-b") is b
    with pytest.raises(KeyError, match="ex-c"):
        chapter.exercise("ex-c")


def test_solutions_and_others_split_the_cells():
    chapter = parse({"cells": CHAPTER})
    assert [c.index for c in chapter.solutions()] == [5, 6, 11]
    others = [c.index for c in chapter.others()]
    assert others == [0, 1, 2, 3, 8, 9, 10, 12], "gate cells are in neither"


def test_the_check_must_be_the_first_code_cell_after_the_gate():
    cells = CHAPTER[:8] + [code("print('not a check')"), code("actlib.check_square(f)")]
    assert parse({"cells": cells}).exercises[0].check is None


def test_sources_may_be_lists_of_lines():
    cells = [dict(c, source=c["source"].splitlines(keepends=True)) for c in CHAPTER]
    assert parse({"cells": cells}).exercises == parse({"cells": CHAPTER}).exercises


def test_an_unclosed_gate_is_an_error():
    with pytest.raises(ValueError, match=r"cell 4: .*ex-a has no \{solution-end\}"):
        parse({"cells": CHAPTER[:6]})


@pytest.mark.parametrize(
    "cells, message",
    [
        (
            [exercise("ex-a"), md(":::{solution-start} ex-z\n:::"), END],
            "names no exercise",
        ),
        ([exercise("ex-a"), START, START, END], "inside the gate"),
        ([exercise("ex-a"), END], "no {solution-start}"),
        ([exercise("ex-a"), md(":::{solution-start}\n:::"), END], "names no exercise"),
        ([exercise("ex-a"), START, END, START, END], "second gated solution"),
        ([md(":::{exercise} No label\nText.\n:::")], "no `:label:`"),
        (
            [md(":::{exercise} Bad kind\n:label: x-ex\n:class: guess\nText.\n:::")],
            "`:class: guess`; its kind must be one of",
        ),
    ],
)
def test_malformed_gates_and_exercises_are_errors(cells, message):
    with pytest.raises(ValueError, match=message.replace("{", r"\{")):
        parse({"cells": cells}, "x.ipynb")


def test_plain_solution_blocks_are_cut_from_their_cell():
    text = "Before.\n\n::::{solution} ex\nHidden.\n::::\n\nAfter."
    assert strip_plain_solutions(text) == "Before.\n\n\nAfter."


def test_notebooks_are_written_in_the_repository_format(tmp_path):
    nb = {"cells": [md("Größe")], "metadata": {}, "nbformat": 4}
    path = write_notebook(nb, tmp_path / "a.ipynb")
    assert path.read_text() == json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    assert "Größe" in path.read_text() and read_notebook(path) == nb


# ------------------------------------------------------------------------ real chapters
@pytest.mark.parametrize("entry", toc_entries(ROOT, notebooks=True))
def test_every_real_exercise_has_a_gated_solution_and_a_check(entry):
    chapter = read_chapter(ROOT / f"{entry}.ipynb")
    assert len(chapter.exercises) >= 4
    for ex in chapter.exercises:
        assert ex.gate is not None, f"{ex.label}: no gated solution"
        assert ex.check is not None, f"{ex.label}: no check right after its solution"
        assert ex.check_name.startswith("actlib.check_")
        assert ex.skeleton.strip(), f"{ex.label}: no skeleton for the student notebook"


# ---------------------------------------------------------------------- nbgrader course
def test_the_grader_course_has_answer_cells_graded_checks_and_locked_cells():
    from bookkit.grader import BEGIN, END, grader_cells

    cells = grader_cells(parse({"cells": CHAPTER[:9]}), points=3)
    meta = [c["metadata"]["nbgrader"] for c in cells]
    text = ["".join(c["source"]) for c in cells]
    answer = [i for i, m in enumerate(meta) if m["solution"]]
    assert answer == [4] and meta[4]["grade_id"] == "answer-ex-a"
    assert not meta[4]["locked"] and not meta[4]["grade"]
    skeleton, rest = text[4].split(BEGIN)
    assert "def square(x):\n    ...\n" in skeleton
    assert rest.strip() == f"def square(x):\n    return x * x\n{END}"
    assert "Because a square" not in "".join(text)  # the solution's prose is left out
    check = text.index("actlib.check_square(square)")
    assert meta[check] == {
        "grade": True,
        "grade_id": "check-ex-a",
        "locked": True,
        "points": 3,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    others = [m for i, m in enumerate(meta) if i not in (4, check)]
    assert all(m["locked"] and not m["grade"] and not m["solution"] for m in others)
    assert len({m["grade_id"] for m in meta}) == len(meta)


def test_the_grader_needs_a_gated_solution_and_a_check_for_each_exercise():
    from bookkit.grader import grader_cells, main

    with pytest.raises(ValueError, match=r"\['ex-b'\] lack a gated solution"):
        grader_cells(parse({"cells": CHAPTER}))
    with pytest.raises(SystemExit):
        main(["--points", "0"])
