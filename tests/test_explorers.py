"""Tests for actlib.explorers: live widgets, the kernel-free static version, bad
input."""

import base64
import io
import json
import re
import shutil
import subprocess

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

import actlib
from actlib.explorers import MAX_FRAMES

PNG = b"\x89PNG"


def draw(fig, slope, name="relu"):
    ax = fig.subplots()
    ax.plot([0, 1], [0, slope])
    ax.set_title(name)


PARAMS = {"slope": [0.0, 0.5, 1.0], "name": ["relu", "tanh"]}


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def static_page(explorer):
    """The static HTML and the data its script reads."""
    page = explorer.static_html()
    data = json.loads(re.search(r"const d=(\{.*?\});", page).group(1))
    return page, data


# --- the environment and log sliders --------------------------------------------------


def test_log_values_are_exact_at_the_ends_and_clean_inside():
    assert actlib.log_values(1e-3, 10, 5) == [0.001, 0.01, 0.1, 1.0, 10.0]
    values = actlib.log_values(3e-4, 0.7, 7)
    assert values[0] == 3e-4 and values[-1] == 0.7 and len(values) == 7
    assert np.allclose(np.diff(np.log(values)), np.log(0.7 / 3e-4) / 6)


@pytest.mark.parametrize(
    "low, high, n, error, message",
    [
        (0, 1, 3, ValueError, "low=0"),
        (1, 0.5, 3, ValueError, "high=0.5"),
        (1, 2, 1, ValueError, "n=1"),
        (1e-3, float("inf"), 3, ValueError, "finite"),
        (1e-3, 1, 2.5, TypeError, "n must be an integer"),
    ],
)
def test_log_values_rejects_bad_input(low, high, n, error, message):
    with pytest.raises(error, match=message):
        actlib.log_values(low, high, n)


# --- rendering ------------------------------------------------------------------------


def test_render_gives_a_png_that_depends_on_the_values():
    e = actlib.explore(draw, PARAMS)
    assert e.render().startswith(PNG)
    assert e.render(slope=0.0) != e.render(slope=1.0)
    assert pixels(e.render()).shape == (280, 480, 3)  # 6 x 3.5 in at 80 dpi


def test_every_slider_survives_both_ends_and_frames_cover_the_product():
    e = actlib.explore(draw, PARAMS)
    frames = e.frames()
    assert len(frames) == 3 * 2 and len(set(frames)) == 6
    assert all(f.startswith(PNG) for f in frames)
    # row-major: the last parameter (name) varies fastest
    assert frames[2 * 2 + 0] == e.render(slope=1.0, name="relu")
    for name, values in PARAMS.items():
        for value in (values[0], values[-1]):
            assert e.render(**{name: value}).startswith(PNG)


def test_the_explorer_draws_on_its_own_figure_not_pyplot():
    before = plt.get_fignums()
    e = actlib.explore(draw, PARAMS)
    e.frames()
    assert plt.get_fignums() == before


def test_a_reused_layout_gives_the_same_frame_and_a_spilling_label_gets_a_new_one():
    def tall(fig, scale):
        ax = fig.subplots()
        ax.plot([0, 1], [0, scale])
        ax.ticklabel_format(style="plain", useOffset=False)
        ax.set(ylabel="loss", title="a title")

    with plt.rc_context({"figure.constrained_layout.use": True}):
        e = actlib.explore(tall, {"scale": [1, 2, 1e7]}, initial={"scale": 1})
    first = e.render(scale=2)  # lays the figure out
    assert e.render(scale=2) == first  # reuses the layout: the same pixels
    big = pixels(e.render(scale=1e7))  # "10000000" is wider than "2.00": laid out again
    border = np.concatenate([big[0], big[-1], big[:, 0], big[:, -1]])
    assert (border == 255).all(), "a tick label was clipped at the figure's border"


def test_a_frame_depends_on_its_values_not_on_the_frames_drawn_before():
    def rich(fig, k, kind):  # subfigures, shared axes, twins, a colorbar, an inset
        if kind == "sub":
            left, right = fig.subfigures(1, 2)
            left.subplots().plot([0, k])
            left.suptitle("left")
            top, bottom = right.subplots(2, 1, sharex=True)
            top.plot([1, k])
            bottom.imshow(np.arange(6).reshape(2, 3) * k)
        else:
            axs = fig.subplots(1, 2, sharey=True)
            axs[0].plot([0, k])
            axs[0].twinx().plot([k, 0], color="C1")
            fig.colorbar(axs[1].imshow(np.arange(6).reshape(2, 3) * k), ax=axs[1])
            axs[1].inset_axes([0.6, 0.6, 0.3, 0.3]).plot([0, 1])
            fig.supxlabel("x")

    params = {"k": [1, 2, 5, 1e4], "kind": ["sub", "plain"]}  # 1e4: wider tick labels
    with plt.rc_context({"figure.constrained_layout.use": True}):
        forward, backward = (actlib.explore(rich, params, title="T") for _ in range(2))
    combinations = forward._combinations()
    in_order = [forward._png(c) for c in combinations]
    reversed_order = [backward._png(c) for c in combinations[::-1]][::-1]
    assert in_order == reversed_order


def test_a_reused_layout_places_titles_as_the_frames_own_layout_would():
    def flat(fig, color):  # the same ticks in every frame: one layout fits all
        ax = fig.subplots()
        ax.plot([0, 1], [0, 0.5], color=color)
        ax.set(ylim=(0, 1), title="t")
        fig.supxlabel("x")

    params = {"color": ["C0", "C1"]}
    with plt.rc_context({"figure.constrained_layout.use": True}):
        reused = actlib.explore(flat, params, title="T", initial={"color": "C0"})
        own = actlib.explore(flat, params, title="T", initial={"color": "C1"})
    reused.render()  # the initial frame first, as the widget draws it
    assert reused.render(color="C1") == own.render(color="C1")
    assert reused.render(color="C1") != reused.render(color="C0")


@pytest.mark.parametrize("where", ["offset", "top"])
def test_a_reused_layout_lifts_a_title_where_matplotlib_would(where):
    # matplotlib lifts a title above a y offset text ("1e-5") it overlaps, or above
    # x tick labels at the top; a frame drawn in the reference's layout must too
    def lifted(fig, color):
        ax = fig.subplots()
        if where == "offset":
            ax.plot([0, 1], [1, 1 + 1e-5], color=color)
        else:
            ax.plot([0, 1], [0, 1], color=color)
            ax.xaxis.tick_top()
        ax.set_title("a title", loc="left")

    params = {"color": ["C0", "C1"]}
    with plt.rc_context({"figure.constrained_layout.use": True}):
        reused = actlib.explore(lifted, params, initial={"color": "C0"})
        own = actlib.explore(lifted, params, initial={"color": "C1"})
    reused.render()  # the reference frame first, as the widget draws it
    assert reused.render(color="C1") == own.render(color="C1")


def activation_draw(moves):
    """An explorer's draw of a leaky ReLU or an ELU; with ``moves``, it returns an
    update that moves the curves in place, as the activation chapter's does."""

    def draw(fig, name, parameter):
        ax = fig.subplots()
        key = "negative_slope" if name == "leaky_relu" else "alpha"
        z = torch.linspace(-3, 3, 61)
        actlib.plot_activation(name, ax, z=z, **{key: parameter})
        ax.set_ylabel("g")

        def update(name, parameter):
            key = "negative_slope" if name == "leaky_relu" else "alpha"
            actlib.update_activation(ax, name, **{key: parameter})

        return update if moves else None

    return draw


def test_an_update_in_place_gives_the_frames_a_new_draw_gives_whatever_the_order():
    # the y range and its tick labels change with the parameter (autoscaled), the
    # legend with the name; 30 and 300: tick labels wider than the reference's
    params = {"name": ["leaky_relu", "elu"], "parameter": [0.0, 0.3, 1.0, 30.0, 300.0]}
    with plt.rc_context({"figure.constrained_layout.use": True}):
        anew = actlib.explore(activation_draw(False), params, title="T")
        moved = actlib.explore(activation_draw(True), params, title="T")
    calls = []
    renderer = moved._renderer
    renderer.draw = lambda fig, **v: calls.append(v) or activation_draw(True)(fig, **v)
    combinations = moved._combinations()
    rng = np.random.default_rng(0)
    order = [combinations[i] for i in rng.permutation(len(combinations))] * 2
    for i, values in enumerate(order):
        if i == len(combinations):  # every layout is known: the curves just move
            calls.clear()
        assert pixels(moved.render(**values)).tolist() == (
            pixels(anew.render(**values)).tolist()
        ), values
    assert len(calls) <= 1, "the update was not used"
    assert moved._png(order[0], scale=2) == anew._png(order[0], scale=2)  # 2x dpi


def test_an_update_that_changes_the_axes_is_not_trusted():
    def draw(fig, k):
        ax = fig.subplots()
        ax.plot([0, 1], [0, k])

        def update(k):  # wrong: adds an axes where draw makes one
            fig.subplots(1, 2)

        return update

    def plain(fig, k):
        fig.subplots().plot([0, 1], [0, k])

    with plt.rc_context({"figure.constrained_layout.use": True}):
        wrong = actlib.explore(draw, {"k": [1, 2, 3]})
        right = actlib.explore(plain, {"k": [1, 2, 3]})
    for k in (2, 1, 3, 2):
        assert wrong.render(k=k) == right.render(k=k)


def test_update_activation_needs_a_plot_activation_on_its_axes():
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="holds no curve of plot_activation"):
        actlib.update_activation(ax, "relu")
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        actlib.update_activation("left", "relu")
    actlib.plot_activation("elu", ax)
    with pytest.raises(TypeError, match="unexpected keyword 'negative_slope'"):
        actlib.update_activation(ax, "relu", negative_slope=0.1)
    plt.close("all")


# --- live: ipywidgets -----------------------------------------------------------------


def test_live_widget_has_a_control_per_parameter_and_updates_the_image(monkeypatch):
    monkeypatch.delenv("ACTLIB_STATIC_SITE", raising=False)
    box = actlib.explore(draw, PARAMS).widget()
    assert isinstance(box, widgets.VBox)
    slider, choice, image, error = box.children
    assert isinstance(slider, widgets.SelectionSlider) and isinstance(
        choice, widgets.ToggleButtons
    )
    assert isinstance(image, widgets.Image) and image.format == "png"
    assert list(slider.options) == [("0", 0.0), ("0.5", 0.5), ("1", 1.0)]
    assert list(choice.options) == [("relu", "relu"), ("tanh", "tanh")]
    assert slider.value == 0.5 and choice.value == "relu"  # the middle of each list
    before = bytes(image.value)
    slider.value = 1.0  # the last position
    assert bytes(image.value) != before and bytes(image.value).startswith(PNG)
    slider.value = 0.0  # the first position
    choice.value = "tanh"
    assert bytes(image.value).startswith(PNG) and error.value == ""


def test_slider_labels_are_compact_and_distinct():
    def any_draw(fig, lr, width=1, act="relu"):
        fig.subplots()

    e = actlib.explore(
        any_draw, {"lr": actlib.log_values(1e-5, 10, 7), "width": [16, 256, 1024]}
    )
    lr, width = e.widget().children[:2]
    assert [label for label, _ in lr.options] == [
        "1e-05",
        "0.0001",
        "0.001",
        "0.01",
        "0.1",
        "1",
        "10",
    ]
    assert [label for label, _ in width.options] == ["16", "256", "1024"]
    many = {"lr": [0.1], "act": [f"a{i}" for i in range(7)]}
    act = actlib.explore(any_draw, many).widget().children[1]
    assert isinstance(act, widgets.Dropdown)  # many strings: not a row of buttons
    close = actlib.explore(any_draw, {"lr": [0.1, 0.1001, 0.2]}).widget().children[0]
    assert [label for label, _ in close.options] == ["0.1", "0.1001", "0.2"]


def test_live_display_is_a_widget_and_shows_errors_of_draw(monkeypatch):
    monkeypatch.delenv("ACTLIB_STATIC_SITE", raising=False)
    bundle = actlib.explore(draw, PARAMS)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle

    def fragile(fig, x):
        if x > 1:
            raise RuntimeError("x is too large")
        fig.subplots().plot([0, x])

    slider, image, error = actlib.explore(fragile, {"x": [0, 1, 2]}).widget().children
    slider.value = 2
    assert "RuntimeError: x is too large" in error.value


# --- static: the kernel-free site -----------------------------------------------------


def test_static_display_is_kernel_free_html(monkeypatch):
    monkeypatch.setenv("ACTLIB_STATIC_SITE", "1")
    e = actlib.explore(draw, PARAMS, initial={"slope": 1.0})
    bundle = e._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    page = bundle["text/html"]
    assert page.count('class="actlib-explorer"') == 1
    assert re.findall(r'<input type="range" min="0" max="(\d+)"', page) == ["2", "1"]
    data = json.loads(re.search(r"const d=(\{.*?\});", page).group(1))
    assert len(data["frames"]) == 6 and data["index"] == list(range(6))
    assert data["sizes"] == [3, 2]
    assert data["labels"] == [["0", "0.5", "1"], ["relu", "tanh"]]
    assert all(base64.b64decode(f).startswith(PNG) for f in data["frames"])
    # frames are drawn at twice the dpi and shown at the explorer's size
    assert pixels(base64.b64decode(data["frames"][0])).shape == (560, 960, 3)
    assert 'width="480" height="280"' in page
    # the first image shown is the initial frame: slope=1.0 (2), name="relu" (0)
    assert f'src="data:image/png;base64,{data["frames"][2 * 2 + 0]}"' in page
    assert "<script>" in page and "Precomputed" in page
    outside_data = re.sub(
        r"data:image/png;base64,[A-Za-z0-9+/=]*|\"[A-Za-z0-9+/=]{40,}\"", "", page
    )
    # no CDN, no link
    assert "http" not in outside_data
    assert "//" not in outside_data.replace("://", "")
    assert re.search(r'const d=\{"frames": \[', page)  # what site_checks.py looks for


def test_static_frames_show_what_the_live_draw_shows():
    def scaled(fig, scale, name="relu"):  # 1e7: wider tick labels, a layout of its own
        draw(fig, scale, name)

    params = {"scale": [1, 1e7, 2], "name": ["relu", "tanh"]}
    with plt.rc_context({"figure.constrained_layout.use": True}):
        static = actlib.explore(scaled, params, initial={"scale": 2})
        live = actlib.explore(scaled, params, initial={"scale": 2}, dpi=160)  # 2 x 80
    _, data = static_page(static)
    combinations = live._combinations()[::-1]  # drawn in another order
    live_frames = [pixels(live.render(**c)).astype(int) for c in combinations][::-1]
    for k, live_frame in enumerate(live_frames):
        shown = pixels(base64.b64decode(data["frames"][data["index"][k]])).astype(int)
        # 256 colours shift a pixel a little; another frame moves a line or a label
        assert np.abs(shown - live_frame).max() <= 64
        others = [f for j, f in enumerate(live_frames) if j != k]
        assert all(np.abs(shown - f).max() > 64 for f in others)


def test_identical_frames_are_stored_once():
    def ignores_width(fig, slope, width):
        fig.subplots().plot([0, 1], [0, slope])

    _, data = static_page(
        actlib.explore(ignores_width, {"slope": [0, 1], "width": [1, 2, 3]})
    )
    assert len(data["frames"]) == 2 and data["index"] == [0, 0, 0, 1, 1, 1]


def test_two_explorers_on_one_page_do_not_share_ids():
    e = actlib.explore(draw, {"slope": [0, 1]})
    ids = {re.search(r'id="([\w-]+)"', e.static_html()).group(1) for _ in range(2)}
    assert len(ids) == 2


def test_labels_cannot_break_out_of_the_script():
    e = actlib.explore(draw, {"slope": [0, 1], "name": ["</script><b>", "a&b"]})
    page, data = static_page(e)
    assert page.count("</script>") == 1 and "<b>" not in page
    assert data["labels"][1] == ["</script><b>", "a&b"]


@pytest.mark.skipif(
    shutil.which("node") is None, reason="needs node to run the inline script"
)
def test_the_inline_script_swaps_frames_in_row_major_order():
    page, data = static_page(actlib.explore(draw, PARAMS))
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    start = [
        int(v) for v in re.findall(r'<input type="range"[^>]* value="(\d+)"', page)
    ]
    harness = """
    const inputs = START.map(v => ({
      value: String(v), on: [], addEventListener(t, f) { this.on.push(f); },
    }));
    const outs = START.map(() => ({textContent: ""}));
    const img = {src: ""};
    const root = {
      querySelectorAll: s => s.startsWith("input") ? inputs : outs,
      querySelector: () => img,
    };
    const document = {getElementById: () => root};
    SCRIPT
    const seen = [];
    for (const [a, b] of [[0, 0], [2, 1], [1, 0], [2, 0]]) {
      inputs[0].value = String(a); inputs[0].on.forEach(f => f());
      inputs[1].value = String(b); inputs[1].on.forEach(f => f());
      seen.push([img.src, outs[0].textContent, outs[1].textContent]);
    }
    console.log(JSON.stringify(seen));
    """.replace("START", json.dumps(start)).replace("SCRIPT", script)
    node = ["node", "-e", harness]
    seen = json.loads(
        subprocess.run(node, capture_output=True, text=True, check=True).stdout
    )
    for (src, slope, name), (a, b) in zip(seen, [(0, 0), (2, 1), (1, 0), (2, 0)]):
        frame = data["frames"][data["index"][a * 2 + b]]
        assert src == "data:image/png;base64," + frame
        assert (slope, name) == (data["labels"][0][a], data["labels"][1][b])


# --- bad input ------------------------------------------------------------------------


def draw_xy(fig, x, y=0):
    fig.subplots().plot([x, y])


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        (("not a function", {"x": [1]}), {}, TypeError, "draw must be a function"),
        ((draw_xy, [("x", [1])]), {}, TypeError, "params must be a dict"),
        ((draw_xy, {}), {}, ValueError, "params must be a non-empty dict"),
        (
            (draw_xy, {"width": [1, 2]}),
            {},
            ValueError,
            r"'width', which draw does not accept.*\['x', 'y'\]",
        ),
        (
            (draw_xy, {"y": [1, 2]}),
            {},
            ValueError,
            r"draw needs \['x'\] but params gives no values",
        ),
        (
            (draw_xy, {"x": 0.5}),
            {},
            TypeError,
            r"params\['x'\] must be a list.*got 0.5; write \[value\]",
        ),
        ((draw_xy, {"x": "abc"}), {}, TypeError, r"params\['x'\] must be a list"),
        ((draw_xy, {"x": {1, 2}}), {}, TypeError, r"params\['x'\] must be a list"),
        (
            (draw_xy, {"x": []}),
            {},
            ValueError,
            r"params\['x'\] must be a non-empty list",
        ),
        (
            (draw_xy, {"x": np.zeros((2, 2))}),
            {},
            ValueError,
            r"params\['x'\] must be 1-D.*\(2, 2\)",
        ),
        (
            (draw_xy, {"x": [1, "a"]}),
            {},
            ValueError,
            r"params\['x'\] must hold only numbers, only strings",
        ),
        (
            (draw_xy, {"x": [1, float("nan")]}),
            {},
            ValueError,
            r"params\['x'\] holds nan.*finite numbers or strings",
        ),
        ((draw_xy, {"x": [1, None]}), {}, ValueError, r"params\['x'\] holds None"),
        ((draw_xy, {"x": [1, 2, 1]}), {}, ValueError, r"params\['x'\] repeats 1"),
        (
            (draw_xy, {"x": list(range(9)), "y": list(range(8))}),
            {},
            ValueError,
            r"72 combinations \(values per parameter: \{'x': 9, 'y': 8\}\), "
            r"more than MAX_FRAMES=64.*use fewer values",
        ),
        (
            (draw_xy, {"x": [1]}),
            {"figsize": 6},
            TypeError,
            r"figsize must be \(width, height\)",
        ),
        (
            (draw_xy, {"x": [1]}),
            {"figsize": (6, 0)},
            ValueError,
            r"figsize\[1\]=0 is out of range",
        ),
        ((draw_xy, {"x": [1]}), {"dpi": 5000}, ValueError, "dpi=5000 is out of range"),
        (
            (draw_xy, {"x": [1]}),
            {"title": 3},
            TypeError,
            "title must be a string or None, got 3",
        ),
        (
            (draw_xy, {"x": [1, 2]}),
            {"initial": {"x": 7}},
            ValueError,
            r"initial\['x'\]=7 is not one of params\['x'\]=\[1, 2\]",
        ),
        (
            (draw_xy, {"x": [1, 2]}),
            {"initial": {"z": 1}},
            ValueError,
            r"initial has 'z', which is not a parameter",
        ),
        (
            (draw_xy, {"x": [0, 1]}),
            {"initial": {"x": True}},
            ValueError,
            r"initial\['x'\]=True is not one of",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        actlib.explore(*args, **kwargs)


def test_more_than_max_frames_is_an_error_and_max_frames_is_fine():
    actlib.explore(draw_xy, {"x": list(range(MAX_FRAMES))})
    with pytest.raises(ValueError, match=f"{MAX_FRAMES + 1} combinations"):
        actlib.explore(draw_xy, {"x": list(range(MAX_FRAMES + 1))})


def test_render_rejects_an_unknown_keyword():
    with pytest.raises(
        ValueError,
        match=r"'width' is not a parameter of this explorer; "
        r"its parameters are \['x'\]",
    ):
        actlib.explore(draw_xy, {"x": [1, 2]}).render(width=3)


def test_arrays_tensors_and_booleans_become_plain_values():
    def flags(fig, x, y, show):
        fig.subplots().plot([x, y])

    e = actlib.explore(
        flags,
        {"x": np.array([0.5, 1.5]), "y": torch.tensor([1, 2]), "show": [True, False]},
    )
    assert e.params == {"x": [0.5, 1.5], "y": [1, 2], "show": [True, False]}
    assert all(
        type(v) in (float, int, bool) for values in e.params.values() for v in values
    )
    assert isinstance(e.widget().children[2], widgets.ToggleButtons)
    assert len(e.frames()) == 8


def test_a_figure_that_reaches_its_border_is_laid_out_every_time():
    def framed(fig, x):
        fig.subplots().plot([0, x])
        fig.patches.append(
            plt.Rectangle((0, 0), 1, 1, transform=fig.transFigure, fill=False, lw=3)
        )

    with plt.rc_context({"figure.constrained_layout.use": True}):
        e = actlib.explore(framed, {"x": [1, 2]})
    first = e.render(x=2)
    layouts = e._renderer._layouts.values()  # the reference frame (x=1) and x=2
    assert [positions for _, positions in layouts] == [None, None]  # nothing to reuse
    assert e.render(x=2) == first


def test_the_static_figure_has_a_text_alternative():
    explorer = actlib.explore(draw, {"slope": [0.0, 1.0]}, title="A line's slope")
    assert explorer.alt == "A line's slope: it is redrawn as the slider 'slope' moves."
    own = actlib.explore(draw, PARAMS, alt="A line whose slope the sliders set")
    assert 'alt="A line whose slope the sliders set"' in own.static_html()
    assert "sliders 'slope' and 'name'" in actlib.explore(draw, PARAMS).alt
    with pytest.raises(TypeError, match="alt must be a non-empty string"):
        actlib.explore(draw, PARAMS, alt="  ")
