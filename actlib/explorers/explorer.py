"""The explorer itself: a drawing function, the values of its parameters, checked.

:class:`Explorer` checks what :func:`explore` is given, draws its frames with
:class:`~actlib.explorers.render.FrameRenderer`, and shows itself as the live widget
(:mod:`~actlib.explorers.live`) or the kernel-free page
(:mod:`~actlib.explorers.static`), as :func:`actlib.static_site` says.

Taught in: every chapter (first in "Activation functions").
"""

import inspect
import itertools
import math
import numbers

import numpy as np

from .._validate import check_number
from ..book import static_site
from .live import widget
from .render import FrameRenderer
from .static import MAX_FRAMES, static_html

__all__ = ["Explorer", "explore", "log_values"]


def log_values(low, high, n):
    """``n`` values from ``low`` to ``high``, evenly spaced on a log scale: the
    positions of a log slider.

    .. math::

        v_i = \\text{low} \\cdot (\\text{high} / \\text{low})^{i / (n - 1)},
        \\quad i = 0, \\dots, n - 1

    Both ends are exact and the values inside are rounded to 12 significant digits,
    so ``log_values(1e-3, 10, 5)`` gives ``[0.001, 0.01, 0.1, 1.0, 10.0]`` exactly.
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
    """A compact label for one slider position: 0.001, 0.25, 10, 1024, 1e-05, relu,
    True."""
    if isinstance(value, (str, bool)):
        return str(value)
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))  # 10, 1024, not 1e+01, 1.02e+03
    return f"{value:.{digits}g}"


def _labels(values) -> list:
    """Labels for a slider's values: 3 significant digits, more only where two would
    look alike."""
    for digits in range(3, 18):
        labels = [_label(v, digits) for v in values]
        if len(set(labels)) == len(labels):
            return labels
    return [repr(v) for v in values]


def _keywords(draw):
    """``(accepted, required)``: the keywords ``draw`` takes after ``fig`` (accepted
    is None for ``**kwargs``)."""
    try:
        signature = inspect.signature(draw)
    except (TypeError, ValueError):  # some builtins have no signature: accept all
        return None, set()
    named = [
        p
        for p in list(signature.parameters.values())[1:]
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    required = {p.name for p in named if p.default is p.empty}
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return None, required
    return {p.name for p in named}, required


def _check_values(name, values):
    """The positions of one slider as a list of plain Python numbers, strings or
    booleans."""
    where = f"params[{name!r}]"
    if isinstance(values, (str, bytes, dict, set, frozenset)) or not hasattr(
        values, "__iter__"
    ):
        single = isinstance(values, (str, numbers.Number))
        hint = "; write [value] for a single one" if single else ""
        raise TypeError(
            f"{where} must be a list (or tuple / 1-D array) of numbers or strings, "
            f"got {values!r}{hint}"
        )
    if getattr(values, "ndim", 1) != 1:
        raise ValueError(
            f"{where} must be 1-D, got an array of shape {tuple(values.shape)}"
        )
    out = []
    for v in values:
        if hasattr(v, "item") and getattr(v, "ndim", 0) == 0:  # numpy/torch scalar
            v = v.item()
        finite = isinstance(v, numbers.Real) and math.isfinite(v)
        if not (isinstance(v, (str, bool)) or finite):
            raise ValueError(
                f"{where} holds {v!r}; a slider's values must be finite numbers or "
                f"strings, got {values!r}"
            )
        out.append(v)
    if not out:
        raise ValueError(
            f"{where} must be a non-empty list of numbers or strings, got {values!r}"
        )
    kinds = {
        str if isinstance(v, str) else bool if isinstance(v, bool) else float
        for v in out
    }
    if len(kinds) > 1:
        raise ValueError(
            f"{where} must hold only numbers, only strings or only booleans, "
            f"got {values!r}"
        )
    repeated = [v for i, v in enumerate(out) if v in out[:i]]
    if repeated:
        raise ValueError(
            f"{where} repeats {repeated[0]!r}; each slider position must be a "
            f"different value, got {values!r}"
        )
    return out


class Explorer:
    """A drawing function with a slider for each parameter; made by :func:`explore`.

    ``render(**values)`` draws one frame and returns its PNG bytes; ``frames()``
    renders every combination (row-major over the parameters, in the order given).
    Displaying the explorer shows ipywidgets in a live kernel and kernel-free HTML
    while the static site is built.

    Attributes:
        draw: the drawing function ``draw(fig, **values)``.
        params: ``{name: [values]}``, the positions of each slider (plain Python
            numbers, strings or booleans).
        labels: ``{name: [labels]}``, what each slider shows at each position.
        initial: ``{name: value}``, the frame shown first.
        figure: the one matplotlib ``Figure`` every frame is drawn into (not
            pyplot's: nothing leaks into the notebook's output).
    """

    def __init__(
        self,
        draw,
        params,
        *,
        figsize=(6, 3.5),
        dpi=80,
        title=None,
        initial=None,
        alt=None,
    ):
        if not callable(draw):
            raise TypeError(
                f"draw must be a function draw(fig, **values), got {draw!r}"
            )
        if not isinstance(params, dict):
            raise TypeError(
                f"params must be a dict {{keyword of draw: list of values}}, "
                f"got {params!r}"
            )
        if not params:
            raise ValueError(
                "params must be a non-empty dict {keyword of draw: list of values}, "
                "got {}"
            )
        accepted, required = _keywords(draw)
        for name in params:
            if not isinstance(name, str):
                raise TypeError(
                    f"params has the key {name!r}; keys must be keyword names of "
                    f"draw (strings)"
                )
            if accepted is not None and name not in accepted:
                raise ValueError(
                    f"params has {name!r}, which draw does not accept; its keywords "
                    f"are {sorted(accepted)}"
                )
        missing = sorted(required - set(params))
        if missing:
            raise ValueError(
                f"draw needs {missing} but params gives no values for them; params "
                f"has {list(params)}"
            )
        self.params = {name: _check_values(name, v) for name, v in params.items()}
        counts = {name: len(values) for name, values in self.params.items()}
        if math.prod(counts.values()) > MAX_FRAMES:
            raise ValueError(
                f"params give {math.prod(counts.values())} combinations (values per "
                f"parameter: {counts}), more than MAX_FRAMES={MAX_FRAMES}: the "
                f"static site pre-renders every one, so use fewer values"
            )
        if title is not None and not isinstance(title, str):
            raise TypeError(f"title must be a string or None, got {title!r}")
        if alt is not None and not (isinstance(alt, str) and alt.strip()):
            raise TypeError(f"alt must be a non-empty string or None, got {alt!r}")
        names = " and ".join(f"'{name}'" for name in params)
        sliders = "slider" if len(params) == 1 else "sliders"
        #: the figure's text alternative, for readers who cannot see it
        self.alt = alt or (
            f"{title or 'An interactive figure'}: it is redrawn as the {sliders} "
            f"{names} {'moves' if len(params) == 1 else 'move'}."
        )
        if not (isinstance(figsize, (tuple, list)) and len(figsize) == 2):
            raise TypeError(
                f"figsize must be (width, height) in inches, got {figsize!r}"
            )
        width = check_number("figsize[0]", figsize[0], low=0.5, high=20)
        height = check_number("figsize[1]", figsize[1], low=0.5, high=20)
        dpi = check_number("dpi", dpi, low=20, high=300)
        self.draw, self.title = draw, title
        self.labels = {name: _labels(values) for name, values in self.params.items()}
        self.initial = {name: v[(len(v) - 1) // 2] for name, v in self.params.items()}
        if initial is not None and not isinstance(initial, dict):
            raise TypeError(
                f"initial must be a dict {{parameter: value}}, got {initial!r}"
            )
        for name, value in (initial or {}).items():
            if name not in self.params:
                raise ValueError(
                    f"initial has {name!r}, which is not a parameter; the parameters "
                    f"are {list(self.params)}"
                )
            values = self.params[name]
            if value not in values or isinstance(value, bool) != isinstance(
                values[0], bool
            ):
                raise ValueError(
                    f"initial[{name!r}]={value!r} is not one of "
                    f"params[{name!r}]={values}"
                )
            self.initial[name] = values[values.index(value)]
        self._renderer = FrameRenderer(
            draw, self.initial, figsize=(width, height), dpi=dpi, title=title
        )
        self.figure = self._renderer.figure

    def __repr__(self):
        counts = ", ".join(f"{n}: {len(v)} values" for n, v in self.params.items())
        return f"Explorer({getattr(self.draw, '__name__', 'draw')}, {{{counts}}})"

    def render(self, **values) -> bytes:
        """Draw the frame for ``values`` (missing parameters take their initial
        value); PNG bytes."""
        return self._png(values)

    def frames(self) -> list:
        """PNG bytes of every combination of values, row-major over the parameters
        (the last varies fastest)."""
        return [self.render(**combination) for combination in self._combinations()]

    def widget(self):
        """The live explorer: ipywidgets controls above the figure (see
        :func:`~actlib.explorers.live.widget`)."""
        return widget(self)

    def static_html(self) -> str:
        """Kernel-free HTML: every frame inline, inline JavaScript (see
        :func:`~actlib.explorers.static.static_html`)."""
        return static_html(self)

    def _png(self, values, *, scale=1, palette=False) -> bytes:
        unknown = [name for name in values if name not in self.params]
        if unknown:
            raise ValueError(
                f"{unknown[0]!r} is not a parameter of this explorer; its parameters "
                f"are {list(self.params)}"
            )
        return self._renderer.png(values, scale=scale, palette=palette)

    def _combinations(self):
        names = list(self.params)
        product = itertools.product(*self.params.values())
        return [dict(zip(names, values)) for values in product]

    def _repr_mimebundle_(self, include=None, exclude=None):
        if static_site():
            return {"text/html": self.static_html(), "text/plain": repr(self)}
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)


def explore(
    draw,
    params,
    *,
    figsize=(6, 3.5),
    dpi=80,
    title=None,
    initial=None,
    alt=None,
) -> Explorer:
    """Turn ``draw(fig, **values)`` and the values of its parameters into an explorer.

    Args:
        draw: draws one frame into the empty matplotlib ``Figure`` it is given
            (``ax = fig.subplots()``; not ``plt``). It may return a function
            ``update(**values)`` that moves the artists it drew to other values
            (``line.set_ydata``, ``ax.set_title``): the following frames usually
            call it instead of drawing anew, which is faster (a frame at another
            resolution, or whose layout changes, is still drawn anew). It receives
            every slider's value and must give what ``draw`` gives for those values,
            pixel for pixel, whatever frame came before.
        params: ``{keyword of draw: values}``; each list (numbers, strings or
            booleans) gives one slider's positions, in order. At most ``MAX_FRAMES``
            (64) combinations in all: the static site stores every frame. Use
            :func:`log_values` for a log slider.
        figsize: the frame's size in inches. Default: ``(6, 3.5)``.
        dpi: dots per inch of the live frame. Default: ``80`` (480 x 280 pixels).
        title: a title above the figure. Default: none.
        initial: ``{keyword: value}`` shown first. Default: the middle value of
            each list.
        alt: the figure's text alternative, for readers who cannot see it: what it
            shows and what the sliders change ("The ReLU's output and slope; the
            slider sets the negative slope"). Default: the title and the sliders'
            names.

    Returns:
        an :class:`Explorer`; make it the last expression of a cell to show it.

    Example::

        def draw(fig, negative_slope):
            ax = fig.subplots()
            actlib.plot_activation("leaky_relu", ax, negative_slope=negative_slope)

        actlib.explore(draw, {"negative_slope": [0.0, 0.01, 0.1, 0.3]})

    The same explorer, with its curves moved in place on the following frames::

        def draw(fig, negative_slope):
            ax = fig.subplots()
            actlib.plot_activation("leaky_relu", ax, negative_slope=negative_slope)

            def update(**values):
                actlib.update_activation(ax, "leaky_relu", **values)

            return update

    Taught in: every chapter (first in "Activation functions").
    """
    return Explorer(
        draw, params, figsize=figsize, dpi=dpi, title=title, initial=initial, alt=alt
    )
