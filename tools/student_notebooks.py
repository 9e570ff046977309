"""Export the student notebooks: every chapter without its solutions, ready to hand out.

    python tools/student_notebooks.py [--out student/notebooks] [CHAPTER.ipynb ...]

Without chapter arguments it exports every notebook of `_toc.yml`, keeping its path (so
`chapters/activations.ipynb` becomes `student/notebooks/chapters/activations.ipynb`). In each one:

- every gated solution (the markdown cell `:::{solution-start} LABEL`, everything up to and including
  `:::{solution-end}`) is replaced by ONE code cell holding the exercise's skeleton (the fenced code
  block of the `{exercise}` LABEL, whose body is `...`), or an empty answer cell when it has none;
- a plain `:::{solution}` block inside a markdown cell is removed, and any other cell tagged
  `solution` becomes an empty code cell;
- the check cells (`actlib.check_...`) stay, so students test their own answer;
- no cell keeps an output or an execution count.

`make student` runs it; `tests/test_student.py` proves that no line of any solution survives.
"""
import argparse
import copy
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSWER = "# Your answer here; then run the check cell below.\n"


def source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def toc_notebooks(root=ROOT):
    entries = re.findall(r"^\s*(?:root|- file):\s*(\S+)", (Path(root) / "_toc.yml").read_text(), flags=re.M)
    return [Path(root) / f"{e}.ipynb" for e in entries if (Path(root) / f"{e}.ipynb").exists()]


def skeletons(cells):
    """{label: skeleton code} from every `{exercise}` markdown cell's first fenced code block."""
    out = {}
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        text = source(cell)
        for match in re.finditer(r"\{exercise\}[^\n]*\n:label:\s*(\S+)(.*?)(?=\{exercise\}|\Z)", text, re.S):
            code = re.search(r"```(?:python|ipython3?)?\n(.*?)```", match.group(2), re.S)
            out[match.group(1)] = code.group(1) if code else ""
    return out


def code_cell(text, cell_id):
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {"tags": ["answer"]},
            "outputs": [], "source": text.splitlines(keepends=True)}


PLAIN_SOLUTION = re.compile(r"^(:{3,})\{solution\}.*?^\1[ \t]*$\n?", re.S | re.M)


def student_cells(cells):
    """The cells of the student notebook made from ``cells`` (which are left unchanged)."""
    skel = skeletons(cells)
    out, inside = [], False
    for cell in cells:
        text = source(cell)
        if cell["cell_type"] == "markdown" and "{solution-start}" in text:
            label = re.search(r"\{solution-start\}\s*(\S+)", text).group(1)
            out.append(code_cell(ANSWER + skel.get(label, ""), f"answer-{label}"[:64]))
            inside = True
            continue
        if inside:
            if cell["cell_type"] == "markdown" and "{solution-end}" in text:
                inside = False
            continue
        cell = copy.deepcopy(cell)
        if cell["cell_type"] == "markdown" and "{solution}" in text:
            cell["source"] = PLAIN_SOLUTION.sub("", text).splitlines(keepends=True)
        if "solution" in tags(cell):
            cell = code_cell(ANSWER, f"answer-{len(out)}")
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        out.append(cell)
    if inside:
        raise ValueError("a {solution-start} has no {solution-end}")
    return out


def export(path, out_dir, root=ROOT):
    """Write the student version of the notebook ``path`` under ``out_dir``; return its path."""
    path = Path(path).resolve()
    nb = json.loads(path.read_text())
    nb["cells"] = student_cells(nb["cells"])
    nb.get("metadata", {}).pop("widgets", None)
    try:
        rel = path.relative_to(Path(root).resolve())
    except ValueError:
        rel = Path(path.name)
    target = Path(out_dir) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "student" / "notebooks"))
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.notebooks] or toc_notebooks()
    for path in paths:
        print("student notebook:", export(path, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
