"""Explorers: a figure with sliders, live in Jupyter and kernel-free in the static site.

An explorer is a drawing function and the values each of its parameters may take::

    def draw(fig, negative_slope):
        ax = fig.subplots()
        actlib.plot_activation("leaky_relu", ax, negative_slope=negative_slope)

    actlib.explore(draw, {"negative_slope": [0.0, 0.01, 0.1, 0.3]})

In a live kernel it shows one slider per parameter above the figure, redrawn on every move. When the
book's site is built (``ACTLIB_STATIC_SITE=1``, set by ``_ext/actlib_book.py``) there is no kernel:
the explorer renders every combination of values once, embeds the frames as PNG images and adds a
few lines of inline JavaScript that swap them when the reader moves a slider. Both paths draw with
the same function, so the site shows what a live reader sees, and the build proves that every
slider position, both ends included, draws without error.

The static frames are drawn at twice the dpi and stored in 256 colours (sharp on high-density
screens, about 10-20 kB each); identical frames are stored once. Both versions lay the figure out
once (constrained layout, after ``use_book_style()``) and reuse the axes positions for the next
frames, which saves about a third of a redraw and keeps the axes still while a slider moves.

Taught in: every chapter (first in "Activation functions").
"""
import base64
import html
import inspect
import io
import itertools
import json
import math
import numbers
import string
import uuid

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from PIL import Image

from ._validate import check_number
from .book import static_site

__all__ = ["MAX_FRAMES", "Explorer", "explore", "log_values"]

MAX_FRAMES = 64  # the static site embeds every frame: this keeps a page light
STATIC_SCALE = 2  # static frames are drawn at 2x dpi and shown at 1x: sharp on high-density screens


# The static explorer's look, scoped to its id so that several explorers share a page.
_STYLE = """
#${id}{margin:.5em 0 1em;max-width:${width}px}
#${id} label{display:flex;align-items:center;gap:.6em;font-size:.85em;margin:.1em 0}
#${id} .name{min-width:8em;font-family:var(--pst-font-family-monospace,monospace)}
#${id} input{flex:1 1 auto;max-width:18em;margin:0}
#${id} output{min-width:4em;font-variant-numeric:tabular-nums}
#${id} img{display:block;max-width:100%;height:auto;margin-top:.3em}
#${id} .note{font-size:.75em;opacity:.65;margin:.2em 0 0}
"""

# Its behaviour: the slider positions give the frame's index, row-major over the parameters.
_SCRIPT = """(function () {
const root = document.getElementById("${id}");
const d=${data};
const inputs = root.querySelectorAll("input[type=range]"), outs = root.querySelectorAll("output");
const img = root.querySelector("img");
function show() {
  let k = 0;
  inputs.forEach((el, i) => { const v = +el.value; k = k * d.sizes[i] + v; outs[i].textContent = d.labels[i][v]; });
  img.src = "data:image/png;base64," + d.frames[d.index[k]];
}
inputs.forEach(el => el.addEventListener("input", show));
show();
})();"""


def log_values(low, high, n):
    """``n`` values from ``low`` to ``high``, evenly spaced on a log scale: the positions of a log slider.

    .. math:: v_i = \\text{low} \\cdot (\\text{high} / \\text{low})^{i / (n - 1)}, \\quad i = 0, \\dots, n - 1

    Both ends are exact and the values inside are rounded to 12 significant digits, so
    ``log_values(1e-3, 10, 5)`` gives ``[0.001, 0.01, 0.1, 1.0, 10.0]`` exactly.
    """
    low = check_number("low", low, low=0, low_open=True)
    high = check_number("high", high, low=0, low_open=True)
    n = check_number("n", n, low=2, integer=True)
    if not math.isfinite(low) or not math.isfinite(high):
        raise ValueError(f"low={low!r} and high={high!r} must be finite")
    if high <= low:
        raise ValueError(f"high={high!r} must be larger than low={low!r}")
    values = [float(f"{v:.12g}") for v in np.geomspace(low, high, n)]
    values[0], values[-1] = float(low), float(high)
    return values


def _label(value, digits=3) -> str:
    """A compact label for one slider position: 0.001, 0.25, 10, 1024, 1e-05, relu, True."""
    if isinstance(value, (str, bool)):
        return str(value)
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))  # 10, 1024, not 1e+01, 1.02e+03
    return f"{value:.{digits}g}"


def _labels(values) -> list:
    """Labels for a slider's values: 3 significant digits, more only where two would look alike."""
    for digits in range(3, 18):
        labels = [_label(v, digits) for v in values]
        if len(set(labels)) == len(labels):
            return labels
    return [repr(v) for v in values]


def _keywords(draw):
    """``(accepted, required)``: the keywords ``draw`` takes after ``fig`` (accepted is None for ``**kwargs``)."""
    try:
        signature = inspect.signature(draw)
    except (TypeError, ValueError):  # some builtins have no signature: accept anything
        return None, set()
    named = [p for p in list(signature.parameters.values())[1:]
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    required = {p.name for p in named if p.default is p.empty}
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return None, required
    return {p.name for p in named}, required


def _check_values(name, values):
    """The positions of one slider as a list of plain Python numbers, strings or booleans."""
    where = f"params[{name!r}]"
    if isinstance(values, (str, bytes, dict, set, frozenset)) or not hasattr(values, "__iter__"):
        hint = "; write [value] for a single one" if isinstance(values, (str, numbers.Number)) else ""
        raise TypeError(f"{where} must be a list (or tuple / 1-D array) of numbers or strings, got {values!r}{hint}")
    if getattr(values, "ndim", 1) != 1:
        raise ValueError(f"{where} must be 1-D, got an array of shape {tuple(values.shape)}")
    out = []
    for v in values:
        if hasattr(v, "item") and getattr(v, "ndim", 0) == 0:  # numpy scalar, 0-d tensor or array
            v = v.item()
        ok = isinstance(v, (str, bool)) or isinstance(v, numbers.Real) and math.isfinite(v)
        if not ok:
            raise ValueError(f"{where} holds {v!r}; a slider's values must be finite numbers or strings, "
                             f"got {values!r}")
        out.append(v)
    if not out:
        raise ValueError(f"{where} must be a non-empty list of numbers or strings, got {values!r}")
    kinds = {str if isinstance(v, str) else bool if isinstance(v, bool) else float for v in out}
    if len(kinds) > 1:
        raise ValueError(f"{where} must hold only numbers, only strings or only booleans, got {values!r}")
    repeated = [v for i, v in enumerate(out) if v in out[:i]]
    if repeated:
        raise ValueError(f"{where} repeats {repeated[0]!r}; each slider position must be a different value, "
                         f"got {values!r}")
    return out


class Explorer:
    """A drawing function with a slider for each parameter; made by :func:`explore`.

    ``render(**values)`` draws one frame and returns its PNG bytes; ``frames()`` renders every
    combination (row-major over the parameters, in the order given). Displaying the explorer shows
    ipywidgets in a live kernel and kernel-free HTML while the static site is built.

    Attributes:
        draw: the drawing function ``draw(fig, **values)``.
        params: ``{name: [values]}``, the positions of each slider (plain Python numbers or strings).
        initial: ``{name: value}``, the frame shown first.
        figure: the one matplotlib ``Figure`` every frame is drawn into (not pyplot's: nothing leaks
            into the notebook's output).
    """

    def __init__(self, draw, params, *, figsize=(6, 3.5), dpi=80, title=None, initial=None):
        if not callable(draw):
            raise TypeError(f"draw must be a function draw(fig, **values), got {draw!r}")
        if not isinstance(params, dict):
            raise TypeError(f"params must be a dict {{keyword of draw: list of values}}, got {params!r}")
        if not params:
            raise ValueError("params must be a non-empty dict {keyword of draw: list of values}, got {}")
        accepted, required = _keywords(draw)
        for name in params:
            if not isinstance(name, str):
                raise TypeError(f"params has the key {name!r}; keys must be keyword names of draw (strings)")
            if accepted is not None and name not in accepted:
                raise ValueError(f"params has {name!r}, which draw does not accept; "
                                 f"its keywords are {sorted(accepted)}")
        missing = sorted(required - set(params))
        if missing:
            raise ValueError(f"draw needs {missing} but params gives no values for them; params has {list(params)}")
        self.params = {name: _check_values(name, values) for name, values in params.items()}
        counts = {name: len(values) for name, values in self.params.items()}
        if math.prod(counts.values()) > MAX_FRAMES:
            raise ValueError(
                f"params give {math.prod(counts.values())} combinations (values per parameter: {counts}), "
                f"more than MAX_FRAMES={MAX_FRAMES}: the static site pre-renders every one, so use fewer values"
            )
        if title is not None and not isinstance(title, str):
            raise TypeError(f"title must be a string or None, got {title!r}")
        if not (isinstance(figsize, (tuple, list)) and len(figsize) == 2):
            raise TypeError(f"figsize must be (width, height) in inches, got {figsize!r}")
        width = check_number("figsize[0]", figsize[0], low=0.5, high=20)
        height = check_number("figsize[1]", figsize[1], low=0.5, high=20)
        dpi = check_number("dpi", dpi, low=20, high=300)
        self.draw, self.title = draw, title
        self.initial = {name: values[(len(values) - 1) // 2] for name, values in self.params.items()}
        if initial is not None and not isinstance(initial, dict):
            raise TypeError(f"initial must be a dict {{parameter: value}}, got {initial!r}")
        for name, value in (initial or {}).items():
            if name not in self.params:
                raise ValueError(f"initial has {name!r}, which is not a parameter; "
                                 f"the parameters are {list(self.params)}")
            if value not in self.params[name] or isinstance(value, bool) != isinstance(self.params[name][0], bool):
                raise ValueError(f"initial[{name!r}]={value!r} is not one of params[{name!r}]={self.params[name]}")
            self.initial[name] = self.params[name][self.params[name].index(value)]
        self.figure = Figure(figsize=(width, height), dpi=dpi)  # layout engine as rcParams say
        FigureCanvasAgg(self.figure)
        engine = self.figure.get_layout_engine()
        self._engine = engine  # None, or constrained layout after use_book_style()
        self._frozen = None if engine is None else PlaceHolderLayoutEngine(engine.adjust_compatible,
                                                                           engine.colorbar_gridspec)
        self._layouts = {}  # structure of a frame -> axes positions found by the layout engine

    def __repr__(self):
        counts = ", ".join(f"{name}: {len(values)} values" for name, values in self.params.items())
        return f"Explorer({getattr(self.draw, '__name__', 'draw')}, {{{counts}}})"

    # --- drawing ---------------------------------------------------------------------------------
    def _draw(self, values, engine):
        unknown = [name for name in values if name not in self.params]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not a parameter of this explorer; "
                             f"its parameters are {list(self.params)}")
        self.figure.clear()
        self.figure.set_layout_engine(engine)
        self.draw(self.figure, **{**self.initial, **values})
        if self.title:
            self.figure.suptitle(self.title)

    def _structure(self):
        """What decides a frame's layout, apart from the tick labels: its axes and their labels."""
        fig = self.figure
        return (bool(fig.get_suptitle()), bool(fig.get_supxlabel()), bool(fig.get_supylabel()),
                *((type(ax).__name__, ax.get_label(), bool(ax.get_title()), bool(ax.get_xlabel()),
                   bool(ax.get_ylabel())) for ax in fig.axes))

    def _layout(self, values):
        """Draw ``values`` onto the canvas, running the layout engine only when the layout changes.

        The layout engine (constrained layout) costs as much as the drawing itself. An explorer's
        frames share one layout, so it runs for the first frame and the others reuse its axes
        positions (which also keeps the axes still while a slider moves). It runs again when a frame
        has other axes or labels, or when something (a wider tick label) reaches the figure's border.
        """
        fig = self.figure
        if self._engine is None:  # no layout engine: draw as the author's figure would
            self._draw(values, None)
            fig.canvas.draw()
            return
        positions = None
        if self._layouts:  # draw with a known layout first: most frames need no other
            self._draw(values, self._frozen)
            if fig.get_layout_engine() is not self._frozen:  # draw chose its own layout: keep it
                fig.canvas.draw()
                return
            positions = self._layouts.get(self._structure())
        if positions is not None:
            for ax, position in zip(fig.axes, positions):
                ax.set_position(position, which="original")
            fig.canvas.draw()
            if not self._touches_border():
                return
        self._draw(values, self._engine)
        fig.canvas.draw()
        # None: this figure reaches its border even when laid out (fig.text at an edge): never reuse
        positions = None if self._touches_border() else [ax.get_position(original=True) for ax in fig.axes]
        self._layouts[self._structure()] = positions

    def _touches_border(self):
        """Whether anything was drawn on the outermost pixels: a layout leaves a margin, a spilled label doesn't."""
        pixels = np.asarray(self.figure.canvas.buffer_rgba())  # (H, W, 4)
        background = np.round(np.asarray(self.figure.get_facecolor()) * 255)
        border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])  # (2W + 2H, 4)
        return bool(np.abs(border - background).max() > 8)

    def _png(self, values, *, scale=1, palette=False) -> bytes:
        """Draw ``values`` and encode the figure as PNG (``palette``: 256 colours, a third of the size)."""
        dpi = self.figure.dpi
        try:
            self.figure.set_dpi(dpi * scale)
            self._layout(values)
            image = Image.frombuffer("RGBA", self.figure.canvas.get_width_height(physical=True),
                                     self.figure.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
            if self.figure.get_facecolor()[3] == 1:  # an opaque figure needs no alpha channel
                image = image.convert("RGB")
        finally:
            self.figure.set_dpi(dpi)
        if palette:
            image = image.quantize(256, method=Image.Quantize.FASTOCTREE)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=6 if palette else 1)
        return buffer.getvalue()

    def render(self, **values) -> bytes:
        """Draw the frame for ``values`` (missing parameters take their initial value); PNG bytes."""
        return self._png(values)

    def frames(self) -> list:
        """PNG bytes of every combination of values, row-major over the parameters (the last varies fastest)."""
        return [self.render(**combination) for combination in self._combinations()]

    def _combinations(self):
        names = list(self.params)
        return [dict(zip(names, values)) for values in itertools.product(*self.params.values())]

    # --- live: ipywidgets ------------------------------------------------------------------------
    def widget(self):
        """The live explorer: a slider (or buttons for strings) per parameter above the figure.

        Frames are cached while the widget lives, so going back to a position is instant.
        """
        import ipywidgets as widgets

        controls = {}
        for name, values in self.params.items():
            options = list(zip(_labels(values), values))
            common = dict(options=options, value=self.initial[name], description=name,
                          style={"description_width": "initial"})
            if isinstance(values[0], (str, bool)) and len(values) > 6:
                controls[name] = widgets.Dropdown(**common)
            elif isinstance(values[0], (str, bool)):
                controls[name] = widgets.ToggleButtons(**common)
            else:
                controls[name] = widgets.SelectionSlider(**common, continuous_update=True,
                                                         layout=widgets.Layout(width="28em"))
        cache = {}

        def frame():
            key = tuple(self.params[name].index(c.value) for name, c in controls.items())
            if key not in cache:
                cache[key] = self.render(**{name: c.value for name, c in controls.items()})
            return cache[key]

        image = widgets.Image(value=frame(), format="png")
        error = widgets.HTML()

        def update(change):
            try:
                image.value = frame()
                error.value = ""
            except Exception as e:  # show the author's error next to the figure, not in a hidden log
                error.value = f'<span style="color:#D55E00">{html.escape(f"{type(e).__name__}: {e}")}</span>'

        for control in controls.values():
            control.observe(update, names="value")
        return widgets.VBox([*controls.values(), image, error])

    # --- static: precomputed frames --------------------------------------------------------------
    def static_html(self) -> str:
        """Kernel-free HTML: every frame as an inline PNG, a range slider per parameter, inline JavaScript.

        Identical frames are stored once. The frames are drawn at ``STATIC_SCALE`` times the dpi in
        256 colours and shown at the explorer's size. No network access: no CDN, no library.
        """
        uid = f"actlib-explorer-{uuid.uuid4().hex[:10]}"
        unique, index = {}, []
        for combination in self._combinations():
            png = base64.b64encode(self._png(combination, scale=STATIC_SCALE, palette=True)).decode("ascii")
            index.append(unique.setdefault(png, len(unique)))
        frames = list(unique)
        names = list(self.params)
        sizes = [len(self.params[n]) for n in names]
        labels = [_labels(self.params[n]) for n in names]
        start = [self.params[n].index(self.initial[n]) for n in names]
        first = index[int(np.ravel_multi_index(start, sizes))]
        width, height = (round(x * self.figure.dpi) for x in self.figure.get_size_inches())
        rows = "".join(
            f'<label><span class="name">{html.escape(n)}</span>'
            f'<input type="range" min="0" max="{size - 1}" step="1" value="{s}" autocomplete="off" '
            f'aria-label="{html.escape(n)}"><output>{html.escape(labels[i][s])}</output></label>'
            for i, (n, size, s) in enumerate(zip(names, sizes, start))
        )
        data = json.dumps({"frames": frames, "index": index, "sizes": sizes, "labels": labels})
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")  # safe in <script>
        alt = html.escape(self.title or f"figure for {', '.join(names)}")
        return (f'<div class="actlib-explorer" id="{uid}">\n'
                f"<style>{string.Template(_STYLE).substitute(id=uid, width=width)}</style>\n"
                f'{rows}<img src="data:image/png;base64,{frames[first]}" '
                f'width="{width}" height="{height}" alt="{alt}">\n'
                f'<p class="note">Precomputed frames: run this page in Jupyter to explore freely.</p>\n'
                f"<script>{string.Template(_SCRIPT).substitute(id=uid, data=data)}</script></div>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        if static_site():
            return {"text/html": self.static_html(), "text/plain": repr(self)}
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)


def explore(draw, params, *, figsize=(6, 3.5), dpi=80, title=None, initial=None) -> Explorer:
    """Turn ``draw(fig, **values)`` and the values of its parameters into an explorer.

    Args:
        draw: draws one frame into the empty matplotlib ``Figure`` it is given
            (``ax = fig.subplots()``; not ``plt``).
        params: ``{keyword of draw: values}``; each list (numbers, strings or booleans) gives one
            slider's positions, in order. At most ``MAX_FRAMES`` (64) combinations in all: the
            static site stores every frame. Use :func:`log_values` for a log slider.
        figsize: the frame's size in inches. Default: ``(6, 3.5)``.
        dpi: dots per inch of the live frame. Default: ``80`` (480 x 280 pixels).
        title: a title above the figure. Default: none.
        initial: ``{keyword: value}`` shown first. Default: the middle value of each list.

    Returns:
        an :class:`Explorer`; make it the last expression of a cell to show it.

    Example::

        def draw(fig, negative_slope):
            actlib.plot_activation("leaky_relu", fig.subplots(), negative_slope=negative_slope)

        actlib.explore(draw, {"negative_slope": [0.0, 0.01, 0.1, 0.3]})

    Taught in: every chapter (first in "Activation functions").
    """
    return Explorer(draw, params, figsize=figsize, dpi=dpi, title=title, initial=initial)
