"""Tests for actlib.batchnorm: BatchNorm1d against the oracle torch.nn.BatchNorm1d."""

import pytest
import torch
from torch import nn

import actlib
from actlib.batchnorm import BatchNorm1d

CONFIGS = [
    {},
    {"momentum": 0.3},
    {"momentum": None},
    {"affine": False},
    {"track_running_stats": False},
    {"eps": 1e-3, "momentum": 0.0},
    {"momentum": 1.0},
]


def pair(C=4, **kw):
    """Our layer and torch's, with the same (non-trivial) gamma and beta."""
    ours, theirs = (
        BatchNorm1d(C, **kw, dtype=torch.float64),
        nn.BatchNorm1d(C, **kw, dtype=torch.float64),
    )
    if theirs.affine:
        with torch.no_grad():
            g = torch.Generator().manual_seed(1)
            theirs.weight.copy_(torch.rand(C, generator=g, dtype=torch.float64) + 0.5)
            theirs.bias.copy_(torch.randn(C, generator=g, dtype=torch.float64))
            ours.weight.copy_(theirs.weight)
            ours.bias.copy_(theirs.bias)
    return ours, theirs


def batches(shape, n=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [
        3 * torch.randn(*shape, generator=g, dtype=torch.float64) + 2 for _ in range(n)
    ]


@pytest.mark.parametrize("kw", CONFIGS)
@pytest.mark.parametrize("shape", [(16, 4), (8, 4, 5), (2, 4)])
def test_training_outputs_gradients_and_running_stats(kw, shape):
    ours, theirs = pair(**kw)
    for x in batches(shape):
        xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
        ya, yb = ours(xa), theirs(xb)
        torch.testing.assert_close(ya, yb)
        w = torch.randn_like(ya)
        (ya * w).sum().backward()
        (yb * w).sum().backward()
        torch.testing.assert_close(xa.grad, xb.grad)
        if theirs.affine:
            torch.testing.assert_close(ours.weight.grad, theirs.weight.grad)
            torch.testing.assert_close(ours.bias.grad, theirs.bias.grad)
    if theirs.track_running_stats:
        torch.testing.assert_close(ours.running_mean, theirs.running_mean)
        torch.testing.assert_close(ours.running_var, theirs.running_var)
        assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 5
    else:
        assert (
            ours.running_mean is None
            and ours.running_var is None
            and ours.num_batches_tracked is None
        )
    ours.eval(), theirs.eval()
    x = batches(shape, 1, seed=9)[0]
    torch.testing.assert_close(ours(x), theirs(x))


def test_running_variance_is_unbiased_and_normalisation_biased():
    bn = BatchNorm1d(1, momentum=1.0, affine=False)
    x = torch.tensor([[1.0], [2.0], [3.0], [6.0]])
    y = bn(x)
    torch.testing.assert_close(bn.running_var, x.var(0, unbiased=True))
    torch.testing.assert_close(
        y, (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + 1e-5)
    )


def test_cumulative_average_with_momentum_none():
    bn = BatchNorm1d(2, momentum=None)
    xs = batches((10, 2), 4)
    for x in xs:
        bn(x.float())
    torch.testing.assert_close(
        bn.running_mean, torch.stack([x.float().mean(0) for x in xs]).mean(0)
    )
    torch.testing.assert_close(
        bn.running_var, torch.stack([x.float().var(0) for x in xs]).mean(0)
    )


def test_gradcheck():
    bn = BatchNorm1d(3, dtype=torch.float64)
    x = torch.randn(6, 3, 2, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(bn, (x,))


def test_state_dict_loads_both_ways():
    theirs = nn.BatchNorm1d(4)
    for x in batches((16, 4)):
        theirs(x.float())
    ours = BatchNorm1d(4)
    ours.load_state_dict(theirs.state_dict())
    assert ours.state_dict().keys() == theirs.state_dict().keys()
    ours.eval(), theirs.eval()
    x = torch.randn(7, 4)
    torch.testing.assert_close(ours(x), theirs(x))
    back = nn.BatchNorm1d(4)
    back.load_state_dict(ours.state_dict())
    torch.testing.assert_close(back.eval()(x), theirs(x))
    for kw in ({"affine": False}, {"track_running_stats": False}):
        assert (
            BatchNorm1d(4, **kw).state_dict().keys()
            == nn.BatchNorm1d(4, **kw).state_dict().keys()
        )


def test_parameters_and_buffers_like_torch():
    for kw in CONFIGS:
        ours, theirs = BatchNorm1d(5, **kw), nn.BatchNorm1d(5, **kw)
        assert [n for n, _ in ours.named_parameters()] == [
            n for n, _ in theirs.named_parameters()
        ]
        assert [n for n, _ in ours.named_buffers()] == [
            n for n, _ in theirs.named_buffers()
        ]


def test_batch_of_one():
    bn = BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"more than 1 value per channel.*\(1, 3\)"):
        bn(torch.randn(1, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(torch.randn(1, 3))  # torch says the same
    bn(torch.randn(1, 3, 2))  # N·L = 2 values per channel: fine
    # evaluation: running statistics
    assert bn.eval()(torch.randn(1, 3)).shape == (1, 3)
    with pytest.raises(ValueError, match="more than 1 value"):
        BatchNorm1d(3, track_running_stats=False).eval()(torch.randn(1, 3))


def test_reset_and_repr():
    bn = BatchNorm1d(2)
    bn(torch.randn(5, 2) + 3)
    bn.reset_running_stats()
    assert bn.running_mean.tolist() == [0, 0] and bn.running_var.tolist() == [1, 1]
    assert bn.num_batches_tracked.item() == 0
    assert "momentum=0.1" in repr(bn)


def test_follows_the_device_and_is_exported():
    assert actlib.BatchNorm1d is BatchNorm1d
    device = actlib.get_device()
    bn = BatchNorm1d(3, device=device)
    assert bn(torch.randn(4, 3, device=device)).device.type == device.type


def test_layer_stats_restores_its_buffers():
    net = nn.Sequential(nn.Linear(6, 5), BatchNorm1d(5), nn.Tanh(), nn.Linear(5, 2))
    before = [b.clone() for b in net.buffers()]
    rows = actlib.layer_stats(net, torch.randn(20, 6), torch.randint(0, 2, (20,)))
    assert len(rows) == 1 and rows[0]["grad_norm"] > 0
    for b, saved in zip(net.buffers(), before):
        assert torch.equal(b, saved)


@pytest.mark.parametrize(
    "kw, error, match",
    [
        ({"num_features": 0}, ValueError, "num_features=0"),
        ({"num_features": 2.5}, TypeError, "num_features must be an integer"),
        ({"eps": 0}, ValueError, "eps=0"),
        ({"eps": float("inf")}, ValueError, "eps=inf"),
        ({"momentum": 1.5}, ValueError, "momentum=1.5"),
        ({"momentum": -0.1}, ValueError, "momentum=-0.1"),
        ({"momentum": "fast"}, TypeError, "momentum must be a number"),
        ({"affine": 1}, TypeError, "affine must be True or False"),
        (
            {"track_running_stats": None},
            TypeError,
            "track_running_stats must be True or False",
        ),
    ],
)
def test_bad_arguments(kw, error, match):
    kw = {"num_features": 3, **kw}
    with pytest.raises(error, match=match):
        BatchNorm1d(**kw)


@pytest.mark.parametrize(
    "x, error, match",
    [
        (torch.randn(4), ValueError, r"2-d \(N, C\) or 3-d"),
        (torch.randn(2, 3, 4, 5), ValueError, r"shape \(2, 3, 4, 5\)"),
        (torch.randn(4, 5), ValueError, "num_features=3"),
        ([[1.0, 2.0, 3.0]], TypeError, "must be a torch.Tensor"),
    ],
)
def test_bad_inputs(x, error, match):
    with pytest.raises(error, match=match):
        BatchNorm1d(3)(x)


# ------------------------------------------------------------ the backward pass


@pytest.mark.parametrize("shape, eps", [((16, 4), 1e-5), ((2, 3), 1e-5), ((5, 1), 0.5)])
def test_batch_norm_backward_matches_autograd(shape, eps):
    g = torch.Generator().manual_seed(0)
    z = (3 * torch.randn(*shape, generator=g, dtype=torch.float64) + 1).requires_grad_()
    gamma = (
        torch.rand(shape[1], generator=g, dtype=torch.float64) + 0.5
    ).requires_grad_()
    beta = torch.randn(shape[1], generator=g, dtype=torch.float64).requires_grad_()
    dy = torch.randn(*shape, generator=g, dtype=torch.float64)
    y = torch.nn.functional.batch_norm(z, None, None, gamma, beta, True, 0.1, eps)
    want = torch.autograd.grad(y, (z, gamma, beta), dy)
    got = actlib.batch_norm_backward(dy, z.detach(), gamma.detach(), eps)
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b)


def test_batch_norm_backward_gradient_has_no_mean_or_z_hat_component():
    # exact for eps = 0: normalisation forgets the shift and the scale of the batch
    g = torch.Generator().manual_seed(1)
    z = torch.randn(10, 3, generator=g, dtype=torch.float64)
    dy = torch.randn(10, 3, generator=g, dtype=torch.float64)
    dz, _, _ = actlib.batch_norm_backward(dy, z, torch.ones(3, dtype=z.dtype), 1e-12)
    z_hat = (z - z.mean(0)) / z.std(0, unbiased=False)
    zeros = torch.zeros(3, dtype=z.dtype)
    torch.testing.assert_close(dz.sum(0), zeros, atol=1e-10, rtol=0)
    torch.testing.assert_close((dz * z_hat).sum(0), zeros, atol=1e-9, rtol=0)


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((torch.ones(4, 2), torch.ones(1, 2), torch.ones(2)), ValueError, "N > 1"),
        ((torch.ones(4, 2), torch.ones(4, 2), torch.ones(3)), ValueError, "gamma"),
        ((torch.ones(3, 2), torch.ones(4, 2), torch.ones(2)), ValueError, "dy"),
        (([1.0, 2.0], torch.ones(2, 1), torch.ones(1)), TypeError, "dy"),
    ],
)
def test_batch_norm_backward_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        actlib.batch_norm_backward(*args)
