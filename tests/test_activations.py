"""Tests for actlib.activations, with torch as the oracle for values and gradients."""
import doctest

import pytest
import torch
import torch.nn.functional as F

import actlib
from actlib import activations as act

NAMES = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "gelu", "silu", "softplus"]

# (name, get_activation params, derivative params, torch's own function)
CASES = [
    ("identity", {}, {}, lambda z: z),
    ("sigmoid", {}, {}, torch.sigmoid),
    ("tanh", {}, {}, torch.tanh),
    ("relu", {}, {}, F.relu),
    ("leaky_relu", {}, {}, lambda z: F.leaky_relu(z, 0.01)),
    ("leaky_relu", {"negative_slope": 0.2}, {"negative_slope": 0.2}, lambda z: F.leaky_relu(z, 0.2)),
    ("prelu", {}, {}, lambda z: F.prelu(z, torch.tensor([0.25]).to(z.dtype))),
    ("prelu", {"init": -0.3}, {"alpha": -0.3},  # alpha is stored in float32, as in nn.PReLU
     lambda z: F.prelu(z, torch.tensor([-0.3]).to(z.dtype))),
    ("elu", {}, {}, F.elu),
    ("elu", {"alpha": 0.5}, {"alpha": 0.5}, lambda z: F.elu(z, 0.5)),
    ("gelu", {}, {}, F.gelu),
    ("gelu", {"approximate": "tanh"}, {"approximate": "tanh"}, lambda z: F.gelu(z, approximate="tanh")),
    ("silu", {}, {}, F.silu),
    ("softplus", {}, {}, F.softplus),
    ("softplus", {"beta": 2.0, "threshold": 10.0}, {"beta": 2.0, "threshold": 10.0},
     lambda z: F.softplus(z, 2.0, 10.0)),
]
IDS = [f"{name}-{params}" for name, params, _, _ in CASES]
DTYPES = [torch.float32, torch.float64]
EXTREMES = [-1e4, -100.0, -20.0, -10.0, 10.0, 20.0, 100.0, 1e4]


def grid(dtype):
    """z on [-6, 6] (0 exactly included), plus the extremes."""
    z = torch.cat([torch.arange(-60, 61, dtype=dtype) / 10, torch.tensor(EXTREMES, dtype=dtype)])
    assert (z == 0).any()
    return z


def autograd_derivative(fn, z):
    z = z.clone().requires_grad_(True)
    fn(z).sum().backward()
    return z.grad


def test_activation_names_are_the_contract():
    assert act.activation_names() == NAMES
    assert set(act.__all__) <= set(actlib.__all__)


# --- values and derivatives, torch as the oracle -------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, params, _dparams, torch_fn", CASES, ids=IDS)
def test_forward_equals_torch(name, params, _dparams, torch_fn, dtype):
    z = grid(dtype)
    module = act.get_activation(name, **params).to(dtype)
    a = module(z)
    assert a.dtype == dtype and a.shape == z.shape
    torch.testing.assert_close(a, torch_fn(z), rtol=0, atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, _params, dparams, torch_fn", CASES, ids=IDS)
def test_derivative_equals_autograd_including_zero_and_extremes(name, _params, dparams, torch_fn, dtype):
    z = grid(dtype)
    d = act.derivative(name, z, **dparams)
    assert d.dtype == dtype and d.shape == z.shape and d.device == z.device
    assert torch.isfinite(d).all(), f"{name}'(z) is not finite at {z[~torch.isfinite(d)].tolist()}"
    torch.testing.assert_close(d, autograd_derivative(torch_fn, z))


@pytest.mark.parametrize("name, _params, dparams, torch_fn", CASES, ids=IDS)
def test_derivative_at_zero_is_torchs_subgradient(name, _params, dparams, torch_fn):
    z = torch.zeros(1, dtype=torch.float64)
    torch.testing.assert_close(act.derivative(name, z, **dparams), autograd_derivative(torch_fn, z))


def test_relu_family_subgradients_at_zero():
    z = torch.zeros(1)
    assert act.derivative("relu", z).item() == 0.0
    assert act.derivative("leaky_relu", z, negative_slope=0.1).item() == pytest.approx(0.1)
    assert act.derivative("prelu", z, alpha=0.3).item() == pytest.approx(0.3)
    assert act.derivative("elu", z, alpha=2.0).item() == 2.0


def test_relu_derivative_is_zero_or_one():
    values = set(act.derivative("relu", torch.randn(1000, generator=torch.Generator().manual_seed(0))).tolist())
    assert values == {0.0, 1.0}  # the erratum "0 < g'(z) < 1" is wrong


def test_sigmoid_gradient_at_ten_is_small_but_not_zero():
    d = act.derivative("sigmoid", torch.tensor([-10.0, 10.0]))
    assert d.tolist() == pytest.approx([4.54e-5, 4.54e-5], rel=1e-2)
    assert (d > 0).all()


def test_derivative_works_on_every_shape():
    z = torch.randn(2, 3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    for name in NAMES:
        assert act.derivative(name, z).shape == (2, 3, 4)


def test_prelu_derivative_takes_one_alpha_per_channel():
    z = torch.tensor([[-1.0, -1.0, 2.0], [0.0, -3.0, -1.0]])  # (N, C) = (2, 3)
    alpha = [0.1, 0.2, 0.3]
    expected = autograd_derivative(lambda x: F.prelu(x, torch.tensor(alpha)), z)
    torch.testing.assert_close(act.derivative("prelu", z, alpha=alpha), expected)
    m = act.PReLU(num_parameters=3)
    assert m.params == {"alpha": [0.25, 0.25, 0.25]}
    torch.testing.assert_close(act.derivative(m.name, z, **m.params), torch.where(z > 0, 1.0, 0.25))


@pytest.mark.parametrize("name, params, _dparams, torch_fn", CASES, ids=IDS)
def test_gradcheck_float64_away_from_kinks(name, params, _dparams, torch_fn):
    z = torch.tensor([-3.0, -1.2, -0.4, 0.3, 0.9, 2.5], dtype=torch.float64, requires_grad=True)
    module = act.get_activation(name, **params).to(torch.float64)
    assert torch.autograd.gradcheck(module, (z,))


def test_gradcheck_prelu_alpha():
    module = act.PReLU().to(torch.float64)
    z = torch.tensor([-2.0, -0.5, 1.0], dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda w: F.prelu(z, w), (module.weight,))


# --- identities the chapter states ---------------------------------------------------------------

def test_tanh_is_a_rescaled_sigmoid():
    z = torch.linspace(-8, 8, 161, dtype=torch.float64)
    torch.testing.assert_close(act.Tanh()(z), 2 * act.Sigmoid()(2 * z) - 1)
    e = torch.exp(z)
    torch.testing.assert_close(act.Tanh()(z), (e - 1 / e) / (e + 1 / e))  # no minus sign in front


def test_maximum_of_sigmoid_and_tanh_derivatives():
    z = torch.arange(-1000, 1001, dtype=torch.float64) / 100  # includes 0 exactly
    ds, dt = act.derivative("sigmoid", z), act.derivative("tanh", z)
    assert ds.max().item() == pytest.approx(0.25) and z[ds.argmax()].item() == 0.0
    assert dt.max().item() == pytest.approx(1.0) and z[dt.argmax()].item() == 0.0


def test_sigmoid_derivative_formula():
    z = torch.linspace(-5, 5, 11, dtype=torch.float64)
    s = torch.sigmoid(z)
    torch.testing.assert_close(act.derivative("sigmoid", z), s * (1 - s))


# --- modules: names, params, repr ----------------------------------------------------------------

@pytest.mark.parametrize("name, params, dparams, _fn", CASES, ids=IDS)
def test_get_activation_params_round_trip(name, params, dparams, _fn):
    module = act.get_activation(name, **params)
    assert isinstance(module, torch.nn.Module) and module.name == name
    if name == "prelu":  # params reports the learned slope, the keyword derivative takes
        assert module.params == {"alpha": pytest.approx(params.get("init", 0.25))}
        again = act.get_activation(name, init=module.params["alpha"])
    else:
        for key, value in params.items():
            assert module.params[key] == value
        again = act.get_activation(name, **module.params)
    assert again.params == module.params
    z = torch.linspace(-3, 3, 7)
    torch.testing.assert_close(act.derivative(name, z, **module.params), act.derivative(name, z, **dparams))


def test_default_params_are_torchs():
    assert act.get_activation("leaky_relu").params == {"negative_slope": 0.01}
    assert act.get_activation("prelu").params == {"alpha": 0.25}
    assert act.get_activation("elu").params == {"alpha": 1.0}
    assert act.get_activation("gelu").params == {"approximate": "none"}
    assert act.get_activation("softplus").params == {"beta": 1.0, "threshold": 20.0}
    assert act.get_activation("relu").params == {}


def test_extra_repr():
    assert repr(act.get_activation("leaky_relu", negative_slope=0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(act.get_activation("gelu", approximate="tanh")) == "GELU(approximate='tanh')"
    assert repr(act.get_activation("prelu", num_parameters=3)) == "PReLU(num_parameters=3, init=0.25)"
    assert "in_features=3, out_features=4, k=2, bias=True" in repr(act.Maxout(3, 4))


def test_prelu_alpha_learns():
    torch.manual_seed(0)
    module = act.PReLU()
    opt = torch.optim.SGD(module.parameters(), lr=0.1)
    z = torch.tensor([-2.0, -1.0, 3.0])
    loss = (module(z) - torch.tensor([-1.0, -0.5, 3.0])).pow(2).sum()  # wants alpha = 0.5
    loss.backward()
    assert module.weight.grad is not None and module.weight.grad.item() != 0.0
    opt.step()
    assert module.params["alpha"] > 0.25  # moved towards 0.5


@pytest.mark.parametrize("task, cls, expected", [
    ("regression", act.Identity, [2.0, -1.0, 0.0]),
    ("binary", act.Sigmoid, torch.sigmoid(torch.tensor([2.0, -1.0, 0.0])).tolist()),
    ("multiclass", act.Softmax, torch.softmax(torch.tensor([2.0, -1.0, 0.0]), -1).tolist()),
])
def test_output_activation(task, cls, expected):
    module = act.output_activation(task)
    assert isinstance(module, cls)
    out = module(torch.tensor([[2.0, -1.0, 0.0]]))
    assert out[0].tolist() == pytest.approx(expected)
    if task == "multiclass":
        assert out.sum(-1).item() == pytest.approx(1.0)


# --- softmax and log_softmax ---------------------------------------------------------------------

@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_softmax_and_log_softmax_equal_torch(dim):
    z = torch.randn(4, 5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(act.softmax(z, dim=dim), torch.softmax(z, dim=dim))
    torch.testing.assert_close(act.log_softmax(z, dim=dim), torch.log_softmax(z, dim=dim))


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
    z = torch.randn(3, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(3), requires_grad=True)
    assert torch.autograd.gradcheck(lambda x: act.softmax(x, dim=-1), (z,))
    assert torch.autograd.gradcheck(lambda x: act.log_softmax(x, dim=0), (z,))
    big = torch.tensor([[50.0, 0.0, -50.0]], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(act.log_softmax, (big,))


# --- Maxout --------------------------------------------------------------------------------------

def test_maxout_shape_and_reference():
    torch.manual_seed(0)
    layer = act.Maxout(3, 4, k=3)
    x = torch.randn(5, 3)
    y = layer(x)
    assert y.shape == (5, 4) and layer.linear.weight.shape == (12, 3)
    W, b = layer.linear.weight.detach(), layer.linear.bias.detach()
    pieces = [x @ W[i * 4:(i + 1) * 4].T + b[i * 4:(i + 1) * 4] for i in range(3)]  # k x (5, 4)
    torch.testing.assert_close(y, torch.stack(pieces).amax(dim=0))
    assert act.Maxout(3, 4, k=2).params == {"k": 2}
    assert layer(torch.randn(2, 6, 3)).shape == (2, 6, 4)


def test_maxout_generalises_relu_and_leaky_relu():
    torch.manual_seed(1)
    W = torch.randn(4, 3)
    x = torch.randn(8, 3)
    layer = act.Maxout(3, 4, k=2, bias=False)
    with torch.no_grad():
        layer.linear.weight.copy_(torch.cat([W, torch.zeros_like(W)]))  # (W, 0)
    torch.testing.assert_close(layer(x), F.relu(x @ W.T))
    with torch.no_grad():
        layer.linear.weight.copy_(torch.cat([W, 0.1 * W]))  # (W, aW)
    torch.testing.assert_close(layer(x), F.leaky_relu(x @ W.T, 0.1))


def test_maxout_passes_a_gradient_to_every_unit():
    torch.manual_seed(2)
    layer = act.Maxout(3, 4)
    layer(torch.randn(16, 3)).sum().backward()
    assert (layer.linear.weight.grad.abs().sum(dim=1).view(2, 4).sum(dim=0) > 0).all()


# --- rejected inputs -----------------------------------------------------------------------------

Z = torch.linspace(-1, 1, 5)


@pytest.mark.parametrize("make, error, match", [
    (lambda: act.get_activation("swish"), ValueError, r"name='swish'.*\['identity', 'sigmoid', .*'softplus'\]"),
    (lambda: act.derivative("swish", Z), ValueError, r"name='swish'.*\['identity', 'sigmoid', .*'softplus'\]"),
    (lambda: act.get_activation("relu", alpha=1.0), TypeError,
     r"activation 'relu' got an unexpected keyword 'alpha'; it accepts \[\]"),
    (lambda: act.get_activation("elu", negative_slope=0.1), TypeError,
     r"activation 'elu' got an unexpected keyword 'negative_slope'; it accepts \['alpha'\]"),
    (lambda: act.get_activation("prelu", alpha=0.1), TypeError,
     r"activation 'prelu' got an unexpected keyword 'alpha'; it accepts \['num_parameters', 'init'\]"),
    (lambda: act.derivative("prelu", Z, init=0.1), TypeError,
     r"activation 'prelu' got an unexpected keyword 'init'; it accepts \['alpha'\]"),
    (lambda: act.derivative("softplus", Z, alpha=1.0), TypeError,
     r"activation 'softplus' got an unexpected keyword 'alpha'; it accepts \['beta', 'threshold'\]"),
    (lambda: act.ELU(alpha=-1.0), ValueError, r"alpha=-1.0 is out of range.*\[0.0, inf\]"),
    (lambda: act.derivative("elu", Z, alpha=-1.0), ValueError, r"alpha=-1.0 is out of range.*\[0.0, inf\]"),
    (lambda: act.ELU(alpha=float("inf")), ValueError, r"alpha=inf is not finite.*\[0.0, inf\)"),
    (lambda: act.ELU(alpha=float("nan")), ValueError, r"alpha=nan is not finite.*\[0.0, inf\)"),
    (lambda: act.ELU(alpha="1"), TypeError, r"alpha must be a number, got '1'"),
    (lambda: act.Softplus(beta=0.0), ValueError, r"beta=0.0 is out of range.*\(0.0, inf\]"),
    (lambda: act.derivative("softplus", Z, beta=-2.0), ValueError, r"beta=-2.0 is out of range.*\(0.0, inf\]"),
    (lambda: act.Softplus(threshold=-1.0), ValueError, r"threshold=-1.0 is out of range.*\(0.0, inf\]"),
    (lambda: act.LeakyReLU(negative_slope=float("-inf")), ValueError,
     r"negative_slope=-inf is not finite.*\(-inf, inf\)"),
    (lambda: act.derivative("leaky_relu", Z, negative_slope=float("nan")), ValueError,
     r"negative_slope=nan is not finite.*\(-inf, inf\)"),
    (lambda: act.GELU(approximate="erf"), ValueError, r"approximate='erf'.*\['none', 'tanh'\]"),
    (lambda: act.derivative("gelu", Z, approximate="erf"), ValueError, r"approximate='erf'.*\['none', 'tanh'\]"),
    (lambda: act.PReLU(num_parameters=0), ValueError, r"num_parameters=0 is out of range.*\[1, inf\]"),
    (lambda: act.PReLU(num_parameters=2.5), TypeError, r"num_parameters must be an integer, got 2.5"),
    (lambda: act.PReLU(init=float("nan")), ValueError, r"init=nan is not finite.*\(-inf, inf\)"),
    (lambda: act.derivative("prelu", Z, alpha=float("inf")), ValueError, r"alpha=inf is not finite"),
    (lambda: act.derivative("prelu", torch.zeros(4, 3), alpha=[0.1, 0.2]), ValueError,
     r"alpha has 2 values.*2 channels on dimension 1.*\(4, 3\)"),
    (lambda: act.Maxout(3, 4, k=0), ValueError, r"k=0 is out of range.*\[1, inf\]"),
    (lambda: act.Maxout(3, 4, k=1.5), TypeError, r"k must be an integer, got 1.5"),
    (lambda: act.Maxout(0, 4), ValueError, r"in_features=0 is out of range.*\[1, inf\]"),
    (lambda: act.Maxout(3, -1), ValueError, r"out_features=-1 is out of range.*\[1, inf\]"),
    (lambda: act.Maxout(3, 4, bias="yes"), TypeError, r"bias must be True or False, got 'yes'"),
    (lambda: act.derivative("relu", [0.0, 1.0]), TypeError,
     r"z must be a floating-point torch.Tensor, got \[0.0, 1.0\]"),
    (lambda: act.derivative("relu", torch.arange(3)), TypeError, r"z must be a floating-point.*torch.int64"),
    (lambda: act.softmax(torch.arange(3)), TypeError, r"z must be a floating-point.*torch.int64"),
    (lambda: act.log_softmax(Z, dim=0.5), TypeError, r"dim must be an integer, got 0.5"),
    (lambda: act.output_activation("ranking"), ValueError,
     r"task='ranking'.*\['regression', 'binary', 'multiclass'\]"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_rejects_bad_input(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_maxout_accepts_integral_float_k():
    assert act.Maxout(3, 4, k=2.0).k == 2


# --- docstrings ----------------------------------------------------------------------------------

def test_docstring_examples_run():
    result = doctest.testmod(act, extraglobs={"torch": torch}, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0


@pytest.mark.parametrize("cls", [act.Identity, act.Sigmoid, act.Tanh, act.ReLU, act.LeakyReLU, act.PReLU,
                                 act.ELU, act.GELU, act.SiLU, act.Softplus, act.Maxout])
def test_docstrings_teach(cls):
    doc = cls.__doc__
    for part in (".. math::", "Shape:", "Example::", "Taught in: chapter \"Activation functions\""):
        assert part in doc, f"{cls.__name__} docstring lacks {part!r}"
