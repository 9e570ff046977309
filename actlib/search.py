r"""Hyperparameter search: log-uniform sampling and many small networks trained side by side.

A search trains the same network many times with different hyperparameters. Trained one after
another, each small network leaves the machine mostly idle: every step is a few tiny matrix products
and a lot of Python. ``fit_trials`` trains :math:`K` multi-layer perceptrons of one architecture at
once. Their weights are stacked into tensors of shape ``(K, d_out, d_in)`` and every layer is one
batched matrix product,

.. math::

    Z_k = A_k W_k^\top + b_k, \qquad k = 1, \dots, K
    \qquad\text{(one ``torch.baddbmm`` for all } k\text{)}

The first layer does better still: every trial sees the same mini-batch, so the K first layers are
one ordinary matrix product of the batch with the K weight matrices stacked, the kind of large
product a processor runs at full speed. The loss is the sum over trials of each trial's mean
cross-entropy, so the gradient of trial :math:`k`'s weights is exactly its own gradient, and each
trial takes its own SGD step with its own learning rate, weight decay and momentum (tensors of shape
``(K,)``).

Taught in the chapter "Hyperparameter search".
"""
import math
from dataclasses import dataclass

import torch

from ._validate import check_choice, check_number
from .activations import activation_names, derivative, get_activation
from .init import INIT_SCHEMES
from .models import mlp
from .training import History, _check_data

__all__ = ["log_uniform", "Trials", "fit_trials", "trial_flops"]

# the activations without learned parameters (PReLU's slope would not be trained per trial)
ELEMENTWISE = [name for name in activation_names() if name != "prelu"]


def log_uniform(low, high, n, *, generator=None):
    r"""``n`` samples spread evenly over the decades between ``low`` and ``high``.

    .. math::

        x = 10^{u}, \qquad u \sim U(\log_{10}\text{low}, \log_{10}\text{high})

    so every decade (1e-4 to 1e-3, 1e-3 to 1e-2, ...) receives the same share of the samples, where
    ``uniform(low, high)`` would put about 90% of them in the top decade.

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
    """A hyperparameter as a float64 tensor of shape (K,): a number is shared by all trials."""
    t = torch.as_tensor(value, dtype=torch.float64).flatten() if not isinstance(value, (int, float)) \
        else torch.full((K,), float(check_number(name, value, low=low, high=high, low_open=low_open)),
                   dtype=torch.float64)
    if t.numel() == 1:
        t = t.expand(K).clone()
    if t.numel() != K:
        raise ValueError(f"{name} has {t.numel()} values; give one number or one per trial ({K})")
    for v in t.tolist():
        check_number(name, v, low=low, high=high, low_open=low_open, finite=True)
    return t


def _trial_count(*values):
    sizes = {1 if isinstance(v, (int, float)) else torch.as_tensor(v).numel() for v in values}
    sizes.discard(1)
    if len(sizes) > 1:
        raise ValueError(f"the per-trial hyperparameters have different lengths {sorted(sizes)}")
    return sizes.pop() if sizes else 1


@dataclass
class Trials:
    """What ``fit_trials`` measured, one column per trial.

    Attributes:
        sizes, activation: the architecture shared by all trials.
        weights, biases: the trained parameters, lists over layers of ``(K, d_out, d_in)`` and
            ``(K, d_out)`` tensors.
        lr, weight_decay, momentum: the hyperparameters, float64 ``(K,)`` on the CPU.
        step_loss: ``(steps, K)`` mini-batch losses (``nan`` after a trial diverged).
        train_loss, train_acc, val_loss, val_acc: ``(epochs, K)`` after each epoch (``nan`` once a
            trial diverged; the val tensors have 0 rows without validation data).
        diverged: ``(K,)`` bool, the trials whose loss became non-finite (frozen from then on).
        epochs_done: ``(K,)`` int, the epochs each trial completed (all of them unless it diverged).

    ``history(k)`` gives trial ``k`` as the ``History`` that ``actlib.fit`` would have returned,
    ``model(k)`` as an ordinary ``nn.Sequential``.

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

    def __len__(self):
        return len(self.lr)

    def _index(self, k):
        k = check_number("k", k, low=-len(self), high=len(self) - 1, integer=True)
        return k % len(self)

    def history(self, k):
        """Trial ``k`` as a ``History`` (as ``actlib.fit`` records it: it stops where it diverged)."""
        k = self._index(k)
        steps = self.step_loss[:, k].tolist()
        if self.diverged[k]:
            bad = next(i for i, v in enumerate(steps) if not math.isfinite(v))
            steps = steps[:bad + 1]
        done = int(self.epochs_done[k])
        return History(step_loss=steps, train_loss=self.train_loss[:done, k].tolist(),
                       train_acc=self.train_acc[:done, k].tolist(), val_loss=self.val_loss[:done, k].tolist(),
                       val_acc=self.val_acc[:done, k].tolist(), diverged=bool(self.diverged[k]))

    def model(self, k):
        """Trial ``k`` as an ordinary ``nn.Sequential`` built by ``actlib.mlp`` (on the trials' device)."""
        k = self._index(k)
        net = mlp(self.sizes, self.activation, init=None, generator=torch.Generator())
        linears = [m for m in net if isinstance(m, torch.nn.Linear)]
        with torch.no_grad():
            for layer, W, b in zip(linears, self.weights, self.biases):
                layer.weight.copy_(W[k])
                layer.bias.copy_(b[k])
        return net.to(self.weights[0].device)


def _forward(first, rest, act, X1, saved=None):
    """Logits of all K networks for the inputs they share, one column per example: (K, C, N).

    ``X1`` is the inputs with a column of ones appended, (N, d_in + 1), and ``first`` the K first
    layers' weights with their biases as an extra column, ``[W | b]`` of shape (K, h, d_in + 1), so
    that ``[W | b] [x; 1] = W x + b``. Every trial's first layer sees the same inputs: the K first
    layers are one ordinary matrix product of the stacked ``[W_k | b_k]`` with ``X1^T``, one large
    product instead of K small ones. ``rest`` holds ``(W, b)`` of each later layer, one
    ``torch.baddbmm`` each. Keeping one column per example (``Z^T = W A^T + b``) makes every product
    read and write contiguous memory. With a list ``saved``, each hidden layer appends its
    ``(z, a)``, both (K, h, N), for :func:`_backward`.
    """
    K, h, _ = first.shape
    z = (first.reshape(K * h, -1) @ X1.T).view(K, h, len(X1))  # (K h, d_in + 1) x (d_in + 1, N)
    for W, b in rest:
        a = act(z)
        if saved is not None:
            saved.append((z, a))
        z = torch.baddbmm(b.unsqueeze(2), W, a)  # (K, d_out, d_in) x (K, d_in, N) -> (K, d_out, N)
    return z


def _backward(first, rest, X1, saved, delta, activation):
    r"""Backpropagation through the K stacked networks, written out: the gradients of
    :math:`\sum_k L_k` with respect to ``first`` and each ``(W, b)`` of ``rest``, from ``delta`` =
    dL/dlogits, (K, C, N) like the logits:

    .. math::

        \frac{\partial L}{\partial W^{(l)}} = \delta^{(l)} a^{(l-1)\top}, \qquad
        \frac{\partial L}{\partial b^{(l)}} = \sum_n \delta^{(l)}_{:, n}, \qquad
        \delta^{(l-1)} = \big(W^{(l)\top} \delta^{(l)}\big) \odot g'\big(z^{(l-1)}\big)

    (one column per example). Autograd computes the same (the tests compare every trial with
    ``actlib.fit``); written out, the first layer's gradient (weights and biases together, through
    the column of ones) is again one large matrix product, and no graph is recorded.
    Returns ``[d first, dW, db, dW, db, ...]``.
    """
    grads = []
    for (W, b), (z_prev, a_prev) in zip(reversed(rest), reversed(saved)):
        grads += [delta.sum(2), torch.bmm(delta, a_prev.transpose(1, 2))]  # db, dW: (K, d_out, N) x (K, N, d_in)
        delta = torch.bmm(W.transpose(1, 2), delta)  # (K, d_in, d_out) x (K, d_out, N): W^T delta
        if activation == "relu":  # * g'(z) = [z > 0], fused: the kernel torch's autograd runs for ReLU
            delta = torch.ops.aten.threshold_backward(delta, z_prev, 0)
        else:  # * g'(z), the closed form of actlib.derivative
            delta = delta.mul_(derivative(activation, z_prev))
    K, h, _ = first.shape
    grads.append((delta.reshape(K * h, -1) @ X1).view(first.shape))  # (K h, N) x (N, d_in + 1)
    return grads[::-1]


def _losses(logits, y):
    """Each trial's mean cross-entropy, (K,), and its number of correct predictions, (K,), from
    logits of shape (K, C, N)."""
    # cross-entropy -log softmax(z)_y = logsumexp(z) - z_y, written out: on the CPU torch's
    # log_softmax over 10 classes is several times slower than these two reductions
    K, C, N = logits.shape
    picked = logits.gather(1, y.expand(K, 1, N)).squeeze(1)  # (K, N): the logit of the label
    loss = (logits.logsumexp(1) - picked).mean(1)  # (K,)
    predicted = logits.transpose(1, 2).contiguous().argmax(-1)  # (K, N); argmax over a strided dim is slow
    return loss, (predicted == y).sum(1)


def _evaluate(first, rest, act, X1, y, chunk=256):
    """Each trial's mean cross-entropy and number of correct predictions on ``(X1, y)``, (K,) each,
    computed in chunks of examples small enough to stay in the processor's cache."""
    loss, correct = 0.0, 0
    for start in range(0, len(X1), chunk):
        Xc, yc = X1[start:start + chunk], y[start:start + chunk]
        part_loss, part_correct = _losses(_forward(first, rest, act, Xc), yc)
        loss, correct = loss + part_loss * len(Xc), correct + part_correct
    return loss / len(X1), correct


def fit_trials(sizes, X, y, *, lr=0.1, weight_decay=0.0, momentum=0.0, activation="relu", init="he_normal",
               init_seed=0, epochs=10, batch_size=64, X_val=None, y_val=None, seed=0, device=None):
    r"""Train K MLPs of one architecture side by side, each with its own hyperparameters.

    Trial :math:`k` is ``actlib.fit(mlp(sizes, activation, init, generator=...), X, y, lr=lr[k],
    weight_decay=weight_decay[k], momentum=momentum[k], seed=seed)`` (to float rounding) with its
    initial weights drawn from ``torch.Generator().manual_seed(init_seed[k])``: the same shuffling,
    the same cross-entropy (mean over the batch), the same SGD step

    .. math::

        v_k \leftarrow \mu_k v_k + \nabla L_k + \lambda_k \theta_k, \qquad
        \theta_k \leftarrow \theta_k - \text{lr}_k\, v_k,

    but all K of them at once: one batched matrix product per layer (``torch.baddbmm``), and for
    the first layer, whose input every trial shares, one ordinary matrix product of the stacked
    weights. The gradient is that of :math:`\sum_k L_k`, back-propagated by hand (see
    ``_backward``); trial :math:`k`'s parameters appear only in :math:`L_k`, so each receives its
    own gradient and the trials do not interact. A trial whose loss becomes
    non-finite is marked ``diverged`` and frozen as it was before that step; the others go on.

    Args:
        sizes: layer widths ``[d_in, h_1, ..., d_out]`` as for ``actlib.mlp``.
        X: inputs ``(N, d_in)``; y: int64 labels ``(N,)``.
        lr: learning rate(s) > 0: one number for all trials or one per trial. Default: 0.1.
        weight_decay: L2 penalty(ies) >= 0, one or one per trial. Default: 0.0.
        momentum: SGD momentum(s) in [0, 1), one or one per trial. Default: 0.0.
        activation: an element-wise activation of ``activation_names()``. Default: ``"relu"``.
        init: a scheme of ``INIT_SCHEMES``. Default: ``"he_normal"``.
        init_seed: seed of the initial weights: one int (every trial starts from the same network)
            or one per trial. Default: 0.
        epochs, batch_size, seed: as in ``actlib.fit`` (``seed`` shuffles; shared by all trials).
        X_val, y_val: validation data, both or neither. Default: ``None``.
        device: where to train. Default: ``X.device``.

    Returns:
        a ``Trials`` (K is the length of the per-trial arguments).

    Example::

        >>> trials = fit_trials([64, 32, 10], X_train, y_train, lr=log_uniform(1e-3, 1, 16),
        ...                     epochs=3, X_val=X_val, y_val=y_val)
        >>> best = int(trials.val_acc[-1].nan_to_num(-1).argmax())
        >>> net = trials.model(best)          # an ordinary nn.Sequential

    Taught in the chapter "Hyperparameter search".
    """
    from .models import _check_sizes

    sizes = _check_sizes(sizes)
    check_choice("activation", activation, ELEMENTWISE)
    check_choice("init", init, INIT_SCHEMES)
    _check_data(X, y)
    if y.dtype != torch.int64:
        raise TypeError(f"y must hold int64 class labels, got {y.dtype}")
    if X.dim() != 2 or X.shape[1] != sizes[0]:
        raise ValueError(f"X must have shape (N, {sizes[0]}) for sizes={sizes}, got {tuple(X.shape)}")
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
    seeds = list(init_seed) if hasattr(init_seed, "__len__") else [init_seed] * K
    seeds = [check_number("init_seed", s, low=0, high=2**63 - 1, integer=True) for s in seeds]
    epochs = check_number("epochs", epochs, low=1, integer=True)
    batch_size = check_number("batch_size", batch_size, low=1, integer=True)
    seed = check_number("seed", seed, low=0, high=2**63 - 1, integer=True)
    device = X.device if device is None else torch.device(device)

    # Initial weights: trial k is the network actlib.mlp would build from its seed.
    nets = [mlp(sizes, activation, init, generator=torch.Generator().manual_seed(s)) for s in seeds]
    layers = [[m for m in net if isinstance(m, torch.nn.Linear)] for net in nets]
    weights = [torch.stack([ls[i].weight.detach() for ls in layers]).to(device)
               for i in range(len(sizes) - 1)]  # (K, d_out, d_in) per layer
    biases = [torch.stack([ls[i].bias.detach() for ls in layers]).to(device)
              for i in range(len(sizes) - 1)]  # (K, d_out)
    # The first layer's weights and biases side by side, [W | b] (K, h_1, d_in + 1): with a column of
    # ones appended to the inputs, one matrix product gives W x + b, and one gives both gradients.
    first = torch.cat([weights[0], biases[0].unsqueeze(-1)], -1)
    rest = list(zip(weights[1:], biases[1:]))
    params = [first] + [p for pair in rest for p in pair]
    velocity = [torch.zeros_like(p) for p in params]
    plain = not bool(mu_k.any())  # SGD without momentum needs no velocity
    shape = {p.dim(): (K,) + (1,) * (p.dim() - 1) for p in params}
    lr_d, wd_d, mu_d = (t.to(device, torch.float32) for t in (lr_k, wd_k, mu_k))
    act = get_activation(activation).to(device)

    def with_ones(X):  # (N, d_in) -> (N, d_in + 1)
        return torch.cat([X, X.new_ones(len(X), 1)], 1).to(device)

    X, y = with_ones(X), y.to(device)
    if X_val is not None:
        X_val, y_val = with_ones(X_val), y_val.to(device)
    generator = torch.Generator().manual_seed(seed)  # the shuffling, on the CPU, as in fit
    active = torch.ones(K, dtype=torch.bool, device=device)
    done = torch.zeros(K, dtype=torch.int64, device=device)
    step_loss, metrics = [], {k: [] for k in ("train_loss", "train_acc", "val_loss", "val_acc")}
    nan = torch.tensor(float("nan"), device=device)
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator).to(device)  # (N,)
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            saved = []
            logits = _forward(first, rest, act, X[idx], saved)  # (K, C, B)
            labels = y[idx].expand(K, 1, len(idx))  # (K, 1, B)
            m = logits.amax(1, keepdim=True)
            e = (logits - m).exp_()
            total = e.sum(1, keepdim=True)
            loss = (total.log() + m - logits.gather(1, labels)).mean((1, 2))  # (K,): mean cross-entropy
            step_loss.append(torch.where(active, loss, nan))
            active = active & torch.isfinite(loss)  # a non-finite loss freezes its trial
            delta = e.div_(total).scatter_add_(1, labels, torch.full(labels.shape, -1.0, dtype=e.dtype, device=device))  # softmax - onehot
            delta = torch.where(active.view(K, 1, 1), delta / len(idx), 0)  # dL_k/dlogits, (K, C, B)
            grads = _backward(first, rest, X[idx], saved, delta, activation)
            with torch.no_grad():
                everyone = bool(active.all())
                for p, v, g in zip(params, velocity, grads):
                    view = shape[p.dim()]
                    if everyone and plain:  # no momentum: v = g + wd p is the step itself
                        p.addcmul_(lr_d.view(view), g.addcmul_(wd_d.view(view), p), value=-1)
                    elif everyone:  # the common case, in place: v = mu v + (g + wd p); p = p - lr v
                        v.mul_(mu_d.view(view)).add_(g).addcmul_(wd_d.view(view), p)
                        p.addcmul_(lr_d.view(view), v, value=-1)
                    else:  # frozen trials keep their parameters (their gradient may be nan)
                        keep = active.view(view)
                        v.copy_(torch.where(keep, mu_d.view(view) * v + g + wd_d.view(view) * p, v))
                        p.copy_(torch.where(keep, p - lr_d.view(view) * v, p))
        done += active
        with torch.no_grad():
            for split, (Xs, ys) in (("train", (X, y)), ("val", (X_val, y_val))):
                if Xs is None:
                    continue
                loss, correct = _evaluate(first, rest, act, Xs, ys)
                metrics[f"{split}_loss"].append(torch.where(active, loss, nan))
                metrics[f"{split}_acc"].append(torch.where(active, correct / len(ys), nan))

    def table(rows):
        return torch.stack(rows).float().cpu() if rows else torch.empty(0, K)

    weights = [first[..., :-1].contiguous()] + [W for W, _ in rest]  # the trained weights
    biases = [first[..., -1].contiguous()] + [b for _, b in rest]
    return Trials(sizes=sizes, activation=activation, weights=weights, biases=biases, lr=lr_k, weight_decay=wd_k, momentum=mu_k,
                  step_loss=table(step_loss), **{k: table(v) for k, v in metrics.items()},
                  diverged=~active.cpu(), epochs_done=done.cpu())


def trial_flops(sizes, K, n_examples, epochs=1):
    r"""Floating-point operations of training K MLPs for ``epochs`` passes over ``n_examples``.

    .. math::

        \text{FLOPs} = 3 \times 2 K N \sum_l d_{l-1} d_l

    (a matrix product of ``(N, d_in)`` by ``(d_in, d_out)`` costs :math:`2 N d_\text{in} d_\text{out}`
    multiply-adds; the backward pass costs about twice the forward). Biases, activations and the
    optimiser step are ignored: the matrix products dominate.

    Example::

        >>> trial_flops([64, 64, 10], K=64, n_examples=1347)   # about 2.2e9

    Taught in the chapter "Hyperparameter search".
    """
    K = check_number("K", K, low=1, integer=True)
    n_examples = check_number("n_examples", n_examples, low=1, integer=True)
    epochs = check_number("epochs", epochs, low=1, integer=True)
    return 3 * 2 * K * n_examples * epochs * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
