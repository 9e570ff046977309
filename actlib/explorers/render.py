"""Drawing an explorer's frames: one matplotlib Agg figure, one layout, PNG bytes.

A frame is ``draw(fig, **values)`` on an emptied figure, rasterised by Agg and encoded
as PNG. Both front ends (the live widget and the static page) get their frames here,
so the site shows what a live reader sees.

The layout is decided once. Constrained layout (on after ``use_book_style()``) costs
about half as much as the drawing itself, so it runs for the *reference* frame (the
explorer's initial values) and the other frames reuse its axes and super-label
positions: the axes stay still while a slider moves. A frame gets a layout of its own
when its axes differ from the reference's or when something it draws (a wider tick
label) reaches the figure's border. Its titles stay at their default height too,
unless matplotlib would lift one (above top tick labels or an offset text): then it
is laid out anew. A frame's pixels therefore depend on its values alone, never on the
frames drawn before it.

A ``draw`` may return a function ``update(**values)`` that moves the artists it made
to other values (``line.set_ydata``, ``ax.set_title``, ...). The next frames then call
it on the figure as it stands, placed in their layout, instead of emptying the figure
and drawing anew: no axes and no ticks are made again. Its result must be what a new
``draw`` gives, pixel for pixel (a test checks it for ``update_activation``); a frame
that an update leaves with other axes, or reaching the border, is drawn anew.

Taught in: every chapter (first in "Activation functions").
"""

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from PIL import Image

__all__ = ["FrameRenderer"]


def _key(values) -> tuple:
    """A hashable name for one frame: its values, in order, by ``repr`` (1 and 1.0
    differ)."""
    return tuple((name, repr(value)) for name, value in values.items())


class FrameRenderer:
    """Draws ``draw(fig, **values)`` into one Agg figure and encodes it as PNG.

    Args:
        draw: the drawing function ``draw(fig, **values)``; it may return an
            ``update(**values)`` that moves its artists (module docstring).
        initial: ``{name: value}``, the reference frame whose layout the others reuse;
            values missing from a frame are taken from it.
        figsize: ``(width, height)`` in inches.
        dpi: dots per inch of a frame at ``scale=1``.
        title: a title above every frame (``fig.suptitle``), or ``None``.

    Attributes:
        figure: the one matplotlib ``Figure`` every frame is drawn into (not pyplot's:
            nothing leaks into the notebook's output).
    """

    def __init__(self, draw, initial, *, figsize, dpi, title=None):
        self.draw, self.initial, self.title = draw, dict(initial), title
        self.figure = Figure(figsize=figsize, dpi=dpi)  # layout engine as rcParams say
        FigureCanvasAgg(self.figure)
        engine = self.figure.get_layout_engine()
        self._engine = engine  # None, or constrained layout after use_book_style()
        self._frozen = None
        if engine is not None:
            self._frozen = PlaceHolderLayoutEngine(
                engine.adjust_compatible, engine.colorbar_gridspec
            )
        # (dpi, frame) -> (structure, positions) found by the layout engine for that
        # frame, or the reference's; positions None: lay the frame out every time
        self._layouts = {}
        # (dpi, update): what the last draw returned to move its artists in place,
        # valid while the figure holds that draw's artists in a layout placed by us
        self._update = None

    def png(self, values, *, scale=1, palette=False) -> bytes:
        """Draw ``values`` (missing ones from ``initial``) and encode it as PNG.

        Args:
            values: ``{name: value}`` of this frame.
            scale: draw at ``scale`` times the dpi. Default: ``1``.
            palette: store 256 colours (a third of the size; the static frames).
                Default: ``False``.
        """
        dpi = self.figure.dpi
        try:
            self.figure.set_dpi(dpi * scale)
            self._draw_laid_out({**self.initial, **values})
            canvas = self.figure.canvas
            image = Image.frombuffer(
                "RGBA",
                canvas.get_width_height(physical=True),
                canvas.buffer_rgba(),
                "raw",
                "RGBA",
                0,
                1,
            )
            if self.figure.get_facecolor()[3] == 1:  # opaque: no alpha channel
                image = image.convert("RGB")
        finally:
            self.figure.set_dpi(dpi)
        if palette:
            image = image.quantize(256, method=Image.Quantize.FASTOCTREE)
        buffer = io.BytesIO()
        # level 1: 15 kB in half the time of level 6's 14 kB; the live frames are
        # encoded on every move, the static ones once
        image.save(buffer, format="png", compress_level=6 if palette else 1)
        return buffer.getvalue()

    # --- drawing -------------------------------------------------------------------
    def _draw(self, values, engine):
        """Empty the figure, then ``draw`` on it with ``engine`` as layout engine."""
        fig = self.figure
        # Figure.clear() clears each axes before dropping it, which costs as much as
        # making them (a tenth of a frame): drop them as they are
        for ax in fig.axes:
            ax.remove()
        fig.clear()
        fig.set_layout_engine(engine)
        update = self.draw(fig, **values)
        if self.title:
            fig.suptitle(self.title)
        return update if callable(update) else None

    def _draw_laid_out(self, values):
        """Draw ``values`` onto the canvas, laid out as the module docstring says."""
        fig = self.figure
        self_update, self._update = self._update, None  # valid again only if kept
        if self._engine is None:  # no layout engine: draw as the author's figure would
            dpi, move = self_update or (None, None)
            if move is not None and dpi == fig.dpi:
                move(**values)
            else:
                move = self._draw(values, None)
            fig.canvas.draw()
            self._update = None if move is None else (fig.dpi, move)
            return
        key, reference = (fig.dpi, _key(values)), (fig.dpi, _key(self.initial))
        if reference not in self._layouts and key != reference:
            self._draw_laid_out(self.initial)  # the reference first, at this dpi
        known = self._layouts.get(key, self._layouts.get(reference))
        if known is not None and known[1] is not None:
            structure, positions = known
            dpi, move = self_update or (None, None)
            if move is not None and dpi == fig.dpi:
                # the figure holds a frame laid out by us: move its artists
                move(**values)
                if self._structure() == structure:
                    self._place(positions)
                    if self._kept(key, known):
                        self._update = self_update
                        return
            update = self._draw(values, self._frozen)
            if fig.get_layout_engine() is not self._frozen:  # draw chose a layout
                fig.canvas.draw()
                return
            if self._structure() == structure:
                self._place(positions)
                self._pin_titles()
                if self._kept(key, known):
                    if update is not None:
                        self._update = (fig.dpi, update)
                    return
        self._draw(values, self._engine)
        fig.canvas.draw()
        if key not in self._layouts:
            # None: this frame reaches its border even when laid out (fig.text at
            # an edge), so nothing can be reused
            positions = None if self._touches_border() else self._positions()
            self._layouts[key] = (self._structure(), positions)

    def _kept(self, key, known):
        """Rasterise the frame in the reused layout; whether that layout holds for it
        (nothing reaches the border, no title would be lifted), remembered."""
        self.figure.canvas.draw()
        if not self._touches_border() and self._titles_stay_put():
            self._layouts.setdefault(key, known)
            return True
        return False

    def _structure(self):
        """What decides a frame's layout, apart from the tick labels: its axes, their
        labels and the figure's super labels."""
        fig = self.figure
        return (
            len(fig.subfigs),
            bool(fig.get_suptitle()),
            bool(fig.get_supxlabel()),
            bool(fig.get_supylabel()),
            *(
                (
                    type(ax).__name__,
                    ax.get_label(),
                    bool(ax.get_title()),
                    bool(ax.get_xlabel()),
                    bool(ax.get_ylabel()),
                )
                for ax in fig.axes
            ),
        )

    def _positions(self):
        """Where the layout engine put things: each axes, and each super label."""
        fig = self.figure
        if fig.subfigs:  # their own boxes are laid out too: do not reuse
            return None
        labels = (fig._suptitle, fig._supxlabel, fig._supylabel)
        return (
            [ax.get_position(original=True) for ax in fig.axes],
            # only the labels the engine moves (placed by default, not by the author)
            [
                (t.get_position(), t.get_horizontalalignment(), t.get_va())
                if getattr(t, "_autopos", False)
                else None
                for t in labels
            ],
        )

    def _place(self, positions):
        """Put the axes and super labels where :meth:`_positions` found them."""
        fig = self.figure
        boxes, labels = positions
        for ax, box in zip(fig.axes, boxes):
            ax.set_position(box, which="original")
        for text, place in zip((fig._suptitle, fig._supxlabel, fig._supylabel), labels):
            if text is not None and place is not None:
                text.set_position(place[0])
                text.set(horizontalalignment=place[1], verticalalignment=place[2])

    def _pin_titles(self):
        """Draw each axes title at its default height, without the search above the
        tick labels that matplotlib runs on every draw (it measures every y tick label
        a second time: a tenth of a frame). :meth:`_titles_stay_put` says whether that
        search would have moved a title."""
        for ax in self.figure.axes:
            if getattr(ax, "_autotitlepos", None) is not False:  # False: the author's y
                ax._autotitlepos = False
                for title in (ax.title, ax._left_title, ax._right_title):
                    title.set_y(1.0)

    def _titles_stay_put(self):
        """Whether matplotlib would have left every title at its default height: it
        moves one only above x tick labels or an x label at the top of an axes, or
        above a y axis offset text ("1e-5")."""
        for ax in self.figure.axes:
            top = ax.xaxis.get_ticks_position() in ("top", "unknown")
            if top or ax.xaxis.get_label_position() == "top":
                return False
            offset = ax.yaxis.offsetText
            if offset.get_visible() and offset.get_text():
                return False
        return True

    def _touches_border(self):
        """Whether anything was drawn on the outermost pixels: a layout leaves a
        margin, a spilled label does not."""
        pixels = np.asarray(self.figure.canvas.buffer_rgba())  # (H, W, 4)
        background = np.round(np.asarray(self.figure.get_facecolor()) * 255)
        edges = [pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]]
        border = np.concatenate(edges)  # (2W + 2H, 4)
        return bool(np.abs(border - background).max() > 8)
