"""An nbgrader source course made from the chapters: assign, collect and grade.

    python -m bookkit.grader [--out DIR] [--executed DIR] [--points N] [CHAPTER ...]

nbgrader (the Jupyter project's grading tool) generates, releases, collects, autogrades
and returns assignments from a *course directory*. This tool writes one, with one
assignment per chapter (``source/activations/activations.ipynb``, ...), made from the
live notebook of the chapter (:mod:`bookkit.live`: plain Markdown, the numbers of the
build; so build the book first), where:

- each exercise's gated solution becomes ONE answer cell, an nbgrader *solution* cell:
  the exercise's skeleton, then the reference solution between ``### BEGIN SOLUTION``
  and ``### END SOLUTION``. ``nbgrader generate_assignment`` removes the region, so a
  student receives the skeleton; the reference, defined after the skeleton, is what
  the instructor's source runs;
- each exercise's check cell (``actlib.check_...``) becomes a locked *autograder test*
  cell worth :data:`POINTS` points (``--points``): full points when the check passes,
  zero when it raises (its message, with the hint, is the student's feedback);
- every other cell is *read-only* (locked): at grading time nbgrader puts back the
  source of every locked cell, so an edited check is not what runs.

The course's ``nbgrader_config.py`` sets the course id and the time a cell may run at
grading (:data:`TIMEOUT_S`; an answer that loops forever scores zero after it, the
rest of the notebook is still graded). ``make nbgrader`` writes the course into
``nbgrader/`` (git-ignored); the instructor page gives nbgrader's commands.
"""

import argparse
import copy
import sys
from pathlib import Path

from bookkit.book import ROOT, toc_entries
from bookkit.live import EXECUTED, Links, References, glued_values, live_cells
from bookkit.notebook import read_chapter, strip_plain_solutions, write_notebook

POINTS = 1  # what each exercise's check is worth
TIMEOUT_S = 300  # the longest a cell may run at grading (nbgrader's own default: 30)
ANSWER = "# Your answer here; then run the check cell below.\n"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
GRADING = (
    "> **Graded with nbgrader.** Write your answers in the cells that hold an "
    "exercise's skeleton, and run the check cell below each one: it tells you at once "
    "whether your answer is right. Every other cell is read-only. The grader runs the "
    "whole notebook from the top and gives each exercise its points when its check "
    "passes; a cell that runs longer than {timeout} s is stopped and scores zero."
)
CONFIG = """\
# nbgrader's configuration for the course written by `python -m bookkit.grader`.
c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = "actlib"
# An answer cell keeps the exercise's skeleton: nothing replaces the solution region.
c.ClearSolutions.code_stub = {{"python": ""}}
# The longest a cell may run at grading; one that runs longer is interrupted and
# scores zero, and the rest of the notebook is still graded.
c.Execute.timeout = {timeout}
"""


def _meta(grade_id, *, locked=True, solution=False, points=None):
    """nbgrader's cell metadata (its schema 3)."""
    meta = {
        "grade": points is not None,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return meta


def _answer(grade_id, skeleton, solution):
    """An answer cell: ``skeleton``, then ``solution`` between nbgrader's delimiters."""
    text = f"{ANSWER}{skeleton.rstrip()}\n{BEGIN}\n{solution.strip()}\n{END}\n"
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": grade_id[:64],
        "metadata": {"nbgrader": _meta(grade_id, locked=False, solution=True)},
        "outputs": [],
        "source": text.lstrip("\n").splitlines(keepends=True),
    }


def _answer_cell(exercise, chapter):
    """The answer cell of ``exercise``: its skeleton, then the reference solution (the
    code cells of its gate)."""
    solution = "\n\n".join(
        chapter.cells[i].source.strip("\n")
        for i in exercise.gate.inside
        if chapter.cells[i].is_code
    )
    return _answer(f"answer-{exercise.label}", exercise.skeleton, solution)


def grader_cells(chapter, points=POINTS):
    """The cells of the nbgrader source notebook made from ``chapter`` (a
    :class:`~bookkit.notebook.Chapter`), MyST not yet made plain."""
    gated = {ex.gate.start: ex for ex in chapter.exercises if ex.gate}
    checks = {ex.check: ex for ex in chapter.exercises if ex.check is not None}
    hidden = chapter.gated | chapter.gate_cells
    missing = [ex.label for ex in chapter.exercises if ex.gate is None or not ex.check]
    if missing:
        raise ValueError(
            f"{chapter.path}: the exercises {missing} lack a gated solution or a check "
            "cell: nbgrader needs a reference answer and a test for each"
        )
    out = []
    for cell in chapter.cells:
        if cell.index in gated:
            out.append(_answer_cell(gated[cell.index], chapter))
            continue
        if cell.index in hidden:
            continue
        data = copy.deepcopy(cell.data)
        if cell.index in chapter.plain_solutions:
            text = strip_plain_solutions(cell.source)
            data["source"] = text.splitlines(keepends=True)
        if "solution" in cell.tags:  # a solution outside a gate: the same, alone
            data = _answer(f"answer-cell-{cell.index}", "", cell.source)
            out.append(data)
            continue
        if cell.index in checks:
            label = checks[cell.index].label
            meta = _meta(f"check-{label}", points=points)
        else:
            meta = _meta(f"cell-{cell.index}")
        data.setdefault("metadata", {})["nbgrader"] = meta
        out.append(data)
    return out


def export(entry, out_dir, *, executed=EXECUTED, points=POINTS, root=ROOT):
    """Write the nbgrader source notebook of chapter ``entry`` into the course
    ``out_dir`` (``source/<name>/<name>.ipynb``); return its path."""
    root = Path(root)
    chapters = [read_chapter(root / f"{e}.ipynb") for e in toc_entries(root, True)]
    chapter = read_chapter(root / f"{entry}.ipynb")
    cells = live_cells(
        grader_cells(chapter, points),
        entry,
        glued_values(entry, executed),
        Links(chapters, None),
        References(root / "references.bib"),
    )
    note = next(i for i, c in enumerate(cells) if c.get("id") == "live-note")
    cells.insert(
        note + 1,
        {
            "cell_type": "markdown",
            "id": "grading-note",
            "metadata": {},
            "source": [GRADING.format(timeout=TIMEOUT_S)],
        },
    )
    for cell in cells:  # the cells live_cells adds: read-only too
        cell.setdefault("metadata", {}).setdefault("nbgrader", _meta(cell["id"]))
    nb = copy.deepcopy(chapter.nb)
    nb["cells"] = cells
    nb.get("metadata", {}).pop("widgets", None)
    name = Path(entry).name
    return write_notebook(nb, _mkdir(Path(out_dir) / "source" / name) / f"{name}.ipynb")


def _mkdir(path):
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_course(out_dir, entries=None, *, executed=EXECUTED, points=POINTS, root=ROOT):
    """Write the course (its configuration and one assignment per chapter of
    ``entries``, default all) into ``out_dir``; return the notebooks' paths."""
    out_dir = _mkdir(Path(out_dir))
    (out_dir / "nbgrader_config.py").write_text(CONFIG.format(timeout=TIMEOUT_S))
    entries = entries or toc_entries(root, notebooks=True)
    return [
        export(e, out_dir, executed=executed, points=points, root=root) for e in entries
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "nbgrader"))
    parser.add_argument("--executed", default=str(EXECUTED))
    parser.add_argument("--points", type=float, default=POINTS)
    parser.add_argument("chapters", nargs="*")
    args = parser.parse_args(argv)
    if args.points <= 0:
        parser.error(f"--points={args.points}: each check must be worth more than 0")
    entries = [str(Path(p).with_suffix("")) for p in args.chapters]
    for path in write_course(
        args.out, entries, executed=args.executed, points=args.points
    ):
        print("nbgrader source:", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
