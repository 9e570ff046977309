"""Tests for the student export (`tools/student_notebooks.py`) and the Colab cell (`tools/colab_cell.py`).

The export runs on every chapter of the table of contents, so a new chapter is covered as soon as
it is in `_toc.yml`: no line of any solution may survive in its student notebook.
"""
import importlib.util
import json
import re
from pathlib import Path

import pytest

from solution_text import leaks, notebook_text, toc_chapters

ROOT = Path(__file__).resolve().parent.parent


def load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


student = load("student_notebooks")
colab = load("colab_cell")
CHAPTERS = toc_chapters()


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text, tags=()):
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": text, "outputs": [{"output_type": "stream", "name": "stdout", "text": "x"}], "execution_count": 3}


EXERCISE = [
    md(":::{exercise} Square\n:label: t-ex-square\n\nWrite it.\n\n```python\ndef square(x):\n    ...  # x squared\n```\n:::"),
    md(":::{solution-start} t-ex-square\n:class: dropdown\n:::"),
    code("def square(x):\n    return x * x  # the secret line", ["solution"]),
    md("The secret explanation is here in plain words."),
    md(":::{solution-end}\n:::"),
    code("actlib.check_square(square)"),
]


def test_a_gated_solution_becomes_the_exercise_skeleton():
    cells = student.student_cells(EXERCISE)
    text = "\n".join(student.source(c) for c in cells)
    assert "return x * x" not in text and "secret explanation" not in text and "solution-start" not in text
    answer = [c for c in cells if "answer" in c["metadata"].get("tags", [])]
    assert len(answer) == 1 and "def square(x):\n    ...  # x squared" in student.source(answer[0])
    assert student.source(cells[-1]) == "actlib.check_square(square)", "the check cell must stay, last"
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in cells if c["cell_type"] == "code")
    assert student.source(EXERCISE[2]).endswith("secret line"), "the input cells are left unchanged"


def test_plain_solution_blocks_and_stray_solution_cells_go_too():
    cells = student.student_cells([
        md("Before.\n\n:::{solution} t-ex\n:class: dropdown\nThe hidden answer is 42.\n:::\n\nAfter."),
        code("answer = 42", ["solution"]),
    ])
    assert "hidden answer" not in student.source(cells[0]) and "After." in student.source(cells[0])
    assert "42" not in student.source(cells[1])


def test_an_unclosed_solution_is_an_error():
    with pytest.raises(ValueError, match="solution-end"):
        student.student_cells(EXERCISE[:3])


@pytest.mark.parametrize("entry", CHAPTERS)
def test_every_chapter_exports_without_any_solution(entry, tmp_path):
    path = student.export(ROOT / f"{entry}.ipynb", tmp_path, ROOT)
    assert path == tmp_path / f"{entry}.ipynb"
    assert not leaks(notebook_text(path), [entry]), "solution text survived the export"
    original = json.loads((ROOT / f"{entry}.ipynb").read_text())["cells"]
    exported = json.loads(path.read_text())["cells"]
    checks = lambda cells: [student.source(c) for c in cells if c["cell_type"] == "code" and "actlib.check_" in student.source(c)]
    assert checks(exported) == checks(original), "every check cell must stay"
    labels = re.findall(r"\{exercise\}[^\n]*\n:label:\s*(\S+)", "\n".join(student.source(c) for c in original))
    answers = [c for c in exported if "answer" in c["metadata"].get("tags", [])]
    assert len(answers) == len(labels)
    assert all(c["outputs"] == [] for c in exported if c["cell_type"] == "code")


def test_the_solution_search_finds_solutions_in_the_source():
    for entry in CHAPTERS:
        assert leaks((ROOT / f"{entry}.ipynb").read_text().replace("\\n", "\n").replace('\\"', '"'), [entry]), entry


# ----------------------------------------------------------------------------- Colab cell
def test_the_colab_cell_uses_the_one_repository_setting():
    url, branch = colab.repository((ROOT / "_config.yml").read_text())
    assert url.startswith("https://github.com/")
    assert f"git+{url}@{branch}" in colab.cell_source(url, branch)
    assert 'if "google.colab" in sys.modules' in colab.cell_source(url, branch)


def test_the_colab_cell_is_inserted_once_and_updated_in_place():
    cells = [md("# Title"), code("import actlib")]
    once, changed = colab.update(cells, "https://github.com/a/b", "main")
    assert changed and once[0]["metadata"]["tags"] == ["remove-cell", colab.TAG] and once[1:] == cells
    twice, changed = colab.update(once, "https://github.com/a/b", "main")
    assert not changed and twice == once
    moved, changed = colab.update(once, "https://github.com/c/d", "dev")
    assert changed and len(moved) == len(once) and "git+https://github.com/c/d@dev" in "".join(moved[0]["source"])


def test_the_colab_cell_is_plain_python_outside_colab():
    from IPython.core.inputtransformer2 import TransformerManager

    python = TransformerManager().transform_cell(colab.cell_source("https://github.com/a/b", "main"))
    namespace = {"get_ipython": lambda: pytest.fail("the cell ran pip outside Colab")}
    exec(compile(python, "colab-cell", "exec"), namespace)


def test_a_config_without_repository_is_rejected():
    with pytest.raises(ValueError, match="repository"):
        colab.repository("title: x\n")


def test_every_chapter_has_an_up_to_date_colab_cell():
    assert colab.main(["--check"]) == 0, "run `make colab-cell`"
