"""Explorers: a figure with sliders, live in Jupyter and kernel-free in the static site.

An explorer is a drawing function and the values each of its parameters may take::

    def draw(fig, negative_slope):
        ax = fig.subplots()
        actlib.plot_activation("leaky_relu", ax, negative_slope=negative_slope)

    actlib.explore(draw, {"negative_slope": [0.0, 0.01, 0.1, 0.3]})

In a live kernel it shows one slider per parameter above the figure, redrawn on every
move (:mod:`.live`). When the book's site is built (:func:`actlib.static_site`) there
is no kernel: the explorer renders every combination of values once and embeds the
frames with a few lines of inline JavaScript that swap them (:mod:`.static`). Both
draw with the same function on the same figure (:mod:`.render`), so the site shows
what a live reader sees, and the build proves that every slider position, both ends
included, draws without error. A frame depends on its values alone, not on the frames
drawn before it.

What an update costs. Moving a slider to a position not shown yet runs ``draw`` on an
emptied figure, rasterises it with Agg and encodes a PNG. For a typical explorer (one
activation plot with a legend, 480 x 280 pixels) the time goes to matplotlib:

- about three quarters to ``canvas.draw()``: the new axes create their tick objects
  (a fifth of the update: the axes are new, so are their ticks), then tick labels,
  titles and the legend are laid out and their glyphs rasterised;
- about a sixth to making the axes and the author's plotting calls;
- about a twentieth to the PNG (zlib level 1, 15 kB; level 6 takes 2x for 9% less);
- under 1% to the explorer itself (the border check, placing the axes).

A draw that returns an ``update(**values)`` function, which moves the artists it
made (matplotlib's own fast path for a redrawn figure: ``line.set_ydata``), skips
most of that: the axes, their ticks and the author's plotting calls are made once,
and an update costs about two thirds of a redraw. The book's activation explorer
does it with :func:`actlib.update_activation`; the benchmark measures both.

Two things are skipped because they change no pixel. The layout engine runs once, for
the initial frame; the others reuse its axes positions, which makes an update 1.5x
faster (constrained layout costs half a redraw). And the old axes are dropped without
``Axes.clear()``, which ``Figure.clear()`` would run first on every one (a tenth of an
update, for objects about to be thrown away). The widget keeps the frames it has
shown, so going back to a position costs a dictionary look-up (0.1 ms instead of a
redraw). The PNG travels to the browser as a binary buffer of the widget's message.

Taught in: every chapter (first in "Activation functions").
"""

from .explorer import Explorer, explore, log_values
from .static import MAX_FRAMES

__all__ = ["MAX_FRAMES", "Explorer", "explore", "log_values"]
