r"""Training: one short, readable loop used by every chapter.

``fit`` is plain mini-batch gradient descent: it shuffles the data, cuts it into
batches and, for each batch, takes the step

.. math::

    \theta \leftarrow \theta - \text{lr}\cdot\nabla_\theta\, L(f_\theta(X_B), y_B)

with SGD (optionally with momentum and weight decay) or Adam. The loss is cross-entropy
for class labels (int64) and mean squared error for real-valued targets (float).
Everything it measures goes into a ``History`` that the chapters plot (``plot_history``)
and quote.

Taught in the chapters "Activation functions" (first use) and "Hyperparameter
optimisation" (learning rate, momentum, weight decay, reading loss curves).
"""

import math
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from ._validate import check_choice, check_number
from .book import static_site

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "History",
    "fit",
    "evaluate",
    "accuracy",
    "lr_schedule",
    "early_stopping",
]

OPTIMIZERS = ("sgd", "adam")
SCHEDULES = ("constant", "step", "cosine")


@dataclass
class History:
    """What ``fit`` measured.

    Attributes:
        step_loss: the mini-batch loss of every optimiser step (the last one is
            ``nan``/``inf`` when training diverged).
        train_loss, train_acc: loss and accuracy on the whole training set after each
            epoch.
        val_loss, val_acc: the same on the validation data (empty lists without
            validation data).
        diverged: ``True`` when a non-finite loss stopped training early.

    Example::

        >>> history = fit(net, X_train, y_train, epochs=3)
        >>> len(history.train_loss), history.diverged
        (3, False)

    Taught in the chapters "Activation functions" and "Hyperparameter optimisation".
    """

    step_loss: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    diverged: bool = False


def _check_data(X, y, names=("X", "y")):
    for name, t in zip(names, (X, y)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(
            f"{names[0]} and {names[1]} must hold the same positive number of "
            f"examples, got {len(X)} and {len(y)}"
        )
    if not (y.is_floating_point() or y.dtype == torch.int64):
        raise TypeError(
            f"{names[1]} must hold int64 class labels or float targets, got {y.dtype}"
        )


def _device_of(model):
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


def _loss(out, y):
    """Cross-entropy for class labels, mean squared error for float targets."""
    if y.is_floating_point():
        if out.shape != y.shape and out.numel() == y.numel():
            y = y.view_as(out)  # (N,) targets for an (N, 1) output
        return F.mse_loss(out, y)
    return F.cross_entropy(out, y)


def _correct(out, y):
    """Number of correct predictions; ``nan`` where accuracy means nothing.

    Accuracy means nothing for real-valued targets.
    """
    if not y.is_floating_point():
        return (out.argmax(dim=-1) == y).sum().item()
    if y.ndim == 2 and y.shape[1] > 1:  # one-hot (or probability) targets
        return (out.argmax(dim=-1) == y.argmax(dim=-1)).sum().item()
    return math.nan


def evaluate(model, X, y):
    """Loss and accuracy of ``model`` on ``(X, y)``, in eval mode, without gradients.

    The loss is cross-entropy for int64 labels and mean squared error for float targets,
    as in ``fit``. Accuracy is the fraction of examples whose largest output is the
    label (``nan`` for real-valued targets, where it means nothing). The model's
    train/eval mode is restored afterwards.

    Args:
        model: an ``nn.Module`` returning logits ``(N, C)`` (or predictions for float
            targets).
        X: inputs ``(N, ...)``; moved to the model's device.
        y: int64 labels ``(N,)`` or float targets.

    Returns:
        ``(loss, acc)`` as Python floats.

    Example::

        >>> loss, acc = evaluate(net, X_test, y_test)

    Taught in the chapter "Activation functions".
    """
    _check_data(X, y)
    device = _device_of(model)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            X, y = X.to(device), y.to(device)
            out = model(X)
            return _loss(out, y).item(), _correct(out, y) / len(y)
    finally:
        model.train(was_training)


def accuracy(model, X, y):
    """Fraction of examples whose largest output is the label.

    The same as ``evaluate(model, X, y)[1]``.

    Example::

        >>> accuracy(net, X_test, y_test)     # e.g. 0.96

    Taught in the chapter "Activation functions".
    """
    return evaluate(model, X, y)[1]


def fit(
    model,
    X,
    y,
    *,
    epochs=10,
    lr=0.1,
    batch_size=64,
    optimizer="sgd",
    momentum=0.0,
    weight_decay=0.0,
    X_val=None,
    y_val=None,
    seed=0,
    progress=None,
    device=None,
    lr_factors=None,
):
    r"""Train ``model`` on ``(X, y)`` with mini-batch SGD or Adam; return a ``History``.

    Each epoch shuffles the examples with a ``torch.Generator`` seeded by ``seed``, cuts
    them into batches of ``batch_size`` and takes one optimiser step per batch:

    .. math::

        v \leftarrow \mu v + \nabla_\theta L + \lambda\theta, \qquad
        \theta \leftarrow \theta - \text{lr}\, v

    (SGD with momentum :math:`\mu` and weight decay :math:`\lambda`; ``"adam"`` uses
    ``torch.optim.Adam``). After each epoch the loss and accuracy on the whole training
    set (and on ``X_val, y_val`` if given) are measured in eval mode. A non-finite loss
    (the learning rate is far too high) stops training: the loss is recorded in
    ``step_loss``, ``history.diverged`` is set and the model is left as it was before
    that step; nothing crashes.

    Args:
        model: an ``nn.Module``; moved to ``device`` and trained in place.
        X: training inputs ``(N, ...)``.
        y: int64 class labels ``(N,)`` (cross-entropy) or float targets (mean squared
            error).
        epochs: passes over the data, at least 1. Default: 10.
        lr: learning rate, > 0. Default: 0.1.
        batch_size: examples per step, at least 1. Default: 64.
        optimizer: ``"sgd"`` or ``"adam"``. Default: ``"sgd"``.
        momentum: SGD momentum in [0, 1) (``"sgd"`` only). Default: 0.0.
        weight_decay: L2 penalty :math:`\lambda \ge 0`. Default: 0.0.
        X_val, y_val: validation data, both or neither. Default: ``None``.
        seed: seed of the shuffling. Default: 0.
        progress: show a ``tqdm`` progress bar over epochs; ``None`` shows it. It is
            always hidden while the static site is built (``ACTLIB_STATIC_SITE=1``).
            Default: ``None``.
        device: where to train. Default: ``None``, the device the model's parameters are
            on (so ``model.to(DEVICE)`` once is enough); the data follow the model.
        lr_factors: a schedule: one factor of the learning rate per step (a sequence
            or tensor at least as long as the steps, e.g. ``lr_schedule(...)``); step
            :math:`t` uses :math:`\text{lr}\, f_t`. Default: ``None`` (constant).

    Returns:
        ``History`` with ``step_loss``, ``train_loss``, ``train_acc``, ``val_loss``,
        ``val_acc`` and ``diverged``.

    Example::

        >>> X_train, y_train, X_test, y_test = load_digits()
        >>> net = mlp([64, 32, 10], generator=torch.Generator().manual_seed(0))
        >>> history = fit(net, X_train, y_train, epochs=5, momentum=0.9,
        ...               X_val=X_test, y_val=y_test)
        >>> history.val_acc[-1] > 0.9
        True

    Taught in the chapters "Activation functions" and "Hyperparameter optimisation".
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    _check_data(X, y)
    if (X_val is None) != (y_val is None):
        raise ValueError("pass both X_val and y_val, or neither")
    if X_val is not None:
        _check_data(X_val, y_val, names=("X_val", "y_val"))
    epochs = check_number("epochs", epochs, low=1, integer=True)
    lr = check_number("lr", lr, low=0, low_open=True)
    batch_size = check_number("batch_size", batch_size, low=1, integer=True)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    momentum = check_number("momentum", momentum, low=0, high=1)
    if momentum == 1:
        raise ValueError("momentum=1 is out of range; valid values lie in [0, 1)")
    if optimizer == "adam" and momentum != 0:
        raise ValueError(
            f"momentum={momentum!r} applies to optimizer='sgd' only (Adam has betas)"
        )
    weight_decay = check_number("weight_decay", weight_decay, low=0)
    seed = check_number("seed", seed, low=0, high=2**63 - 1, integer=True)

    device = _device_of(model) if device is None else torch.device(device)
    model.to(device)
    X, y = X.to(device), y.to(device)
    if optimizer == "sgd":
        opt = torch.optim.SGD(
            model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay
        )
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps = epochs * math.ceil(len(X) / batch_size)
    if lr_factors is not None:
        lr_factors = torch.as_tensor(lr_factors, dtype=torch.float64).flatten()
        if len(lr_factors) < steps:
            raise ValueError(
                f"lr_factors has {len(lr_factors)} steps; training needs {steps}"
            )
        if not (torch.isfinite(lr_factors).all() and (lr_factors >= 0).all()):
            raise ValueError("lr_factors must be finite and >= 0")
        lr_factors = lr_factors.tolist()
    generator = torch.Generator().manual_seed(seed)  # the shuffling, on the CPU
    history = History()
    hidden = (progress is not None and not progress) or static_site()
    was_training = model.training
    bar = tqdm(range(epochs), desc="epochs", disable=hidden, leave=False)
    for _ in bar:
        model.train()
        order = torch.randperm(len(X), generator=generator).to(device)  # (N,)
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            loss = _loss(model(X[idx]), y[idx])
            history.step_loss.append(loss.item())
            if not math.isfinite(history.step_loss[-1]):
                history.diverged = True
                break
            opt.zero_grad()
            loss.backward()
            if lr_factors is not None:  # this step's learning rate
                for group in opt.param_groups:
                    group["lr"] = lr * lr_factors[len(history.step_loss) - 1]
            opt.step()
        if history.diverged:
            break
        for split, (Xs, ys) in (("train", (X, y)), ("val", (X_val, y_val))):
            if Xs is not None:
                loss, acc = evaluate(model, Xs, ys)
                getattr(history, f"{split}_loss").append(loss)
                getattr(history, f"{split}_acc").append(acc)
        bar.set_postfix(loss=f"{history.train_loss[-1]:.3g}")
    bar.close()
    model.train(was_training)
    return history


def lr_schedule(kind, steps, *, warmup=0, step_size=None, gamma=0.1, final=0.0):
    r"""The factor of the learning rate at each of ``steps`` steps: a schedule.

    Step :math:`t = 0, 1, \dots` trains with :math:`\text{lr}\cdot f_t`. After a
    linear **warm-up** over the first :math:`w` steps, the decay runs over the
    remaining :math:`T = \text{steps} - w`, with :math:`\tau = t - w`:

    .. math::

        f_t = \frac{t + 1}{w} \ (t < w), \qquad
        f_t = \begin{cases}
            1 & \text{constant} \\
            \gamma^{\lfloor \tau / s \rfloor} & \text{step (every } s
                \text{ steps)} \\
            f_T + (1 - f_T)\, \frac{1 + \cos(\pi \tau / T)}{2} & \text{cosine}
        \end{cases}

    These are ``torch.optim.lr_scheduler``'s ``LinearLR`` (warm-up, from
    ``start_factor=1/w``), ``StepLR`` and ``CosineAnnealingLR`` (``eta_min = f_T lr``),
    stepped once per optimiser step; cosine decay is Loshchilov and Hutter's (2017),
    warm-up Goyal et al.'s (2017).

    Args:
        kind: one of ``SCHEDULES``: ``"constant"``, ``"step"`` or ``"cosine"``.
        steps: the number of steps, at least 1.
        warmup: :math:`w`, steps of linear warm-up (``0 <= w < steps``). Default: 0.
        step_size: :math:`s`, steps between two decays of ``"step"`` (required
            there). Default: ``None``.
        gamma: :math:`\gamma`, the factor of each decay of ``"step"``. Default: 0.1.
        final: :math:`f_T`, the factor the cosine ends at. Default: 0.0.

    Returns:
        float64 tensor ``(steps,)``, for ``fit(..., lr_factors=...)`` and
        ``fit_trials(..., lr_factors=...)``.

    Example::

        >>> lr_schedule("cosine", 5)
        tensor([1.0000, 0.9045, 0.6545, 0.3455, 0.0955], dtype=torch.float64)

    Taught in the chapter "Hyperparameter search".
    """
    check_choice("kind", kind, SCHEDULES)
    steps = check_number("steps", steps, low=1, integer=True)
    warmup = check_number("warmup", warmup, low=0, high=steps - 1, integer=True)
    gamma = check_number("gamma", gamma, low=0, high=1, finite=True)
    final = check_number("final", final, low=0, high=1, finite=True)
    t = torch.arange(steps, dtype=torch.float64)
    tau, T = (t - warmup).clamp(min=0), steps - warmup
    if kind == "constant":
        f = torch.ones(steps, dtype=torch.float64)
    elif kind == "step":
        if step_size is None:
            raise ValueError("kind='step' needs step_size, the steps between decays")
        step_size = check_number("step_size", step_size, low=1, integer=True)
        f = gamma ** torch.div(tau, step_size, rounding_mode="floor")
    else:  # cosine from 1 down towards final over the T steps after warm-up
        f = final + (1 - final) * (1 + torch.cos(math.pi * tau / T)) / 2
    if warmup:
        f = torch.where(t < warmup, (t + 1) / warmup, f)
    return f


def early_stopping(val_loss, patience):
    r"""Where early stopping on validation would stop: ``(stop, best)``, in epochs.

    After each epoch the validation loss is compared with the best so far; training
    stops once ``patience`` epochs in a row have not improved on it, and the weights of
    the best epoch are kept:

    .. math::

        \text{best}(e) = \arg\min_{j \le e} L_\text{val}(j), \qquad
        \text{stop} = \min\{e : e - \text{best}(e) = \text{patience}\}

    (the "patience" rule; Prechelt, 1998, compares it with other stopping criteria).
    Training on after the stop cannot change the epochs before it, so where a run
    trained to the end would have stopped is read off its curve.

    Args:
        val_loss: the validation loss after each epoch (a sequence or 1-D tensor;
            ``nan`` counts as no improvement).
        patience: epochs without improvement before stopping, at least 1.

    Returns:
        ``(stop, best)``: the epoch after which training stops (the last one if it
        never does) and the epoch whose weights are kept, both counted from 1.

    Example::

        >>> early_stopping([1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.6], patience=3)
        (6, 3)

    Taught in the chapter "Hyperparameter search".
    """
    patience = check_number("patience", patience, low=1, integer=True)
    losses = torch.as_tensor(val_loss, dtype=torch.float64).flatten().tolist()
    if not losses:
        raise ValueError("val_loss is empty: give the loss of at least one epoch")
    best, best_loss = 1, losses[0] if math.isfinite(losses[0]) else math.inf
    for epoch, loss in enumerate(losses[1:], start=2):
        if loss < best_loss:  # nan compares False: no improvement
            best, best_loss = epoch, loss
        elif epoch - best >= patience:
            return epoch, best
    return len(losses), best
