"""Tests for actlib.plots (Agg backend, no display)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import actlib  # noqa: E402
from actlib.training import History  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    # use_book_style changes rcParams: restore them after each test
    with plt.rc_context():
        yield
    plt.close("all")


def curves(ax):
    """The data lines of ``ax``: not the axhline/axvline through 0 (2 points each)."""
    return [line for line in ax.get_lines() if len(line.get_xdata()) > 2]


def test_book_style_sets_the_look():
    actlib.use_book_style()
    rc = plt.rcParams
    assert rc["axes.prop_cycle"].by_key()["color"] == actlib.COLORS
    assert rc["axes.spines.top"] is False and rc["axes.spines.right"] is False
    assert rc["axes.grid"] is True and rc["grid.alpha"] < 0.5
    assert 10 <= rc["font.size"] <= 11 and rc["axes.titlesize"] <= 12
    assert tuple(rc["figure.figsize"]) == (6, 3.5) and rc["figure.dpi"] == 100


@pytest.mark.parametrize("name", actlib.activation_names())
def test_plot_activation_draws_the_function_and_its_derivative(name):
    ax = actlib.plot_activation(name)
    function, slope = curves(ax)
    z = torch.as_tensor(function.get_xdata())
    assert z[0] == -5 and z[-1] == 5 and len(z) == 401
    g = actlib.get_activation(name)
    with torch.no_grad():
        assert torch.allclose(torch.as_tensor(function.get_ydata()), g(z), atol=1e-6)
    assert torch.allclose(
        torch.as_tensor(slope.get_ydata()),
        actlib.derivative(name, z, **g.params),
        atol=1e-6,
    )
    assert function.get_linestyle() == "-" and slope.get_linestyle() == "--"
    assert ax.get_title() == name


def test_plot_activation_on_given_axes_with_params_and_without_derivative():
    fig, ax = plt.subplots()
    assert (
        actlib.plot_activation(
            "elu", ax, derivative=False, alpha=0.5, z=np.linspace(-2, 2, 50)
        )
        is ax
    )
    (line,) = curves(ax)
    assert len(line.get_xdata()) == 50 and min(line.get_ydata()) > -0.5
    assert ax.get_title() == "elu (alpha=0.5)"
    # the derivative follows the parameter
    ax = actlib.plot_activation("leaky_relu", negative_slope=0.2)
    assert curves(ax)[1].get_ydata()[0] == pytest.approx(0.2)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: actlib.plot_activation("swish"),
            ValueError,
            r"name='swish' is not supported; choose one of \['identity'",
        ),
        (
            lambda: actlib.plot_activation("relu", negative_slope=0.1),
            TypeError,
            "unexpected keyword 'negative_slope'",
        ),
        (
            lambda: actlib.plot_activation("relu", z=torch.zeros(2, 3)),
            ValueError,
            r"z must be a 1-D tensor.*\(2, 3\)",
        ),
        (
            lambda: actlib.plot_activation("relu", ax="left"),
            TypeError,
            "ax must be a matplotlib Axes",
        ),
        (
            lambda: actlib.plot_activations(["relu", "swish"]),
            ValueError,
            "names='swish' is not supported",
        ),
        (
            lambda: actlib.plot_activations([]),
            ValueError,
            "names must list at least one activation",
        ),
        (
            lambda: actlib.plot_activations(["relu"], ncols=0),
            ValueError,
            "ncols=0 is out of range",
        ),
    ],
)
def test_plot_functions_reject_bad_input_before_drawing(call, error, message):
    with pytest.raises(error, match=message):
        call()
    assert plt.get_fignums() == []  # no half-drawn figure left behind


def test_plot_activations_grid_hides_spare_axes_and_keeps_one_legend():
    fig = actlib.plot_activations(["relu", "tanh", "sigmoid", "elu"], ncols=3)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 6 and len(visible) == 4
    assert [ax.get_title() for ax in visible] == ["relu", "tanh", "sigmoid", "elu"]
    assert all(len(curves(ax)) == 2 for ax in visible)
    assert [ax.get_legend() is not None for ax in visible] == [
        True,
        False,
        False,
        False,
    ]
    # every activation: 10 panels in a 4 x 3 grid
    assert len(actlib.plot_activations().axes) == 12
    fig = actlib.plot_activations("tanh", derivative=False)
    assert len(fig.axes) == 1 and len(curves(fig.axes[0])) == 1


@pytest.fixture(scope="module")
def moons():
    X, y = actlib.toy_dataset("moons", n=100)
    net = actlib.mlp([2, 16, 2], generator=torch.Generator().manual_seed(0))
    history = actlib.fit(
        net, X, y, epochs=3, progress=False, X_val=X[:30], y_val=y[:30]
    )
    return net, X, y, history


def test_plot_decision_boundary_shades_the_probability_and_draws_the_points(moons):
    net, X, y, _ = moons
    net.train()
    ax = actlib.plot_decision_boundary(net, X, y, resolution=30)
    assert len(ax.collections) == 3  # filled probability, the 0.5 line, the points
    assert np.allclose(ax.collections[-1].get_offsets(), X.numpy())
    assert net.training  # the model's mode is restored
    fig, given = plt.subplots()
    assert (
        actlib.plot_decision_boundary(net, X.numpy(), y.numpy(), given, resolution=10)
        is given
    )


def test_plot_decision_boundary_with_one_logit_and_with_many_classes():
    X = torch.randn(40, 2, generator=torch.Generator().manual_seed(0))
    line = nn.Linear(2, 1)
    with torch.no_grad():  # a boundary through the data: x1 + x2/2 = 0
        line.weight.copy_(torch.tensor([[1.0, 0.5]]))
        line.bias.zero_()
    ax = actlib.plot_decision_boundary(line, X, (X[:, 0] > 0).long(), resolution=20)
    assert len(ax.collections) == 3  # regions, the boundary line and the points
    three = nn.Linear(2, 3).double()  # the grid follows the model's dtype
    ax = actlib.plot_decision_boundary(three, X, torch.arange(40) % 3, resolution=20)
    assert len(ax.collections) == 2  # class regions and the points


def test_plot_decision_boundary_rejects_bad_shapes(moons):
    net, X, y, _ = moons
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\), got \(3, 5\)"):
        actlib.plot_decision_boundary(net, torch.zeros(3, 5), y[:3])
    with pytest.raises(ValueError, match=r"y must have shape \(100,\).*got \(99,\)"):
        actlib.plot_decision_boundary(net, X, y[:99])
    with pytest.raises(ValueError, match="resolution=1 is out of range"):
        actlib.plot_decision_boundary(net, X, y, resolution=1)


def test_plot_history_draws_step_loss_and_epoch_accuracies(moons):
    *_, history = moons
    ax = actlib.plot_history(history)
    (loss,) = ax.get_lines()
    assert len(loss.get_xdata()) == len(history.step_loss)
    right = [other for other in ax.figure.axes if other is not ax]
    # train and validation accuracy
    assert len(right) == 1 and len(right[0].get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "loss (each step)",
        "train accuracy",
        "validation accuracy",
    ]
    fig, given = plt.subplots()
    assert actlib.plot_history(history, given) is given


def test_plot_history_marks_a_diverged_run_and_rejects_other_objects():
    history = History(step_loss=[1.0, 5.0, float("inf")], train_loss=[], train_acc=[])
    ax = actlib.plot_history(history)
    assert (
        len(ax.get_lines()) == 2
        and "non-finite loss (step 3)" in ax.get_legend().get_texts()[-1].get_text()
    )
    assert len(ax.figure.axes) == 1  # no accuracy, no twin axis
    with pytest.raises(
        TypeError, match="history must be the History that actlib.fit returns"
    ):
        actlib.plot_history([0.5, 0.4])


def test_plot_layer_stats_draws_a_bar_per_layer():
    net = actlib.mlp(
        [64, 32, 32, 10], activation="tanh", generator=torch.Generator().manual_seed(0)
    )
    X, y = (
        torch.randn(50, 64, generator=torch.Generator().manual_seed(1)),
        torch.arange(50) % 10,
    )
    rows = actlib.layer_stats(net, X, y)
    ax = actlib.plot_layer_stats(rows)
    assert len(ax.patches) == len(rows) == 2 and ax.get_ylabel() == "std"
    assert [p.get_height() for p in ax.patches] == pytest.approx(
        [r["std"] for r in rows]
    )
    fig, given = plt.subplots()
    ax = actlib.plot_layer_stats(rows, given, key=["saturated", "dead", "grad_norm"])
    assert ax is given and len(ax.patches) == 3 * 2 and ax.get_legend() is not None


def test_plot_layer_stats_rejects_bad_input():
    net = actlib.mlp([8, 4, 2], generator=torch.Generator().manual_seed(0))
    rows = actlib.layer_stats(net, torch.randn(10, 8))  # no y: no gradient norms
    with pytest.raises(
        ValueError, match=r"key='nope' is not supported; choose one of \['mean', 'std'"
    ):
        actlib.plot_layer_stats(rows, key="nope")
    with pytest.raises(ValueError, match="key='grad_norm' is None.*with y"):
        actlib.plot_layer_stats(rows, key="grad_norm")
    with pytest.raises(ValueError, match="rows must be the non-empty list"):
        actlib.plot_layer_stats([])
    assert plt.get_fignums() == []


def test_book_style_shows_figures_at_twice_their_resolution_in_jupyter():
    import base64
    import struct

    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        actlib.use_book_style()
        png = shell.display_formatter.formatters["image/png"]
        fig = plt.figure(figsize=(3, 2), dpi=100)
        fig.add_subplot().plot([0, 1])
        data, meta = png.lookup(fig)(fig)
        plt.close(fig)
    finally:
        InteractiveShell.clear_instance()
    data = base64.b64decode(data) if isinstance(data, str) else data
    width, height = struct.unpack(">II", data[16:24])  # the PNG's IHDR chunk
    # drawn at twice the pixels it is shown at (the inline backend trims the margins)
    assert abs(meta["width"] - 300) < 30 and abs(width - 2 * meta["width"]) <= 1
    assert abs(height - 2 * meta["height"]) <= 1


def test_the_drawing_modules_load_on_first_use_with_the_names_they_export():
    import subprocess
    import sys

    import actlib.explorers
    import actlib.plots

    for module in (actlib.plots, actlib.explorers):
        name = module.__name__.split(".")[-1]
        assert actlib._DRAWING[name] == tuple(module.__all__)
        assert all(getattr(actlib, n) is getattr(module, n) for n in module.__all__)
    code = (
        "import sys, actlib; assert 'matplotlib' not in sys.modules; "
        "actlib.explore; assert 'matplotlib' in sys.modules; "
        "from actlib import *; plot_history; "
        "assert set(dir(actlib)) >= set(actlib.__all__)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    with pytest.raises(AttributeError, match="has no attribute 'plot_activatoin'"):
        actlib.plot_activatoin  # noqa: B018
