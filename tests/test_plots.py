"""Tests for actlib.plots (Agg backend, no display)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import actlib  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_book_style_sets_the_colour_cycle():
    actlib.use_book_style()
    assert plt.rcParams["axes.prop_cycle"].by_key()["color"][:2] == actlib.COLORS[:2]
    assert plt.rcParams["axes.spines.top"] is False


@pytest.mark.parametrize("name", actlib.activation_names())
def test_plot_activation_draws_the_function_and_its_derivative(name):
    ax = actlib.plot_activation(name)
    curves = [line for line in ax.get_lines() if len(line.get_xdata()) > 2]
    assert len(curves) == 2
    z = torch.as_tensor(curves[0].get_xdata())
    expected = actlib.derivative(name, z)
    assert torch.allclose(torch.as_tensor(curves[1].get_ydata()), expected, atol=1e-6)


def test_plot_activation_on_given_axes_without_derivative():
    fig, ax = plt.subplots()
    assert actlib.plot_activation("elu", ax, derivative=False, alpha=0.5) is ax
    assert len([line for line in ax.get_lines() if len(line.get_xdata()) > 2]) == 1


def test_plot_activation_rejects_unknown_names():
    with pytest.raises(ValueError, match="swish"):
        actlib.plot_activation("swish")


def test_plot_activations_grid_hides_spare_axes():
    fig = actlib.plot_activations(["relu", "tanh", "sigmoid", "elu"], ncols=3)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(fig.axes) == 6 and len(visible) == 4


def test_plot_decision_boundary_and_history():
    X, y = actlib.toy_dataset("moons", n=100)
    net = actlib.mlp([2, 16, 2], generator=torch.Generator().manual_seed(0))
    history = actlib.fit(net, X, y, epochs=2, progress=False)
    ax = actlib.plot_decision_boundary(net, X, y, resolution=30)
    assert ax.collections  # the filled contours and the points
    ax = actlib.plot_history(history)
    assert len(ax.get_lines()) == 1 and len(ax.figure.axes) == 2  # loss, and accuracy on the twin axis
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        actlib.plot_decision_boundary(net, torch.zeros(3, 5), y[:3])


def test_plot_layer_stats():
    net = actlib.mlp([64, 32, 32, 10], activation="tanh", generator=torch.Generator().manual_seed(0))
    rows = actlib.layer_stats(net, torch.randn(50, 64), torch.randint(0, 10, (50,)))
    ax = actlib.plot_layer_stats(rows, key="saturated")
    assert len(ax.patches) == len(rows) == 2
    with pytest.raises(ValueError, match="key='nope'"):
        actlib.plot_layer_stats(rows, key="nope")
    with pytest.raises(ValueError, match="rows is empty"):
        actlib.plot_layer_stats([])
