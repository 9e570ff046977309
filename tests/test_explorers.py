"""Tests for actlib.explorers: live widgets, the kernel-free static version, and bad input."""
import base64
import json
import re

import ipywidgets as widgets
import pytest

import actlib
from actlib.explorers import MAX_FRAMES


def draw(fig, slope, name="relu"):
    ax = fig.subplots()
    ax.plot([0, 1], [0, slope])
    ax.set_title(name)


PARAMS = {"slope": [0.0, 0.5, 1.0], "name": ["relu", "tanh"]}
PNG = b"\x89PNG"


def test_static_site_reads_the_environment(monkeypatch):
    monkeypatch.setenv("ACTLIB_STATIC_SITE", "1")
    assert actlib.static_site()
    monkeypatch.setenv("ACTLIB_STATIC_SITE", "0")
    assert not actlib.static_site()


def test_render_gives_a_png_that_depends_on_the_values():
    e = actlib.explore(draw, PARAMS)
    assert e.render().startswith(PNG)
    assert e.render(slope=0.0) != e.render(slope=1.0)


def test_every_frame_renders_at_both_ends_of_every_slider():
    e = actlib.explore(draw, PARAMS)
    frames = e.frames()
    assert len(frames) == 6 and all(f.startswith(PNG) for f in frames)
    for name, values in PARAMS.items():
        for value in (values[0], values[-1]):
            assert e.render(**{name: value}).startswith(PNG)


def test_live_widget_has_a_control_per_parameter_and_updates_the_image(monkeypatch):
    monkeypatch.delenv("ACTLIB_STATIC_SITE", raising=False)
    box = actlib.explore(draw, PARAMS).widget()
    slider, choice, image = box.children
    assert isinstance(slider, widgets.SelectionSlider) and isinstance(choice, widgets.ToggleButtons)
    assert list(slider.options) == [("0", 0.0), ("0.5", 0.5), ("1", 1.0)]
    assert slider.value == 0.5 and choice.value == "tanh"  # the middle of each list
    before = image.value
    slider.value = 1.0
    assert bytes(image.value) != bytes(before) and bytes(image.value).startswith(PNG)
    slider.value = 0.0  # the other end
    assert bytes(image.value).startswith(PNG)


def test_live_display_is_a_widget(monkeypatch):
    monkeypatch.delenv("ACTLIB_STATIC_SITE", raising=False)
    bundle = actlib.explore(draw, PARAMS)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_static_display_is_kernel_free_html(monkeypatch):
    monkeypatch.setenv("ACTLIB_STATIC_SITE", "1")
    e = actlib.explore(draw, PARAMS, initial={"slope": 1.0})
    bundle = e._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" not in bundle
    page = bundle["text/html"]
    sliders = re.findall(r'<input type="range" min="0" max="(\d+)"', page)
    assert sliders == ["2", "1"]
    data = json.loads(re.search(r"const d=(\{.*?\});", page).group(1))
    assert len(data["frames"]) == 6 and data["sizes"] == [3, 2]
    assert all(base64.b64decode(f).startswith(PNG) for f in data["frames"])
    # the first image shown is the initial frame: slope=1.0 (index 2), name="tanh" (index 1)
    assert f'src="data:image/png;base64,{data["frames"][2 * 2 + 1]}"' in page
    assert "http" not in page and "<script>" in page


def test_two_explorers_on_one_page_do_not_share_ids(monkeypatch):
    ids = {re.search(r'id="([\w-]+)"', actlib.explore(draw, PARAMS).static_html()).group(1) for _ in range(2)}
    assert len(ids) == 2


def test_log_values_are_exact_at_the_ends():
    values = actlib.log_values(1e-3, 10, 5)
    assert values[0] == 1e-3 and values[-1] == 10 and values[2] == pytest.approx(0.1)


@pytest.mark.parametrize("args, error, message", [
    ((draw, {}), ValueError, "params must be a non-empty dict"),
    ((draw, {"slope": []}), ValueError, r"params\['slope'\] must be a non-empty list"),
    ((draw, {"slope": [1, "a"]}), ValueError, "only numbers or only strings"),
    ((draw, {"width": [1, 2]}), ValueError, r"'width'.*draw does not accept.*\['name', 'slope'\]"),
    (("not a function", {"slope": [1]}), TypeError, "draw must be a function"),
    ((draw, {"slope": list(range(MAX_FRAMES + 1))}), ValueError, "65 combinations.*MAX_FRAMES=64"),
])
def test_bad_input_gets_a_clear_error(args, error, message):
    with pytest.raises(error, match=message):
        actlib.explore(*args)


def test_bad_initial_and_unknown_render_keyword():
    with pytest.raises(ValueError, match=r"initial\['slope'\]=7"):
        actlib.explore(draw, PARAMS, initial={"slope": 7})
    with pytest.raises(ValueError, match="'width' is not a parameter"):
        actlib.explore(draw, PARAMS).render(width=3)


@pytest.mark.parametrize("low, high, n, message", [(0, 1, 3, "low=0"), (1, 0.5, 3, "high=0.5"), (1, 2, 1, "n=1")])
def test_log_values_rejects_bad_input(low, high, n, message):
    with pytest.raises(ValueError, match=message):
        actlib.log_values(low, high, n)
