"""Tests for actlib.init.

Each scheme equals torch.nn.init draw for draw, and matches its formula.
"""

import math

import pytest
import torch
from torch import nn

import actlib
from actlib.init import INIT_SCHEMES, fan_in_out, init_std, init_weights


def net():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(20, 30), nn.Tanh(), nn.Linear(30, 7), nn.ReLU(), nn.Linear(7, 3)
    )


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# scheme, params, the torch.nn.init call that must give the same weights
TORCH_TWINS = [
    ("zeros", {}, lambda w, g: nn.init.zeros_(w)),
    ("constant", {"val": 0.3}, lambda w, g: nn.init.constant_(w, 0.3)),
    ("normal", {}, lambda w, g: nn.init.normal_(w, 0.0, 0.01, generator=g)),
    ("normal", {"std": 0.5}, lambda w, g: nn.init.normal_(w, 0.0, 0.5, generator=g)),
    ("xavier_normal", {}, lambda w, g: nn.init.xavier_normal_(w, generator=g)),
    (
        "xavier_normal",
        {"gain": 5 / 3},
        lambda w, g: nn.init.xavier_normal_(w, gain=5 / 3, generator=g),
    ),
    ("xavier_uniform", {}, lambda w, g: nn.init.xavier_uniform_(w, generator=g)),
    (
        "xavier_uniform",
        {"gain": 2.0},
        lambda w, g: nn.init.xavier_uniform_(w, gain=2.0, generator=g),
    ),
    (
        "he_normal",
        {},
        lambda w, g: nn.init.kaiming_normal_(w, nonlinearity="relu", generator=g),
    ),
    (
        "he_normal",
        {"negative_slope": 0.1, "mode": "fan_out"},
        lambda w, g: nn.init.kaiming_normal_(w, a=0.1, mode="fan_out", generator=g),
    ),
    (
        "he_uniform",
        {},
        lambda w, g: nn.init.kaiming_uniform_(w, nonlinearity="relu", generator=g),
    ),
    (
        "he_uniform",
        {"negative_slope": 0.2, "mode": "fan_out"},
        lambda w, g: nn.init.kaiming_uniform_(w, a=0.2, mode="fan_out", generator=g),
    ),
    (
        "lecun_normal",
        {},
        lambda w, g: nn.init.kaiming_normal_(w, nonlinearity="linear", generator=g),
    ),
]


@pytest.mark.parametrize("scheme, params, twin", TORCH_TWINS)
def test_equals_torch_init_draw_for_draw(scheme, params, twin):
    ours, theirs = net(), net()
    init_weights(ours, scheme, generator=gen(3), **params)
    g = gen(3)
    for layer in theirs:
        if isinstance(layer, nn.Linear):
            twin(layer.weight, g)
    for a, b in zip(ours.parameters(), theirs.parameters()):
        if a.ndim == 2:
            assert torch.equal(a, b)
        else:
            assert torch.equal(a, torch.zeros_like(a))  # biases set to the default 0.0


def test_every_scheme_is_covered_by_a_torch_twin():
    assert set(INIT_SCHEMES) == {s for s, _, _ in TORCH_TWINS}


def test_lecun_normal_is_normal_with_std_one_over_sqrt_fan_in():
    ours, theirs = nn.Linear(50, 40), nn.Linear(50, 40)
    init_weights(ours, "lecun_normal", generator=gen(1))
    nn.init.normal_(theirs.weight, 0.0, 1 / math.sqrt(50), generator=gen(1))
    assert torch.equal(ours.weight, theirs.weight)


def test_global_generator_by_default():
    a, b = net(), net()
    torch.manual_seed(5)
    init_weights(a, "xavier_normal")
    torch.manual_seed(5)
    init_weights(b, "xavier_normal")
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize("scheme, params", [(s, p) for s, p, _ in TORCH_TWINS])
def test_sample_std_matches_init_std(scheme, params):
    layer = nn.Linear(400, 300)
    init_weights(layer, scheme, generator=gen(0), **params)
    expected = init_std(scheme, 400, 300, **params)
    assert layer.weight.std().item() == pytest.approx(expected, rel=0.02, abs=1e-7)


@pytest.mark.parametrize(
    "scheme, params, fan_in, fan_out, expected",
    [
        ("xavier_normal", {}, 100, 100, math.sqrt(2 / 200)),
        ("xavier_uniform", {"gain": 3.0}, 10, 20, 3.0 * math.sqrt(2 / 30)),
        ("he_normal", {}, 50, 10, math.sqrt(2 / 50)),
        ("he_uniform", {"mode": "fan_out"}, 50, 8, math.sqrt(2 / 8)),
        ("he_normal", {"negative_slope": 1.0}, 16, 4, math.sqrt(1 / 16)),
        ("lecun_normal", {}, 25, 3, 0.2),
        ("normal", {"std": 0.7}, 3, 3, 0.7),
        ("zeros", {}, 3, 3, 0.0),
        ("constant", {"val": 4.0}, 3, 3, 0.0),
    ],
)
def test_init_std_formulas(scheme, params, fan_in, fan_out, expected):
    assert init_std(scheme, fan_in, fan_out, **params) == pytest.approx(
        expected, rel=1e-12
    )


def test_glorot_erratum_sqrt_not_over_sqrt():
    # the notes' 2 / sqrt(n + m) is wrong; Glorot is sqrt(2 / (n + m))
    assert init_std("xavier_normal", 30, 20) == pytest.approx(math.sqrt(2 / 50))
    assert init_std("xavier_normal", 30, 20) != pytest.approx(2 / math.sqrt(50))


def test_uniform_limit_is_sqrt3_std():
    layer = nn.Linear(60, 40)
    init_weights(layer, "xavier_uniform", generator=gen(0))
    limit = math.sqrt(6 / 100)
    assert layer.weight.abs().max().item() <= limit
    assert layer.weight.abs().max().item() > 0.95 * limit


def test_fan_in_out_of_linear():
    assert fan_in_out(nn.Linear(64, 32).weight) == (64, 32)


@pytest.mark.parametrize("bias", [0.01, -2.0, 0])
def test_biases_set_to_constant(bias):
    model = init_weights(net(), "he_normal", bias=bias, generator=gen(0))
    for layer in model:
        if isinstance(layer, nn.Linear):
            assert torch.equal(layer.bias, torch.full_like(layer.bias, bias))


def test_bias_none_keeps_biases_and_returns_model():
    model = net()
    before = [layer.bias.clone() for layer in model if isinstance(layer, nn.Linear)]
    assert init_weights(model, "zeros", bias=None) is model
    after = [layer.bias for layer in model if isinstance(layer, nn.Linear)]
    assert all(torch.equal(a, b) for a, b in zip(before, after))


def test_layer_without_bias():
    layer = nn.Linear(5, 4, bias=False)
    init_weights(layer, "constant", val=2.0, bias=1.0)
    assert torch.equal(layer.weight, torch.full((4, 5), 2.0))


def test_maxout_inner_linear_is_initialised():
    model = nn.Sequential(actlib.Maxout(10, 6, k=3), nn.Linear(6, 2))
    init_weights(model, "constant", val=0.5, bias=0.25)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert len(linears) == 2  # the Maxout's own Linear and the last layer
    for layer in linears:
        assert torch.all(layer.weight == 0.5) and torch.all(layer.bias == 0.25)


def test_no_grad_history():
    layer = nn.Linear(4, 3)
    init_weights(layer, "he_uniform", generator=gen(0))
    assert layer.weight.requires_grad and layer.weight.grad_fn is None


# ---- bad input -----------------------------------------------------------------------


def test_unknown_scheme_names_value_and_choices():
    with pytest.raises(ValueError, match=r"scheme='glorot'.*'xavier_normal'"):
        init_weights(net(), "glorot")
    with pytest.raises(ValueError, match=r"scheme='kaiming'"):
        init_std("kaiming", 3, 3)


@pytest.mark.parametrize(
    "scheme, params",
    [
        ("he_normal", {"gain": 2.0}),
        ("xavier_normal", {"mode": "fan_in"}),
        ("zeros", {"val": 1.0}),
        ("lecun_normal", {"std": 0.1}),
        ("normal", {"mean": 1.0}),
    ],
)
def test_unknown_parameter_for_scheme(scheme, params):
    key = next(iter(params))
    with pytest.raises(
        TypeError,
        match=rf"scheme='{scheme}' takes no parameter '{key}'; its parameters are",
    ):
        init_weights(net(), scheme, **params)


def test_negative_std():
    with pytest.raises(ValueError, match=r"std=-0.1 is out of range"):
        init_weights(net(), "normal", std=-0.1)


def test_bad_mode_names_choices():
    with pytest.raises(ValueError, match=r"mode='fan_avg'.*\['fan_in', 'fan_out'\]"):
        init_weights(net(), "he_uniform", mode="fan_avg")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"gain": -1.0}, ValueError, "gain=-1.0"),
        ({"gain": "big"}, TypeError, "gain must be a number"),
    ],
)
def test_bad_gain(kwargs, error, match):
    with pytest.raises(error, match=match):
        init_weights(net(), "xavier_normal", **kwargs)


def test_bad_negative_slope_and_val():
    with pytest.raises(TypeError, match="negative_slope must be a number"):
        init_weights(net(), "he_normal", negative_slope=None)
    with pytest.raises(TypeError, match="val must be a number"):
        init_weights(net(), "constant", val="1")


def test_bad_bias_model_generator():
    with pytest.raises(TypeError, match="bias must be a number"):
        init_weights(net(), "zeros", bias="0")
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        init_weights(torch.zeros(3, 3), "zeros")
    with pytest.raises(TypeError, match="generator must be a torch.Generator"):
        init_weights(net(), "normal", generator=0)
    with pytest.raises(ValueError, match="no nn.Linear"):
        init_weights(nn.Sequential(nn.ReLU()), "zeros")


@pytest.mark.parametrize(
    "fan_in, fan_out, error",
    [(0, 3, ValueError), (3, -1, ValueError), (2.5, 3, TypeError)],
)
def test_init_std_bad_fans(fan_in, fan_out, error):
    with pytest.raises(error, match="fan_"):
        init_std("xavier_normal", fan_in, fan_out)


def test_fan_in_out_bad_weight():
    with pytest.raises(ValueError, match=r"2-D.*\(3,\)"):
        fan_in_out(torch.zeros(3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        fan_in_out([[1.0]])


# ---- fans and gains (any weight shape) -----------------------------------------------
@pytest.mark.parametrize(
    "shape", [(7, 3), (16, 3, 5), (16, 3, 5, 5), (8, 4, 3, 2, 2), (1, 1)]
)
def test_fans_equal_torch_for_every_weight_shape(shape):
    w = torch.empty(shape)
    assert actlib.fans(w) == nn.init._calculate_fan_in_and_fan_out(w)


def test_fans_of_a_conv_layer_count_the_receptive_field():
    assert actlib.fans(nn.Conv2d(3, 16, kernel_size=5).weight) == (75, 400)
    assert actlib.fans(nn.Linear(64, 32).weight) == fan_in_out(nn.Linear(64, 32).weight)


def test_fans_rejects_bad_input():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        actlib.fans(torch.zeros(5))
    with pytest.raises(TypeError, match="torch.Tensor"):
        actlib.fans([[1.0, 2.0]])


@pytest.mark.parametrize("nonlinearity", actlib.NONLINEARITIES)
def test_gain_equals_torch_calculate_gain(nonlinearity):
    assert actlib.gain(nonlinearity) == pytest.approx(
        nn.init.calculate_gain(nonlinearity), abs=1e-15
    )


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.1, 0.2, 0.5, 1.0, 3, -0.3])
def test_leaky_relu_gain_equals_torch_and_the_formula(slope):
    assert actlib.gain("leaky_relu", slope) == pytest.approx(
        nn.init.calculate_gain("leaky_relu", slope), abs=1e-15
    )
    assert actlib.gain("leaky_relu", slope) == pytest.approx(
        math.sqrt(2 / (1 + slope**2))
    )


def test_he_std_is_gain_over_sqrt_fan_in():
    for slope in (0.0, 0.1, 0.3):
        assert init_std("he_normal", 50, 10, negative_slope=slope) == pytest.approx(
            actlib.gain("leaky_relu", slope) / math.sqrt(50)
        )
    assert init_std("xavier_normal", 30, 70, gain=actlib.gain("tanh")) == pytest.approx(
        5 / 3 * math.sqrt(2 / 100)
    )


def test_gain_rejects_bad_input():
    with pytest.raises(
        ValueError, match="nonlinearity='gelu' is not supported; choose one of"
    ):
        actlib.gain("gelu")
    with pytest.raises(TypeError, match="param"):
        actlib.gain("leaky_relu", "0.1")
    with pytest.raises(TypeError, match="param"):
        actlib.gain("leaky_relu", True)
    with pytest.raises(ValueError, match="not finite"):
        actlib.gain("leaky_relu", float("inf"))
    with pytest.raises(TypeError, match="takes no param"):
        actlib.gain("relu", 0.1)


# ------------------------------------------------------------------ LSUV


def _layer_outputs(model, X):
    """Each nn.Linear's output, by a forward pass written out by hand."""
    outputs, h = [], X
    for module in model:
        h = module(h)
        if isinstance(module, nn.Linear):
            outputs.append(h)
    return outputs


@pytest.mark.parametrize("activation, bias", [("relu", False), ("tanh", True)])
def test_lsuv_gives_every_layer_the_target_std(activation, bias):
    X = torch.randn(400, 30, generator=gen(1))
    model = actlib.mlp(
        [30, 40, 40, 40, 5],
        activation,
        init="normal",
        init_params={"std": 0.01},
        bias=bias,
        generator=gen(2),
    )
    before = [m.weight.clone() for m in model if isinstance(m, nn.Linear)]
    assert actlib.lsuv_init(model, X, target_std=0.5, tol=1e-3) is model
    for z in _layer_outputs(model, X):
        assert abs(z.std().item() - 0.5) <= 1e-3
    after = [m.weight for m in model if isinstance(m, nn.Linear)]
    for w0, w1 in zip(before, after):  # only rescaled: one factor per layer
        ratio = w1 / w0
        torch.testing.assert_close(ratio, torch.full_like(ratio, ratio[0, 0].item()))


def test_lsuv_takes_one_pass_for_a_relu_net_without_bias():
    X = torch.randn(300, 20, generator=gen(3))
    model = actlib.mlp([20, 25, 25, 4], "relu", bias=False, generator=gen(4))
    expected, h = [], X
    for module in model:  # the factor of each layer, from the rescaled layers below
        if isinstance(module, nn.Linear):
            w = module.weight.detach().clone()
            expected.append(w / (h @ w.T).std())
            h = h @ expected[-1].T
        else:
            h = module(h)
    actlib.lsuv_init(model, X, max_iter=1)
    for m, w in zip([m for m in model if isinstance(m, nn.Linear)], expected):
        torch.testing.assert_close(m.weight.detach(), w)


def test_lsuv_rejects_bad_input():
    X = torch.randn(10, 4)
    with pytest.raises(TypeError, match="model"):
        actlib.lsuv_init("net", X)
    with pytest.raises(TypeError, match="X must be"):
        actlib.lsuv_init(nn.Linear(4, 2), X.tolist())
    with pytest.raises(ValueError, match="target_std"):
        actlib.lsuv_init(nn.Linear(4, 2), X, target_std=0)
    with pytest.raises(ValueError, match="tol"):
        actlib.lsuv_init(nn.Linear(4, 2), X, tol=-1)
    with pytest.raises(ValueError, match="max_iter"):
        actlib.lsuv_init(nn.Linear(4, 2), X, max_iter=0)
    with pytest.raises(ValueError, match="no nn.Linear"):
        actlib.lsuv_init(nn.ReLU(), X)
