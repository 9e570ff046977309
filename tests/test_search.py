"""Tests for actlib/search.py: a batched trial is the same network trained alone by
actlib.fit (torch.optim.SGD or torch.optim.Adam on one nn.Sequential is the oracle)."""

import math

import pytest
import torch

import actlib

SIZES = [64, 16, 10]


@pytest.fixture(scope="module")
def digits():
    X, y, X_val, y_val = actlib.load_digits()
    return X[:300], y[:300], X_val[:100], y_val[:100]


def alone(digits, sizes, activation, init, init_seed, **kwargs):
    """The trial trained by itself: actlib.fit on an ordinary nn.Sequential."""
    X, y, X_val, y_val = digits
    gen = torch.Generator().manual_seed(init_seed)
    net = actlib.mlp(sizes, activation, init=init, generator=gen)
    history = actlib.fit(net, X, y, X_val=X_val, y_val=y_val, progress=False, **kwargs)
    return net, history


def assert_same_trial(trials, k, net, history):
    for p, q in zip(net.parameters(), trials.model(k).parameters()):
        torch.testing.assert_close(q, p, rtol=1e-4, atol=1e-5)
    got = trials.history(k)
    for field in ("step_loss", "train_loss", "train_acc", "val_loss", "val_acc"):
        torch.testing.assert_close(
            torch.tensor(getattr(got, field)),
            torch.tensor(getattr(history, field)),
            rtol=1e-4,
            atol=1e-5,
            check_dtype=False,
        )
    assert got.diverged == history.diverged


def test_a_batched_trial_is_the_trial_trained_alone(digits):
    # one hidden layer, SGD with momentum and weight decay, validation data
    X, y, X_val, y_val = digits
    lr, wd, mu = [0.05, 0.2, 0.5], [0.0, 1e-3, 1e-2], [0.0, 0.9, 0.5]
    trials = actlib.fit_trials(
        SIZES, X, y, lr=lr, weight_decay=wd, momentum=mu, activation="tanh",
        init="xavier_normal", init_seed=[3, 4, 5], epochs=3, batch_size=32,
        X_val=X_val, y_val=y_val, seed=7,
    )  # fmt: skip
    assert len(trials) == 3 and not trials.diverged.any()
    for k in range(3):
        net, history = alone(
            digits, SIZES, "tanh", "xavier_normal", 3 + k, lr=lr[k],
            weight_decay=wd[k], momentum=mu[k], epochs=3, batch_size=32, seed=7,
        )  # fmt: skip
        assert_same_trial(trials, k, net, history)


@pytest.mark.parametrize("activation", ["relu", "elu", "sigmoid", "gelu"])
def test_deeper_trials_without_momentum_are_the_trials_trained_alone(
    digits, activation
):
    # two hidden layers (a batched middle layer) and plain SGD (no velocity kept)
    X, y, X_val, y_val = digits
    sizes, lr, wd = [64, 16, 12, 10], [0.05, 0.3], [0.0, 1e-3]
    trials = actlib.fit_trials(
        sizes, X, y, lr=lr, weight_decay=wd, activation=activation,
        init="he_normal", init_seed=[1, 2], epochs=2, batch_size=50,
        X_val=X_val, y_val=y_val, seed=3,
    )  # fmt: skip
    for k in range(2):
        net, history = alone(
            digits, sizes, activation, "he_normal", 1 + k, lr=lr[k],
            weight_decay=wd[k], epochs=2, batch_size=50, seed=3,
        )  # fmt: skip
        assert_same_trial(trials, k, net, history)


@pytest.mark.parametrize(
    "sizes, activation", [(SIZES, "tanh"), ([64, 16, 12, 10], "relu")]
)
def test_adam_trials_are_the_trials_trained_alone_with_adam(digits, sizes, activation):
    # each trial's Adam has its own lr and weight decay, its own moments, its own steps
    X, y, X_val, y_val = digits
    lr, wd = [1e-3, 3e-3, 3e-2], [0.0, 1e-2, 1e-3]
    trials = actlib.fit_trials(
        sizes, X, y, lr=lr, weight_decay=wd, activation=activation,
        init="he_normal", init_seed=[5, 6, 7], epochs=3, batch_size=40,
        X_val=X_val, y_val=y_val, seed=2, optimizer="adam",
    )  # fmt: skip
    assert trials.optimizer == "adam" and trials.momentum.tolist() == [0.0] * 3
    for k in range(3):
        net, history = alone(
            digits, sizes, activation, "he_normal", 5 + k, lr=lr[k],
            weight_decay=wd[k], epochs=3, batch_size=40, seed=2, optimizer="adam",
        )  # fmt: skip
        assert_same_trial(trials, k, net, history)


def test_adam_is_not_sgd(digits):
    # the optimizer argument reaches the step: the same trials differ under SGD
    X, y, _, _ = digits
    sgd = actlib.fit_trials(SIZES, X, y, lr=[0.01, 0.1], epochs=1)
    adam = actlib.fit_trials(SIZES, X, y, lr=[0.01, 0.1], epochs=1, optimizer="adam")
    assert sgd.optimizer == "sgd"
    assert not torch.allclose(sgd.weights[0], adam.weights[0])
    torch.testing.assert_close(sgd.step_loss[0], adam.step_loss[0])  # same start


def test_trials_do_not_interact(digits):
    X, y, _, _ = digits
    for optimizer in ("sgd", "adam"):
        a = actlib.fit_trials(
            SIZES, X, y, lr=[0.1, 0.03], epochs=2, optimizer=optimizer
        )
        b = actlib.fit_trials(
            SIZES, X, y, lr=[0.01, 0.03], epochs=2, optimizer=optimizer
        )
        for Wa, Wb in zip(a.weights, b.weights):
            assert not torch.allclose(Wa[0], Wb[0])
            torch.testing.assert_close(Wa[1], Wb[1])
        torch.testing.assert_close(a.step_loss[:, 1], b.step_loss[:, 1])


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_a_diverging_trial_is_frozen_and_the_others_go_on(digits, momentum):
    X, y, _, _ = digits
    trials = actlib.fit_trials(SIZES, X, y, lr=[0.1, 1e4], momentum=momentum, epochs=3)
    assert trials.diverged.tolist() == [False, True]
    assert torch.isfinite(trials.train_loss[:, 0]).all()
    assert torch.isnan(trials.train_loss[-1, 1])
    for k, lr in enumerate([0.1, 1e4]):
        net = actlib.mlp(SIZES, generator=torch.Generator().manual_seed(0))
        history = actlib.fit(
            net, X, y, lr=lr, momentum=momentum, epochs=3, progress=False
        )
        got = trials.history(k)
        assert got.diverged == history.diverged == (k == 1)
        assert len(got.step_loss) == len(history.step_loss)
        assert len(got.train_loss) == len(history.train_loss)
        assert math.isfinite(got.step_loss[-1]) == (k == 0)
        for p, q in zip(net.parameters(), trials.model(k).parameters()):
            assert torch.isfinite(q).all()
            torch.testing.assert_close(q, p, rtol=1e-4, atol=1e-5)


def test_shared_hyperparameters_and_metrics_shapes(digits):
    X, y, _, _ = digits
    lr = torch.tensor([0.1, 0.2, 0.3, 0.4])
    trials = actlib.fit_trials(
        SIZES, X, y, lr=lr, weight_decay=1e-4, epochs=2, batch_size=100
    )
    assert trials.step_loss.shape == (6, 4) and trials.train_acc.shape == (2, 4)
    assert trials.val_acc.shape == (0, 4) and trials.weight_decay.tolist() == [1e-4] * 4
    assert trials.model(-1)(X).shape == (300, 10)
    same_start = actlib.fit_trials(SIZES, X, y, lr=[0.1, 0.1], epochs=1)
    torch.testing.assert_close(same_start.weights[0][0], same_start.weights[0][1])


def test_trials_that_share_a_seed_start_from_the_same_network(digits):
    # fit_trials builds one network per distinct seed; each trial still gets its own
    X, y, X_val, y_val = digits
    trials = actlib.fit_trials(
        SIZES, X, y, lr=[0.1, 0.1, 0.05], init_seed=[3, 4, 3], epochs=1,
        X_val=X_val, y_val=y_val,
    )  # fmt: skip
    torch.testing.assert_close(trials.step_loss[0, 0], trials.step_loss[0, 2])
    assert not torch.allclose(trials.weights[0][0], trials.weights[0][1])
    net, history = alone(digits, SIZES, "relu", "he_normal", 3, lr=0.05, epochs=1)
    assert_same_trial(trials, 2, net, history)


def test_log_uniform_gives_each_decade_the_same_share():
    x = actlib.log_uniform(
        1e-4, 1.0, 40_000, generator=torch.Generator().manual_seed(0)
    )
    assert x.dtype == torch.float64 and x.min() >= 1e-4 and x.max() <= 1.0
    shares = torch.histc(x.log10(), bins=4, min=-4, max=0) / len(x)
    quarter = torch.full((4,), 0.25, dtype=torch.float64)
    torch.testing.assert_close(shares, quarter, atol=0.01, rtol=0)
    gen = torch.Generator().manual_seed(1)
    again = actlib.log_uniform(1e-4, 1.0, 5, generator=gen)
    gen = torch.Generator().manual_seed(1)
    torch.testing.assert_close(again, actlib.log_uniform(1e-4, 1.0, 5, generator=gen))


def test_trial_flops():
    flops = actlib.trial_flops([64, 64, 10], K=2, n_examples=10, epochs=3)
    assert flops == 3 * 2 * 2 * 10 * 3 * (64 * 64 + 64 * 10)
    # the docstring's example: 6 x 64 x 1347 x 4736
    assert actlib.trial_flops([64, 64, 10], K=64, n_examples=1347) == 2_449_686_528


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"lr": 0.0}, ValueError, "lr=0.0 is out of range"),
        ({"lr": [0.1, -1.0]}, ValueError, "lr=-1.0 is out of range"),
        ({"lr": [0.1, float("nan")]}, ValueError, "lr"),
        (
            {"lr": [0.1, 0.2], "weight_decay": [0.0, 0.1, 0.2]},
            ValueError,
            "different lengths",
        ),
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
        (
            {"optimizer": "rmsprop"},
            ValueError,
            r"optimizer='rmsprop' is not supported; choose one of \['sgd', 'adam'\]",
        ),
        ({"optimizer": "adam", "momentum": 0.9}, ValueError, "momentum=0.9 applies"),
    ],
)
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


@pytest.mark.parametrize(
    "args, match",
    [
        ((0.0, 1.0, 3), "low=0.0"),
        ((1.0, 0.5, 3), "larger than"),
        ((1e-3, 1.0, 0), "n=0"),
        ((1e-3, float("inf"), 3), "not finite"),
    ],
)
def test_log_uniform_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        actlib.log_uniform(*args)


# ------------------------------------- continuing trials, successive halving, Hyperband


def assert_same_trials(a, b):
    for Wa, Wb in zip(a.weights + a.biases, b.weights + b.biases):
        torch.testing.assert_close(Wa, Wb, rtol=1e-4, atol=1e-5)
    for field in ("step_loss", "train_loss", "train_acc", "val_loss", "val_acc"):
        torch.testing.assert_close(
            getattr(a, field), getattr(b, field), rtol=1e-4, atol=1e-5, equal_nan=True
        )
    assert a.diverged.tolist() == b.diverged.tolist()
    assert a.epochs_done.tolist() == b.epochs_done.tolist() and a.steps == b.steps


@pytest.mark.parametrize(
    "optimizer, kwargs",
    [
        ("sgd", {"momentum": [0.0, 0.9, 0.5], "weight_decay": [0.0, 1e-3, 1e-2]}),
        ("adam", {"weight_decay": [0.0, 1e-3, 0.0]}),
    ],
)
def test_continued_trials_are_the_trials_trained_in_one_go(digits, optimizer, kwargs):
    # the optimiser's state, the step count and the shuffling all carry on
    X, y, X_val, y_val = digits
    lr = [0.05, 0.2, 0.01] if optimizer == "sgd" else [1e-3, 3e-3, 1e-2]
    common = dict(
        lr=lr, init_seed=[1, 2, 3], batch_size=40, seed=5, optimizer=optimizer,
        X_val=X_val, y_val=y_val, **kwargs,
    )  # fmt: skip
    once = actlib.fit_trials(SIZES, X, y, epochs=3, **common)
    start = actlib.fit_trials(SIZES, X, y, epochs=1, **common)
    more = actlib.continue_trials(start, X, y, epochs=2, X_val=X_val, y_val=y_val)
    assert_same_trials(more, once)
    assert len(start.train_loss) == 1, "the trials continued from are left as they were"


def test_a_schedule_runs_across_a_continuation(digits):
    X, y, _, _ = digits
    steps = 3 * math.ceil(len(X) / 64)
    factors = actlib.lr_schedule("cosine", steps, warmup=4)
    once = actlib.fit_trials(SIZES, X, y, lr=[0.1, 0.5], epochs=3, lr_factors=factors)
    start = actlib.fit_trials(SIZES, X, y, lr=[0.1, 0.5], epochs=1, lr_factors=factors)
    more = actlib.continue_trials(start, X, y, epochs=2, lr_factors=factors)
    assert_same_trials(more, once)
    # and a trial with a schedule is the trial trained alone by fit with it
    net, history = alone(digits, SIZES, "relu", "he_normal", 0, lr=0.5, epochs=3,
                         lr_factors=factors)  # fmt: skip
    got = once.history(1)
    torch.testing.assert_close(
        torch.tensor(got.step_loss), torch.tensor(history.step_loss), rtol=1e-4,
        atol=1e-5, check_dtype=False,
    )  # fmt: skip
    per_trial = torch.stack([factors, torch.ones(steps, dtype=torch.float64)], 1)
    mixed = actlib.fit_trials(SIZES, X, y, lr=0.5, init_seed=[0, 0], epochs=3,
                              lr_factors=per_trial)  # fmt: skip
    plain = actlib.fit_trials(SIZES, X, y, lr=0.5, epochs=3)
    torch.testing.assert_close(mixed.step_loss[:, 0], once.step_loss[:, 1])
    torch.testing.assert_close(mixed.step_loss[:, 1], plain.step_loss[:, 0])


def test_selected_trials_continue_as_if_never_separated(digits):
    X, y, X_val, y_val = digits
    lr, mu = [0.05, 0.2, 0.1, 0.3], [0.9, 0.0, 0.5, 0.9]
    common = dict(lr=lr, momentum=mu, init_seed=[4, 5, 6, 7], X_val=X_val, y_val=y_val)
    full = actlib.fit_trials(SIZES, X, y, epochs=2, **common)
    part = actlib.fit_trials(SIZES, X, y, epochs=1, **common).select([3, 0])
    more = actlib.continue_trials(part, X, y, epochs=1, X_val=X_val, y_val=y_val)
    assert_same_trials(more, full.select([3, 0]))
    assert more.lr.tolist() == [0.3, 0.05]
    mask = torch.tensor([False, True, False, True])
    assert full.select(mask).lr.tolist() == [0.2, 0.3]


def test_successive_halving_keeps_the_best_and_counts_its_cost(digits):
    X, y, X_val, y_val = digits
    lr = actlib.log_uniform(1e-3, 3.0, 9, generator=torch.Generator().manual_seed(0))
    seeds = list(range(9))
    halving = actlib.successive_halving(
        SIZES, X, y, X_val, y_val, lr=lr, init_seed=seeds, eta=3, rungs=3
    )
    assert halving.cost == 9 * 1 + 3 * 2 + 1 * 6
    assert [len(ids) for ids, _ in halving.rungs] == [9, 3, 1]
    assert [epochs for _, epochs in halving.rungs] == [1, 3, 9]
    # the oracle: every trial trained for 9 epochs; each rung's survivors are the best
    # by validation loss at that rung's epochs, among the previous rung's survivors
    full = actlib.fit_trials(SIZES, X, y, lr=lr, init_seed=seeds, epochs=9,
                             X_val=X_val, y_val=y_val)  # fmt: skip
    alive = list(range(9))
    for (ids, _), (_, epochs) in zip(halving.rungs[1:], halving.rungs[:-1]):
        loss = full.val_loss[epochs - 1].nan_to_num(float("inf"))
        alive = sorted(alive, key=lambda k: float(loss[k]))[: len(ids)]
        assert ids.tolist() == alive
    assert_same_trials(halving.trials, full.select(halving.ids))


def test_hyperband_brackets_are_those_of_the_paper():
    # Li et al. (2018), Table 1: R = 81, eta = 3
    assert actlib.hyperband_brackets(81, eta=3) == [
        (81, 1, 5), (34, 3, 4), (15, 9, 3), (8, 27, 2), (5, 81, 1),
    ]  # fmt: skip


def test_continue_and_halving_reject_bad_input(digits):
    X, y, X_val, y_val = digits
    trials = actlib.fit_trials(SIZES, X, y, lr=[0.1, 0.2], epochs=1)
    with pytest.raises(ValueError, match="exactly when"):
        actlib.continue_trials(trials, X, y, epochs=1, X_val=X_val, y_val=y_val)
    with pytest.raises(TypeError, match="trials must be a Trials"):
        actlib.continue_trials("trials", X, y, epochs=1)
    with pytest.raises(ValueError, match="epochs=0"):
        actlib.continue_trials(trials, X, y, epochs=0)
    with pytest.raises(ValueError, match="lr_factors has 2 steps"):
        actlib.continue_trials(trials, X, y, epochs=1, lr_factors=[1.0, 1.0])
    with pytest.raises(ValueError, match=r"shape \(steps,\) or \(steps, 2\)"):
        actlib.fit_trials(SIZES, X, y, lr=[0.1, 0.2], lr_factors=torch.ones(50, 3))
    with pytest.raises(ValueError, match="k=2 is out of range"):
        trials.select([0, 2])
    with pytest.raises(ValueError, match="empty"):
        trials.select([])
    with pytest.raises(ValueError, match="eta=1"):
        actlib.successive_halving(SIZES, X, y, X_val, y_val, lr=[0.1, 0.2], eta=1)
    with pytest.raises(TypeError, match="epochs is set"):
        actlib.successive_halving(SIZES, X, y, X_val, y_val, lr=[0.1], epochs=3)
