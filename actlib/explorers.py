"""Explorers: a figure with sliders, live in Jupyter and kernel-free in the static site.

An explorer is a drawing function and the values each of its parameters may take::

    def draw(fig, slope):
        ax = fig.subplots()
        ax.plot(z, actlib.get_activation("leaky_relu", negative_slope=slope)(z))

    actlib.explore(draw, {"slope": [0.0, 0.01, 0.1, 0.3]})

In a live kernel it shows one slider per parameter and the figure, redrawn on every move. When the
book's site is built (``ACTLIB_STATIC_SITE=1``, set by ``_ext/actlib_book.py``) there is no kernel:
the explorer then renders every combination of values once, embeds the frames as PNG images and adds
a few lines of inline JavaScript that swap them when the reader moves a slider (as Distill's
articles do). Both paths draw with the same function, so the site shows exactly what a live reader
sees, and the build proves that every slider position, both ends included, draws without error.

Taught in: every chapter (first in "Activation functions").
"""
import base64
import html
import inspect
import io
import itertools
import json
import os
import uuid

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ._validate import check_number

__all__ = ["MAX_FRAMES", "Explorer", "explore", "log_values", "static_site"]

MAX_FRAMES = 64  # the static site embeds every frame: this keeps a page light


def static_site() -> bool:
    """True while the book's static site is built (the environment has ``ACTLIB_STATIC_SITE=1``)."""
    return os.environ.get("ACTLIB_STATIC_SITE", "") == "1"


def log_values(low, high, n):
    """``n`` values from ``low`` to ``high``, evenly spaced on a log scale: a log slider.

    Both ends are exact. Example: ``log_values(0.01, 1, 3)`` gives ``[0.01, 0.1, 1.0]``.
    """
    low = check_number("low", low, low=0, low_open=True)
    high = check_number("high", high, low=0, low_open=True)
    n = check_number("n", n, low=2, integer=True)
    if high <= low:
        raise ValueError(f"high={high!r} must be larger than low={low!r}")
    values = np.geomspace(low, high, n)
    values[0], values[-1] = low, high
    return [float(v) for v in values]


def _label(value) -> str:
    """A short label for a slider position: 0.001, 0.25, 1e+04, relu."""
    if isinstance(value, str):
        return value
    return f"{value:.3g}"


class Explorer:
    """A drawing function with a slider for each parameter; made by :func:`explore`.

    ``render(**values)`` draws one frame and returns its PNG bytes; ``frames()`` renders every
    combination (row-major over the parameters, in the order given). Displaying the explorer shows
    ipywidgets in a live kernel and kernel-free HTML while the static site is built.
    """

    def __init__(self, draw, params, *, figsize=(6, 3.5), dpi=80, title=None, initial=None):
        if not callable(draw):
            raise TypeError(f"draw must be a function draw(fig, **values), got {draw!r}")
        if not isinstance(params, dict) or not params:
            raise ValueError(f"params must be a non-empty dict of parameter -> list of values, got {params!r}")
        accepted = _keywords(draw)
        self.params = {}
        for name, values in params.items():
            if accepted is not None and name not in accepted:
                raise ValueError(f"params has {name!r}, which draw does not accept; its keywords are {sorted(accepted)}")
            values = list(values) if not isinstance(values, (str, bytes)) else None
            if not values:
                raise ValueError(f"params[{name!r}] must be a non-empty list of numbers or strings, got {params[name]!r}")
            kinds = {isinstance(v, str) for v in values}
            if len(kinds) > 1 or not all(isinstance(v, str) or np.isscalar(v) and np.isreal(v) for v in values):
                raise ValueError(f"params[{name!r}] must hold only numbers or only strings, got {params[name]!r}")
            self.params[name] = [v if isinstance(v, str) else v.item() if hasattr(v, "item") else v for v in values]
        n_frames = int(np.prod([len(v) for v in self.params.values()]))
        if n_frames > MAX_FRAMES:
            counts = {k: len(v) for k, v in self.params.items()}
            raise ValueError(
                f"params give {n_frames} combinations {counts}, more than MAX_FRAMES={MAX_FRAMES}: "
                "the static site pre-renders each one, so use fewer values"
            )
        self.draw, self.title = draw, title
        self.initial = {k: v[len(v) // 2] for k, v in self.params.items()}
        for name, value in (initial or {}).items():
            if name not in self.params or value not in self.params[name]:
                raise ValueError(f"initial[{name!r}]={value!r} is not one of the values of params[{name!r}]")
            self.initial[name] = value
        self.figure = Figure(figsize=figsize, dpi=check_number("dpi", dpi, low=10, high=400))
        FigureCanvasAgg(self.figure)

    def render(self, **values) -> bytes:
        """Draw the frame for ``values`` (missing ones take their initial value); PNG bytes."""
        for name, value in values.items():
            if name not in self.params:
                raise ValueError(f"{name!r} is not a parameter of this explorer; its parameters are {list(self.params)}")
        self.figure.clear()
        self.draw(self.figure, **{**self.initial, **values})
        if self.title:
            self.figure.suptitle(self.title)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.figure.dpi)
        return buffer.getvalue()

    def frames(self) -> list:
        """PNG bytes of every combination of values, row-major over the parameters."""
        names = list(self.params)
        return [self.render(**dict(zip(names, combo))) for combo in itertools.product(*self.params.values())]

    # --- live: ipywidgets ------------------------------------------------------------------------
    def widget(self):
        """The live explorer: a slider (or a choice) per parameter above the figure."""
        import ipywidgets as widgets

        image = widgets.Image(value=self.render(), format="png")
        controls = {}
        for name, values in self.params.items():
            options = [(_label(v), v) for v in values]
            if isinstance(values[0], str):
                controls[name] = widgets.ToggleButtons(options=options, value=self.initial[name], description=name)
            else:
                controls[name] = widgets.SelectionSlider(
                    options=options, value=self.initial[name], description=name, continuous_update=True
                )

        def update(change):
            image.value = self.render(**{k: c.value for k, c in controls.items()})

        for control in controls.values():
            control.observe(update, names="value")
        return widgets.VBox([*controls.values(), image])

    # --- static: precomputed frames --------------------------------------------------------------
    def static_html(self) -> str:
        """Kernel-free HTML: every frame as an inline PNG and a slider per parameter (no CDN)."""
        uid = f"actlib-explorer-{uuid.uuid4().hex[:8]}"
        frames = [base64.b64encode(png).decode("ascii") for png in self.frames()]
        names = list(self.params)
        sizes = [len(self.params[n]) for n in names]
        labels = [[_label(v) for v in self.params[n]] for n in names]
        start = [self.params[n].index(self.initial[n]) for n in names]
        first = int(np.ravel_multi_index(start, sizes))
        rows = "".join(
            f'<label><span class="name">{html.escape(n)}</span>'
            f'<input type="range" min="0" max="{len(self.params[n]) - 1}" step="1" value="{s}" data-i="{i}">'
            f'<output>{html.escape(labels[i][s])}</output></label>'
            for i, (n, s) in enumerate(zip(names, start))
        )
        data = json.dumps({"frames": frames, "sizes": sizes, "labels": labels})
        return f"""<div class="actlib-explorer" id="{uid}">
<style>#{uid}{{margin:.5em 0 1em}}#{uid} label{{display:flex;align-items:center;gap:.6em;font-size:.9em}}
#{uid} .name{{min-width:7em;font-family:monospace}}#{uid} input{{flex:0 1 16em}}#{uid} img{{max-width:100%}}
#{uid} .note{{font-size:.75em;opacity:.7}}</style>
{rows}<img src="data:image/png;base64,{frames[first]}" alt="explorer frame">
<div class="note">Explorer: frames precomputed when this page was built; run the chapter live to change the code.</div>
<script>(function(){{const root=document.getElementById("{uid}");const d={data};
const inputs=root.querySelectorAll("input[type=range]");const img=root.querySelector("img");
function show(){{let k=0;inputs.forEach((el,i)=>{{const v=+el.value;k=k*d.sizes[i]+v;
el.nextElementSibling.textContent=d.labels[i][v];}});img.src="data:image/png;base64,"+d.frames[k];}}
inputs.forEach(el=>el.addEventListener("input",show));}})();</script></div>"""

    def _repr_mimebundle_(self, include=None, exclude=None):
        if static_site():
            return {"text/html": self.static_html(), "text/plain": f"<Explorer over {list(self.params)}>"}
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)


def _keywords(draw):
    """The keyword names ``draw`` accepts after ``fig`` (None when it takes ``**kwargs``)."""
    try:
        signature = inspect.signature(draw)
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return None
    return set(list(signature.parameters)[1:])


def explore(draw, params, *, figsize=(6, 3.5), dpi=80, title=None, initial=None) -> Explorer:
    """Turn ``draw(fig, **values)`` and the values of its parameters into an explorer.

    Args:
        draw: draws one frame into the empty matplotlib ``Figure`` it is given.
        params: ``{keyword: values}``; each list (numbers or strings) is one slider's positions, in
            order. At most ``MAX_FRAMES`` combinations in all. Use :func:`log_values` for a log slider.
        figsize, dpi: the frame's size. Default: ``(6, 3.5)`` inches at 80 dpi.
        title: an optional title above the figure.
        initial: ``{keyword: value}`` shown first. Default: the middle value of each list.

    Returns:
        an :class:`Explorer`; make it the last expression of a cell to show it.
    """
    return Explorer(draw, params, figsize=figsize, dpi=dpi, title=title, initial=initial)
