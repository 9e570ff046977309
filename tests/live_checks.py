"""The student notebooks run where students run them (run by `make test`).

Not collected by a plain `pytest tests`: the Makefile runs it once `student/notebooks`
exists, with `tests/plain_jupyter` on `PYTHONPATH`, so each notebook runs in a kernel
that can import only actlib and its declared dependencies, as in Colab. A student
notebook as handed out holds the exercises' skeletons, so each check cell must fail, and
fail the way a student should see it: an `ExerciseError` (one message, no traceback),
never a `NameError` or a crash elsewhere in the chapter.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from bookkit import read_chapter, toc_entries

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "student" / "notebooks"
CHAPTERS = toc_entries(ROOT, notebooks=True)


@pytest.mark.parametrize("entry", CHAPTERS)
def test_the_student_notebook_runs_and_only_its_checks_fail(entry):
    path = FOLDER / f"{entry}.ipynb"
    if not path.exists():
        pytest.skip(f"{path} does not exist: `make student`")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    errors = [
        (i, out["ename"], out["evalue"][:120])
        for i, cell in enumerate(nb.cells)
        for out in cell.get("outputs", [])
        if out["output_type"] == "error"
    ]
    others = [e for e in errors if e[1] != "ExerciseError"]
    assert not others, f"{entry}: cells fail for other reasons than a check: {others}"
    n_exercises = len(read_chapter(ROOT / f"{entry}.ipynb").exercises)
    assert len(errors) == n_exercises, (
        f"{entry}: {len(errors)} checks failed on the skeletons, {n_exercises} expected"
    )
