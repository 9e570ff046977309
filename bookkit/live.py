"""The live notebooks: the chapters as a reader opens them in Jupyter, Colab or VS Code.

    python -m bookkit.live [--executed DIR] [--out DIR] [--student] [CHAPTER.ipynb ...]

A chapter's source is written for the book's build: its numbers come from myst-nb's
``glue``, its boxes and references are MyST, and hidden cells glue and assert. Opened
live, that source would show ``{glue:text}`steps_90:d``` where the page shows a
number, and raw ``:::{exercise}`` fences. This tool writes, from the chapters and the
numbers one build measured, notebooks that read like the book anywhere:

- every glued number is written into the text as that build measured it, and the top of
  the notebook says so (a reader's own run may differ in the last digits);
- the build-only statements go: every top-level ``actlib.glue(...)`` call and every
  ``assert`` (the chapter's claims, which the build checks); a cell left empty goes too;
- MyST becomes plain Markdown that every front end renders: an exercise or an
  admonition becomes a quoted box with a bold title, a label ``(name)=`` an HTML
  anchor, a labelled equation ``$$ ... $$ (name)`` an equation with ``\\tag{n}``
  (numbered in order, as on the page), ``{eq}`name``` its number ``(n)``, ``{ref}``
  and ``{doc}`` links to the other notebooks (``activations.ipynb#act-what``), or to
  the site where ``site_url`` is given;
- citations ``{footcite:p}`key``` become "(Author, year)" linked to the work (its DOI,
  arXiv page or address, from ``references.bib``), and the chapter's
  ``{footbibliography}`` a list of the works it cited;
- ``--student`` starts from the student notebook (:mod:`bookkit.student`): solutions
  replaced by the exercises' skeletons.

The numbers come from the build's folder of executed notebooks,
``_build/jupyter_execute``, where myst-nb writes each chapter's glued values
(``<chapter>.glue.json``).
"""

import argparse
import ast
import copy
import functools
import json
import re
import sys
from pathlib import Path

from bookkit.book import ROOT, toc_entries
from bookkit.notebook import (
    GLUE_USED,
    read_chapter,
    read_notebook,
    source,
    write_notebook,
)

EXECUTED = ROOT / "_build" / "jupyter_execute"
NOTE = (
    "> **A live copy of a chapter of the book.** The numbers in the text were "
    "measured when the book was built; your run uses the same seeds, so it gives the "
    "same numbers on the same kind of machine and may differ in the last digits "
    "elsewhere. Run the cells from the top."
)
DIRECTIVE = re.compile(
    r"^(?P<fence>:{3,}|`{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<arg>[^\n]*)\n"
    r"(?P<body>.*?)^(?P=fence)[ \t]*$\n?",
    re.S | re.M,
)
OPTION = re.compile(r"\A((?::[\w-]+:[^\n]*\n)*)")
TARGET = re.compile(r"^\(([\w-]+)\)=[ \t]*$", re.M)
EQUATION = re.compile(r"\$\$(?P<maths>.*?)\$\$[ \t]*\((?P<label>[\w-]+)\)", re.S)
CITE = re.compile(r"\{(?:foot)?cite(?::(?P<style>\w+))?\}`(?P<keys>[^`]+)`")
ROLE = re.compile(
    r"\{(?P<role>ref|doc|eq)\}`(?P<text>[^`<]*?)\s*(?:<(?P<target>[^`>]+)>)?`"
)


# ---------------------------------------------------------------------------- numbers
def glued_values(entry, executed=EXECUTED):
    """{name: text/plain} of the values a build glued in the chapter ``entry``."""
    path = Path(executed) / f"{entry.removeprefix('chapters/')}.glue.json"
    path = path if path.exists() else Path(executed) / f"{entry}.glue.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no glued values; build the book first (`make book`)"
        )
    data = json.loads(path.read_text())
    return {name: output["data"]["text/plain"] for name, output in data.items()}


def fill_glue(text, values):
    """``text`` with every glue role replaced by its value, formatted as on the page."""
    from myst_nb.core.variables import format_plain_text  # the book's own formatting

    def value(match):
        name, spec = match.group(1), match.group(2) or ""
        if name not in values:
            raise KeyError(f"the prose uses {{glue}}`{name}`, which no cell glued")
        return format_plain_text(values[name], spec)

    return GLUE_USED.sub(value, text)


# ----------------------------------------------------------------- build-only code
def _is_build_only(node):
    if isinstance(node, ast.Assert):
        return True
    call = node.value if isinstance(node, ast.Expr) else None
    func = getattr(call, "func", None)
    return (
        isinstance(call, ast.Call)
        and isinstance(func, ast.Attribute)
        and func.attr == "glue"
        and isinstance(func.value, ast.Name)
        and func.value.id == "actlib"
    )


def strip_build_only(code):
    """``code`` without its top-level ``actlib.glue(...)`` calls and ``assert``
    statements; the empty string if nothing else was in it (comments do not count)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # IPython magics (%pip): not the book's build code
        return code
    lines = code.splitlines(keepends=True)
    drop = set()
    for node in tree.body:
        if _is_build_only(node):
            drop.update(range(node.lineno - 1, node.end_lineno))
    kept = [line for i, line in enumerate(lines) if i not in drop]
    body = [k for k in kept if k.strip() and not k.lstrip().startswith("#")]
    return "".join(kept).strip("\n") if body else ""


# ------------------------------------------------------------------------ citations
class References:
    """The works of ``references.bib``, cited as plain Markdown (see the module)."""

    def __init__(self, path=ROOT / "references.bib"):
        from pybtex.database import parse_file  # sphinxcontrib-bibtex's own parser

        self.entries = parse_file(str(path)).entries if Path(path).exists() else {}

    def _entry(self, key):
        if key not in self.entries:
            raise KeyError(f"{{cite}}`{key}`: no such entry in references.bib")
        return self.entries[key]

    @staticmethod
    @functools.cache
    def _text(latex):
        """LaTeX (``{\\"o}``) as plain text. pybtex's ``render_as("text")`` looks its
        backend up among the installed packages at every call (seconds for each
        chapter): the plain-text backend is named here instead."""
        from pybtex.backends.plaintext import Backend
        from pybtex.richtext import Text

        return Text.from_latex(latex).render(Backend())

    def link(self, key):
        """The work's address: its DOI, else its arXiv page, else its ``url``."""
        fields = self._entry(key).fields
        if "doi" in fields:
            return f"https://doi.org/{fields['doi']}"
        if "eprint" in fields:
            return f"https://arxiv.org/abs/{fields['eprint']}"
        return fields.get("url", "")

    def authors(self, key):
        """ "Glorot and Bengio", "He et al.", or "Olah"."""
        people = self._entry(key).persons.get("author", [])
        last = [self._text(" ".join(p.last_names)) for p in people]
        if len(last) > 2:
            return f"{last[0]} et al."
        return " and ".join(last) or self._text(self._entry(key).fields["title"])

    def year(self, key):
        return self._entry(key).fields.get("year", "n.d.")

    def cite(self, style, keys):
        """A ``{cite:p}`` (parenthetical) or ``{cite:t}`` (textual) role as Markdown."""
        if style in ("t", "ts"):
            return "; ".join(
                f"[{self.authors(k)}]({self.link(k)}) ({self.year(k)})" for k in keys
            )
        inner = "; ".join(
            f"[{self.authors(k)}, {self.year(k)}]({self.link(k)})" for k in keys
        )
        return f"({inner})"

    def listing(self, keys):
        """The chapter's bibliography: a line a work, in the order of first citation."""
        lines = []
        for key in keys:
            entry = self._entry(key)
            title = self._text(entry.fields["title"])
            lines.append(
                f"- {self.authors(key)} ({self.year(key)}). *{title}*. "
                f"<{self.link(key)}>"
            )
        return "\n".join(lines) + "\n"


def _cite(match, state, references):
    keys = [k.strip() for k in match["keys"].split(",") if k.strip()]
    for key in keys:
        if key not in state["cited"]:
            state["cited"].append(key)
    return references.cite(match["style"] or "p", keys)


# ------------------------------------------------------------------------- markdown
def _quote(title, body):
    body = body.strip("\n")
    lines = [f"**{title}**", ""] + (body.splitlines() if body else [])
    return "\n".join(("> " + line).rstrip() for line in lines) + "\n"


def _directive(match, state):
    name, arg = match.group("name"), match.group("arg").strip()
    options = OPTION.match(match.group("body")).group(1)
    body = match.group("body")[len(options) :]
    body = DIRECTIVE.sub(lambda m: _directive(m, state), body)  # nested boxes
    label = re.search(r"^:label:[ \t]*(\S+)", options, re.M)
    anchor = f'<a id="{label.group(1)}"></a>\n' if label else ""
    if name == "exercise":
        state["exercise"] += 1
        kind = re.search(r"^:class:[ \t]*(\w+)", options, re.M)
        title = f"Exercise {state['exercise']}" + (
            f" ({kind.group(1)})" if kind else ""
        )
        return anchor + _quote(title + (f": {arg}" if arg else ""), body)
    if name in ("bibliography", "footbibliography"):
        return state["references"].listing(state["cited"])
    if name == "admonition":
        return anchor + _quote(arg or "Note", body)
    if name in ("solution-start", "solution"):
        return anchor + "**Solution**\n" + (body if name == "solution" else "")
    if name == "solution-end":
        return ""
    return anchor + _quote(arg or name.capitalize(), body)


class Links:
    """Where each label of the book lives, to turn ``{ref}``/``{doc}`` into links.

    Args:
        chapters: the chapters (:class:`bookkit.notebook.Chapter`) of the book.
        site_url: the published site (``https://.../``), or None: links then go to the
            other live notebooks (``nonlinearity.ipynb#nl-collapse``).
    """

    def __init__(self, chapters, site_url=None):
        self.site_url = site_url.rstrip("/") + "/" if site_url else None
        self.page, self.title = {}, {}
        for chapter in chapters:
            entry = str(Path(chapter.path).with_suffix(""))
            entry = entry[entry.index("chapters/") :] if "chapters/" in entry else entry
            for cell in chapter.cells:
                if cell.cell_type != "markdown":
                    continue
                for match in TARGET.finditer(cell.source):
                    self.page[match.group(1)] = entry
                    heading = re.search(r"^#+ (.+)$", cell.source[match.end() :], re.M)
                    self.title[match.group(1)] = heading.group(1) if heading else None
                for match in re.finditer(r"^:label:[ \t]*(\S+)", cell.source, re.M):
                    self.page[match.group(1)] = entry
                    self.title.setdefault(match.group(1), None)

    def url(self, entry, here, anchor=""):
        """The link from the notebook ``here`` to ``entry`` (and ``#anchor``)."""
        hash_ = f"#{anchor}" if anchor else ""
        if entry == here:
            return hash_ or "#"
        if self.site_url:
            return f"{self.site_url}{entry}.html{hash_}"
        return f"{Path(entry).name}.ipynb{hash_}"


def plain_markdown(text, here, links, equations, state):
    """MyST ``text`` of the chapter ``here`` as plain Markdown (see the module)."""
    text = CITE.sub(lambda m: _cite(m, state, state["references"]), text)
    text = DIRECTIVE.sub(lambda m: _directive(m, state), text)
    text = TARGET.sub(lambda m: f'<a id="{m.group(1)}"></a>', text)
    text = EQUATION.sub(
        lambda m: (
            f"$${m.group('maths').rstrip()} \\tag{{{equations[m.group('label')]}}}\n$$"
        ),
        text,
    )

    def role(match):
        kind, shown, target = match["role"], match["text"].strip(), match["target"]
        target = (target or shown).strip()
        if kind == "eq":
            return f"({equations[target]})"
        if kind == "ref":
            if target not in links.page:
                raise KeyError(f"{{ref}}`{target}`: no such label in the chapters")
            shown = match["target"] and shown or links.title.get(target) or target
            return f"[{shown}]({links.url(links.page[target], here, target)})"
        entry = target.lstrip("/")
        entry = entry if entry.startswith("chapters/") else f"chapters/{entry}"
        return f"[{shown if match['target'] else entry}]({links.url(entry, here)})"

    return ROLE.sub(role, text)


# ------------------------------------------------------------------------ notebooks
def live_cells(cells, entry, values, links, references=None):
    """The cells of the live notebook of chapter ``entry`` made from ``cells``."""
    labels = [
        m.group("label")
        for c in cells
        if c["cell_type"] == "markdown"
        for m in EQUATION.finditer(source(c))
    ]
    equations = {label: i + 1 for i, label in enumerate(labels)}
    references = references if references is not None else References()
    state, out = {"exercise": 0, "cited": [], "references": references}, []
    for cell in cells:
        cell = copy.deepcopy(cell)
        text = source(cell)
        if cell["cell_type"] == "markdown":
            text = plain_markdown(
                fill_glue(text, values), entry, links, equations, state
            )
            if not text.strip():
                continue
        elif cell["cell_type"] == "code":
            text = strip_build_only(text)
            if not text:
                continue
            cell["outputs"], cell["execution_count"] = [], None
        cell["source"] = text.splitlines(keepends=True)
        out.append(cell)
    first = next((i for i, c in enumerate(out) if c["cell_type"] == "markdown"), 0)
    note = {"cell_type": "markdown", "id": "live-note", "metadata": {}}
    out.insert(first + 1, dict(note, source=[NOTE]))
    return out


def export(
    entry, out_dir, *, executed=EXECUTED, student=False, site_url=None, root=ROOT
):
    """Write the live notebook of the chapter ``entry`` under ``out_dir``; its path."""
    from bookkit.student import student_cells

    chapters = [
        read_chapter(Path(root) / f"{e}.ipynb") for e in toc_entries(root, True)
    ]
    chapter = read_chapter(Path(root) / f"{entry}.ipynb")
    nb = read_notebook(chapter.path)
    cells = student_cells(chapter) if student else nb["cells"]
    links = Links(chapters, site_url)
    references = References(Path(root) / "references.bib")
    values = glued_values(entry, executed)
    nb["cells"] = live_cells(cells, entry, values, links, references)
    nb.get("metadata", {}).pop("widgets", None)
    target = Path(out_dir) / f"{entry}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_notebook(nb, target)
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--executed", default=str(EXECUTED))
    parser.add_argument("--out", default=str(ROOT / "_build" / "live"))
    parser.add_argument("--student", action="store_true")
    parser.add_argument("--site-url", default=None)
    parser.add_argument("chapters", nargs="*")
    args = parser.parse_args(argv)
    entries = [str(Path(p).with_suffix("")) for p in args.chapters] or toc_entries(
        ROOT, notebooks=True
    )
    for entry in entries:
        path = export(
            entry,
            args.out,
            executed=args.executed,
            student=args.student,
            site_url=args.site_url,
        )
        print("live notebook:", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
