"""Tests for the student export (`bookkit.student`) and the Colab cell
(`bookkit.colab`).

The export runs on every chapter of the table of contents, so a new chapter is covered
as soon as it is in `_toc.yml`: no line of any solution may survive in its student
notebook.
"""

import json
from pathlib import Path

import pytest
import yaml
from solution_text import leaks, notebook_text, toc_chapters

from bookkit import colab, parse, read_chapter, repository, student
from bookkit.notebook import source

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = toc_chapters()


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text, tags=()):
    return {
        "cell_type": "code",
        "metadata": {"tags": list(tags)},
        "source": text,
        "outputs": [{"output_type": "stream", "name": "stdout", "text": "x"}],
        "execution_count": 3,
    }


EXERCISE = [
    md(
        ":::{exercise} Square\n:label: t-ex-square\n:class: implement\n\nWrite it.\n\n"
        "```python\ndef square(x):\n    ...  # x squared\n```\n:::"
    ),
    md(":::{solution-start} t-ex-square\n:class: dropdown\n:::"),
    code("def square(x):\n    return x * x  # the secret line", ["solution"]),
    md("The secret explanation is here in plain words."),
    md(":::{solution-end}\n:::"),
    code("actlib.check_square(square)"),
]


def student_cells(cells):
    return student.student_cells(parse({"cells": cells}))


def test_a_gated_solution_becomes_the_exercise_skeleton():
    cells = student_cells(EXERCISE)
    text = "\n".join(source(c) for c in cells)
    for secret in ("return x * x", "secret explanation", "solution-start"):
        assert secret not in text
    answer = [c for c in cells if "answer" in c["metadata"].get("tags", [])]
    assert len(answer) == 1
    assert "def square(x):\n    ...  # x squared" in source(answer[0])
    assert source(cells[-1]) == "actlib.check_square(square)", (
        "the check must stay last"
    )
    for c in cells:
        if c["cell_type"] == "code":
            assert c["outputs"] == [] and c["execution_count"] is None
    assert source(EXERCISE[2]).endswith("secret line"), "the input is left unchanged"


def test_plain_solution_blocks_and_stray_solution_cells_go_too():
    cells = student_cells(
        [
            md(
                "Before.\n\n:::{solution} t-ex\n:class: dropdown\n"
                "The hidden answer is 42.\n:::\n\nAfter."
            ),
            code("answer = 42", ["solution"]),
        ]
    )
    assert "hidden answer" not in source(cells[0]) and "After." in source(cells[0])
    assert "42" not in source(cells[1])


def test_an_unclosed_solution_is_an_error():
    with pytest.raises(ValueError, match="solution-end"):
        student_cells(EXERCISE[:3])


@pytest.mark.parametrize("entry", CHAPTERS)
def test_every_chapter_exports_without_any_solution(entry, tmp_path):
    path = student.export(ROOT / f"{entry}.ipynb", tmp_path, ROOT)
    assert path == tmp_path / f"{entry}.ipynb"
    assert not leaks(notebook_text(path), [entry]), "solution text survived the export"
    original = read_chapter(ROOT / f"{entry}.ipynb")
    exported = json.loads(path.read_text())["cells"]
    checks = [
        source(c)
        for c in exported
        if c["cell_type"] == "code" and "actlib.check_" in source(c)
    ]
    assert checks == [original.cells[i].source for i in original.check_cells], (
        "every check cell must stay"
    )
    answers = [c for c in exported if "answer" in c["metadata"].get("tags", [])]
    assert len(answers) == len(original.exercises)
    assert all(c["outputs"] == [] for c in exported if c["cell_type"] == "code")


def test_the_solution_search_finds_solutions_in_the_source():
    for entry in CHAPTERS:
        text = (ROOT / f"{entry}.ipynb").read_text()
        assert leaks(text.replace("\\n", "\n").replace('\\"', '"'), [entry]), entry


# -------------------------------------------------------------------------- Colab cell
def test_the_colab_cell_uses_the_one_repository_setting():
    url, branch, _ = repository()
    assert url.startswith("https://github.com/")
    assert f"git+{url}@{branch}" in colab.cell_source(url, branch)
    assert 'if "google.colab" in sys.modules' in colab.cell_source(url, branch)


def test_the_colab_cell_is_inserted_once_and_updated_in_place():
    cells = [md("# Title"), code("import actlib")]
    once, changed = colab.update(cells, "https://github.com/a/b", "main")
    assert changed and once[1:] == cells
    assert once[0]["metadata"]["tags"] == ["remove-cell", colab.TAG]
    twice, changed = colab.update(once, "https://github.com/a/b", "main")
    assert not changed and twice == once
    moved, changed = colab.update(once, "https://github.com/c/d", "dev")
    assert changed and len(moved) == len(once)
    assert "git+https://github.com/c/d@dev" in source(moved[0])


def test_the_colab_cell_is_plain_python_outside_colab():
    from IPython.core.inputtransformer2 import TransformerManager

    cell = colab.cell_source("https://github.com/a/b", "main")
    python = TransformerManager().transform_cell(cell)
    namespace = {"get_ipython": lambda: pytest.fail("the cell ran pip outside Colab")}
    exec(compile(python, "colab-cell", "exec"), namespace)


def test_a_config_without_repository_is_rejected():
    with pytest.raises(ValueError, match="repository"):
        repository(yaml.safe_load("title: x\n"))


def test_every_chapter_has_an_up_to_date_colab_cell():
    assert colab.main(["--check"]) == 0, "run `make colab-cell`"
