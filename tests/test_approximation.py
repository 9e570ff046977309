"""Tests for actlib/approximation.py: sums of ReLUs and tangent Maxout units.

torch is the oracle.
"""

import pytest
import torch

import actlib
from actlib.approximation import (
    best_line_accuracy,
    fit_relu_sum,
    relu_features,
    tangent_maxout,
)


def test_relu_features_match_torch_relu():
    x, kinks = torch.linspace(-2, 2, 9), torch.tensor([-1.0, 0.0, 1.5])
    torch.testing.assert_close(relu_features(x, kinks), torch.relu(x[:, None] - kinks))
    assert relu_features(x, kinks).shape == (9, 3)


def test_fit_relu_sum_is_a_one_hidden_layer_relu_network():
    x = torch.linspace(-3, 3, 301)
    net = fit_relu_sum(x, torch.sin(x), 8)
    assert (
        isinstance(net[1], torch.nn.ReLU)
        and net[0].weight.shape == (8, 1)
        and net[2].weight.shape == (1, 8)
    )
    kinks = -net[0].bias.detach()
    torch.testing.assert_close(kinks, -3 + 6 * torch.arange(8) / 8)
    # b + sum_i a_i relu(x - c_i)
    by_hand = net[2].bias + relu_features(x, kinks) @ net[2].weight[0]
    torch.testing.assert_close(net(x[:, None]).squeeze(1), by_hand)


def test_fit_relu_sum_is_exact_on_a_piecewise_linear_target_with_its_kinks():
    x = torch.linspace(-2, 2, 401, dtype=torch.float64)
    # kinks at -2, 0, 1
    y = 0.5 + torch.relu(x + 2) - 3 * torch.relu(x) + 2 * torch.relu(x - 1)
    net = fit_relu_sum(x, y, 4)  # kinks at -2, -1, 0, 1
    torch.testing.assert_close(net(x[:, None]).squeeze(1), y)
    assert net[0].weight.dtype == torch.float64


def test_fit_relu_sum_error_falls_like_one_over_n_squared():
    x = torch.linspace(-3, 3, 601, dtype=torch.float64)
    err = {
        n: float(
            (
                fit_relu_sum(x, torch.sin(x), n)(x[:, None]).detach().squeeze(1)
                - torch.sin(x)
            )
            .abs()
            .max()
        )
        for n in (8, 16, 32)
    }
    assert err[16] < err[8] / 3 and err[32] < err[16] / 3, err


def test_tangent_maxout_of_x_squared():
    k = 4
    t = -1 + (2 * torch.arange(1, k + 1, dtype=torch.float64) - 1) / k
    unit = tangent_maxout(lambda x: x**2, t)
    assert isinstance(unit, actlib.Maxout) and unit.k == k
    x = torch.linspace(-1, 1, 2001, dtype=torch.float64)
    out = unit(x[:, None]).detach().squeeze(1)
    # the tangent lines 2tx - t^2
    torch.testing.assert_close(out, (2 * t * x[:, None] - t**2).amax(1))
    assert abs(float((x**2 - out).max()) - 1 / k**2) < 1e-6
    assert bool((out <= x**2 + 1e-12).all())


def test_tangent_maxout_slopes_come_from_autograd():
    t = torch.tensor([-1.0, 0.0, 2.0])
    unit = tangent_maxout(torch.exp, t)
    torch.testing.assert_close(unit.linear.weight[:, 0], torch.exp(t))
    torch.testing.assert_close(unit.linear.bias, torch.exp(t) * (1 - t))


@pytest.mark.parametrize(
    "bad, error",
    [
        (dict(x=[0.0, 1.0]), TypeError),
        (dict(x=torch.zeros(3, 2)), ValueError),
        (dict(x=torch.arange(3)), ValueError),
        (dict(y=torch.zeros(4)), ValueError),
        (dict(n_units=0), ValueError),
        (dict(n_units=2.5), TypeError),
        (dict(lo=1.0, hi=0.0), ValueError),
        (dict(lo=float("nan")), ValueError),
    ],
)
def test_fit_relu_sum_rejects_bad_input(bad, error):
    args = dict(x=torch.linspace(0, 1, 5), y=torch.zeros(5), n_units=3) | bad
    with pytest.raises(error):
        fit_relu_sum(args.pop("x"), args.pop("y"), args.pop("n_units"), **args)


def test_bad_input_of_relu_features_and_tangent_maxout():
    with pytest.raises(ValueError, match="kinks"):
        relu_features(torch.zeros(3), torch.zeros(2, 2))
    with pytest.raises(TypeError, match="f must be a function"):
        tangent_maxout(2.0, torch.zeros(2))
    with pytest.raises(ValueError, match="points"):
        tangent_maxout(torch.exp, torch.zeros(0))


def _best_line_by_counting(X, y, n_angles):
    """Every direction and every threshold at a point's projection, counted directly."""
    best, X = 0.0, X.double()
    for j in range(n_angles):
        theta = torch.tensor(2 * torch.pi * j / n_angles, dtype=torch.float64)
        p = X[:, 0] * theta.cos() + X[:, 1] * theta.sin()  # (N,)
        for t in [p.min() - 1, *p]:  # below every point, or at one of them
            best = max(best, float(((p > t).long() == y).double().mean()))
    return best


def test_best_line_accuracy_matches_a_direct_count():
    gen = torch.Generator().manual_seed(0)
    for _ in range(3):
        X = torch.randn(15, 2, generator=gen)
        y = torch.randint(0, 2, (15,), generator=gen)
        assert best_line_accuracy(X, y, n_angles=90) == pytest.approx(
            _best_line_by_counting(X, y, 90)
        )


def test_best_line_accuracy_closed_cases():
    corners = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    assert best_line_accuracy(corners, torch.tensor([0, 1, 1, 0])) == 0.75  # XOR
    assert best_line_accuracy(corners, torch.tensor([0, 0, 1, 1])) == 1.0  # x1 > 0.5
    assert best_line_accuracy(corners, torch.tensor([1, 1, 1, 1])) == 1.0
    X = torch.randn(100, 2, generator=torch.Generator().manual_seed(1))
    y = (X @ torch.tensor([2.0, -1.0]) > 0.3).long()  # separable by a line
    assert best_line_accuracy(X, y) == 1.0


@pytest.mark.parametrize(
    "X, y, n_angles, error",
    [
        ([[0.0, 1.0]], torch.tensor([0]), 8, TypeError),
        (torch.zeros(3, 3), torch.zeros(3, dtype=torch.long), 8, ValueError),
        (torch.zeros(3, 2), torch.tensor([0, 1, 2]), 8, ValueError),
        (torch.zeros(3, 2), torch.zeros(3, dtype=torch.long), 2, ValueError),
    ],
)
def test_best_line_accuracy_rejects_bad_input(X, y, n_angles, error):
    with pytest.raises(error):
        best_line_accuracy(X, y, n_angles=n_angles)
