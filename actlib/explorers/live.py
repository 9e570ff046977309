"""The live explorer: ipywidgets controls above the figure, redrawn on every move.

A numeric parameter gets a slider, a few strings or booleans a row of buttons, many a
dropdown. Moving one draws the frame (:meth:`Explorer.render`) and hands its PNG bytes
to an ``ipywidgets.Image``, which sends them to the browser as a binary buffer.

Taught in: every chapter (first in "Activation functions").
"""

import html

__all__ = ["widget"]

_MANY = 6  # more strings than this: a dropdown, not a row of buttons


def widget(explorer):
    """The live explorer: a slider (or buttons for strings) per parameter above the
    figure.

    Frames are kept while the widget lives, so going back to a position is instant
    (a frame depends on its values alone, so a kept one is what a redraw would give).
    """
    import ipywidgets as widgets

    controls = {}
    for name, values in explorer.params.items():
        common = dict(
            options=list(zip(explorer.labels[name], values)),
            value=explorer.initial[name],
            description=name,
            style={"description_width": "initial"},
        )
        if isinstance(values[0], (str, bool)) and len(values) > _MANY:
            controls[name] = widgets.Dropdown(**common)
        elif isinstance(values[0], (str, bool)):
            controls[name] = widgets.ToggleButtons(**common)
        else:
            controls[name] = widgets.SelectionSlider(
                **common, continuous_update=True, layout=widgets.Layout(width="28em")
            )
    kept = {}

    def frame():
        values = {name: c.value for name, c in controls.items()}
        key = tuple(c.index for c in controls.values())
        if key not in kept:
            kept[key] = explorer.render(**values)
        return kept[key]

    image = widgets.Image(value=frame(), format="png")
    error = widgets.HTML()

    def update(change):
        try:
            image.value = frame()
            error.value = ""
        except Exception as e:  # show the author's error by the figure, not in a log
            message = html.escape(f"{type(e).__name__}: {e}")
            error.value = f'<span style="color:#D55E00">{message}</span>'

    for control in controls.values():
        control.observe(update, names="value")
    return widgets.VBox([*controls.values(), image, error])
