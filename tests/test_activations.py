"""Tests for actlib.activations, with torch as the oracle for values and gradients.

Each activation is checked against oracles that do not share its code: a closed form
written in plain tensor operations (the forward), the torch module its class declares
(forward and defaults), autograd of that module over a grid with extremes (the
derivative), finite differences in float64 (gradcheck) and numbers worked out by hand.
"""

import doctest
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import actlib
from actlib import activations as act

NAMES = [
    "identity",
    "sigmoid",
    "tanh",
    "centred_sigmoid",
    "relu",
    "leaky_relu",
    "prelu",
    "elu",
    "gelu",
    "silu",
    "softplus",
]
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def where_positive(z, below):
    """z where z > 0, else ``below`` (a tensor like z)."""
    return torch.where(z > 0, z, below)


# (name, keywords of the class and of its torch counterpart, keywords of ``derivative``,
# the formula of g(z) in plain tensor operations: an oracle that shares no kernel with
# torch's activation functions). The first case of each name is torch's defaults.
CASES = [
    ("identity", {}, {}, lambda z: z),
    ("sigmoid", {}, {}, lambda z: 1 / (1 + torch.exp(-z))),
    ("tanh", {}, {}, lambda z: 2 / (1 + torch.exp(-2 * z)) - 1),
    ("centred_sigmoid", {}, {}, lambda z: 1 / (1 + torch.exp(-z)) - 0.5),
    ("relu", {}, {}, lambda z: where_positive(z, torch.zeros_like(z))),
    ("leaky_relu", {}, {"negative_slope": 0.01}, lambda z: where_positive(z, 0.01 * z)),
    (
        "leaky_relu",
        {"negative_slope": 0.2},
        {"negative_slope": 0.2},
        lambda z: where_positive(z, 0.2 * z),
    ),
    ("prelu", {}, {"alpha": 0.25}, lambda z: where_positive(z, 0.25 * z)),
    # alpha is stored in float32, as in nn.PReLU: -0.3 to about 1e-8
    ("prelu", {"init": -0.3}, {"alpha": -0.3}, lambda z: where_positive(z, -0.3 * z)),
    ("elu", {}, {"alpha": 1.0}, lambda z: where_positive(z, torch.expm1(z))),
    (
        "elu",
        {"alpha": 0.5},
        {"alpha": 0.5},
        lambda z: where_positive(z, 0.5 * torch.expm1(z)),
    ),
    (
        "gelu",
        {},
        {"approximate": "none"},
        lambda z: z * 0.5 * (1 + torch.erf(z / math.sqrt(2))),
    ),
    (
        "gelu",
        {"approximate": "tanh"},
        {"approximate": "tanh"},
        lambda z: 0.5 * z * (1 + torch.tanh(SQRT_2_OVER_PI * (z + 0.044715 * z**3))),
    ),
    ("silu", {}, {}, lambda z: z / (1 + torch.exp(-z))),
    (
        "softplus",
        {},
        {"beta": 1.0, "threshold": 20.0},
        lambda z: torch.where(z > 20, z, torch.log1p(torch.exp(z))),
    ),
    (
        "softplus",
        {"beta": 2.0, "threshold": 10.0},
        {"beta": 2.0, "threshold": 10.0},
        lambda z: torch.where(2 * z > 10, z, torch.log1p(torch.exp(2 * z)) / 2),
    ),
]
IDS = [f"{name}-{params}" for name, params, _, _ in CASES]
DTYPES = [torch.float32, torch.float64]
EXTREMES = [-1e4, -100.0, -20.0, -10.0, 10.0, 20.0, 100.0, 1e4]


def grid(dtype):
    """z on [-6, 6] (0 exactly included), plus the extremes."""
    z = torch.arange(-60, 61, dtype=dtype) / 10
    z = torch.cat([z, torch.tensor(EXTREMES, dtype=dtype)])
    assert (z == 0).any()
    return z


def autograd_derivative(fn, z):
    z = z.clone().requires_grad_(True)
    fn(z).sum().backward()
    return z.grad


def largest_slope(module):
    """max_z g'(z) by autograd of ``module`` on a fine float64 grid over [-30, 30]."""
    z = torch.linspace(-30, 30, 60_001, dtype=torch.float64)  # step 1e-3, 0 included
    return autograd_derivative(module.to(torch.float64), z).max().item()


def test_activation_names_are_the_contract():
    assert act.activation_names() == NAMES
    assert list(act.ACTIVATIONS) == NAMES
    assert set(act.__all__) <= set(actlib.__all__)


def test_every_activation_has_a_case():
    assert {name for name, *_ in CASES} == set(act.activation_names())


# --- one declaration per activation, checked against its torch counterpart ------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", act.activation_names())
def test_every_activation_matches_its_torch_counterpart(name, dtype):
    """Forward, defaults, derivative and largest slope against the torch counterpart.

    Parametrised over the registry: a new activation is checked without a new test.
    """
    cls = act.ACTIVATIONS[name]
    if cls.torch_class is None:  # torch has no module for it: see its own test
        pytest.skip(f"{name} has no torch counterpart")
    assert cls.name == name and issubclass(cls.torch_class, nn.Module)
    assert cls.torch_class.__module__.startswith("torch.nn.")
    ours, theirs = cls().to(dtype), cls.torch_class().to(dtype)
    z = grid(dtype)
    # the forward: the same values as torch's module, to the last bit
    torch.testing.assert_close(ours(z), theirs(z), rtol=0, atol=0)
    # the parameters: the same defaults as torch's, read the same way off both modules
    assert ours.params == cls.params_of(theirs)
    # the derivative: its own defaults and formula against autograd of torch's module,
    # including z = 0 (torch's subgradient) and |z| up to 1e4
    d = act.derivative(name, z)
    assert d.dtype == dtype and d.shape == z.shape and d.device == z.device
    assert torch.isfinite(d).all(), f"{name}'(z) is not finite at {z[~d.isfinite()]}"
    torch.testing.assert_close(d, autograd_derivative(theirs, z))
    # the largest slope: the same keywords as the derivative, the value of a fine grid
    assert act._keywords(cls.max_derivative) == act._keywords(cls.derivative)
    assert cls.max_derivative() == pytest.approx(largest_slope(theirs), rel=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, params, dparams, formula", CASES, ids=IDS)
def test_forward_derivative_and_params_with_torch_keywords(
    name, params, dparams, formula, dtype
):
    cls = act.ACTIVATIONS[name]
    if cls.torch_class is None:  # torch has no module for it: see its own test
        pytest.skip(f"{name} has no torch counterpart")
    ours = act.get_activation(name, **params).to(dtype)
    theirs = cls.torch_class(**params).to(dtype)  # the same keywords as torch's
    z = grid(dtype)
    a = ours(z)
    assert a.dtype == dtype and a.shape == z.shape
    torch.testing.assert_close(a, formula(z.double()).to(dtype))  # the formula
    torch.testing.assert_close(a, theirs(z), rtol=0, atol=0)  # torch's module
    # params_of maps torch's attributes to the keywords of derivative
    assert cls.params_of(theirs) == pytest.approx(dparams)
    assert ours.params == pytest.approx(dparams)
    d = act.derivative(name, z, **dparams)
    assert torch.isfinite(d).all()
    torch.testing.assert_close(d, autograd_derivative(theirs, z))
    slope = cls.max_derivative(**dparams)
    assert slope == pytest.approx(largest_slope(theirs), rel=1e-5)


class WithOurDerivative(torch.autograd.Function):
    """The formula g(z) forward, actlib's closed-form derivative backward."""

    @staticmethod
    def forward(ctx, z, name, dparams, formula):
        ctx.save_for_backward(z)
        ctx.name, ctx.dparams = name, dparams
        return formula(z)

    @staticmethod
    def backward(ctx, grad):
        (z,) = ctx.saved_tensors
        return grad * act.derivative(ctx.name, z, **ctx.dparams), None, None, None


@pytest.mark.parametrize("name, params, dparams, formula", CASES, ids=IDS)
def test_gradcheck_closed_form_derivative_float64(name, params, dparams, formula):
    """The closed-form derivative against finite differences of the formula."""
    z = torch.tensor([-3.0, -1.2, -0.4, 0.3, 0.9, 2.5], dtype=torch.float64)
    z.requires_grad_(True)

    def g(x):
        return WithOurDerivative.apply(x, name, dparams, formula)

    assert torch.autograd.gradcheck(g, (z,))


@pytest.mark.parametrize("name, params, _dparams, _formula", CASES, ids=IDS)
def test_gradcheck_module_float64_away_from_kinks(name, params, _dparams, _formula):
    """The module is differentiable: autograd through it equals finite differences."""
    z = torch.tensor([-3.0, -1.2, -0.4, 0.3, 0.9, 2.5], dtype=torch.float64)
    module = act.get_activation(name, **params).to(torch.float64)
    assert torch.autograd.gradcheck(module, (z.requires_grad_(True),))


def test_relu_family_subgradients_at_zero():
    z = torch.zeros(1)
    assert act.derivative("relu", z).item() == 0.0
    assert act.derivative("leaky_relu", z, negative_slope=0.1).item() == pytest.approx(
        0.1
    )
    assert act.derivative("prelu", z, alpha=0.3).item() == pytest.approx(0.3)
    assert act.derivative("elu", z, alpha=2.0).item() == 2.0


def test_relu_derivative_is_zero_or_one():
    z = torch.randn(1000, generator=torch.Generator().manual_seed(0))
    values = set(act.derivative("relu", z).tolist())
    assert values == {0.0, 1.0}  # the erratum "0 < g'(z) < 1" is wrong


@pytest.mark.parametrize("dtype", DTYPES)
def test_centred_sigmoid_is_the_sigmoid_shifted_down_by_a_half(dtype):
    """torch has no module for it: the oracles are torch.sigmoid and its autograd."""
    z = grid(dtype)
    g = act.get_activation("centred_sigmoid")
    assert g.params == {} and act.ACTIVATIONS["centred_sigmoid"].torch_class is None
    torch.testing.assert_close(g(z), torch.sigmoid(z) - 0.5)
    torch.testing.assert_close(g(-z), -g(z), rtol=0, atol=0)  # zero-centred: odd
    d = act.derivative("centred_sigmoid", z)
    assert d.dtype == dtype and torch.isfinite(d).all()
    torch.testing.assert_close(d, autograd_derivative(lambda t: torch.sigmoid(t), z))
    cls = act.ACTIVATIONS["centred_sigmoid"]
    assert cls.max_derivative() == pytest.approx(largest_slope(nn.Sigmoid()), rel=1e-5)
    assert torch.autograd.gradcheck(g, z[:121].double().requires_grad_())


def test_sigmoid_gradient_at_ten_is_small_but_not_zero():
    d = act.derivative("sigmoid", torch.tensor([-10.0, 10.0]))
    assert d.tolist() == pytest.approx([4.54e-5, 4.54e-5], rel=1e-2)
    assert (d > 0).all()


def test_derivative_works_on_every_shape():
    z = torch.randn(
        2, 3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(1)
    )
    for name in act.activation_names():
        assert act.derivative(name, z).shape == (2, 3, 4)


def test_prelu_derivative_takes_one_alpha_per_channel():
    z = torch.tensor([[-1.0, -1.0, 2.0], [0.0, -3.0, -1.0]])  # (N, C) = (2, 3)
    alpha = [0.1, 0.2, 0.3]
    theirs = nn.PReLU(3)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(alpha))
    expected = autograd_derivative(theirs, z)
    torch.testing.assert_close(act.derivative("prelu", z, alpha=alpha), expected)
    assert act.PReLU.params_of(theirs) == {"alpha": pytest.approx(alpha)}
    assert act.PReLU.max_derivative(alpha=[0.1, 1.5, 0.3]) == 1.5  # the steepest slope
    m = act.PReLU(num_parameters=3)
    assert m.params == {"alpha": [0.25, 0.25, 0.25]}
    torch.testing.assert_close(
        act.derivative(m.name, z, **m.params), torch.where(z > 0, 1.0, 0.25)
    )


def test_prelu_alpha_gradient():
    """The gradient for the learned slope: the sum of z where z <= 0 (the docstring)."""
    module = act.PReLU().to(torch.float64)
    z = torch.tensor([-2.0, -0.5, 0.0, 1.0], dtype=torch.float64)
    weight = module.weight.detach().clone().requires_grad_(True)

    def f(w):
        return torch.func.functional_call(module, {"weight": w}, (z,))

    assert torch.autograd.gradcheck(f, (weight,))
    module(z).sum().backward()
    assert module.weight.grad.item() == -2.5


# --- identities the chapter states ----------------------------------------------------


def test_tanh_is_a_rescaled_sigmoid():
    z = torch.linspace(-8, 8, 161, dtype=torch.float64)
    torch.testing.assert_close(act.Tanh()(z), 2 * act.Sigmoid()(2 * z) - 1)
    e = torch.exp(z)
    # no minus sign in front
    torch.testing.assert_close(act.Tanh()(z), (e - 1 / e) / (e + 1 / e))


def test_maximum_of_sigmoid_and_tanh_derivatives():
    z = torch.arange(-1000, 1001, dtype=torch.float64) / 100  # includes 0 exactly
    ds, dt = act.derivative("sigmoid", z), act.derivative("tanh", z)
    assert ds.max().item() == pytest.approx(0.25) and z[ds.argmax()].item() == 0.0
    assert dt.max().item() == pytest.approx(1.0) and z[dt.argmax()].item() == 0.0
    assert act.Sigmoid.max_derivative() == 0.25 and act.Tanh.max_derivative() == 1.0


def test_sigmoid_and_tanh_derivatives_are_squared_hyperbolic_secants():
    # other forms of the same functions: sigma'(z) = 1 / (4 cosh^2(z/2)),
    # tanh'(z) = 1 / cosh^2(z)
    z = torch.linspace(-20, 20, 81, dtype=torch.float64)
    torch.testing.assert_close(
        act.derivative("sigmoid", z), 1 / (4 * torch.cosh(z / 2) ** 2)
    )
    torch.testing.assert_close(act.derivative("tanh", z), 1 / torch.cosh(z) ** 2)


@pytest.mark.parametrize(
    "name, params, dparams, slope",
    [
        ("leaky_relu", {"negative_slope": 1.5}, {"negative_slope": 1.5}, 1.5),
        ("prelu", {"init": 1.5}, {"alpha": 1.5}, 1.5),
        ("elu", {"alpha": 2.0}, {"alpha": 2.0}, 2.0),  # at z = 0
    ],
)
def test_largest_slope_of_a_steep_negative_side(name, params, dparams, slope):
    cls = act.ACTIVATIONS[name]
    assert largest_slope(cls.torch_class(**params)) == pytest.approx(slope)
    assert cls.max_derivative(**dparams) == pytest.approx(slope)


def test_largest_slopes_of_gelu_and_silu():
    # GELU''(z) = phi(z)(2 - z^2) vanishes at sqrt(2); SiLU'' at z tanh(z/2) = 2
    gelu = act.derivative("gelu", torch.tensor([math.sqrt(2)], dtype=torch.float64))
    assert act.GELU.max_derivative() == pytest.approx(gelu.item(), rel=1e-12)
    assert act.GELU.max_derivative() == pytest.approx(1.1289, abs=1e-4)
    assert act.SiLU.max_derivative() == pytest.approx(1.0998, abs=1e-4)


# --- modules: names, params, repr -----------------------------------------------------


@pytest.mark.parametrize("name, params, dparams, _formula", CASES, ids=IDS)
def test_get_activation_params_round_trip(name, params, dparams, _formula):
    module = act.get_activation(name, **params)
    assert isinstance(module, torch.nn.Module) and module.name == name
    # prelu's params report the learned slope, the keyword derivative takes
    if name == "prelu":
        assert module.params == {"alpha": pytest.approx(params.get("init", 0.25))}
        again = act.get_activation(name, init=module.params["alpha"])
    else:
        for key, value in params.items():
            assert module.params[key] == value
        again = act.get_activation(name, **module.params)
    assert again.params == module.params
    z = torch.linspace(-3, 3, 7)
    torch.testing.assert_close(
        act.derivative(name, z, **module.params), act.derivative(name, z, **dparams)
    )


def test_default_params_are_torchs():
    assert act.get_activation("leaky_relu").params == {"negative_slope": 0.01}
    assert act.get_activation("prelu").params == {"alpha": 0.25}
    assert act.get_activation("elu").params == {"alpha": 1.0}
    assert act.get_activation("gelu").params == {"approximate": "none"}
    assert act.get_activation("softplus").params == {"beta": 1.0, "threshold": 20.0}
    assert act.get_activation("relu").params == {}


def test_extra_repr():
    leaky = act.get_activation("leaky_relu", negative_slope=0.2)
    assert repr(leaky) == "LeakyReLU(negative_slope=0.2)"
    assert (
        repr(act.get_activation("gelu", approximate="tanh"))
        == "GELU(approximate='tanh')"
    )
    prelu = act.get_activation("prelu", num_parameters=3)
    assert repr(prelu) == "PReLU(num_parameters=3, init=0.25)"
    assert "in_features=3, out_features=4, k=2, bias=True" in repr(act.Maxout(3, 4))


def test_prelu_alpha_learns():
    torch.manual_seed(0)
    module = act.PReLU()
    opt = torch.optim.SGD(module.parameters(), lr=0.1)
    z = torch.tensor([-2.0, -1.0, 3.0])
    # wants alpha = 0.5
    loss = (module(z) - torch.tensor([-1.0, -0.5, 3.0])).pow(2).sum()
    loss.backward()
    assert module.weight.grad is not None and module.weight.grad.item() != 0.0
    opt.step()
    assert module.params["alpha"] > 0.25  # moved towards 0.5


LOGITS = [2.0, -1.0, 0.0]
SOFTMAX = [math.exp(v) / sum(math.exp(u) for u in LOGITS) for v in LOGITS]


@pytest.mark.parametrize(
    "task, cls, expected",
    [
        ("regression", act.Identity, LOGITS),
        ("binary", act.Sigmoid, [1 / (1 + math.exp(-v)) for v in LOGITS]),
        ("multiclass", act.Softmax, SOFTMAX),
    ],
)
def test_output_activation(task, cls, expected):
    module = act.output_activation(task)
    assert isinstance(module, cls)
    out = module(torch.tensor([LOGITS]))
    assert out[0].tolist() == pytest.approx(expected)
    if task == "multiclass":
        assert out.sum(-1).item() == pytest.approx(1.0)


# --- softmax and log_softmax ----------------------------------------------------------


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_softmax_and_log_softmax_equal_torch(dim):
    z = torch.randn(
        4, 5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2)
    )
    torch.testing.assert_close(act.softmax(z, dim=dim), torch.softmax(z, dim=dim))
    torch.testing.assert_close(
        act.log_softmax(z, dim=dim), torch.log_softmax(z, dim=dim)
    )


def test_softmax_is_stable_where_the_naive_formula_overflows():
    z = torch.tensor([1000.0, 0.0, -1000.0])
    naive = torch.exp(z) / torch.exp(z).sum()
    assert torch.isnan(naive[0])  # inf / inf
    p = act.softmax(z)
    assert torch.isfinite(p).all()
    torch.testing.assert_close(p, torch.tensor([1.0, 0.0, 0.0]))
    torch.testing.assert_close(p, torch.softmax(z, -1))
    log_p = act.log_softmax(z)
    torch.testing.assert_close(log_p, torch.tensor([0.0, -1000.0, -2000.0]))
    torch.testing.assert_close(log_p, torch.log_softmax(z, -1))
    assert torch.isinf(torch.log(p)).any()  # why log_softmax is not log(softmax)


def test_gradcheck_softmax_and_log_softmax():
    z = torch.randn(
        3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(3)
    )
    z.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda x: act.softmax(x, dim=-1), (z,))
    assert torch.autograd.gradcheck(lambda x: act.log_softmax(x, dim=0), (z,))
    big = torch.tensor([[50.0, 0.0, -50.0]], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(act.log_softmax, (big,))


# --- Maxout ---------------------------------------------------------------------------


def test_maxout_shape_and_reference():
    torch.manual_seed(0)
    layer = act.Maxout(3, 4, k=3)
    x = torch.randn(5, 3)
    y = layer(x)
    assert y.shape == (5, 4) and layer.linear.weight.shape == (12, 3)
    W, b = layer.linear.weight.detach(), layer.linear.bias.detach()
    # k x (5, 4)
    pieces = [x @ W[i * 4 : (i + 1) * 4].T + b[i * 4 : (i + 1) * 4] for i in range(3)]
    torch.testing.assert_close(y, torch.stack(pieces).amax(dim=0))
    assert act.Maxout(3, 4, k=2).params == {"k": 2}
    assert layer(torch.randn(2, 6, 3)).shape == (2, 6, 4)


def test_maxout_generalises_relu_and_leaky_relu():
    torch.manual_seed(1)
    W, b = torch.randn(4, 3), torch.randn(4)
    x = torch.randn(64, 3)
    layer = act.Maxout(3, 4, k=2)

    def set_pieces(W2, b2):
        with torch.no_grad():
            layer.linear.weight.copy_(torch.cat([W, W2]))
            layer.linear.bias.copy_(torch.cat([b, b2]))

    z = x @ W.T + b  # the first piece
    set_pieces(torch.zeros_like(W), torch.zeros_like(b))  # (W, b), (0, 0)
    torch.testing.assert_close(layer(x), F.relu(z))
    set_pieces(0.1 * W, 0.1 * b)  # (W, b), (aW, ab)
    torch.testing.assert_close(layer(x), F.leaky_relu(z, 0.1))
    set_pieces(0.1 * W, b)  # W2 = aW alone is not enough when b != 0
    assert not torch.allclose(layer(x), F.leaky_relu(z, 0.1))


def test_maxout_passes_a_gradient_to_every_unit():
    torch.manual_seed(2)
    layer = act.Maxout(3, 4)
    layer(torch.randn(16, 3)).sum().backward()
    assert (layer.linear.weight.grad.abs().sum(dim=1).view(2, 4).sum(dim=0) > 0).all()


# --- rejected inputs ------------------------------------------------------------------

Z = torch.linspace(-1, 1, 5)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (
            lambda: act.get_activation("swish"),
            ValueError,
            r"name='swish'.*\['identity', 'sigmoid', .*'softplus'\]",
        ),
        (
            lambda: act.derivative("swish", Z),
            ValueError,
            r"name='swish'.*\['identity', 'sigmoid', .*'softplus'\]",
        ),
        (
            lambda: act.get_activation("relu", alpha=1.0),
            TypeError,
            r"activation 'relu' got an unexpected keyword 'alpha'; it accepts \[\]",
        ),
        (
            lambda: act.get_activation("elu", negative_slope=0.1),
            TypeError,
            r"activation 'elu' got an unexpected keyword 'negative_slope'; "
            r"it accepts \['alpha'\]",
        ),
        (
            lambda: act.get_activation("prelu", alpha=0.1),
            TypeError,
            r"activation 'prelu' got an unexpected keyword 'alpha'; "
            r"it accepts \['num_parameters', 'init'\]",
        ),
        (
            lambda: act.derivative("prelu", Z, init=0.1),
            TypeError,
            r"activation 'prelu' got an unexpected keyword 'init'; "
            r"it accepts \['alpha'\]",
        ),
        (
            lambda: act.derivative("softplus", Z, alpha=1.0),
            TypeError,
            r"activation 'softplus' got an unexpected keyword 'alpha'; "
            r"it accepts \['beta', 'threshold'\]",
        ),
        (
            lambda: act.ELU(alpha=-1.0),
            ValueError,
            r"alpha=-1.0 is out of range.*\[0.0, inf\]",
        ),
        (
            lambda: act.derivative("elu", Z, alpha=-1.0),
            ValueError,
            r"alpha=-1.0 is out of range.*\[0.0, inf\]",
        ),
        (
            lambda: act.ELU(alpha=float("inf")),
            ValueError,
            r"alpha=inf is not finite.*\[0.0, inf\)",
        ),
        (
            lambda: act.ELU(alpha=float("nan")),
            ValueError,
            r"alpha=nan is not finite.*\[0.0, inf\)",
        ),
        (lambda: act.ELU(alpha="1"), TypeError, r"alpha must be a number, got '1'"),
        (
            lambda: act.Softplus(beta=0.0),
            ValueError,
            r"beta=0.0 is out of range.*\(0.0, inf\]",
        ),
        (
            lambda: act.derivative("softplus", Z, beta=-2.0),
            ValueError,
            r"beta=-2.0 is out of range.*\(0.0, inf\]",
        ),
        (
            lambda: act.Softplus(threshold=-1.0),
            ValueError,
            r"threshold=-1.0 is out of range.*\(0.0, inf\]",
        ),
        (
            lambda: act.LeakyReLU(negative_slope=float("-inf")),
            ValueError,
            r"negative_slope=-inf is not finite.*\(-inf, inf\)",
        ),
        (
            lambda: act.derivative("leaky_relu", Z, negative_slope=float("nan")),
            ValueError,
            r"negative_slope=nan is not finite.*\(-inf, inf\)",
        ),
        (
            lambda: act.GELU(approximate="erf"),
            ValueError,
            r"approximate='erf'.*\['none', 'tanh'\]",
        ),
        (
            lambda: act.derivative("gelu", Z, approximate="erf"),
            ValueError,
            r"approximate='erf'.*\['none', 'tanh'\]",
        ),
        (
            lambda: act.PReLU(num_parameters=0),
            ValueError,
            r"num_parameters=0 is out of range.*\[1, inf\]",
        ),
        (
            lambda: act.PReLU(num_parameters=2.5),
            TypeError,
            r"num_parameters must be an integer, got 2.5",
        ),
        (
            lambda: act.PReLU(init=float("nan")),
            ValueError,
            r"init=nan is not finite.*\(-inf, inf\)",
        ),
        (
            lambda: act.derivative("prelu", Z, alpha=float("inf")),
            ValueError,
            r"alpha=inf is not finite",
        ),
        (
            lambda: act.derivative("prelu", torch.zeros(4, 3), alpha=[0.1, 0.2]),
            ValueError,
            r"alpha has 2 values.*2 channels on dimension 1.*\(4, 3\)",
        ),
        (lambda: act.Maxout(3, 4, k=0), ValueError, r"k=0 is out of range.*\[1, inf\]"),
        (lambda: act.Maxout(3, 4, k=1.5), TypeError, r"k must be an integer, got 1.5"),
        (
            lambda: act.Maxout(0, 4),
            ValueError,
            r"in_features=0 is out of range.*\[1, inf\]",
        ),
        (
            lambda: act.Maxout(3, -1),
            ValueError,
            r"out_features=-1 is out of range.*\[1, inf\]",
        ),
        (
            lambda: act.Maxout(3, 4, bias="yes"),
            TypeError,
            r"bias must be True or False, got 'yes'",
        ),
        (
            lambda: act.derivative("relu", [0.0, 1.0]),
            TypeError,
            r"z must be a floating-point torch.Tensor, got \[0.0, 1.0\]",
        ),
        (
            lambda: act.derivative("relu", torch.arange(3)),
            TypeError,
            r"z must be a floating-point.*torch.int64",
        ),
        (
            lambda: act.softmax(torch.arange(3)),
            TypeError,
            r"z must be a floating-point.*torch.int64",
        ),
        (
            lambda: act.log_softmax(Z, dim=0.5),
            TypeError,
            r"dim must be an integer, got 0.5",
        ),
        (
            lambda: act.output_activation("ranking"),
            ValueError,
            r"task='ranking'.*\['regression', 'binary', 'multiclass'\]",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_rejects_bad_input(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_maxout_accepts_integral_float_k():
    assert act.Maxout(3, 4, k=2.0).k == 2


# --- docstrings -----------------------------------------------------------------------


def test_docstring_examples_run():
    result = doctest.testmod(
        act, extraglobs={"torch": torch}, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 10 and result.failed == 0


@pytest.mark.parametrize("cls", [*act.ACTIVATIONS.values(), act.Maxout])
def test_docstrings_teach(cls):
    doc = cls.__doc__
    for part in (
        ".. math::",
        "Shape:",
        "Example::",
        'Taught in: chapter "Activation functions"',
    ):
        assert part in doc, f"{cls.__name__} docstring lacks {part!r}"
