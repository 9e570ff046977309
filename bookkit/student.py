"""Export the student notebooks: every chapter without its solutions, ready to hand out.

    python -m bookkit.student [--out student/notebooks] [CHAPTER.ipynb ...]

Without chapter arguments it exports every notebook of `_toc.yml`, keeping its path (so
`chapters/activations.ipynb` becomes `student/notebooks/chapters/activations.ipynb`). In
each one:

- every gated solution (the markdown cell `:::{solution-start} LABEL`, everything up to
  and including `:::{solution-end}`) is replaced by ONE code cell holding the exercise's
  skeleton (the fenced code block of the `{exercise}` LABEL, whose body is `...`), or an
  empty answer cell when it has none;
- a plain `:::{solution}` block inside a markdown cell is removed, and any other cell
  tagged `solution` becomes an empty code cell;
- the check cells (`actlib.check_...`) stay, so students test their own answer;
- no cell keeps an output or an execution count.

`make student` runs it; `tests/test_student.py` proves that no line of any solution
survives. The gates are read by :mod:`bookkit.notebook`, the one parser of a chapter.
"""

import argparse
import copy
import sys
from pathlib import Path

from bookkit.book import ROOT, toc_entries
from bookkit.notebook import parse, read_notebook, strip_plain_solutions, write_notebook

ANSWER = "# Your answer here; then run the check cell below.\n"


def code_cell(text, cell_id):
    """An empty code cell tagged `answer` holding ``text``."""
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": {"tags": ["answer"]},
        "outputs": [],
        "source": text.splitlines(keepends=True),
    }


def student_cells(chapter):
    """The cells of the student notebook made from ``chapter`` (a
    :class:`~bookkit.notebook.Chapter`, or a notebook dict), which is left unchanged."""
    if isinstance(chapter, dict):
        chapter = parse(chapter)
    starts = {gate.start: gate for gate in chapter.gates}
    hidden = chapter.gated | chapter.gate_cells
    plain = set(chapter.plain_solutions)
    out = []
    for cell in chapter.cells:
        if cell.index in starts:
            label = starts[cell.index].label
            skeleton = chapter.exercise(label).skeleton
            out.append(code_cell(ANSWER + skeleton, f"answer-{label}"[:64]))
            continue
        if cell.index in hidden:
            continue
        data = copy.deepcopy(cell.data)
        if cell.index in plain:
            data["source"] = strip_plain_solutions(cell.source).splitlines(
                keepends=True
            )
        if "solution" in cell.tags:
            data = code_cell(ANSWER, f"answer-{len(out)}")
        if data["cell_type"] == "code":
            data["outputs"], data["execution_count"] = [], None
        out.append(data)
    return out


def export(path, out_dir, root=ROOT):
    """Write the student version of the notebook ``path`` under ``out_dir`` (at its path
    relative to ``root``, or under its bare name when it lies outside); return its
    path."""
    path = Path(path).resolve()
    nb = read_notebook(path)
    nb["cells"] = student_cells(parse(nb, path))
    nb.get("metadata", {}).pop("widgets", None)
    try:
        rel = path.relative_to(Path(root).resolve())
    except ValueError:
        rel = Path(path.name)
    target = Path(out_dir) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_notebook(nb, target)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "student" / "notebooks"))
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.notebooks] or [
        ROOT / f"{entry}.ipynb" for entry in toc_entries(ROOT, notebooks=True)
    ]
    for path in paths:
        print("student notebook:", export(path, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
