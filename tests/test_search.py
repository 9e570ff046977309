"""Tests for actlib/search.py: a batched trial is the same network trained alone by actlib.fit."""
import math

import pytest
import torch

import actlib

SIZES = [64, 16, 10]


@pytest.fixture(scope="module")
def digits():
    X, y, X_val, y_val = actlib.load_digits()
    return X[:300], y[:300], X_val[:100], y_val[:100]


def alone(digits, init_seed, **kwargs):
    X, y, X_val, y_val = digits
    net = actlib.mlp(SIZES, "tanh", init="xavier_normal", generator=torch.Generator().manual_seed(init_seed))
    history = actlib.fit(net, X, y, X_val=X_val, y_val=y_val, progress=False, **kwargs)
    return net, history


def test_a_batched_trial_is_the_trial_trained_alone(digits):
    X, y, X_val, y_val = digits
    lr, wd, mu = [0.05, 0.2, 0.5], [0.0, 1e-3, 1e-2], [0.0, 0.9, 0.5]
    trials = actlib.fit_trials(SIZES, X, y, lr=lr, weight_decay=wd, momentum=mu, activation="tanh",
                               init="xavier_normal", init_seed=[3, 4, 5], epochs=3, batch_size=32,
                               X_val=X_val, y_val=y_val, seed=7)
    assert len(trials) == 3 and not trials.diverged.any()
    for k in range(3):
        net, history = alone(digits, 3 + k, lr=lr[k], weight_decay=wd[k], momentum=mu[k], epochs=3,
                             batch_size=32, seed=7)
        for p, q in zip(net.parameters(), trials.model(k).parameters()):
            torch.testing.assert_close(q, p, rtol=1e-4, atol=1e-5)
        got = trials.history(k)
        for field in ("step_loss", "train_loss", "train_acc", "val_loss", "val_acc"):
            torch.testing.assert_close(torch.tensor(getattr(got, field)), torch.tensor(getattr(history, field)),
                                       rtol=1e-4, atol=1e-5, check_dtype=False)


@pytest.mark.parametrize("activation", ["relu", "elu", "sigmoid", "gelu"])
def test_deeper_trials_without_momentum_are_the_trials_trained_alone(digits, activation):
    # two hidden layers (the batched middle layer and its hand-written backward pass) and plain SGD
    # (no momentum: fit_trials keeps no velocity then)
    X, y, _, _ = digits
    sizes, lr, wd = [64, 16, 12, 10], [0.05, 0.3], [0.0, 1e-3]
    trials = actlib.fit_trials(sizes, X, y, lr=lr, weight_decay=wd, activation=activation, init="he_normal",
                               init_seed=[1, 2], epochs=2, batch_size=50, seed=3)
    for k in range(2):
        net = actlib.mlp(sizes, activation, init="he_normal", generator=torch.Generator().manual_seed(1 + k))
        history = actlib.fit(net, X, y, lr=lr[k], weight_decay=wd[k], epochs=2, batch_size=50, seed=3, progress=False)
        for p, q in zip(net.parameters(), trials.model(k).parameters()):
            torch.testing.assert_close(q, p, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(torch.tensor(trials.history(k).step_loss), torch.tensor(history.step_loss),
                                   rtol=1e-4, atol=1e-5)


def test_trials_do_not_interact(digits):
    X, y, _, _ = digits
    a = actlib.fit_trials(SIZES, X, y, lr=[0.1, 0.3], epochs=2)
    b = actlib.fit_trials(SIZES, X, y, lr=[0.01, 0.3], epochs=2)
    for Wa, Wb in zip(a.weights, b.weights):
        assert not torch.allclose(Wa[0], Wb[0])
        torch.testing.assert_close(Wa[1], Wb[1])
    torch.testing.assert_close(a.step_loss[:, 1], b.step_loss[:, 1])


def test_a_diverging_trial_is_frozen_and_the_others_go_on(digits):
    X, y, _, _ = digits
    trials = actlib.fit_trials(SIZES, X, y, lr=[0.1, 1e4], epochs=3)
    assert trials.diverged.tolist() == [False, True]
    assert torch.isfinite(trials.train_loss[:, 0]).all() and torch.isnan(trials.train_loss[-1, 1])
    net = actlib.mlp(SIZES, generator=torch.Generator().manual_seed(0))
    history = actlib.fit(net, X, y, lr=1e4, epochs=3, progress=False)
    got = trials.history(1)
    assert history.diverged and got.diverged and len(got.step_loss) == len(history.step_loss)
    assert not math.isfinite(got.step_loss[-1]) and len(got.train_loss) == len(history.train_loss)
    for p, q in zip(net.parameters(), trials.model(1).parameters()):
        assert torch.isfinite(q).all()
        torch.testing.assert_close(q, p, rtol=1e-4, atol=1e-5)


def test_shared_hyperparameters_and_metrics_shapes(digits):
    X, y, _, _ = digits
    trials = actlib.fit_trials(SIZES, X, y, lr=torch.tensor([0.1, 0.2, 0.3, 0.4]), weight_decay=1e-4, epochs=2,
                               batch_size=100)
    assert trials.step_loss.shape == (6, 4) and trials.train_acc.shape == (2, 4) and trials.val_acc.shape == (0, 4)
    assert trials.weight_decay.tolist() == [1e-4] * 4 and trials.model(-1)(X).shape == (300, 10)
    same_start = actlib.fit_trials(SIZES, X, y, lr=[0.1, 0.1], epochs=1)
    torch.testing.assert_close(same_start.weights[0][0], same_start.weights[0][1])


def test_log_uniform_gives_each_decade_the_same_share():
    x = actlib.log_uniform(1e-4, 1.0, 40_000, generator=torch.Generator().manual_seed(0))
    assert x.dtype == torch.float64 and x.min() >= 1e-4 and x.max() <= 1.0
    shares = torch.histc(x.log10(), bins=4, min=-4, max=0) / len(x)
    torch.testing.assert_close(shares, torch.full((4,), 0.25, dtype=torch.float64), atol=0.01, rtol=0)
    again = actlib.log_uniform(1e-4, 1.0, 5, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(again, actlib.log_uniform(1e-4, 1.0, 5, generator=torch.Generator().manual_seed(1)))


def test_trial_flops():
    assert actlib.trial_flops([64, 64, 10], K=2, n_examples=10, epochs=3) == 3 * 2 * 2 * 10 * 3 * (64 * 64 + 64 * 10)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"lr": 0.0}, ValueError, "lr=0.0 is out of range"),
    ({"lr": [0.1, -1.0]}, ValueError, "lr=-1.0 is out of range"),
    ({"lr": [0.1, float("nan")]}, ValueError, "lr"),
    ({"lr": [0.1, 0.2], "weight_decay": [0.0, 0.1, 0.2]}, ValueError, "different lengths"),
    ({"weight_decay": -1.0}, ValueError, "weight_decay=-1.0"),
    ({"momentum": 1.0}, ValueError, "momentum=1"),
    ({"activation": "prelu"}, ValueError, "activation='prelu' is not supported"),
    ({"activation": "maxout"}, ValueError, "activation='maxout'"),
    ({"init": "nope"}, ValueError, "init='nope'"),
    ({"epochs": 0}, ValueError, "epochs=0"),
    ({"batch_size": 0}, ValueError, "batch_size=0"),
    ({"init_seed": -1}, ValueError, "init_seed=-1"),
    ({"init_seed": 0.5}, TypeError, "init_seed must be an integer"),
    ({"lr": [0.1, 0.2], "init_seed": [1, 2, 3]}, ValueError, "different lengths"),
    ({"X_val": torch.zeros(3, 64)}, ValueError, "both X_val and y_val"),
])
def test_fit_trials_rejects_bad_input(digits, kwargs, error, match):
    X, y, _, _ = digits
    with pytest.raises(error, match=match):
        actlib.fit_trials(SIZES, X, y, **kwargs)


def test_fit_trials_rejects_bad_data(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match=r"X must have shape \(N, 64\)"):
        actlib.fit_trials(SIZES, X[:, :10], y)
    with pytest.raises(TypeError, match="int64 class labels"):
        actlib.fit_trials(SIZES, X, y.float())
    with pytest.raises(TypeError, match="must be a torch.Tensor"):
        actlib.fit_trials(SIZES, X.numpy(), y)
    with pytest.raises(ValueError, match="k=5 is out of range"):
        actlib.fit_trials(SIZES, X, y, lr=[0.1, 0.2], epochs=1).model(5)


@pytest.mark.parametrize("args, match", [((0.0, 1.0, 3), "low=0.0"), ((1.0, 0.5, 3), "larger than"),
                                         ((1e-3, 1.0, 0), "n=0"), ((1e-3, float("inf"), 3), "not finite")])
def test_log_uniform_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        actlib.log_uniform(*args)
