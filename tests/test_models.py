"""Tests for actlib.models: the MLP's layers, initialisation and reproducibility."""

import math

import pytest
import torch
from torch import nn

import actlib
from actlib.init import init_std
from actlib.models import mlp


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def kinds(model):
    return [type(m).__name__ for m in model]


def test_layer_structure_and_output_shape():
    net = mlp([64, 32, 16, 10], "tanh")
    assert isinstance(net, nn.Sequential)
    assert kinds(net) == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert [
        (m.in_features, m.out_features) for m in net if isinstance(m, nn.Linear)
    ] == [(64, 32), (32, 16), (16, 10)]
    assert net(torch.randn(5, 64)).shape == (5, 10)
    assert net[1].name == "tanh"


def test_two_sizes_is_a_single_linear_layer():
    net = mlp([3, 2])
    assert kinds(net) == ["Linear"]
    assert net(torch.zeros(4, 3)).shape == (4, 2)


@pytest.mark.parametrize("name", actlib.activation_names())
def test_every_activation_name(name):
    net = mlp([4, 6, 2], name, generator=gen())
    assert net[1].name == name
    assert net(torch.randn(3, 4)).shape == (3, 2)


def test_act_params_reach_the_activation():
    net = mlp([4, 6, 6, 2], "leaky_relu", act_params={"negative_slope": 0.2})
    assert [m.params for m in net if getattr(m, "name", "") == "leaky_relu"] == [
        {"negative_slope": 0.2}
    ] * 2
    a, b = mlp([4, 6, 6, 2], "prelu")[1], mlp([4, 6, 6, 2], "prelu")[3]
    assert a is not b  # each hidden layer gets its own learned slope


def test_batchnorm_after_linear_before_activation():
    net = mlp([8, 5, 4, 3], "relu", batchnorm=True)
    assert kinds(net) == [
        "Linear",
        "BatchNorm1d",
        "ReLU",
        "Linear",
        "BatchNorm1d",
        "ReLU",
        "Linear",
    ]
    assert net[1].num_features == 5 and net[4].num_features == 4
    net.train()
    z = net[1](net[0](torch.randn(50, 8)))  # normalised with the batch statistics
    assert z.mean(0).abs().max() < 1e-5


def test_init_applied_std_near_init_std():
    net = mlp([400, 300, 300, 10], "tanh", init="xavier_normal", generator=gen())
    w = net[2].weight
    assert w.std().item() == pytest.approx(
        init_std("xavier_normal", 300, 300), rel=0.02
    )
    assert torch.all(net[2].bias == 0)
    # he_normal by default
    net = mlp([400, 300, 10], init_params={"bias": 0.01}, generator=gen())
    assert net[0].weight.std().item() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    assert torch.all(net[0].bias == 0.01)


def test_init_params_reach_init_weights():
    net = mlp(
        [100, 200, 10],
        "tanh",
        init="xavier_uniform",
        init_params={"gain": 5 / 3},
        generator=gen(),
    )
    limit = 5 / 3 * math.sqrt(6 / 300)
    assert limit * 0.95 < net[0].weight.abs().max().item() <= limit


def test_init_none_keeps_torch_default():
    torch.manual_seed(1)
    ours = mlp([10, 8, 3], init=None)
    torch.manual_seed(1)
    theirs = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 3))
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert torch.equal(p, q)


def test_init_none_with_generator_draws_torch_default_distribution():
    a, b = (
        mlp([300, 200, 3], init=None, generator=gen(2)),
        mlp([300, 200, 3], init=None, generator=gen(2)),
    )
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    # kaiming_uniform_(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    bound = 1 / math.sqrt(300)
    assert bound * 0.95 < a[0].weight.abs().max().item() <= bound
    assert a[0].bias.abs().max().item() <= bound


def test_generator_makes_it_reproducible_and_leaves_global_rng_alone():
    torch.manual_seed(0)
    before = torch.random.get_rng_state()
    a = mlp([16, 8, 8, 4], "elu", batchnorm=True, generator=gen(7))
    assert torch.equal(torch.random.get_rng_state(), before)
    b = mlp([16, 8, 8, 4], "elu", batchnorm=True, generator=gen(7))
    c = mlp([16, 8, 8, 4], "elu", batchnorm=True, generator=gen(8))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a[0].weight, c[0].weight)


def test_generator_matches_init_weights_on_the_same_architecture():
    net = mlp([6, 5, 2], "tanh", init="xavier_normal", generator=gen(4))
    g = gen(4)
    w0 = nn.init.xavier_normal_(torch.empty(5, 6), generator=g)
    w1 = nn.init.xavier_normal_(torch.empty(2, 5), generator=g)
    assert torch.equal(net[0].weight, w0) and torch.equal(net[2].weight, w1)


def test_maxout_hidden_layers():
    net = mlp([10, 7, 5, 3], "maxout", act_params={"k": 3}, generator=gen())
    assert kinds(net) == ["Maxout", "Maxout", "Linear"]
    assert net[0].k == 3 and net[0].linear.weight.shape == (21, 10)
    assert net(torch.randn(4, 10)).shape == (4, 3)
    # he_normal
    assert net[1].linear.weight.std().item() == pytest.approx(math.sqrt(2 / 7), rel=0.3)
    net = mlp([10, 7, 3], "maxout", batchnorm=True)
    assert kinds(net) == ["Maxout", "BatchNorm1d", "Linear"] and net[0].k == 2


def test_no_bias():
    net = mlp([5, 4, 3], bias=False, batchnorm=True)
    assert all(m.bias is None for m in net if isinstance(m, nn.Linear))


def test_trains_on_digits():
    X_train, y_train, X_test, y_test = actlib.load_digits()
    net = mlp([64, 32, 10], generator=gen())
    actlib.fit(net, X_train, y_train, epochs=3, momentum=0.9, progress=False)
    assert actlib.accuracy(net, X_test, y_test) > 0.9


# ---- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sizes, error, match",
    [
        ([64], ValueError, r"sizes=\[64\] needs at least 2 entries"),
        ([], ValueError, "at least 2 entries"),
        ([64, 0, 10], ValueError, r"sizes\[1\]=0 is out of range"),
        ([64, -3, 10], ValueError, r"sizes\[1\]=-3"),
        ([64, 2.5, 10], TypeError, r"sizes\[1\] must be an integer"),
        (64, TypeError, "sizes must be a list"),
        ("64", TypeError, "sizes must be a list"),
    ],
)
def test_bad_sizes(sizes, error, match):
    with pytest.raises(error, match=match):
        mlp(sizes)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"activation": "swish"}, ValueError, r"activation='swish'.*'relu'.*'maxout'"),
        ({"init": "glorot"}, ValueError, r"init='glorot'.*'xavier_normal'"),
        ({"batchnorm": 1}, TypeError, "batchnorm must be True or False"),
        ({"bias": None}, TypeError, "bias must be True or False"),
        ({"act_params": 0.1}, TypeError, "act_params must be a dict"),
        ({"init_params": [1]}, TypeError, "init_params must be a dict"),
        ({"generator": 0}, TypeError, "generator must be a torch.Generator"),
        ({"activation": "maxout", "act_params": {"k": 0}}, ValueError, r"k'\]=0"),
        (
            {"activation": "maxout", "act_params": {"alpha": 1}},
            TypeError,
            r"maxout' takes no parameter 'alpha'",
        ),
        (
            {"init": "he_normal", "init_params": {"gain": 2}},
            TypeError,
            r"scheme='he_normal' takes no parameter 'gain'",
        ),
        ({"init": None, "init_params": {"gain": 2}}, TypeError, "needs an init scheme"),
        (
            {"activation": "elu", "act_params": {"negative_slope": 0.1}},
            (TypeError, ValueError),
            "negative_slope",
        ),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        mlp([4, 3, 2], **kwargs)


def test_batchnorm_layers_match_actlibs():
    net = mlp([6, 5, 3], "tanh", batchnorm=True, generator=gen())
    assert isinstance(net[1], nn.BatchNorm1d)
    ours = actlib.BatchNorm1d(5)
    ours.load_state_dict(net[1].state_dict())
    z = torch.randn(9, 5)
    torch.testing.assert_close(ours(z), net[1](z))
    torch.testing.assert_close(ours.running_var, net[1].running_var)
