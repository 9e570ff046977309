r"""Hyperparameter search: log-uniform sampling, many small networks trained at once.

A search trains the same network many times with different hyperparameters. Trained
one after another, each small network leaves the machine mostly idle: every step is a
few tiny matrix products and a lot of Python. ``fit_trials`` trains :math:`K`
multi-layer perceptrons of one architecture at once.

**Stacked parameters.** Layer :math:`l`'s weights of the K trials are one tensor of
shape ``(K, d_out, d_in)``, its biases one of shape ``(K, d_out)``.

**One batched product per layer.** Every layer of every trial is computed by one batched
matrix product, one column per example:

.. math::

    Z_k = W_k A_k + b_k \mathbf 1^\top, \qquad k = 1, \dots, K
    \qquad\text{(one ``torch.baddbmm`` for all } k\text{)}

The first layer does better still: every trial sees the same mini-batch :math:`X`, so
the K first layers are one ordinary matrix product of the K weight matrices stacked,
``(K h, d_in)``, with :math:`X^\top`, the kind of large product a processor runs at
full speed.

**Autograd.** The loss is the sum of the trials' losses, :math:`L = \sum_k L_k`, each
the mean cross-entropy of trial :math:`k` over the batch, and one
``torch.autograd.grad`` call gives the gradient of every stacked parameter. Trial
:math:`k`'s parameters :math:`\theta_k` appear only in :math:`L_k`, so
:math:`\nabla_{\theta_k} L = \nabla_{\theta_k} L_k`: summing the losses does not mix
the trials, and slice :math:`k` of each gradient is trial :math:`k`'s own gradient.

**One step per trial.** Each trial takes its own SGD or Adam step with its own learning
rate, weight decay and momentum (tensors of shape ``(K,)``, broadcast over the stacked
parameters). A trial whose loss becomes non-finite is frozen; the others go on.

**Where the time goes.** With 64 trials of a 64-64-10 network on one CPU core, the
first layer's two products per step (forward and weight gradient) run near the
processor's matrix-product speed; the rest is memory traffic over the ``(K, h, N)``
activations (1 MB each), three small batched products for the last layer, and a
fixed Python cost per step. The evaluation after each epoch goes in chunks of 64
examples so that its activations stay in cache, and trials that share an
``init_seed`` share one freshly built network.

Taught in the chapter "Hyperparameter search".
"""

import math
from dataclasses import dataclass

import torch

from ._validate import check_choice, check_number
from .activations import activation_names, get_activation
from .init import INIT_SCHEMES
from .models import mlp
from .training import OPTIMIZERS, History, _check_data

__all__ = [
    "log_uniform",
    "Trials",
    "fit_trials",
    "continue_trials",
    "successive_halving",
    "Halving",
    "hyperband_brackets",
    "trial_flops",
]

# the activations without learned parameters (PReLU's slope would be shared by all
# trials, not trained per trial)
ELEMENTWISE = [name for name in activation_names() if name != "prelu"]
# torch.optim.Adam's defaults, the same for every trial
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8


def log_uniform(low, high, n, *, generator=None):
    r"""``n`` samples spread evenly over the decades between ``low`` and ``high``.

    .. math::

        x = 10^{u}, \qquad u \sim U(\log_{10}\text{low}, \log_{10}\text{high})

    so every decade (1e-4 to 1e-3, 1e-3 to 1e-2, ...) receives the same share of the
    samples, where ``uniform(low, high)`` would put about 90% of them in the top decade.

    Args:
        low, high: the range, ``0 < low < high``.
        n: number of samples, at least 1.
        generator: a ``torch.Generator``. Default: ``None`` (torch's global generator).

    Returns:
        float64 tensor of shape ``(n,)``.

    Example::

        >>> lr = log_uniform(1e-4, 1.0, 5, generator=torch.Generator().manual_seed(0))

    Taught in the chapter "Hyperparameter search".
    """
    low = check_number("low", low, low=0, low_open=True, finite=True)
    high = check_number("high", high, low=0, low_open=True, finite=True)
    if high <= low:
        raise ValueError(f"high={high!r} must be larger than low={low!r}")
    n = check_number("n", n, low=1, integer=True)
    u = torch.rand(n, generator=generator, dtype=torch.float64)  # (n,) in [0, 1)
    return 10 ** (math.log10(low) + u * (math.log10(high) - math.log10(low)))


def _per_trial(name, value, K, *, low, high=None, low_open=False):
    """A hyperparameter as a float64 tensor of shape (K,); one number is for all."""
    if isinstance(value, (int, float)):
        value = check_number(name, value, low=low, high=high, low_open=low_open)
        t = torch.full((K,), float(value), dtype=torch.float64)
    else:
        t = torch.as_tensor(value, dtype=torch.float64).flatten()
    if t.numel() == 1:
        t = t.expand(K).clone()
    if t.numel() != K:
        raise ValueError(
            f"{name} has {t.numel()} values; give one number or one per trial ({K})"
        )
    for v in t.tolist():
        check_number(name, v, low=low, high=high, low_open=low_open, finite=True)
    return t


def _trial_count(*values):
    sizes = {
        1 if isinstance(v, (int, float)) else torch.as_tensor(v).numel() for v in values
    }
    sizes.discard(1)
    if len(sizes) > 1:
        raise ValueError(
            f"the per-trial hyperparameters have different lengths {sorted(sizes)}"
        )
    return sizes.pop() if sizes else 1


@dataclass
class Trials:
    """What ``fit_trials`` measured, one column per trial.

    Attributes:
        sizes, activation: the architecture shared by all trials.
        weights, biases: the trained parameters, lists over layers of
            ``(K, d_out, d_in)`` and ``(K, d_out)`` tensors.
        lr, weight_decay, momentum: the hyperparameters, float64 ``(K,)`` on the CPU
            (``momentum`` is all zeros for Adam).
        step_loss: ``(steps, K)`` mini-batch losses (``nan`` after a trial diverged).
        train_loss, train_acc, val_loss, val_acc: ``(epochs, K)`` after each epoch
            (``nan`` once a trial diverged; the val tensors have 0 rows without
            validation data).
        diverged: ``(K,)`` bool, the trials whose loss became non-finite (frozen from
            then on).
        epochs_done: ``(K,)`` int, the epochs each trial completed (all of them unless
            it diverged).
        optimizer: ``"sgd"`` or ``"adam"``, shared by all trials.
        batch_size: the batch size of the steps, shared by all trials.
        steps: optimiser steps taken so far (by every trial still training).
        opt_state: the optimiser's state per parameter: SGD's velocity (``None``
            without momentum) or Adam's ``(m, v)`` pairs, stacked like the weights.
        generator_state: the state of the shuffling generator after the last epoch.

    The last four let ``continue_trials`` carry on exactly where training stopped;
    ``select(indices)`` keeps some trials (their columns) and drops the others.

    ``history(k)`` gives trial ``k`` as the ``History`` that ``actlib.fit`` would have
    returned, ``model(k)`` as an ordinary ``nn.Sequential``.

    Taught in the chapter "Hyperparameter search".
    """

    sizes: list
    activation: str
    weights: list
    biases: list
    lr: torch.Tensor
    weight_decay: torch.Tensor
    momentum: torch.Tensor
    step_loss: torch.Tensor
    train_loss: torch.Tensor
    train_acc: torch.Tensor
    val_loss: torch.Tensor
    val_acc: torch.Tensor
    diverged: torch.Tensor
    epochs_done: torch.Tensor
    optimizer: str = "sgd"
    batch_size: int = 64
    steps: int = 0
    opt_state: list | None = None
    generator_state: torch.Tensor | None = None

    def __len__(self):
        return len(self.lr)

    def _index(self, k):
        k = check_number("k", k, low=-len(self), high=len(self) - 1, integer=True)
        return k % len(self)

    def history(self, k):
        """Trial ``k`` as a ``History``, as ``actlib.fit`` records it (it stops where it
        diverged)."""
        k = self._index(k)
        steps = self.step_loss[:, k].tolist()
        if self.diverged[k]:
            bad = next(i for i, v in enumerate(steps) if not math.isfinite(v))
            steps = steps[: bad + 1]
        done = int(self.epochs_done[k])
        return History(
            step_loss=steps,
            train_loss=self.train_loss[:done, k].tolist(),
            train_acc=self.train_acc[:done, k].tolist(),
            val_loss=self.val_loss[:done, k].tolist(),
            val_acc=self.val_acc[:done, k].tolist(),
            diverged=bool(self.diverged[k]),
        )

    def select(self, indices):
        """The trials ``indices`` (a list of ints, a tensor of ints or a bool mask of
        length K) as a new ``Trials``, in that order, ready to be continued.

        Example::

            >>> best3 = trials.val_loss[-1].nan_to_num(float("inf")).argsort()[:3]
            >>> survivors = trials.select(best3)
        """
        idx = torch.as_tensor(indices)
        if idx.dtype == torch.bool:
            if idx.shape != (len(self),):
                raise ValueError(
                    f"a mask of trials needs {len(self)} entries, got {idx.numel()}"
                )
            idx = idx.nonzero().flatten()
        idx = idx.flatten().long()
        if idx.numel() == 0:
            raise ValueError("indices is empty: keep at least one trial")
        for k in idx.tolist():
            self._index(k)
        idx = idx % len(self)

        def cols(t):  # trial k is column k of a metric, entry k of the rest
            return t[:, idx] if t.dim() == 2 and t.shape[1] == len(self) else t[idx]

        state = self.opt_state
        if state is not None:
            state = [
                tuple(s[idx.to(s.device)] for s in pair)
                if isinstance(pair, tuple)
                else pair[idx.to(pair.device)]
                for pair in state
            ]
        on = idx.to(self.weights[0].device)
        return Trials(
            sizes=self.sizes,
            activation=self.activation,
            weights=[W[on] for W in self.weights],
            biases=[b[on] for b in self.biases],
            lr=self.lr[idx],
            weight_decay=self.weight_decay[idx],
            momentum=self.momentum[idx],
            step_loss=self.step_loss[:, idx],
            train_loss=self.train_loss[:, idx],
            train_acc=self.train_acc[:, idx],
            val_loss=self.val_loss[:, idx],
            val_acc=self.val_acc[:, idx],
            diverged=self.diverged[idx],
            epochs_done=self.epochs_done[idx],
            optimizer=self.optimizer,
            batch_size=self.batch_size,
            steps=self.steps,
            opt_state=state,
            generator_state=self.generator_state,
        )

    def model(self, k):
        """Trial ``k`` as an ordinary ``nn.Sequential`` built by ``actlib.mlp`` (on the
        trials' device)."""
        k = self._index(k)
        net = mlp(self.sizes, self.activation, init=None, generator=torch.Generator())
        linears = [m for m in net if isinstance(m, torch.nn.Linear)]
        with torch.no_grad():
            for layer, W, b in zip(linears, self.weights, self.biases):
                layer.weight.copy_(W[k])
                layer.bias.copy_(b[k])
        return net.to(self.weights[0].device)


def _forward(weights, biases, act, X):
    """Logits of all K networks for the inputs ``X`` (N, d_in) they share, one column
    per example: (K, C, N).

    The first layer is one matrix product of the K weight matrices stacked, (K h, d_in),
    with ``X^T``; every later layer is one ``torch.baddbmm``. One column per example
    (``Z = W A + b``) keeps every product on contiguous memory.
    """
    W, b = weights[0], biases[0]
    K, h, d_in = W.shape
    # (K h, d_in) x (d_in, N) -> (K h, N): the K first layers in one product
    z = torch.addmm(b.reshape(K * h, 1), W.reshape(K * h, d_in), X.T).view(K, h, -1)
    for W, b in zip(weights[1:], biases[1:]):
        # (K, d_out, d_in) x (K, d_in, N) -> (K, d_out, N)
        z = torch.baddbmm(b.unsqueeze(2), W, act(z))
    return z


def _cross_entropy(logits, y):
    """Each trial's mean cross-entropy, (K,), from logits of shape (K, C, N)."""
    # -log softmax(z)_y: one log_softmax over the classes (dimension 1) and the label's
    # entry; in fit_trials this was 8% faster than logsumexp(z) - z_y
    K, C, N = logits.shape
    log_p = torch.log_softmax(logits, 1)  # (K, C, N)
    return -log_p.gather(1, y.expand(K, 1, N)).squeeze(1).mean(1)  # (K,)


def _evaluate(weights, biases, act, X, y, chunk=64):
    """Each trial's mean cross-entropy and number of correct predictions on ``(X, y)``,
    (K,) each, in chunks of examples small enough to stay in the processor's cache.

    A chunk's hidden activations take ``K h chunk`` floats: 1 MB for 64 trials of 64
    units and the default chunk. Chunks of 256 examples (4 MB) made ``fit_trials`` 12%
    slower on a two-core CPU."""
    loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(X), chunk):
            Xc, yc = X[start : start + chunk], y[start : start + chunk]
            logits = _forward(weights, biases, act, Xc)  # (K, C, n)
            # max, like argmax, gives the first largest class; argmax over dimension 1
            # is six times slower on the CPU
            predicted = logits.max(1).indices  # (K, n)
            loss = loss + _cross_entropy(logits, yc) * len(Xc)
            correct = correct + (predicted == yc).sum(1)
    return loss / len(X), correct


def _sgd_step(params, grads, velocity, keep, lr, weight_decay, momentum):
    r"""One SGD step of every trial, as ``torch.optim.SGD`` takes it:
    :math:`v \leftarrow \mu v + g + \lambda\theta`, :math:`\theta \leftarrow \theta -
    \text{lr}\, v`. Hyperparameters are ``(K,)`` tensors; ``keep``, (K,) bool, marks the
    trials still training (``None``: all of them); ``velocity`` is ``None`` without
    momentum, ``weight_decay`` is ``None`` when no trial has any (``torch.optim`` skips
    the term then too)."""
    for i, (p, g) in enumerate(zip(params, grads)):
        view = (-1,) + (1,) * (p.dim() - 1)  # (K, 1, ...): one value per trial
        d = g
        if weight_decay is not None:
            d = g.addcmul_(weight_decay.view(view), p)  # g + lambda theta
        if velocity is not None:
            d = velocity[i].mul_(momentum.view(view)).add_(d)  # v = mu v + d
        if keep is None:  # every trial trains: one step in place
            p.addcmul_(lr.view(view), d, value=-1)
        else:  # frozen trials keep their parameters (their gradient may be nan)
            p.sub_(torch.where(keep.view(view), lr.view(view) * d, 0))


def _adam_step(params, grads, moments, t, keep, lr, weight_decay):
    r"""One Adam step of every trial, as ``torch.optim.Adam`` takes it (Kingma and Ba,
    2015), at step ``t`` (from 1):

    .. math::

        g \leftarrow g + \lambda\theta, \quad
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \quad
        \theta \leftarrow \theta - \frac{\text{lr}}{1 - \beta_1^t}\,
        \frac{m}{\sqrt{v / (1 - \beta_2^t)} + \epsilon}

    ``moments`` holds ``(m, v)`` of each parameter; ``keep`` and ``weight_decay`` as in
    :func:`_sgd_step`."""
    beta1, beta2 = ADAM_BETAS
    step_size = lr / (1 - beta1**t)  # (K,)
    root = math.sqrt(1 - beta2**t)
    for p, g, (m, v) in zip(params, grads, moments):
        view = (-1,) + (1,) * (p.dim() - 1)  # (K, 1, ...): one value per trial
        if weight_decay is not None:
            g = g.addcmul_(weight_decay.view(view), p)  # g + lambda theta
        m.lerp_(g, 1 - beta1)  # m + (1 - beta1) (g - m)
        v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        denom = (v.sqrt() / root).add_(ADAM_EPS)  # sqrt(v / (1 - beta2^t)) + eps
        step = (m / denom).mul_(step_size.view(view))
        if keep is not None:  # frozen trials stay as they are
            step = torch.where(keep.view(view), step, 0)
        p.sub_(step)


def fit_trials(
    sizes,
    X,
    y,
    *,
    lr=0.1,
    weight_decay=0.0,
    momentum=0.0,
    activation="relu",
    init="he_normal",
    init_seed=0,
    epochs=10,
    batch_size=64,
    X_val=None,
    y_val=None,
    seed=0,
    device=None,
    optimizer="sgd",
    lr_factors=None,
):
    r"""Train K MLPs of one architecture side by side, each with its hyperparameters.

    Trial :math:`k` is ``actlib.fit(mlp(sizes, activation, init, generator=...), X, y,
    lr=lr[k], weight_decay=weight_decay[k], momentum=momentum[k], optimizer=optimizer,
    seed=seed)`` (to float rounding) with its initial weights drawn from
    ``torch.Generator().manual_seed(init_seed[k])``: the same shuffling, the same
    cross-entropy (mean over the batch), the same SGD step

    .. math::

        v_k \leftarrow \mu_k v_k + \nabla L_k + \lambda_k \theta_k, \qquad
        \theta_k \leftarrow \theta_k - \text{lr}_k\, v_k,

    or the same ``torch.optim.Adam`` step (default betas and eps) with
    :math:`\text{lr}_k` and :math:`\lambda_k`. All K trials go at once: one batched
    matrix product per layer (``torch.baddbmm``), and for the first layer, whose input
    every trial shares, one ordinary matrix product of the stacked weights. Autograd
    differentiates :math:`L = \sum_k L_k`; trial :math:`k`'s parameters appear only in
    :math:`L_k`, so each receives its own gradient and the trials do not interact. A
    trial whose loss becomes non-finite is marked ``diverged`` and frozen as it was
    before that step; the others go on.

    Args:
        sizes: layer widths ``[d_in, h_1, ..., d_out]`` as for ``actlib.mlp``.
        X: inputs ``(N, d_in)``; y: int64 labels ``(N,)``.
        lr: learning rate(s) > 0: one number for all trials or one per trial.
            Default: 0.1.
        weight_decay: L2 penalty(ies) >= 0, one or one per trial. Default: 0.0.
        momentum: SGD momentum(s) in [0, 1), one or one per trial (``"sgd"`` only).
            Default: 0.0.
        activation: an element-wise activation of ``activation_names()``.
            Default: ``"relu"``.
        init: a scheme of ``INIT_SCHEMES``. Default: ``"he_normal"``.
        init_seed: seed of the initial weights: one int (every trial starts from the
            same network) or one per trial. Default: 0.
        epochs, batch_size, seed: as in ``actlib.fit`` (``seed`` shuffles; shared by all
            trials).
        X_val, y_val: validation data, both or neither. Default: ``None``.
        device: where to train. Default: ``X.device``.
        optimizer: ``"sgd"`` or ``"adam"``, for every trial. Default: ``"sgd"``.
        lr_factors: a schedule: the factor of the learning rate at each step, a
            tensor ``(steps,)`` for all trials or ``(steps, K)`` for each (see
            ``actlib.lr_schedule``); step :math:`t` uses :math:`\text{lr}_k f_t`.
            Default: ``None`` (a constant learning rate).

    Returns:
        a ``Trials`` (K is the length of the per-trial arguments).

    Example::

        >>> trials = fit_trials([64, 32, 10], X_train, y_train,
        ...                     lr=log_uniform(1e-3, 1, 16), epochs=3,
        ...                     X_val=X_val, y_val=y_val)
        >>> best = int(trials.val_acc[-1].nan_to_num(-1).argmax())
        >>> net = trials.model(best)          # an ordinary nn.Sequential

    Taught in the chapter "Hyperparameter search".
    """
    from .models import _check_sizes

    sizes = _check_sizes(sizes)
    check_choice("activation", activation, ELEMENTWISE)
    check_choice("init", init, INIT_SCHEMES)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    _check_data(X, y)
    if y.dtype != torch.int64:
        raise TypeError(f"y must hold int64 class labels, got {y.dtype}")
    if X.dim() != 2 or X.shape[1] != sizes[0]:
        raise ValueError(
            f"X must have shape (N, {sizes[0]}) for sizes={sizes}, got {tuple(X.shape)}"
        )
    if (X_val is None) != (y_val is None):
        raise ValueError("pass both X_val and y_val, or neither")
    if X_val is not None:
        _check_data(X_val, y_val, names=("X_val", "y_val"))
    K = _trial_count(lr, weight_decay, momentum, init_seed)
    lr_k = _per_trial("lr", lr, K, low=0, low_open=True)
    wd_k = _per_trial("weight_decay", weight_decay, K, low=0)
    mu_k = _per_trial("momentum", momentum, K, low=0, high=1)
    if (mu_k == 1).any():
        raise ValueError("momentum=1 is out of range; valid values lie in [0, 1)")
    if optimizer == "adam" and mu_k.any():
        raise ValueError(
            f"momentum={momentum!r} applies to optimizer='sgd' only (Adam has betas)"
        )
    seeds = list(init_seed) if hasattr(init_seed, "__len__") else [init_seed] * K
    seeds = [
        check_number("init_seed", s, low=0, high=2**63 - 1, integer=True) for s in seeds
    ]
    epochs = check_number("epochs", epochs, low=1, integer=True)
    batch_size = check_number("batch_size", batch_size, low=1, integer=True)
    seed = check_number("seed", seed, low=0, high=2**63 - 1, integer=True)
    device = X.device if device is None else torch.device(device)

    # Initial weights: trial k is the network actlib.mlp would build from its seed,
    # built once per distinct seed (building 64 networks took longer than a tenth of
    # training them for 3 epochs)
    nets = {
        s: mlp(sizes, activation, init, generator=torch.Generator().manual_seed(s))
        for s in set(seeds)
    }
    layers = [[m for m in nets[s] if isinstance(m, torch.nn.Linear)] for s in seeds]

    def stacked(name, i):  # layer i's weights or biases of the K trials
        return torch.stack([getattr(ls[i], name).detach() for ls in layers]).to(device)

    weights = [stacked("weight", i) for i in range(len(sizes) - 1)]  # (K, d_out, d_in)
    biases = [stacked("bias", i) for i in range(len(sizes) - 1)]  # (K, d_out)
    if optimizer == "adam":
        state = [(torch.zeros_like(p), torch.zeros_like(p)) for p in weights + biases]
    else:  # SGD without momentum needs no velocity
        state = [torch.zeros_like(p) for p in weights + biases] if mu_k.any() else None
    empty = torch.empty(0, K)
    start = Trials(
        sizes=sizes,
        activation=activation,
        weights=weights,
        biases=biases,
        lr=lr_k,
        weight_decay=wd_k,
        momentum=mu_k,
        step_loss=empty,
        train_loss=empty,
        train_acc=empty,
        val_loss=empty,
        val_acc=empty,
        diverged=torch.zeros(K, dtype=torch.bool),
        epochs_done=torch.zeros(K, dtype=torch.int64),
        optimizer=optimizer,
        batch_size=batch_size,
        opt_state=state,
        # the shuffling, on the CPU, as fit
        generator_state=torch.Generator().manual_seed(seed).get_state(),
    )
    return _train(start, X, y, X_val, y_val, epochs, device, lr_factors)


def continue_trials(
    trials, X, y, *, epochs, X_val=None, y_val=None, lr_factors=None, device=None
):
    r"""Train ``trials`` (a ``Trials``) for ``epochs`` more epochs, exactly where they
    stopped.

    The weights, the optimiser's state (velocity or Adam's moments and step count) and
    the shuffling generator carry on, so ``fit_trials(..., epochs=3)`` gives the same
    trials as ``continue_trials(fit_trials(..., epochs=1), ..., epochs=2)`` (to float
    rounding). Together with ``Trials.select`` this is what successive halving needs:
    train many trials briefly, keep the best, continue only those.

    Args:
        trials: what ``fit_trials`` (or ``continue_trials``, or ``select``) returned;
            it is not changed.
        X, y: the training data, as for ``fit_trials`` (the same data, for a
            continuation that means anything).
        epochs: more epochs, at least 1.
        X_val, y_val: validation data, given exactly when ``trials`` was trained with
            validation data.
        lr_factors: per-step factors of the learning rate as in ``fit_trials``,
            indexed by the step counted from the trials' first step. Default: none.
        device: where to train. Default: where the trials' weights are.

    Returns:
        a new ``Trials`` whose records hold the earlier epochs and the new ones.

    Example::

        >>> short = fit_trials([64, 32, 10], X, y, lr=lrs, epochs=1, X_val=Xv,
        ...                    y_val=yv)
        >>> best = short.val_loss[-1].nan_to_num(float("inf")).argsort()[:4]
        >>> longer = continue_trials(short.select(best), X, y, epochs=2,
        ...                          X_val=Xv, y_val=yv)

    Taught in the chapter "Hyperparameter search".
    """
    if not isinstance(trials, Trials):
        raise TypeError(f"trials must be a Trials, got {type(trials).__name__}")
    _check_data(X, y)
    if y.dtype != torch.int64:
        raise TypeError(f"y must hold int64 class labels, got {y.dtype}")
    if X.dim() != 2 or X.shape[1] != trials.sizes[0]:
        raise ValueError(
            f"X must have shape (N, {trials.sizes[0]}) for sizes={trials.sizes}, got "
            f"{tuple(X.shape)}"
        )
    if (X_val is None) != (y_val is None):
        raise ValueError("pass both X_val and y_val, or neither")
    if X_val is not None:
        _check_data(X_val, y_val, names=("X_val", "y_val"))
    had_val = len(trials.val_loss) > 0
    if len(trials.train_loss) > 0 and had_val != (X_val is not None):
        raise ValueError(
            "give X_val and y_val exactly when the trials were trained with "
            f"validation data (they were {'' if had_val else 'not'})"
        )
    if trials.generator_state is None:
        raise ValueError("these trials carry no training state to continue from")
    epochs = check_number("epochs", epochs, low=1, integer=True)
    device = trials.weights[0].device if device is None else torch.device(device)
    return _train(trials, X, y, X_val, y_val, epochs, device, lr_factors)


def _factors(lr_factors, K, first, steps, device):
    """The learning-rate factors of steps ``first`` to ``first + steps``, (steps, K)."""
    if lr_factors is None:
        return None
    f = torch.as_tensor(lr_factors, dtype=torch.float32)
    if f.dim() == 1:
        f = f.unsqueeze(1).expand(-1, K)
    if f.dim() != 2 or f.shape[1] != K:
        raise ValueError(
            f"lr_factors must have shape (steps,) or (steps, {K}), got "
            f"{tuple(torch.as_tensor(lr_factors).shape)}"
        )
    if len(f) < first + steps:
        raise ValueError(
            f"lr_factors has {len(f)} steps; training needs {first + steps}"
        )
    if not (torch.isfinite(f).all() and (f >= 0).all()):
        raise ValueError("lr_factors must be finite and >= 0")
    return f[first : first + steps].to(device)


def _train(trials, X, y, X_val, y_val, epochs, device, lr_factors):
    """``epochs`` more epochs of every trial of ``trials``; a new ``Trials``."""
    K = len(trials)
    params = [p.detach().clone().to(device).requires_grad_() for p in trials.weights]
    params += [p.detach().clone().to(device).requires_grad_() for p in trials.biases]
    weights, biases = params[: len(trials.weights)], params[len(trials.weights) :]
    state = trials.opt_state
    if state is not None:  # the step updates the state in place: work on a copy
        state = [
            tuple(s.clone().to(device) for s in pair)
            if isinstance(pair, tuple)
            else pair.clone().to(device)
            for pair in state
        ]
    lr_d, wd_d, mu_d = (
        t.to(device, torch.float32)
        for t in (trials.lr, trials.weight_decay, trials.momentum)
    )
    if not trials.weight_decay.any():  # no decay at all: the step skips the term
        wd_d = None
    act = get_activation(trials.activation).to(device)
    batch_size = trials.batch_size
    steps_per_epoch = math.ceil(len(X) / batch_size)
    factors = _factors(lr_factors, K, trials.steps, epochs * steps_per_epoch, device)

    X, y = X.to(device), y.to(device)
    if X_val is not None:
        X_val, y_val = X_val.to(device), y_val.to(device)
    generator = torch.Generator()
    generator.set_state(trials.generator_state)
    active = ~trials.diverged.to(device)
    done = trials.epochs_done.clone().to(device)
    step_loss = []
    metrics = {k: [] for k in ("train_loss", "train_acc", "val_loss", "val_acc")}
    nan = torch.tensor(float("nan"), device=device)
    t = trials.steps  # steps taken (by every trial still training)
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator).to(device)  # (N,)
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            logits = _forward(weights, biases, act, X[idx])  # (K, C, B)
            loss = _cross_entropy(logits, y[idx])  # (K,)
            # L = sum_k L_k: slice k of each gradient is trial k's own gradient
            grads = torch.autograd.grad(loss.sum(), params)
            loss = loss.detach()
            step_loss.append(torch.where(active, loss, nan))
            # a non-finite loss freezes its trial
            active = active & torch.isfinite(loss)
            lr_t = lr_d if factors is None else lr_d * factors[t - trials.steps]
            t += 1
            keep = None if bool(active.all()) else active
            with torch.no_grad():
                if trials.optimizer == "adam":
                    _adam_step(params, grads, state, t, keep, lr_t, wd_d)
                else:
                    _sgd_step(params, grads, state, keep, lr_t, wd_d, mu_d)
        done += active
        for split, (Xs, ys) in (("train", (X, y)), ("val", (X_val, y_val))):
            if Xs is None:
                continue
            loss, correct = _evaluate(weights, biases, act, Xs, ys)
            metrics[f"{split}_loss"].append(torch.where(active, loss, nan))
            metrics[f"{split}_acc"].append(torch.where(active, correct / len(ys), nan))

    def table(old, rows):  # the earlier records, then the new rows
        new = torch.stack(rows).float().cpu() if rows else torch.empty(0, K)
        return torch.cat([old, new])

    return Trials(
        sizes=trials.sizes,
        activation=trials.activation,
        weights=[W.detach() for W in weights],
        biases=[b.detach() for b in biases],
        lr=trials.lr,
        weight_decay=trials.weight_decay,
        momentum=trials.momentum,
        step_loss=table(trials.step_loss, step_loss),
        **{k: table(getattr(trials, k), v) for k, v in metrics.items()},
        diverged=~active.cpu(),
        epochs_done=done.cpu(),
        optimizer=trials.optimizer,
        batch_size=batch_size,
        steps=t,
        opt_state=state,
        generator_state=generator.get_state(),
    )


@dataclass
class Halving:
    """What ``successive_halving`` did.

    Attributes:
        trials: the trials that reached the last rung, trained for its epochs.
        ids: ``(K_last,)`` the indices of those trials among the ones it started.
        rungs: one ``(ids, epochs)`` pair per rung: the trials alive at that rung
            (indices among the ones it started) and the epochs they had by its end.
        cost: the trial-epochs spent, :math:`\\sum_i K_i (e_i - e_{i-1})`.
        first: the first rung's trials, every one trained for its epochs.
    """

    trials: Trials
    ids: torch.Tensor
    rungs: list
    cost: int
    first: Trials


def successive_halving(
    sizes,
    X,
    y,
    X_val,
    y_val,
    *,
    lr,
    min_epochs=1,
    eta=3,
    rungs=3,
    **kwargs,
):
    r"""Successive halving (Jamieson and Talwalkar, 2016) with ``fit_trials``.

    Start all :math:`K_0` trials for ``min_epochs`` epochs; at each rung keep the best
    :math:`1/\eta` of them by validation loss (diverged trials rank last) and continue
    the survivors until they have :math:`\eta` times as many epochs:

    .. math::

        K_{i+1} = \max(1, \lfloor K_i / \eta \rfloor), \qquad
        e_i = e_0\, \eta^{\,i}, \qquad
        \text{cost} = \sum_i K_i\, (e_i - e_{i-1}) \ \text{trial-epochs}

    The survivors are continued (``continue_trials``), never retrained from scratch.

    Args:
        sizes, X, y, X_val, y_val: as for ``fit_trials`` (validation data required).
        lr: the trials' learning rates (and in ``kwargs`` their ``weight_decay``,
            ``momentum``, ``init_seed``, ...): one per trial.
        min_epochs: :math:`e_0`, the epochs of the first rung. Default: 1.
        eta: the factor :math:`\eta \ge 2` between rungs. Default: 3.
        rungs: the number of rungs, at least 1. Default: 3.
        **kwargs: more arguments of ``fit_trials`` (not ``epochs``).

    Returns:
        a ``Halving``.

    Example::

        >>> halving = successive_halving([64, 64, 10], X, y, Xv, yv,
        ...                              lr=log_uniform(1e-3, 3, 27), eta=3)
        >>> halving.cost        # 27 x 1 + 9 x 2 + 3 x 6 trial-epochs
        63

    Taught in the chapter "Hyperparameter search".
    """
    if X_val is None or y_val is None:
        raise ValueError(
            "successive halving ranks trials on validation data: give both"
        )
    if "epochs" in kwargs:
        raise TypeError("epochs is set by min_epochs, eta and rungs, not directly")
    min_epochs = check_number("min_epochs", min_epochs, low=1, integer=True)
    eta = check_number("eta", eta, low=2, integer=True)
    rungs = check_number("rungs", rungs, low=1, integer=True)
    trials = fit_trials(
        sizes, X, y, lr=lr, epochs=min_epochs, X_val=X_val, y_val=y_val, **kwargs
    )
    first = trials
    ids = torch.arange(len(trials))
    record, cost, epochs = [(ids, min_epochs)], len(trials) * min_epochs, min_epochs
    for _ in range(rungs - 1):
        keep = max(1, len(trials) // eta)
        # diverged trials rank last
        best = trials.val_loss[-1].nan_to_num(float("inf")).argsort()[:keep]
        trials, ids = trials.select(best), ids[best]
        more = epochs * eta - epochs
        trials = continue_trials(trials, X, y, epochs=more, X_val=X_val, y_val=y_val)
        epochs, cost = epochs + more, cost + keep * more
        record.append((ids, epochs))
    return Halving(trials=trials, ids=ids, rungs=record, cost=cost, first=first)


def hyperband_brackets(max_epochs, eta=3):
    r"""The brackets of Hyperband (Li et al., 2018): ``(trials, min_epochs, rungs)``
    for each run of successive halving.

    Hyperband hedges the one choice successive halving leaves open, how many trials to
    start for a budget: many trials cut early, or few trials trained long. With
    :math:`s_\max = \lfloor \log_\eta R \rfloor` (:math:`R` = ``max_epochs``), bracket
    :math:`s = s_\max, \dots, 0` starts

    .. math::

        n_s = \left\lceil \frac{s_\max + 1}{s + 1}\, \eta^{s} \right\rceil
        \text{ trials of } r_s = R\, \eta^{-s} \text{ epochs, with } s + 1 \text{ rungs}

    so that every bracket spends about the same budget.

    Example::

        >>> hyperband_brackets(9, eta=3)
        [(9, 1, 3), (5, 3, 2), (3, 9, 1)]

    Taught in the chapter "Hyperparameter search".
    """
    max_epochs = check_number("max_epochs", max_epochs, low=1, integer=True)
    eta = check_number("eta", eta, low=2, integer=True)
    s_max = 0
    while eta ** (s_max + 1) <= max_epochs:  # floor(log_eta R), in integers
        s_max += 1
    return [
        (
            math.ceil((s_max + 1) / (s + 1) * eta**s),
            max(1, max_epochs // eta**s),
            s + 1,
        )
        for s in range(s_max, -1, -1)
    ]


def trial_flops(sizes, K, n_examples, epochs=1):
    r"""Floating-point operations in the matrix products of training K MLPs for
    ``epochs`` passes over ``n_examples``.

    .. math::

        \text{FLOPs} = 3 \times 2 K N \sum_l d_{l-1} d_l

    per epoch (:math:`N` = ``n_examples``). A product of ``(N, d_in)`` by
    ``(d_in, d_out)`` is :math:`N d_\text{in} d_\text{out}` multiply-adds, that is
    :math:`2 N d_\text{in} d_\text{out}` FLOPs (a multiply-add counts as two). Each
    layer takes three such products per training step: the forward pass, the gradient of
    its weights and the gradient of its input (the first layer's input gradient, which
    training does not need, is counted all the same). Biases, activations, the loss, the
    optimiser step and any evaluation are not counted: the matrix products dominate.

    Example::

        >>> trial_flops([64, 64, 10], K=64, n_examples=1347)   # 2.45e9
        2449686528

    Taught in the chapter "Hyperparameter search".
    """
    K = check_number("K", K, low=1, integer=True)
    n_examples = check_number("n_examples", n_examples, low=1, integer=True)
    epochs = check_number("epochs", epochs, low=1, integer=True)
    products = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))  # sum_l d_{l-1} d_l
    return 3 * 2 * K * n_examples * epochs * products
