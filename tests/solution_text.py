"""The text of every solution of every chapter, and a search for it (shared by the
edition tests).

A solution is every cell tagged `solution` and every cell between `{solution-start}` and
`{solution-end}`: the split comes from the chapter model (:mod:`bookkit.notebook`), the
one walk over the gates. Its "tell-tale" fragments are the lines of its code cells and
the plain-text runs of its markdown cells that appear nowhere else in the chapter (a
solution that repeats the exercise's skeleton, `def sigmoid_grad(z):`, reveals nothing
by it). Finding any of them in a student page or notebook means that the solution
leaked.
"""

import html as html_lib
import json
import re
from pathlib import Path

from bookkit import read_chapter, toc_entries

ROOT = Path(__file__).resolve().parent.parent
MIN_CHARS = 8


def toc_chapters(root=ROOT):
    return toc_entries(root, notebooks=True)


def split_cells(path):
    """(solution cells, other cells) of the notebook ``path`` (bookkit cells: `.source`,
    `.cell_type`); the gate cells are in neither."""
    chapter = read_chapter(path)
    return chapter.solutions(), chapter.others()


def _code_lines(text):
    return {line.strip() for line in text.splitlines() if line.strip()}


def _prose_runs(text):
    """Runs of at least five plain words (no maths, no markup) of a markdown text."""
    text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\{[^}]*\}", "|", text, flags=re.S)
    runs = re.split(r"[|\n*_#:()\[\]]+", text)
    return {r.strip(" ,.;") for r in runs if len(r.split()) >= 5}


def public_text(paths):
    """Everything outside the solutions of the notebooks ``paths``: what a student may
    see."""
    return "\n".join(c.source for path in paths for c in split_cells(path)[1])


def fragments(path, public=""):
    """The tell-tale fragments of every solution of the notebook ``path``.

    A line that also appears outside the solutions (of this chapter, or in ``public``:
    the text outside the solutions of the other chapters, e.g. ``import math``) reveals
    nothing.
    """
    solution, other = split_cells(path)
    elsewhere = "\n".join(c.source for c in other) + "\n" + public
    known = _code_lines(elsewhere)
    out = set()
    for cell in solution:
        if cell.is_code:
            out |= {
                line
                for line in _code_lines(cell.source) - known
                if len(line) >= MIN_CHARS and line not in elsewhere
            }
        else:
            out |= {run for run in _prose_runs(cell.source) if run not in elsewhere}
    return out


def page_text(html):
    """The visible text of an HTML page, tags removed and entities decoded."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", html))


def notebook_text(path):
    """The sources and outputs of every cell of the notebook ``path``, as one text."""
    nb = json.loads(Path(path).read_text())
    parts = []
    for cell in nb["cells"]:
        src = cell["source"]
        parts.append("".join(src) if isinstance(src, list) else src)
        for out in cell.get("outputs", []):
            parts.append(json.dumps(out))
    return "\n".join(parts)


def leaks(text, chapters=None, root=ROOT):
    """The solution fragments of ``chapters`` (default: all) found in ``text``."""
    found = []
    entries = toc_chapters(root)
    public = public_text(Path(root) / f"{entry}.ipynb" for entry in entries)
    for entry in chapters or entries:
        path = Path(root) / f"{entry}.ipynb"
        found += [(entry, f) for f in sorted(fragments(path, public)) if f in text]
    return found
