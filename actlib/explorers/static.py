"""The kernel-free explorer of the static site: every frame, a slider each, inline JS.

When the book's site is built there is no kernel. The explorer renders every
combination of values once, embeds the frames as PNG images and adds a few lines of
inline JavaScript that swap them when the reader moves a slider. No network access:
no CDN, no library.

The frames are drawn at ``STATIC_SCALE`` times the dpi and stored in 256 colours
(sharp on high-density screens, about 10-20 kB each); identical frames are stored
once. ``MAX_FRAMES`` bounds the combinations, so that a page stays light.

Taught in: every chapter (first in "Activation functions").
"""

import base64
import html
import json
import string
import uuid

import numpy as np

__all__ = ["MAX_FRAMES", "STATIC_SCALE", "static_html"]

MAX_FRAMES = 64  # the static site embeds every frame: this keeps a page light
STATIC_SCALE = 2  # drawn at 2x dpi, shown at 1x: sharp on high-density screens

# The static explorer's look, scoped to its id so that several share a page.
_STYLE = """
#${id}{margin:.5em 0 1em;max-width:${width}px}
#${id} label{display:flex;align-items:center;gap:.6em;font-size:.85em;margin:.1em 0}
#${id} .name{min-width:8em;font-family:var(--pst-font-family-monospace,monospace)}
#${id} input{flex:1 1 auto;max-width:18em;margin:0}
#${id} output{min-width:4em;font-variant-numeric:tabular-nums}
#${id} img{display:block;max-width:100%;height:auto;margin-top:.3em}
#${id} .note{font-size:.75em;opacity:.65;margin:.2em 0 0}
"""

# Its behaviour: the slider positions give the frame's index, row-major over the
# parameters.
_SCRIPT = """(function () {
const root = document.getElementById("${id}");
const d=${data};
const inputs = root.querySelectorAll("input[type=range]");
const outs = root.querySelectorAll("output");
const img = root.querySelector("img");
function show() {
  let k = 0;
  inputs.forEach((el, i) => {
    const v = +el.value;
    k = k * d.sizes[i] + v;
    outs[i].textContent = d.labels[i][v];
  });
  img.src = "data:image/png;base64," + d.frames[d.index[k]];
}
inputs.forEach(el => el.addEventListener("input", show));
show();
})();"""


def static_html(explorer) -> str:
    """Kernel-free HTML for ``explorer``: every frame inline, a range slider per
    parameter, inline JavaScript.

    The frames are drawn at ``STATIC_SCALE`` times the dpi in 256 colours and shown
    at the explorer's size; identical frames are stored once.
    """
    uid = f"actlib-explorer-{uuid.uuid4().hex[:10]}"
    names = list(explorer.params)
    sizes = [len(explorer.params[n]) for n in names]
    labels = [explorer.labels[n] for n in names]
    start = [explorer.params[n].index(explorer.initial[n]) for n in names]
    first = int(np.ravel_multi_index(start, sizes))
    combinations = explorer._combinations()
    # the initial frame first: the others reuse its layout
    order = [first] + [k for k in range(len(combinations)) if k != first]
    drawn = {}
    for k in order:
        png = explorer._png(combinations[k], scale=STATIC_SCALE, palette=True)
        drawn[k] = base64.b64encode(png).decode("ascii")
    unique, index = {}, []
    for k in range(len(combinations)):
        index.append(unique.setdefault(drawn[k], len(unique)))
    frames = list(unique)
    figure = explorer.figure
    width, height = (round(x * figure.dpi) for x in figure.get_size_inches())
    rows = "".join(
        f'<label><span class="name">{html.escape(n)}</span>'
        f'<input type="range" min="0" max="{size - 1}" step="1" value="{s}" '
        f'autocomplete="off" aria-label="{html.escape(n)}">'
        f"<output>{html.escape(labels[i][s])}</output></label>"
        for i, (n, size, s) in enumerate(zip(names, sizes, start))
    )
    data = json.dumps(
        {"frames": frames, "index": index, "sizes": sizes, "labels": labels}
    )
    # safe inside <script>: no "</script>" can close it early
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    alt = html.escape(explorer.alt)
    style = string.Template(_STYLE).substitute(id=uid, width=width)
    script = string.Template(_SCRIPT).substitute(id=uid, data=data)
    return (
        f'<div class="actlib-explorer" id="{uid}">\n'
        f"<style>{style}</style>\n"
        f'{rows}<img src="data:image/png;base64,{frames[index[first]]}" '
        f'width="{width}" height="{height}" alt="{alt}">\n'
        f'<p class="note">Precomputed frames: run this page in Jupyter to explore '
        f"freely.</p>\n"
        f"<script>{script}</script></div>"
    )
