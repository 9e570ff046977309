"""A chapter notebook, parsed once into a model that every tool and test reads.

The anatomy of a chapter (CONTRIBUTING.md) as data:

- its cells, each with its source text and tags;
- its exercises: a markdown cell with a sphinx-exercise directive

  ````
  :::{exercise} Title
  :label: LABEL
  :class: KIND      <- its kind: predict, diagnose, design or implement (KINDS)
  ...
  ```python
  def f(x):
      ...        <- the skeleton: the first fenced code block of the directive
  ```
  :::
  ````

  then its gated solution, the cells between a markdown cell `:::{solution-start} LABEL`
  and the next markdown cell `:::{solution-end}`, then a check cell that calls
  `actlib.check_...`;
- the cells tagged `solution`, the markdown cells that hold a plain `{solution}` block,
  the check cells;
- the glue names used in the prose (``{glue:text}`key:.2f` ``) and glued in code
  (``actlib.glue("key", ...)``), the learning goals and the title.

The walk over the gates happens here only: the student export, the solution search of
the tests and the anatomy checks all read :attr:`Chapter.gates`. A gate left open, a
gate inside a gate, a closing gate with no opening one, or a gate whose label names no
exercise raises :class:`ValueError`.

Example::

    >>> chapter = read_chapter("chapters/activations.ipynb")
    >>> ex = chapter.exercises[0]
    >>> ex.label, ex.check_name
    ('act-ex-sigmoid-grad', 'actlib.check_sigmoid_grad')
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

EXERCISE = re.compile(
    r"^(?P<fence>:{3,}|`{3,})\{exercise\}(?P<title>[^\n]*)\n(?P<body>.*?)"
    r"(?:^(?P=fence)[ \t]*$|\Z)",
    re.S | re.M,
)
LABEL = re.compile(r"\A:label:[ \t]*(\S+)[ \t]*\n(?::class:[ \t]*(\S*)[^\n]*\n)?")
# What an exercise asks of the student, its `:class:` line. "predict": predict a number
# or a behaviour, then verify it by running code; "diagnose": name what is wrong from
# evidence (statistics, curves, a symptom); "design": choose a setting or build an
# experiment that achieves a goal; "implement": write a function the chapter describes.
KINDS = ("predict", "diagnose", "design", "implement")
CODE_BLOCK = re.compile(r"```(?:python|ipython3?)?\n(.*?)```", re.S)
START = re.compile(r"\{solution-start\}[ \t]*(\S*)")
CHECK = re.compile(r"actlib\.check_\w+")
PLAIN_SOLUTION = re.compile(r"^(:{3,})\{solution\}.*?^\1[ \t]*$\n?", re.S | re.M)
# a glue role of the prose, ``{glue:text}`name:.2f` ``: its name, then its format
GLUE_USED = re.compile(r"\{glue(?::\w*)?\}`([\w-]+)(?::([^`]*))?`")
GLUE_DEFINED = re.compile(r"glue\(\s*[\"']([\w-]+)[\"']")
TITLE = re.compile(r"^# (.+)$", re.M)
GOALS = re.compile(
    r"learning goals[^\n]*\n(?::class:[^\n]*\n)?(.*?)(?:\n:::|\Z)", re.I | re.S
)
GOAL = re.compile(r"^- (.*?)(?=^- |\Z)", re.M | re.S)


def source(cell):
    """The source of a notebook cell (a dict) as one string."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def tags(cell):
    """The tags of a notebook cell (a dict)."""
    return list(cell.get("metadata", {}).get("tags", []))


def read_notebook(path):
    """The notebook at ``path`` as a dict (its JSON)."""
    return json.loads(Path(path).read_text())


def write_notebook(nb, path):
    """Write ``nb`` (a dict) to ``path`` in the repository's format: JSON indented by
    one space, non-ASCII kept, a final newline. Returns ``path`` as a :class:`Path`."""
    path = Path(path)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return path


@dataclass(frozen=True)
class Cell:
    """One cell: its position, type (``code``, ``markdown``, ``raw``), source and tags.
    ``data`` is the cell as stored (a dict; do not modify it)."""

    index: int
    cell_type: str
    source: str
    tags: tuple
    data: dict

    @property
    def is_code(self):
        return self.cell_type == "code"

    @property
    def is_markdown(self):
        return self.cell_type == "markdown"


@dataclass(frozen=True)
class Gate:
    """A gated solution: the cells strictly between ``start`` and ``end`` (the indices
    of the markdown cells `{solution-start} label` and `{solution-end}`)."""

    label: str
    start: int
    end: int

    @property
    def inside(self):
        return range(self.start + 1, self.end)


@dataclass(frozen=True)
class Exercise:
    """One `{exercise}` directive and what belongs to it.

    ``cell``: the index of its markdown cell; ``skeleton``: the first fenced code block
    of the directive ("" when it has none); ``gate``: its gated solution (None when it
    has none); ``check``: the index of its check cell, the first code cell after the
    gate (after the exercise when it has no gate) that is not a solution, if that cell
    calls ``actlib.check_...``, else None; ``check_name``: the function it calls
    (``"actlib.check_..."``); ``kind``: one of :data:`KINDS`, from the directive's
    ``:class:`` line (None without one; ``tests/test_notebooks.py`` requires it).
    """

    label: str
    title: str
    kind: str
    cell: int
    skeleton: str
    gate: Gate | None
    check: int | None
    check_name: str | None


@dataclass(frozen=True)
class Chapter:
    """A chapter notebook parsed once (see the module's docstring); build it with
    :func:`read_chapter` or :func:`parse`."""

    path: Path | None
    nb: dict
    cells: tuple
    title: str
    goals: tuple
    exercises: tuple
    gates: tuple
    solution_tagged: tuple  # indices of the cells tagged `solution`
    plain_solutions: tuple  # indices of the markdown cells holding a `{solution}` block
    check_cells: tuple  # indices of the code cells that call actlib.check_...
    glue_used: frozenset  # names of {glue:...}`name` in the markdown cells
    glue_defined: frozenset  # names of glue("name", ...) in the code cells

    def exercise(self, label):
        """The exercise labelled ``label``."""
        for ex in self.exercises:
            if ex.label == label:
                return ex
        labels = [ex.label for ex in self.exercises]
        raise KeyError(f"label={label!r}: no such exercise; the exercises are {labels}")

    @property
    def gated(self):
        """The indices of the cells inside a gate (the gate cells themselves
        excluded)."""
        return frozenset(i for gate in self.gates for i in gate.inside)

    @property
    def gate_cells(self):
        """The indices of the `{solution-start}` and `{solution-end}` cells."""
        return frozenset(i for gate in self.gates for i in (gate.start, gate.end))

    def solutions(self):
        """The solution cells: inside a gate or tagged `solution`, in order."""
        hidden = self.gated | set(self.solution_tagged)
        return [c for c in self.cells if c.index in hidden]

    def others(self):
        """Every cell that is neither a solution nor a gate cell: what a student may see
        (except the plain `{solution}` blocks inside markdown cells)."""
        hidden = self.gated | set(self.solution_tagged) | self.gate_cells
        return [c for c in self.cells if c.index not in hidden]

    def markdown(self):
        return [c for c in self.cells if c.is_markdown]

    def code(self):
        return [c for c in self.cells if c.is_code]


def _where(path, index):
    return f"{path or 'notebook'}, cell {index}"


def _exercises_of(cell, path):
    """(label, title, skeleton) of every `{exercise}` directive of a markdown cell."""
    out = []
    for match in EXERCISE.finditer(cell.source):
        label = LABEL.match(match.group("body"))
        if not label:
            raise ValueError(
                f"{_where(path, cell.index)}: the exercise "
                f"{match.group('title').strip()!r} has no `:label:` line right after "
                "its directive"
            )
        kind = label.group(2)
        if kind is not None and kind not in KINDS:
            raise ValueError(
                f"{_where(path, cell.index)}: the exercise {label.group(1)!r} has "
                f"`:class: {kind}`; its kind must be one of {KINDS}"
            )
        code = CODE_BLOCK.search(match.group("body"))
        out.append(
            (
                label.group(1),
                match.group("title").strip(),
                kind,
                code.group(1) if code else "",
            )
        )
    return out


def _gates(cells, path):
    """The gates of the cells, in order; raises ValueError on a malformed one."""
    gates, start, label = [], None, None
    for cell in cells:
        if not cell.is_markdown:
            continue
        opens = START.search(cell.source)
        closes = "{solution-end}" in cell.source
        if opens and closes:
            raise ValueError(
                f"{_where(path, cell.index)}: {{solution-start}} and {{solution-end}} "
                "must be two cells (the solution's cells lie between them)"
            )
        if opens:
            if start is not None:
                raise ValueError(
                    f"{_where(path, cell.index)}: a {{solution-start}} inside the gate "
                    f"{label!r} opened at cell {start} (no {{solution-end}} between "
                    "them)"
                )
            label = opens.group(1)
            if not label:
                raise ValueError(
                    f"{_where(path, cell.index)}: {{solution-start}} names no exercise "
                    "label"
                )
            start = cell.index
        elif closes:
            if start is None:
                raise ValueError(
                    f"{_where(path, cell.index)}: a {{solution-end}} with no "
                    "{solution-start} before it"
                )
            gates.append(Gate(label, start, cell.index))
            start = None
    if start is not None:
        raise ValueError(
            f"{_where(path, start)}: the gate {{solution-start}} {label} has no "
            "{solution-end}"
        )
    return gates


def _check_after(cells, first, stop, solution):
    """(index, name) of the check cell: the first code cell in cells[first:stop] that is
    not a solution, if it calls actlib.check_...; else (None, None)."""
    for cell in cells[first:stop]:
        if cell.is_code and cell.index not in solution:
            found = CHECK.search(cell.source)
            return (cell.index, found.group(0)) if found else (None, None)
    return None, None


def parse(nb, path=None):
    """The :class:`Chapter` model of the notebook ``nb`` (a dict; ``path`` is for the
    error messages and the default title)."""
    path = Path(path) if path is not None else None
    cells = tuple(
        Cell(i, c["cell_type"], source(c), tuple(tags(c)), c)
        for i, c in enumerate(nb.get("cells", []))
    )
    markdown = [c for c in cells if c.is_markdown]
    code = [c for c in cells if c.is_code]

    title = next(
        (m.group(1) for c in markdown for m in [TITLE.search(c.source)] if m), None
    )
    goals = ()
    for c in markdown:
        block = GOALS.search(c.source)
        if block:
            goals = tuple(
                re.sub(r"\s+", " ", g).strip() for g in GOAL.findall(block.group(1))
            )
            break

    gates = _gates(cells, path)
    found = [(c.index, *ex) for c in markdown for ex in _exercises_of(c, path)]
    labels = [label for _, label, *_ in found]
    by_label = {}
    for gate in gates:
        if gate.label not in labels:
            raise ValueError(
                f"{_where(path, gate.start)}: {{solution-start}} {gate.label} names no "
                f"exercise; the exercises are {labels}"
            )
        if gate.label in by_label:
            raise ValueError(
                f"{_where(path, gate.start)}: a second gated solution for {gate.label}"
            )
        by_label[gate.label] = gate

    solution_tagged = tuple(c.index for c in cells if "solution" in c.tags)
    solution = {i for g in gates for i in g.inside} | set(solution_tagged)
    exercise_cells = sorted({i for i, *_ in found})
    exercises = []
    for index, label, name, kind, skeleton in found:
        gate = by_label.get(label)
        stop = next((j for j in exercise_cells if j > index), len(cells))
        first = (gate.end if gate else index) + 1
        check, check_name = _check_after(cells, first, stop, solution)
        exercises.append(
            Exercise(label, name, kind, index, skeleton, gate, check, check_name)
        )

    return Chapter(
        path=path,
        nb=nb,
        cells=cells,
        title=title if title is not None else (path.stem if path else ""),
        goals=goals,
        exercises=tuple(exercises),
        gates=tuple(gates),
        solution_tagged=solution_tagged,
        plain_solutions=tuple(c.index for c in markdown if "{solution}" in c.source),
        check_cells=tuple(c.index for c in code if "actlib.check_" in c.source),
        glue_used=frozenset(
            m[1] for c in markdown for m in GLUE_USED.finditer(c.source)
        ),
        glue_defined=frozenset(n for c in code for n in GLUE_DEFINED.findall(c.source)),
    )


def read_chapter(path):
    """The :class:`Chapter` model of the notebook file ``path``."""
    return parse(read_notebook(path), path)


def strip_plain_solutions(text):
    """A markdown text without its plain `{solution}` blocks (colon fences)."""
    return PLAIN_SOLUTION.sub("", text)
