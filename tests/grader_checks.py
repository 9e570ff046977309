"""The grading flow, end to end, with nbgrader's own commands (run by `make test` after
the build; needs requirements-nbgrader.txt).

`bookkit.grader` writes the course from the built book. Here:

- `nbgrader generate_assignment` releases every chapter: each answer cell keeps the
  skeleton and loses the reference solution, no check is hidden, no cell is left
  unlocked but the answers;
- five students hand in the released notebook of one chapter (:data:`CHAPTER`):
  with the reference solutions, as released, with a mix of right and wrong answers,
  with an answer that loops forever, and with every check cell edited to pass;
- `nbgrader autograde` grades them all, and the scores read from nbgrader's gradebook
  are what each submission deserves: full marks, zero, the right exercises, zero for
  the loop only (within the course's cell timeout), zero for the edited checks (the
  locked checks are restored, so the original check is what runs);
- `nbgrader generate_feedback` writes each student an HTML page that shows, for a
  wrong answer, its check's message and hint.

One chapter is graded (each submission runs it once; the other chapters' checks are
run by nbval and the build), the fastest to execute.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bookkit import read_chapter, toc_entries
from bookkit.grader import BEGIN, END, POINTS, write_course

ROOT = Path(__file__).resolve().parent.parent
EXECUTED = Path(os.environ.get("EXECUTED_DIR", ROOT / "_build" / "jupyter_execute"))
NBGRADER = Path(sys.executable).with_name("nbgrader")
CHAPTER = "chapters/preprocessing"
NAME = Path(CHAPTER).name
TIMEOUT_S = 20  # per cell at grading, here: the chapter's slowest cell takes ~1 s
WRONG = (  # a wrong answer, to see its hint in the feedback
    "prep-ex-standardize",
    "def standardize(X_train, X_test):\n"
    "    return (X_test - X_test.mean(0)) / X_test.std(0)\n",
)
LOOP = "while True:  # never ends\n    pass\n"

pytestmark = [
    pytest.mark.skipif(
        not NBGRADER.exists(),
        reason="needs nbgrader (requirements-nbgrader.txt; `make test` installs it)",
    ),
    pytest.mark.xdist_group("grader"),  # one course for the module under xdist
]


def nbgrader(course, *args):
    """Run one nbgrader command in the course; its output (it must succeed)."""
    env = dict(os.environ, PATH=f"{NBGRADER.parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run(
        [str(NBGRADER), *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, f"nbgrader {' '.join(args)}:\n{done.stderr[-4000:]}"
    return done.stderr + done.stdout


def cells(path):
    return json.loads(Path(path).read_text())["cells"]


def meta(cell):
    return cell["metadata"].get("nbgrader", {})


def text(cell):
    return "".join(cell["source"])


def reference_answer(source_cell):
    """The source's answer cell with nbgrader's delimiters removed: the reference."""
    return "".join(
        line for line in source_cell["source"] if line.strip() not in (BEGIN, END)
    )


# The fixtures are made once per session: under `--dist loadgroup` xdist may run tests
# of other modules between these, which would end a module-scoped fixture.
@pytest.fixture(scope="session")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    write_course(root, executed=EXECUTED)
    nbgrader(root, "generate_assignment", "*", "--force")  # every chapter at once
    return root


@pytest.fixture(scope="session")
def graded(course):
    """Hand in five submissions of CHAPTER, autograde them; the gradebook's scores,
    {student: {grade_id: score}}, and the autograded notebooks' folder."""
    source = {meta(c).get("grade_id"): c for c in cells(source_nb(course))}
    released = cells(course / "release" / NAME / f"{NAME}.ipynb")
    labels = [ex.label for ex in read_chapter(ROOT / f"{CHAPTER}.ipynb").exercises]

    def answered(right=(), wrong=None, loop=(), edit_checks=False):
        out = json.loads(json.dumps(released))
        for cell in out:
            grade_id = meta(cell).get("grade_id", "")
            label = grade_id.split("-", 1)[-1]
            if grade_id.startswith("answer-"):
                if label in right:
                    cell["source"] = reference_answer(source[grade_id])
                if wrong and label == wrong[0]:
                    cell["source"] = wrong[1]
                if label in loop:
                    cell["source"] = LOOP
            if grade_id.startswith("check-") and edit_checks:
                cell["source"] = 'print("all correct")\n'
        return out

    submissions = {
        "reference": answered(right=labels),
        "released": answered(),
        "mixed": answered(right=labels[::2], wrong=WRONG),
        "loops": answered(right=labels, loop=labels[:1]),
        "edited": answered(edit_checks=True),
    }
    nb = json.loads((course / "release" / NAME / f"{NAME}.ipynb").read_text())
    for student, body in submissions.items():
        folder = course / "submitted" / student / NAME
        folder.mkdir(parents=True)
        (folder / f"{NAME}.ipynb").write_text(json.dumps(dict(nb, cells=body)))
    nbgrader(course, "autograde", NAME, "--force", f"--Execute.timeout={TIMEOUT_S}")
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in submissions:
            sub = gb.find_submission_notebook(NAME, NAME, student)
            scores[student] = {g.name: g.score for g in sub.grades}
    return scores, labels


def source_nb(course):
    return course / "source" / NAME / f"{NAME}.ipynb"


def test_every_chapter_is_released_with_skeletons_and_locked_checks(course):
    for entry in toc_entries(ROOT, notebooks=True):
        name = Path(entry).name
        chapter = read_chapter(ROOT / f"{entry}.ipynb")
        out = cells(course / "release" / name / f"{name}.ipynb")
        answers = {meta(c)["grade_id"]: c for c in out if meta(c).get("solution")}
        checks = {meta(c)["grade_id"]: c for c in out if meta(c).get("grade")}
        assert set(answers) == {f"answer-{ex.label}" for ex in chapter.exercises}
        assert set(checks) == {f"check-{ex.label}" for ex in chapter.exercises}
        for ex in chapter.exercises:
            answer = text(answers[f"answer-{ex.label}"])
            assert ex.skeleton.strip() in answer, (name, ex.label)
            assert "BEGIN SOLUTION" not in answer and "END SOLUTION" not in answer
            check = checks[f"check-{ex.label}"]
            assert meta(check)["locked"] and meta(check)["points"] == POINTS
            assert ex.check_name in text(check)
        for cell in out:  # all else read-only; no output handed out
            assert meta(cell).get("locked") or meta(cell).get("solution"), name
            assert not cell.get("outputs"), name
    from solution_text import leaks, notebook_text

    for entry in toc_entries(ROOT, notebooks=True):  # no line of a solution handed out
        name = Path(entry).name
        found = leaks(notebook_text(course / "release" / name / f"{name}.ipynb"))
        assert not found, f"{name}: solution text {found[:5]}"


def test_reference_solutions_score_full_marks(graded):
    scores, labels = graded
    assert scores["reference"] == {f"check-{lab}": POINTS for lab in labels}


def test_a_notebook_as_released_scores_zero_and_is_graded(graded):
    scores, labels = graded
    assert scores["released"] == {f"check-{lab}": 0 for lab in labels}


def test_a_mixed_submission_scores_its_right_exercises(graded):
    scores, labels = graded
    right = set(labels[::2]) - {WRONG[0]}
    assert scores["mixed"] == {
        f"check-{lab}": POINTS if lab in right else 0 for lab in labels
    }


def test_an_answer_that_never_ends_scores_zero_and_the_rest_is_graded(graded, course):
    scores, labels = graded
    assert scores["loops"] == {
        f"check-{lab}": 0 if lab == labels[0] else POINTS for lab in labels
    }
    out = cells(course / "autograded" / "loops" / NAME / f"{NAME}.ipynb")
    errors = [o for c in out for o in c.get("outputs", []) if o.get("ename")]
    assert any("Timeout" in o["ename"] for o in errors), [o["ename"] for o in errors]


def test_an_edited_check_is_restored_before_it_runs(graded, course):
    scores, labels = graded
    assert scores["edited"] == {f"check-{lab}": 0 for lab in labels}
    out = cells(course / "autograded" / "edited" / NAME / f"{NAME}.ipynb")
    chapter = read_chapter(ROOT / f"{CHAPTER}.ipynb")
    for cell in out:
        if meta(cell).get("grade"):
            assert "all correct" not in text(cell)
            label = meta(cell)["grade_id"].removeprefix("check-")
            assert chapter.exercise(label).check_name in text(cell)


def test_feedback_shows_each_wrong_answer_its_check_and_hint(graded, course):
    nbgrader(course, "generate_feedback", NAME, "--force")
    page = (course / "feedback" / "mixed" / NAME / f"{NAME}.html").read_text()
    assert "Hint:" in page
    assert "X_train.mean(dim=0)" in page  # the hint of the standardize check
    scores, labels = graded
    wrong = [g for g, score in scores["mixed"].items() if score == 0]
    assert page.count("ExerciseError") >= len(wrong)
    shutil.rmtree(course / "feedback")
