"""Tests for actlib.diagnostics: saturation, dead units, gradients, no side effects."""

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import actlib
from actlib.diagnostics import forward_activations, layer_stats


@pytest.fixture(scope="module")
def batch():
    X_train, y_train, _, _ = actlib.load_digits()
    return X_train[:256], y_train[:256]


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def tanh_net(std):
    return actlib.mlp(
        [64, 64, 64, 10],
        "tanh",
        init="normal",
        init_params={"std": std},
        generator=gen(),
    )


def test_rows_keys_and_order(batch):
    rows = layer_stats(actlib.mlp([64, 32, 16, 10], "relu", generator=gen()), *batch)
    assert [r["layer"] for r in rows] == [1, 2]
    assert [r["name"] for r in rows] == ["relu", "relu"]
    keys = {"layer", "name", "mean", "std", "saturated", "dead", "grad_norm"}
    assert set(rows[0]) == keys
    assert all(isinstance(r["grad_norm"], float) for r in rows)


def test_huge_weights_saturate_tanh(batch):
    rows = layer_stats(tanh_net(10.0), *batch)
    assert all(r["saturated"] > 0.95 for r in rows)
    assert all(r["std"] > 0.95 for r in rows)  # outputs pinned at -1 and +1


def test_tiny_weights_do_not_saturate_tanh(batch):
    rows = layer_stats(tanh_net(1e-3), *batch)
    assert all(r["saturated"] == 0.0 for r in rows)
    assert rows[1]["std"] < rows[0]["std"] < 0.05  # and the signal fades with depth


def test_saturated_uses_one_percent_of_the_max_derivative():
    net = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid())
    with torch.no_grad():
        net[0].weight.fill_(1.0)
        net[0].bias.zero_()
    z = torch.linspace(-10, 10, 1001).unsqueeze(1)  # (1001, 1)
    slope = torch.func.vmap(torch.func.grad(torch.sigmoid))(z.squeeze(1))  # autograd
    expected = (slope < 0.01 * 0.25).float().mean().item()  # sigmoid' peaks at 0.25
    (row,) = layer_stats(net, z)
    assert row["name"] == "sigmoid" and row["saturated"] == pytest.approx(expected)
    assert 0.2 < row["saturated"] < 0.5


def test_relu_layer_with_bias_minus_100_is_dead(batch):
    net = actlib.mlp([64, 32, 32, 10], "relu", generator=gen())
    with torch.no_grad():
        net[0].bias.fill_(-100.0)
    rows = layer_stats(net, *batch)
    assert (
        rows[0]["dead"] == 1.0
        and rows[0]["saturated"] == 1.0
        and rows[0]["mean"] == 0.0
    )
    assert rows[0]["grad_norm"] == 0.0  # no gradient reaches a dead layer's weights
    healthy = layer_stats(actlib.mlp([64, 32, 32, 10], "relu", generator=gen()), *batch)
    assert healthy[0]["dead"] < 0.2


def test_dead_counts_units_not_entries():
    net = nn.Sequential(nn.Linear(2, 4), nn.ReLU())
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, 0], [-1, 0], [0, 0], [0, 0]]))
        net[0].bias.copy_(torch.tensor([0.0, 0.0, 1.0, -1.0]))
    X = torch.tensor([[1.0, 0.0], [-1.0, 0.0]])
    (row,) = layer_stats(net, X)
    # units 0 and 1 fire for one example each; unit 3 never fires
    assert row["dead"] == 0.25


def test_grad_norm_matches_autograd(batch):
    X, y = batch
    net = actlib.mlp([64, 32, 16, 10], "tanh", init="xavier_normal", generator=gen())
    rows = layer_stats(net, X, y)
    assert all(p.grad is None for p in net.parameters())  # layer_stats writes no .grad
    F.cross_entropy(net(X), y).backward()
    assert rows[0]["grad_norm"] == pytest.approx(
        net[0].weight.grad.norm().item(), rel=1e-5
    )
    assert rows[1]["grad_norm"] == pytest.approx(
        net[2].weight.grad.norm().item(), rel=1e-5
    )


def test_grad_norm_mse_for_float_targets():
    torch.manual_seed(0)
    X, y = torch.randn(30, 3), torch.randn(30)
    net = actlib.mlp([3, 4, 1], "silu", generator=gen())
    (row,) = layer_stats(net, X, y)
    F.mse_loss(net(X).squeeze(1), y).backward()
    assert row["grad_norm"] == pytest.approx(net[0].weight.grad.norm().item(), rel=1e-5)


def test_grad_norm_is_none_without_targets(batch):
    rows = layer_stats(actlib.mlp([64, 8, 10]), batch[0])
    assert rows[0]["grad_norm"] is None


def test_torch_activation_modules_are_recognised(batch):
    X, y = batch
    ours = actlib.mlp([64, 16, 16, 16, 16, 10], "tanh", generator=gen())
    theirs = nn.Sequential(
        ours[0],
        nn.Tanh(),
        ours[2],
        nn.LeakyReLU(0.2),
        ours[4],
        nn.ELU(alpha=0.5),
        ours[6],
        nn.GELU("tanh"),
        ours[8],
    )
    rows = layer_stats(theirs, X, y)
    assert [r["name"] for r in rows] == ["tanh", "leaky_relu", "elu", "gelu"]
    # same first layer, same forward
    assert layer_stats(theirs, X)[0] == layer_stats(ours, X)[0]


# keywords (actlib's and torch's) that move an activation off its defaults
NON_DEFAULT = {
    "leaky_relu": {"negative_slope": 0.2},
    "prelu": {"num_parameters": 16, "init": 0.1},
    "elu": {"alpha": 1.5},
    "gelu": {"approximate": "tanh"},
    "softplus": {"beta": 2.0, "threshold": 5.0},
}


@pytest.mark.parametrize("name", actlib.activations.activation_names())
def test_every_torch_counterpart_gives_the_row_of_ours(batch, name):
    """Each activation's declared torch module, with its parameters, is read as ours.

    Parametrised over the registry. ``saturated`` is also checked against autograd of
    torch's module, with the largest slope read off a fine grid.
    """
    X, y = batch
    cls = actlib.activations.ACTIVATIONS[name]
    params = NON_DEFAULT.get(name, {})
    torch.manual_seed(0)
    linear = nn.Linear(64, 16)
    with torch.no_grad():
        linear.weight.mul_(4.0)  # large enough to saturate a sigmoid or a tanh
    kind = cls.torch_class or cls  # no torch module (centred_sigmoid): ours alone
    theirs = nn.Sequential(linear, kind(**params), nn.Linear(16, 10))
    ours = nn.Sequential(linear, cls(**params), theirs[2])
    if cls.torch_class is nn.Identity:  # torch's nn.Identity is a placeholder
        assert layer_stats(theirs, X) == []
        return
    (row,) = layer_stats(theirs, X, y)
    assert row == layer_stats(ours, X, y)[0] and row["name"] == name

    def autograd_slope(z):  # g'(z) entry by entry: g acts on each entry alone
        z = z.detach().requires_grad_(True)
        theirs[1](z).sum().backward()
        return z.grad

    grid = torch.linspace(-30, 30, 60_001).unsqueeze(1).repeat(1, 16)  # (60001, 16)
    top = autograd_slope(grid).max()
    expected = (autograd_slope(linear(X)).abs() < 0.01 * top).float().mean().item()
    assert row["saturated"] == pytest.approx(expected, abs=1e-3)


def test_maxout_rows(batch):
    net = actlib.mlp([64, 16, 16, 10], "maxout", batchnorm=True, generator=gen())
    X, y = batch
    rows = layer_stats(net, X, y)
    assert [r["name"] for r in rows] == ["maxout", "maxout"]
    assert all(r["saturated"] == 0.0 for r in rows)
    F.cross_entropy(net(X), y).backward()
    assert rows[0]["grad_norm"] == pytest.approx(
        net[0].linear.weight.grad.norm().item(), rel=1e-5
    )


def test_hooks_removed_modes_and_running_stats_restored(batch):
    net = actlib.mlp([64, 16, 10], "relu", batchnorm=True, generator=gen()).eval()
    running = net[1].running_mean.clone()
    layer_stats(net, *batch)
    forward_activations(net, batch[0])
    assert all(not m._forward_hooks for m in net.modules())
    assert not any(m.training for m in net.modules())
    assert torch.equal(net[1].running_mean, running)
    net.train()
    layer_stats(net, *batch)
    assert all(m.training for m in net.modules())


def test_hooks_removed_after_an_error(batch):
    net = actlib.mlp([64, 16, 10], generator=gen())
    with pytest.raises(RuntimeError):
        layer_stats(net, torch.zeros(4, 5))  # wrong input width
    assert all(not m._forward_hooks for m in net.modules())


def test_batchnorm_uses_batch_statistics(batch):
    net = actlib.mlp([64, 32, 10], "identity", batchnorm=True, generator=gen()).eval()
    (row,) = layer_stats(net, batch[0] * 5 + 3)
    assert abs(row["mean"]) < 1e-5 and row["std"] == pytest.approx(1.0, abs=0.01)


def test_forward_activations_match_manual_pass(batch):
    X = batch[0]
    net = actlib.mlp([64, 32, 16, 10], "elu", generator=gen())
    acts = forward_activations(net, X)
    a1 = F.elu(net[0](X))
    a2 = F.elu(net[2](a1))
    assert len(acts) == 2
    torch.testing.assert_close(acts[0], a1)
    torch.testing.assert_close(acts[1], a2)
    assert not acts[0].requires_grad


# ---- bad input -----------------------------------------------------------------------


def test_bad_input(batch):
    X, y = batch
    net = actlib.mlp([64, 8, 10])
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        layer_stats(lambda x: x, X)
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        layer_stats(net, X.numpy())
    with pytest.raises(TypeError, match="y must be a torch.Tensor or None"):
        layer_stats(net, X, y.tolist())
    with pytest.raises(ValueError, match="same number of examples, got 256 and 3"):
        layer_stats(net, X, y[:3])
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        forward_activations(None, X)
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        forward_activations(net, [1.0])


# ---- signal_stats: forward and backward spreads --------------------------------------
def test_signal_stats_equal_a_manual_forward_and_backward_pass(batch):
    X, y = batch
    net = actlib.mlp([64, 32, 16, 10], "tanh", init="xavier_normal", generator=gen(1))
    rows = actlib.signal_stats(net, X, y)
    # the same by hand: keep z and a, ask autograd for dL/dz and dL/da
    z1 = net[0](X)
    a1 = torch.tanh(z1)
    z2 = net[2](a1)
    a2 = torch.tanh(z2)
    loss = F.cross_entropy(net[4](a2), y)
    g = torch.autograd.grad(loss, [z1, a1, z2, a2])
    for row, (z, a, gz, ga) in zip(rows, [(z1, a1, g[0], g[1]), (z2, a2, g[2], g[3])]):
        assert row["z_std"] == pytest.approx(z.std().item(), rel=1e-5)
        assert row["a_std"] == pytest.approx(a.std().item(), rel=1e-5)
        assert row["a_mean"] == pytest.approx(a.mean().item(), abs=1e-6)
        assert row["grad_z_std"] == pytest.approx(gz.std().item(), rel=1e-4)
        assert row["grad_a_std"] == pytest.approx(ga.std().item(), rel=1e-4)
    assert [r["layer"] for r in rows] == [1, 2] and rows[0]["name"] == "tanh"


def test_signal_stats_backward_chain_rule(batch):
    # dL/dz = g'(z) * dL/da: for ReLU, the entries with z > 0 pass dL/da unchanged
    X, y = batch
    net = actlib.mlp([64, 50, 50, 10], "relu", generator=gen(2))
    rows = actlib.signal_stats(net, X, y)
    assert all(0 < r["grad_z_std"] < r["grad_a_std"] for r in rows)


def test_signal_stats_without_targets_and_no_side_effects(batch):
    X, _ = batch
    net = actlib.mlp([64, 32, 10], "relu", batchnorm=True, generator=gen(0))
    net.eval()
    before = [b.clone() for b in net.buffers()]
    rows = actlib.signal_stats(net, X)
    assert (
        rows[0]["grad_z_std"] is None
        and rows[0]["grad_a_std"] is None
        and rows[0]["z_std"] > 0
    )
    assert not net.training and all(
        torch.equal(a, b) for a, b in zip(before, net.buffers())
    )
    assert all(p.grad is None for p in net.parameters())


def test_signal_stats_shrinks_with_small_weights():
    net = actlib.mlp(
        [100] * 6 + [10],
        "tanh",
        init="normal",
        init_params={"std": 0.01},
        bias=False,
        generator=gen(0),
    )
    rows = actlib.signal_stats(net, torch.randn(200, 100, generator=gen(1)))
    stds = [r["a_std"] for r in rows]
    # 0.01 * sqrt(100) = 0.1 per layer
    assert all(b < 0.2 * a for a, b in zip(stds, stds[1:]))


def test_signal_stats_rejects_bad_input(batch):
    X, y = batch
    net = actlib.mlp([64, 10, 10])
    with pytest.raises(TypeError, match="model"):
        actlib.signal_stats("net", X)
    with pytest.raises(TypeError, match="X must be"):
        actlib.signal_stats(net, X.numpy())
    with pytest.raises(TypeError, match="y must be"):
        actlib.signal_stats(net, X, [0, 1])
    with pytest.raises(ValueError, match="same number"):
        actlib.signal_stats(net, X, y[:5])
