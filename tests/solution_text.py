"""The text of every solution of every chapter, and a search for it (shared by the edition tests).

A solution is every cell tagged `solution` and every cell between `{solution-start}` and
`{solution-end}`. Its "tell-tale" fragments are the lines of its code cells and the plain-text runs
of its markdown cells that appear nowhere else in the chapter (a solution that repeats the
exercise's skeleton, `def sigmoid_grad(z):`, reveals nothing by it). Finding any of them in a
student page or notebook means that the solution leaked.
"""
import html as html_lib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIN_CHARS = 8


def toc_chapters(root=ROOT):
    entries = re.findall(r"^\s*(?:root|- file):\s*(\S+)", (Path(root) / "_toc.yml").read_text(), flags=re.M)
    return [e for e in entries if (Path(root) / f"{e}.ipynb").exists()]


def _source(cell):
    return "".join(cell["source"])


def split_cells(cells):
    """(solution cells, other cells) of a notebook."""
    solution, other, inside = [], [], False
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] == "markdown" and "{solution-start}" in text:
            inside = True
            continue
        if cell["cell_type"] == "markdown" and "{solution-end}" in text:
            inside = False
            continue
        if inside or "solution" in cell.get("metadata", {}).get("tags", []):
            solution.append(cell)
        else:
            other.append(cell)
    return solution, other


def _code_lines(text):
    return {line.strip() for line in text.splitlines() if line.strip()}


def _prose_runs(text):
    """Runs of at least five plain words (no maths, no markup) of a markdown text."""
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\{[^}]*\}", "|", text, flags=re.S)
    runs = re.split(r"[|\n*_#:()\[\]]+", text)
    return {r.strip(" ,.;") for r in runs if len(r.split()) >= 5}


def public_text(paths):
    """Everything outside the solutions of the notebooks ``paths``: what a student may see."""
    return "\n".join(_source(c) for path in paths for c in split_cells(json.loads(Path(path).read_text())["cells"])[1])


def fragments(path, public=""):
    """The tell-tale fragments of every solution of the notebook ``path``.

    A line that also appears outside the solutions (of this chapter, or in ``public``: the text
    outside the solutions of the other chapters, e.g. ``import math``) reveals nothing.
    """
    solution, other = split_cells(json.loads(Path(path).read_text())["cells"])
    elsewhere = "\n".join(_source(c) for c in other) + "\n" + public
    known = _code_lines(elsewhere)
    out = set()
    for cell in solution:
        text = _source(cell)
        if cell["cell_type"] == "code":
            out |= {line for line in _code_lines(text) - known if len(line) >= MIN_CHARS and line not in elsewhere}
        else:
            out |= {run for run in _prose_runs(text) if run not in elsewhere}
    return out


def page_text(html):
    """The visible text of an HTML page, tags removed and entities decoded."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", html))


def notebook_text(path):
    nb = json.loads(Path(path).read_text())
    parts = []
    for cell in nb["cells"]:
        parts.append(_source(cell))
        for out in cell.get("outputs", []):
            parts.append(json.dumps(out))
    return "\n".join(parts)


def leaks(text, chapters=None, root=ROOT):
    """The solution fragments of ``chapters`` (default: all) found in ``text``."""
    found = []
    public = public_text(Path(root) / f"{entry}.ipynb" for entry in toc_chapters(root))
    for entry in chapters or toc_chapters(root):
        found += [(entry, f) for f in sorted(fragments(Path(root) / f"{entry}.ipynb", public)) if f in text]
    return found
