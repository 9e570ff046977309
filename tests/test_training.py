"""Tests for actlib.training: the loop learns, repeats under a seed, fails cleanly."""

import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from actlib.data import load_digits
from actlib.training import History, accuracy, evaluate, fit


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
