"""The checks of chapter "Batch Normalisation" (``chapters/batchnorm.ipynb``).

Exercises: a prediction of torch's running variance, folding evaluation-mode BatchNorm
into the linear layer before it, the backward pass, a prediction of how the weight
gradient scales, and two diagnoses (a bug named from its symptom, and from per-layer
statistics).
"""

import torch
import torch.nn.functional as F

from .core import DTYPE
from .registry import Exercise, Mistake

__all__ = [
    "check_running_var_after",
    "check_fold_batchnorm",
    "check_layer_norm_backward",
    "check_grad_ratio",
    "check_which_bug",
    "check_which_bug_stats",
]


def _running_var_after(batches, momentum):
    """torch's running variance after a training step on each batch, read off
    ``nn.BatchNorm1d`` (which starts it at 1; ``momentum=None``: the plain average)."""
    bn = torch.nn.BatchNorm1d(batches[0].shape[1], momentum=momentum, dtype=DTYPE)
    for z in batches:
        bn(z)
    return bn.running_var.detach().clone()


def _running_var_inputs():
    gen = torch.Generator().manual_seed(1)
    cases = []
    for n, c, count, momentum in [
        (4, 2, 3, None),
        (16, 3, 2, 0.1),
        (2, 3, 1, None),
        (8, 1, 5, 0.5),
        (5, 2, 4, None),
        (32, 4, 3, 0.01),
    ]:
        batches = [
            2 * torch.randn(n, c, generator=gen, dtype=DTYPE) + 1 for _ in range(count)
        ]
        cases.append((batches, momentum))
    return cases


def _iterate(batches, weight_of, unbiased=True):
    """The running average from torch's start at 1, with the new batch's weight
    ``weight_of(t)`` at batch t."""
    running_var = torch.ones(batches[0].shape[1], dtype=DTYPE)
    for t, z in enumerate(batches, start=1):
        w = weight_of(t)
        running_var = (1 - w) * running_var + w * z.var(0, unbiased=unbiased)
    return running_var


def _weight(momentum):
    return (lambda t: 1 / t) if momentum is None else (lambda t: momentum)


_RUNNING_VAR_AFTER = Exercise(
    reference=_running_var_after,
    inputs=_running_var_inputs,
    mistakes=(
        Mistake(
            lambda bs, m: _iterate(bs, _weight(m), unbiased=False),
            "torch's running variance collects the unbiased batch variance (divide by "
            "N - 1), not the biased one used to normalise.",
        ),
        Mistake(
            lambda bs, m: _iterate(bs, lambda t: 0.1 if m is None else 1 - m),
            "momentum is the weight of the NEW batch: (1 - momentum) * running_var + "
            "momentum * var; and momentum=None is not the default 0.1.",
        ),
        Mistake(
            lambda bs, m: _iterate(bs, lambda t: 1 / (t + 1) if m is None else m),
            "with momentum=None the first batch gets weight 1/1: it replaces the "
            "initial 1, and the result is the plain average of the batches' variances.",
        ),
        Mistake(
            lambda bs, m: bs[-1].var(0, unbiased=True),
            "keep the earlier batches too: a running average mixes the old "
            "running_var with each new batch's variance.",
        ),
    ),
)


@_RUNNING_VAR_AFTER.register
def check_running_var_after(running_var_after):
    """Exercise ``bn-ex-running-var`` (chapter "Batch Normalisation"), a prediction.

    ``running_var_after(batches, momentum)`` must predict torch's ``running_var``
    (which starts at 1) after one training step on each batch of the list
    ``batches`` (each ``(N, C)``): at batch t the new weight is ``momentum``, or
    ``1 / t`` when ``momentum`` is ``None``, applied to ``z.var(0, unbiased=True)``.
    """
    _RUNNING_VAR_AFTER.run(
        running_var_after,
        name="running_var_after",
        arg_names=["batches", "momentum"],
        against="torch.nn.BatchNorm1d's running_var",
        atol=1e-9,
        rtol=1e-7,
        note="momentum None, 0.01, 0.1 and 0.5; batches of N = 2 to 32",
        hint="start at torch.ones(C); for t, z in enumerate(batches, start=1): "
        "w = 1 / t if momentum is None else momentum; "
        "running_var = (1 - w) * running_var + w * z.var(0, unbiased=True).",
    )


def _stacked(what, join):
    """f returning a pair of tensors -> f returning ``join(first, second)``, one tensor.

    ``what`` names the pair in the message when f returns something else.
    """

    def adapt(f):
        def run(*args):
            out = f(*args)
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise TypeError(f"return two tensors {what}, got {type(out).__name__}")
            return join(*(torch.as_tensor(t, dtype=DTYPE) for t in out))

        return run

    return adapt


def _columns(W2, b2):
    return torch.cat([W2, b2.reshape(-1, 1)], dim=1)  # (d_out, d_in + 1): W2 | b2


def _fold(W, b, gamma, beta, running_mean, running_var, eps):
    s = gamma / torch.sqrt(running_var + eps)  # (d_out,)
    return s[:, None] * W, s * (b - running_mean) + beta


def _fold_inputs():
    gen = torch.Generator().manual_seed(3)

    def r(*shape):
        return torch.randn(*shape, generator=gen, dtype=DTYPE)

    cases = []
    for d_in, d_out, eps in [
        (4, 4, 0.1),
        (3, 3, 1e-5),
        (5, 3, 1e-5),
        (8, 2, 1.0),
        (1, 6, 1e-3),
    ]:
        W, b, gamma, beta, mean = (
            r(d_out, d_in),
            r(d_out),
            r(d_out).abs() + 0.5,
            r(d_out),
            r(d_out),
        )
        var = torch.rand(d_out, generator=gen, dtype=DTYPE) * 4 + 0.1
        cases.append((W, b, gamma, beta, mean, var, eps))
    return cases


def _scale(gamma, var, eps):
    return gamma / torch.sqrt(var + eps)


_FOLD_BATCHNORM = Exercise(
    reference=_fold,
    inputs=_fold_inputs,
    mistakes=(
        Mistake(
            lambda W, b, g, be, m, v, eps: (
                _scale(g, v, eps)[:, None] * W,
                be - _scale(g, v, eps) * m,
            ),
            "the old bias b goes through BN too: b2 = s * (b - running_mean) + beta.",
        ),
        Mistake(
            lambda W, b, g, be, m, v, eps: (
                _scale(g, v, 0)[:, None] * W,
                _scale(g, v, 0) * (b - m) + be,
            ),
            "divide by sqrt(running_var + eps), eps included.",
        ),
    ),
)


@_FOLD_BATCHNORM.register
def check_fold_batchnorm(fold_batchnorm):
    """Exercise ``bn-ex-fold`` (chapter "Batch Normalisation").

    ``fold_batchnorm(W, b, gamma, beta, running_mean, running_var, eps)`` must return
    ``(W2, b2)`` such that ``x @ W2.T + b2`` equals evaluation-mode BatchNorm of
    ``x @ W.T + b``: ``s = gamma / sqrt(running_var + eps)``, ``W2 = s[:, None] * W``,
    ``b2 = s * (b - running_mean) + beta``.
    """
    _FOLD_BATCHNORM.run(
        fold_batchnorm,
        adapt=_stacked("(W2, b2)", _columns),
        name="fold_batchnorm",
        arg_names=["W", "b", "gamma", "beta", "running_mean", "running_var", "eps"],
        against="evaluation-mode BatchNorm after the linear layer (columns: W2, then "
        "b2)",
        atol=1e-9,
        rtol=1e-7,
        hint="in evaluation mode BN is y = s * (z - running_mean) + beta with "
        "s = gamma / sqrt(running_var + eps). Put z = W x + b in: each ROW of W is "
        "scaled by s, and b2 = s * (b - running_mean) + beta.",
    )


def _backward_inputs():
    gen = torch.Generator().manual_seed(4)
    cases = []
    for n, c, eps in [(16, 4, 1e-5), (2, 3, 1e-5), (5, 2, 0.5), (32, 6, 1e-3)]:
        z = 3 * torch.randn(n, c, generator=gen, dtype=DTYPE) + 1
        gamma = torch.rand(c, generator=gen, dtype=DTYPE) + 0.5
        dy = torch.randn(n, c, generator=gen, dtype=DTYPE)
        cases.append((dy, z, gamma, eps))
    return cases


def _autograd_ln_backward(dy, z, gamma, eps):
    """(dz, dgamma, dbeta) of F.layer_norm over the C features, by autograd."""
    z, gamma = z.clone().requires_grad_(), gamma.clone().requires_grad_()
    beta = torch.zeros_like(gamma, requires_grad=True)
    y = F.layer_norm(z, z.shape[1:], gamma, beta, eps=eps)
    return torch.autograd.grad(y, (z, gamma, beta), dy)


def _ln_hat(z, eps, dim=1, unbiased=False):
    mu, var = z.mean(dim, keepdim=True), z.var(dim, unbiased=unbiased, keepdim=True)
    return (z - mu) / torch.sqrt(var + eps), 1 / torch.sqrt(var + eps)


def _ln_by_hand(
    dy, z, gamma, eps, gamma_first=True, unbiased=False, dim=1, through_stats=True
):
    """LayerNorm's backward pass written out; the flags make the usual slips."""
    C = z.shape[dim]
    z_hat, inv = _ln_hat(z, eps, dim, unbiased)
    g = dy * gamma if gamma_first else dy  # dL/dz_hat (gamma varies along dim 1)
    g_mean, g_along = 0, 0  # the paths through the mean and the variance
    if through_stats:
        g_mean = g.sum(dim, keepdim=True) / C
        g_along = z_hat * (g * z_hat).sum(dim, keepdim=True) / C
    dz = inv * (g - g_mean - g_along)
    if not gamma_first:
        dz = gamma * dz
    return dz, (dy * z_hat).sum(0), dy.sum(0)


def _stack_grads(dz, dgamma, dbeta):
    return torch.cat([dz, dgamma.reshape(1, -1), dbeta.reshape(1, -1)])  # (N + 2, C)


def _three(f):
    def run(*args):
        out = f(*args)
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            raise TypeError(
                f"return three tensors (dz, dgamma, dbeta), got {type(out).__name__}"
            )
        return _stack_grads(*(torch.as_tensor(t, dtype=DTYPE) for t in out))

    return run


_LAYER_NORM_BACKWARD = Exercise(
    reference=_autograd_ln_backward,
    inputs=_backward_inputs,
    mistakes=(
        Mistake(
            lambda dy, z, g, eps: _ln_by_hand(dy, z, g, eps, dim=0),
            "that is BatchNorm's backward pass, over the batch (dim 0); LayerNorm's "
            "mean and variance are over the features of each example (dim 1).",
        ),
        Mistake(
            lambda dy, z, g, eps: _ln_by_hand(dy, z, g, eps, gamma_first=False),
            "gamma varies along the features that LayerNorm averages over, so it "
            "cannot be factored out as in BN: multiply dy by gamma first (that is "
            "dL/dz_hat), then subtract its mean and its component along z_hat.",
        ),
        Mistake(
            lambda dy, z, g, eps: _ln_by_hand(dy, z, g, eps, through_stats=False),
            "dz treats the example's mean and variance as constants. Both depend on "
            "every feature of the example: subtract the mean of dL/dz_hat over the "
            "features and its component along z_hat.",
        ),
        Mistake(
            lambda dy, z, g, eps: _ln_by_hand(dy, z, g, eps, unbiased=True),
            "the forward pass normalises with the biased variance (divide by C); the "
            "backward pass must use the same one.",
        ),
        Mistake(
            lambda dy, z, g, eps: (
                _ln_by_hand(dy, z, g, eps)[0],
                (dy * z).sum(0),
                dy.sum(0),
            ),
            "dgamma is sum(dy * z_hat) over the examples, with the normalised z_hat, "
            "not the raw z.",
        ),
    ),
)


@_LAYER_NORM_BACKWARD.register
def check_layer_norm_backward(layer_norm_backward):
    """Exercise ``bn-ex-backward`` (chapter "Batch Normalisation").

    ``layer_norm_backward(dy, z, gamma, eps)`` must return ``(dz, dgamma, dbeta)`` of
    LayerNorm of an ``(N, C)`` batch (each example normalised over its C features,
    then scaled by ``gamma`` and shifted by ``beta``, both ``(C,)``), as autograd
    computes them through ``torch.nn.functional.layer_norm``.
    """
    _LAYER_NORM_BACKWARD.run(
        layer_norm_backward,
        adapt=_three,
        name="layer_norm_backward",
        arg_names=["dy", "z", "gamma", "eps"],
        against="autograd through torch.nn.functional.layer_norm (rows: dz, then "
        "dgamma, then dbeta)",
        atol=1e-8,
        rtol=1e-6,
        note="two features per example included",
        hint="with z_hat = (z - mu) / sqrt(var + eps) over dim 1 (biased var) and "
        "g = dy * gamma: dbeta = dy.sum(0), dgamma = (dy * z_hat).sum(0), dz = "
        "1 / (C sqrt(var + eps)) * (C g - g.sum(1) - z_hat * (g * z_hat).sum(1)).",
    )


_GRAD_RATIO = Exercise(
    reference=lambda c: 1 / c,
    inputs=lambda: [0.1, 0.5, 2.0, 10.0, 100.0],
    mistakes=(
        Mistake(
            lambda c: c,
            "the output of BN does not change with c, so a larger W cannot receive a "
            "larger gradient: differentiate L(cW) = L(W) with respect to W.",
        ),
        Mistake(
            lambda c: 1.0 + 0 * c,
            "the output does not change, but the gradient does: L(cW) = L(W) gives "
            "c * grad L(cW) = grad L(W).",
        ),
        Mistake(
            lambda c: 1 / c**2,
            "1/c^2 is how much slower the DIRECTION of W turns (the effective learning "
            "rate); the gradient itself scales as one power of c less.",
        ),
    ),
)


@_GRAD_RATIO.register
def check_grad_ratio(grad_ratio):
    """Exercise ``bn-ex-grad-scale`` (chapter "Batch Normalisation"), a prediction.

    ``grad_ratio(c)`` must predict ``|dL/dW|`` at ``cW`` over ``|dL/dW|`` at ``W`` for
    a linear layer followed by BN: ``1 / c``, within 1%.
    """
    _GRAD_RATIO.run(
        grad_ratio,
        name="grad_ratio",
        arg_names=["c"],
        against="the scale invariance of BN, 1/c",
        atol=0,
        rtol=0.01,
        note="c from 0.1 to 100",
        hint="BN(cWx) = BN(Wx), so L(cW) = L(W) for every c > 0. Differentiate both "
        "sides with respect to W.",
    )


#: The bugs of the diagnosis exercises, by number (the chapter lists them too).
BUGS = {
    1: "the model was left in training mode for evaluation",
    2: "a batch of one reached a BN layer in training mode",
    3: "the running statistics moved under torch.no_grad() in training mode",
    4: "the training batches are too small for BN",
    5: "the last, unnormalised layer was initialised far too large",
}


def _symptom(case):
    return {0: 1, 1: 2, 2: 3, 3: 4}[int(case)]


_WHICH_BUG = Exercise(
    reference=_symptom,
    inputs=lambda: [0, 1, 2, 3],
    mistakes=(
        Mistake(
            lambda case: {0: 4, 1: 2, 2: 3, 3: 1}[int(case)],
            "cases 0 and 3 are swapped. In case 0 a prediction depends on its "
            "companion: only training mode does that at evaluation time. Case 3 is "
            "about the batches used to train.",
        ),
        Mistake(
            lambda case: {0: 1, 1: 2, 2: 1, 3: 4}[int(case)],
            "case 2 is not a forgotten model.eval() at evaluation: the model IS in "
            "evaluation mode today. Something changed its buffers (not its weights) "
            "yesterday.",
        ),
        Mistake(
            lambda case: {0: 1, 1: 4, 2: 3, 3: 4}[int(case)],
            "case 1: 1,025 = 16 x 64 + 1. How many images are in the last batch?",
        ),
    ),
)


@_WHICH_BUG.register
def check_which_bug(which_bug):
    """Exercise ``bn-ex-symptoms`` (chapter "Batch Normalisation"), a diagnosis.

    ``which_bug(case)`` must name, for each symptom 0 to 3, the bug of :data:`BUGS`.
    """
    _WHICH_BUG.run(
        which_bug,
        name="which_bug",
        arg_names=["case"],
        against="the diagnoses",
        atol=0,
        rtol=0,
        hint="ask of each case: does a prediction depend on the rest of the batch "
        "(training mode)? Did the buffers move? How big was the batch?",
    )


def _stats(table):
    return {0: 5, 1: 3, 2: 1}[int(table)]


def _either_for_pairs(f):
    """Table 2 has two right answers, 1 and 4: count 4 as 1."""

    def run(table):
        answer = f(table)
        return 1 if int(table) == 2 and answer == 4 else answer

    return run


_WHICH_BUG_STATS = Exercise(
    reference=_stats,
    inputs=lambda: [0, 1, 2],
    mistakes=(
        Mistake(
            lambda table: {0: 4, 1: 3, 2: 1}[int(table)],
            "table 0: the hidden layers are fine (normalised, small gradients as "
            "BN(cWx) = BN(Wx) predicts for large weights). Look at the logits.",
        ),
        Mistake(
            lambda table: {0: 5, 1: 1, 2: 1}[int(table)],
            "table 1 is in evaluation mode already, and the batch's own statistics "
            "work: the running ones are wrong. What moves them?",
        ),
        Mistake(
            lambda table: {0: 5, 1: 3, 2: 2}[int(table)],
            "table 2: a batch of one cannot be normalised at all (torch raises). Which "
            "batch size turns every feature into +1 and -1?",
        ),
    ),
)


@_WHICH_BUG_STATS.register
def check_which_bug_stats(which_bug_stats):
    """Exercise ``bn-ex-stats`` (chapter "Batch Normalisation"), a diagnosis.

    ``which_bug_stats(table)`` must name, for each table 0 to 2, the bug of
    :data:`BUGS`; table 2 accepts 1 or 4 (a batch of two, at evaluation or in
    training).
    """
    _WHICH_BUG_STATS.run(
        which_bug_stats,
        adapt=_either_for_pairs,
        name="which_bug_stats",
        arg_names=["table"],
        against="the diagnoses",
        atol=0,
        rtol=0,
        hint="compare the hidden layers with the logits (table 0), the running with "
        "the batch statistics (table 1), and ask which batch size gives +-1 (table 2).",
    )
