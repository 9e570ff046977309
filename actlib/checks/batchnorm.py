"""The checks of chapter "Batch Normalisation" (``chapters/batchnorm.ipynb``).

Exercises: the training-mode forward pass, torch's running variance, the gamma and beta
that undo the normalisation, and folding evaluation-mode BatchNorm into the linear layer
before it.
"""

import torch
import torch.nn.functional as F

from .core import DTYPE
from .registry import Exercise, Mistake

__all__ = [
    "check_batch_norm_train",
    "check_running_var_update",
    "check_undo_batchnorm",
    "check_fold_batchnorm",
]


def _bn_cases(seed=0):
    """Batches ``(z, gamma, beta, eps)``, z of shape (N, C), N = 2 included."""
    gen = torch.Generator().manual_seed(seed)
    cases = []
    for n, c, scale, shift, eps in [
        (16, 4, 3.0, 2.0, 1e-5),
        (2, 3, 1.0, 0.0, 1e-5),
        (5, 1, 10.0, -7.0, 0.1),
        (64, 10, 0.01, 1.0, 1e-3),
        (7, 6, 1.0, 0.0, 1.0),
    ]:
        z = scale * torch.randn(n, c, generator=gen, dtype=DTYPE) + shift
        gamma = torch.rand(c, generator=gen, dtype=DTYPE) + 0.5
        beta = torch.randn(c, generator=gen, dtype=DTYPE)
        cases.append((z, gamma, beta, eps))
    return cases


def _normalise(z, var, eps, dim=0):
    return (z - z.mean(dim, keepdim=True)) / torch.sqrt(var + eps)


_BATCH_NORM_TRAIN = Exercise(
    reference=lambda z, gamma, beta, eps: F.batch_norm(
        z, None, None, gamma, beta, training=True, eps=eps
    ),
    inputs=_bn_cases,
    mistakes=(
        Mistake(
            lambda z, g, b, eps: g * _normalise(z, z.var(0, unbiased=True), eps) + b,
            "the normalisation uses the biased batch variance (divide by N): "
            "z.var(0, unbiased=False). The unbiased one (N - 1) is only for the "
            "running average.",
        ),
        Mistake(
            lambda z, g, b, eps: g * (z - z.mean(0)) / z.std(0, unbiased=False) + b,
            "add eps inside the square root: sqrt(var + eps), not sqrt(var).",
        ),
        Mistake(
            lambda z, g, b, eps: (
                g * (z - z.mean(0)) / (z.std(0, unbiased=False) + eps) + b
            ),
            "eps goes inside the square root: sqrt(var + eps), not sqrt(var) + eps.",
        ),
        Mistake(
            lambda z, g, b, eps: (
                g * _normalise(z, z.var(1, unbiased=False, keepdim=True), eps, dim=1)
                + b
            ),
            "normalise each feature over the batch (dim=0, down the columns), not each "
            "example over its features (dim=1): that is Layer Normalisation.",
        ),
        Mistake(
            lambda z, g, b, eps: _normalise(z, z.var(0, unbiased=False), eps),
            "you normalised but did not scale and shift: return gamma * z_hat + beta.",
        ),
    ),
)


@_BATCH_NORM_TRAIN.register
def check_batch_norm_train(batch_norm_train):
    """Exercise ``bn-ex-forward`` (chapter "Batch Normalisation").

    ``batch_norm_train(z, gamma, beta, eps)`` must return training-mode Batch
    Normalisation of an ``(N, C)`` batch: each column normalised by its mean and
    *biased* variance, then scaled by ``gamma`` and shifted by ``beta``; the oracle is
    ``torch.nn.functional.batch_norm``.
    """
    _BATCH_NORM_TRAIN.run(
        batch_norm_train,
        name="batch_norm_train",
        arg_names=["z", "gamma", "beta", "eps"],
        against="torch.nn.functional.batch_norm",
        atol=1e-8,
        rtol=1e-6,
        note="a batch of N = 2 and eps up to 1 included",
        hint="for each feature (column, dim=0): mu = z.mean(0), "
        "var = ((z - mu)**2).mean(0) (divide by N, not N - 1), "
        "z_hat = (z - mu) / sqrt(var + eps), return gamma * z_hat + beta.",
    )


def _running_var_update(running_var, z, momentum):
    """torch's running variance after one training batch, read off F.batch_norm."""
    new = running_var.clone()
    F.batch_norm(z, torch.zeros_like(new), new, training=True, momentum=momentum)
    return new


def _running_var_inputs():
    gen = torch.Generator().manual_seed(1)
    cases = []
    for n, c, momentum in [
        (16, 4, 0.1),
        (2, 3, 0.1),
        (5, 2, 0.5),
        (32, 6, 0.01),
        (3, 1, 0.9),
    ]:
        z = 2 * torch.randn(n, c, generator=gen, dtype=DTYPE) + 1
        cases.append((torch.rand(c, generator=gen, dtype=DTYPE) + 0.5, z, momentum))
    return cases


_RUNNING_VAR_UPDATE = Exercise(
    reference=_running_var_update,
    inputs=_running_var_inputs,
    mistakes=(
        Mistake(
            lambda rv, z, m: (1 - m) * rv + m * z.var(0, unbiased=False),
            "torch's running variance collects the unbiased batch variance (divide by "
            "N - 1), not the biased one used to normalise.",
        ),
        Mistake(
            lambda rv, z, m: m * rv + (1 - m) * z.var(0, unbiased=True),
            "momentum is the weight of the NEW batch: (1 - momentum) * running_var + "
            "momentum * var.",
        ),
        Mistake(
            lambda rv, z, m: z.var(0, unbiased=True),
            "keep the old value too: a running average mixes (1 - momentum) of the old "
            "running_var with momentum of the batch's variance.",
        ),
    ),
)


@_RUNNING_VAR_UPDATE.register
def check_running_var_update(running_var_update):
    """Exercise ``bn-ex-running-var`` (chapter "Batch Normalisation").

    ``running_var_update(running_var, z, momentum)`` must return torch's new running
    variance after one training batch ``z`` of shape ``(N, C)``:
    ``(1 - momentum) * running_var + momentum * z.var(0, unbiased=True)``.
    """
    _RUNNING_VAR_UPDATE.run(
        running_var_update,
        name="running_var_update",
        arg_names=["running_var", "z", "momentum"],
        against="torch.nn.functional.batch_norm",
        atol=1e-9,
        rtol=1e-7,
        note="batches of N = 2 and N = 3 included",
        hint="new = (1 - momentum) * running_var + momentum * var_unbiased, with "
        "var_unbiased = z.var(0, unbiased=True) (divide by N - 1).",
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


def _rows(gamma, beta):
    return torch.stack([gamma, beta])  # (2, C): row 0 gamma, row 1 beta


def _columns(W2, b2):
    return torch.cat([W2, b2.reshape(-1, 1)], dim=1)  # (d_out, d_in + 1): W2 | b2


_UNDO_BATCHNORM = Exercise(
    reference=lambda z, eps: (torch.sqrt(z.var(0, unbiased=False) + eps), z.mean(0)),
    inputs=lambda: [(z, eps) for z, _, _, eps in _bn_cases(seed=2)],
    mistakes=(
        Mistake(
            lambda z, eps: (torch.sqrt(z.var(0, unbiased=True) + eps), z.mean(0)),
            "the batch is normalised with its biased variance (divide by N), so gamma "
            "must use it too.",
        ),
        Mistake(
            lambda z, eps: (z.std(0, unbiased=False), z.mean(0)),
            "gamma must cancel sqrt(var + eps), eps included, not only the standard "
            "deviation.",
        ),
        Mistake(
            lambda z, eps: (z.mean(0), torch.sqrt(z.var(0, unbiased=False) + eps)),
            "gamma and beta are swapped: gamma (the scale) is sqrt(var + eps), beta "
            "(the shift) is the mean.",
        ),
        Mistake(
            lambda z, eps: (1 / torch.sqrt(z.var(0, unbiased=False) + eps), -z.mean(0)),
            "that normalises a second time; to undo it multiply by sqrt(var + eps) and "
            "add the mean.",
        ),
    ),
)


@_UNDO_BATCHNORM.register
def check_undo_batchnorm(undo_batchnorm):
    """Exercise ``bn-ex-undo`` (chapter "Batch Normalisation").

    ``undo_batchnorm(z, eps)`` must return ``(gamma, beta)`` that make training-mode
    Batch Normalisation the identity on the batch ``z``: ``gamma = sqrt(var + eps)``
    (biased variance), ``beta = mean``.
    """
    _UNDO_BATCHNORM.run(
        undo_batchnorm,
        adapt=_stacked("(gamma, beta)", _rows),
        name="undo_batchnorm",
        arg_names=["z", "eps"],
        against="the gamma and beta that make BatchNorm the identity (row 0: gamma, "
        "row 1: beta)",
        atol=1e-9,
        rtol=1e-7,
        hint="BN computes gamma * (z - mu) / sqrt(var + eps) + beta. Pick gamma to "
        "cancel the division and beta to add the mean back: gamma = sqrt(var + eps) "
        "with the biased variance, beta = mu.",
    )


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
