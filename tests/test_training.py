"""Tests for actlib.training: the loop learns, repeats under a seed, fails cleanly."""

import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from actlib.data import load_digits
from actlib.training import (
    History,
    accuracy,
    early_stopping,
    evaluate,
    fit,
    lr_schedule,
)


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def small_net(seed=0, d_in=64, d_out=10):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(d_in, 32), nn.ReLU(), nn.Linear(32, d_out))


def test_loss_goes_down_and_accuracy_high_on_digits(digits):
    net = small_net()
    h = fit(
        net,
        digits.X_train,
        digits.y_train,
        epochs=5,
        lr=0.1,
        momentum=0.9,
        X_val=digits.X_test,
        y_val=digits.y_test,
        progress=False,
    )
    assert isinstance(h, History) and not h.diverged
    assert (
        len(h.train_loss) == len(h.train_acc) == len(h.val_loss) == len(h.val_acc) == 5
    )
    assert len(h.step_loss) == 5 * math.ceil(1347 / 64)
    assert h.train_loss[-1] < h.train_loss[0] < h.step_loss[0]
    assert h.val_acc[-1] > 0.9
    assert accuracy(net, digits.X_test, digits.y_test) == h.val_acc[-1]


def test_history_records_whole_set_metrics(digits):
    net = small_net()
    h = fit(net, digits.X_train, digits.y_train, epochs=2, progress=False)
    assert h.val_loss == [] and h.val_acc == []
    loss, acc = evaluate(net, digits.X_train, digits.y_train)
    assert (loss, acc) == (h.train_loss[-1], h.train_acc[-1])
    with torch.no_grad():
        assert loss == pytest.approx(
            F.cross_entropy(net(digits.X_train), digits.y_train).item()
        )


def test_same_seed_same_history_other_seed_other_history(digits):
    runs = [
        fit(
            small_net(),
            digits.X_train,
            digits.y_train,
            epochs=2,
            seed=s,
            progress=False,
        )
        for s in (1, 1, 2)
    ]
    assert runs[0] == runs[1]
    assert runs[0].step_loss != runs[2].step_loss


@pytest.mark.parametrize(
    "optimizer, kwargs",
    [
        ("sgd", {"momentum": 0.9, "weight_decay": 1e-4}),
        ("adam", {"weight_decay": 1e-4}),
    ],
)
def test_optimizers_learn(digits, optimizer, kwargs):
    lr = 0.01 if optimizer == "adam" else 0.05
    h = fit(
        small_net(),
        digits.X_train,
        digits.y_train,
        epochs=3,
        lr=lr,
        optimizer=optimizer,
        progress=False,
        **kwargs,
    )
    assert h.train_acc[-1] > 0.9


def test_diverges_gracefully_at_huge_lr(digits):
    net = small_net()
    h = fit(net, digits.X_train, digits.y_train, epochs=20, lr=1e6, progress=False)
    assert h.diverged
    assert not math.isfinite(h.step_loss[-1])
    assert all(math.isfinite(v) for v in h.step_loss[:-1])
    assert len(h.train_loss) < 20


def test_mse_path_for_float_targets():
    torch.manual_seed(0)
    X = torch.linspace(-2, 2, 200).unsqueeze(1)  # (200, 1)
    # (200,): float targets, shape differs from the (200, 1) output
    y = 3 * X.squeeze(1) - 1
    net = nn.Linear(1, 1)
    h = fit(net, X, y, epochs=30, lr=0.05, batch_size=20, progress=False)
    assert h.train_loss[-1] < 1e-3 < h.train_loss[0]
    assert math.isnan(h.train_acc[-1])
    assert net.weight.item() == pytest.approx(3, abs=0.05)
    loss, _ = evaluate(net, X, y)
    with torch.no_grad():
        assert loss == pytest.approx(F.mse_loss(net(X).squeeze(1), y).item())


def test_one_hot_float_targets_get_an_accuracy(digits):
    y = F.one_hot(digits.y_train, 10).float()
    h = fit(small_net(), digits.X_train, y, epochs=3, lr=0.5, progress=False)
    assert h.train_acc[-1] > 0.8


def test_train_mode_restored_and_model_stays_on_its_device(digits):
    net = small_net().eval()
    fit(net, digits.X_train[:100], digits.y_train[:100], epochs=1, progress=False)
    assert not net.training
    evaluate(net.train(), digits.X_train, digits.y_train)
    assert net.training
    assert next(net.parameters()).device.type == "cpu"
    fit(
        net,
        digits.X_train[:100],
        digits.y_train[:100],
        epochs=1,
        device="cpu",
        progress=False,
    )


def test_progress_bar_hidden_in_static_site(digits, monkeypatch, capsys):
    monkeypatch.setenv("ACTLIB_STATIC_SITE", "1")
    fit(small_net(), digits.X_train[:64], digits.y_train[:64], epochs=2, progress=True)
    assert "epochs" not in capsys.readouterr().err
    monkeypatch.setenv("ACTLIB_STATIC_SITE", "0")
    fit(small_net(), digits.X_train[:64], digits.y_train[:64], epochs=2)
    assert "epochs" in capsys.readouterr().err
    fit(small_net(), digits.X_train[:64], digits.y_train[:64], epochs=2, progress=False)
    assert "epochs" not in capsys.readouterr().err


# ---- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"optimizer": "rmsprop"},
            ValueError,
            r"optimizer='rmsprop'.*\['sgd', 'adam'\]",
        ),
        ({"lr": 0}, ValueError, r"lr=0 is out of range"),
        ({"lr": -0.1}, ValueError, r"lr=-0.1"),
        ({"lr": "0.1"}, TypeError, "lr must be a number"),
        ({"epochs": 0}, ValueError, r"epochs=0"),
        ({"epochs": 1.5}, TypeError, "epochs must be an integer"),
        ({"batch_size": 0}, ValueError, r"batch_size=0"),
        ({"momentum": 1.0}, ValueError, r"momentum=1"),
        ({"momentum": -0.5}, ValueError, r"momentum=-0.5"),
        (
            {"optimizer": "adam", "momentum": 0.9},
            ValueError,
            r"momentum=0.9 applies to optimizer='sgd'",
        ),
        ({"weight_decay": -1e-3}, ValueError, r"weight_decay=-0.001"),
        ({"seed": -1}, ValueError, r"seed=-1"),
    ],
)
def test_fit_bad_arguments(digits, kwargs, error, match):
    with pytest.raises(error, match=match):
        fit(small_net(), digits.X_train, digits.y_train, progress=False, **kwargs)


def test_fit_bad_data(digits):
    X, y = digits.X_train, digits.y_train
    with pytest.raises(
        ValueError, match="same positive number of examples, got 1347 and 10"
    ):
        fit(small_net(), X, y[:10])
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        fit(small_net(), X.numpy(), y)
    with pytest.raises(
        TypeError,
        match="y must hold int64 class labels or float targets, got torch.int32",
    ):
        fit(small_net(), X, y.int())
    with pytest.raises(ValueError, match="both X_val and y_val"):
        fit(small_net(), X, y, X_val=X)
    with pytest.raises(ValueError, match="X_val and y_val"):
        fit(small_net(), X, y, X_val=X, y_val=y[:5])
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        fit(lambda x: x, X, y)


# ---------------------------------------------------------- schedules, early stopping


def _torch_factors(make, steps):
    """The factors a torch scheduler gives, stepped once per optimiser step."""
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = make(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return torch.tensor(out, dtype=torch.float64)


@pytest.mark.parametrize(
    "kwargs, make",
    [
        ({"kind": "constant"}, lambda o: torch.optim.lr_scheduler.ConstantLR(o, 1.0)),
        (
            {"kind": "step", "step_size": 7, "gamma": 0.5},
            lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5),
        ),
        (
            {"kind": "cosine", "final": 0.1},
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
                o, T_max=30, eta_min=0.1
            ),
        ),
    ],
)
def test_lr_schedule_is_torch_schedulers_factor(kwargs, make):
    got = lr_schedule(steps=30, **kwargs)
    torch.testing.assert_close(got, _torch_factors(make, 30))


def test_warm_up_then_cosine_is_linear_lr_then_cosine_annealing():
    w, steps = 5, 25
    warm = _torch_factors(
        lambda o: torch.optim.lr_scheduler.LinearLR(
            o, start_factor=1 / w, total_iters=w - 1
        ),
        w,
    )
    cosine = _torch_factors(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=steps - w),
        steps - w,
    )
    got = lr_schedule("cosine", steps, warmup=w)
    torch.testing.assert_close(got, torch.cat([warm, cosine]))


def test_fit_follows_lr_factors_as_torch_scheduler_would(digits):
    X, y, _, _ = digits
    X, y = X[:200], y[:200]
    steps = 3 * math.ceil(200 / 50)
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
    ref = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
    ref.load_state_dict(net.state_dict())
    fit(net, X, y, epochs=3, lr=0.3, momentum=0.9, batch_size=50, progress=False,
        lr_factors=lr_schedule("cosine", steps, warmup=2))  # fmt: skip
    # the oracle: torch.optim.SGD with LinearLR then CosineAnnealingLR, same shuffling
    opt = torch.optim.SGD(ref.parameters(), lr=0.3, momentum=0.9)
    sched = torch.optim.lr_scheduler.SequentialLR(
        opt,
        [
            torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=1),
            torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps - 2),
        ],
        milestones=[2],
    )
    gen = torch.Generator().manual_seed(0)
    for _ in range(3):
        order = torch.randperm(200, generator=gen)
        for start in range(0, 200, 50):
            idx = order[start : start + 50]
            opt.zero_grad()
            F.cross_entropy(ref(X[idx]), y[idx]).backward()
            opt.step()
            sched.step()
    for p, q in zip(net.parameters(), ref.parameters()):
        torch.testing.assert_close(p, q)


def test_fit_rejects_a_too_short_schedule(digits):
    X, y, _, _ = digits
    net = nn.Linear(64, 10)
    with pytest.raises(ValueError, match="lr_factors has 3 steps"):
        fit(net, X[:100], y[:100], epochs=1, batch_size=10, lr_factors=[1, 1, 1])


def _stop_by_counting(losses, patience):
    """The oracle: count epochs since the last improvement, one at a time."""
    best, since, best_epoch = float("inf"), 0, 1
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best, since, best_epoch = loss, 0, epoch
        else:
            since += 1
            if since == patience:
                return epoch, best_epoch
    return len(losses), best_epoch


def test_early_stopping_agrees_with_counting():
    gen = torch.Generator().manual_seed(0)
    for _ in range(200):
        n = int(torch.randint(1, 15, (1,), generator=gen))
        losses = torch.rand(n, generator=gen).tolist()
        for patience in (1, 2, 4):
            assert early_stopping(losses, patience) == _stop_by_counting(
                losses, patience
            )
    assert early_stopping([3.0, 2.0, 1.0], patience=1) == (3, 3)  # never stops
    assert early_stopping([1.0, float("nan"), 2.0], patience=2) == (3, 1)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: lr_schedule("linear", 5), "kind='linear' is not supported"),
        (lambda: lr_schedule("step", 5), "needs step_size"),
        (lambda: lr_schedule("cosine", 5, warmup=5), "warmup=5"),
        (lambda: lr_schedule("cosine", 0), "steps=0"),
        (lambda: early_stopping([], 2), "empty"),
        (lambda: early_stopping([1.0], 0), "patience=0"),
    ],
)
def test_schedule_and_stopping_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
