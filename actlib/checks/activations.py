"""The checks of chapter "Activation functions" (``chapters/activations.ipynb``).

Exercises: the sigmoid's derivative (implement), the gradient through a chain of
centred sigmoids (predict), the mean output of Leaky ReLU (predict), ELU's derivative
(implement), which silent units are dead for good (diagnose), the largest learning rate
at which no unit dies (design) and a stable log-sum-exp (implement).
"""

import math

import torch
import torch.nn.functional as F

from .core import DTYPE
from .registry import Exercise, Mistake

__all__ = [
    "check_sigmoid_grad",
    "check_chain_gain",
    "check_leaky_mean",
    "check_elu_grad",
    "check_dead_for_good",
    "check_largest_safe_lr",
    "check_logsumexp",
]


def _grid():
    """1,001 points on [-10, 10] (z = 0 among them) and the extremes ±20, ±100, ±1e4."""
    return [
        torch.linspace(-10, 10, 1001, dtype=DTYPE),
        torch.tensor([0.0, 20.0, -20.0, 100.0, -100.0, 1e4, -1e4], dtype=DTYPE),
    ]


def _autograd(f):
    """z -> f'(z) by torch's autograd, element by element (f acts element-wise)."""

    def grad(z, *params):
        z = z.detach().clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(z, *params).sum(), z)
        return g

    return grad


_SIGMOID_GRAD = Exercise(
    reference=_autograd(torch.sigmoid),
    inputs=_grid,
    mistakes=(
        Mistake(
            lambda z: z * (1 - z),
            "you applied a(1 − a) to z itself: first compute a = σ(z), then a * (1 - "
            "a).",
        ),
        Mistake(torch.sigmoid, "you returned σ(z), not its derivative σ(z)(1 − σ(z))."),
        Mistake(
            lambda z: torch.sigmoid(z) * (1 + torch.sigmoid(z)),
            "check the sign: σ'(z) = σ(z)(1 − σ(z)), with a minus.",
        ),
    ),
)


@_SIGMOID_GRAD.register
def check_sigmoid_grad(sigmoid_grad):
    """Exercise ``act-ex-sigmoid-grad`` (chapter "Activation functions").

    ``sigmoid_grad(z)`` must return σ'(z) = σ(z)(1 - σ(z)) element-wise; the oracle is
    torch's autograd of ``torch.sigmoid``.
    """
    _SIGMOID_GRAD.run(
        sigmoid_grad,
        name="sigmoid_grad",
        arg_names=["z"],
        against="torch's autograd",
        atol=1e-9,
        rtol=1e-6,
        note="z = 0 and |z| = 1e4 included",
        hint="σ'(z) = σ(z)(1 − σ(z)): compute a = torch.sigmoid(z) first, then "
        "a * (1 - a). Check yourself: σ'(0) = 0.25 and σ'(±10) ≈ 4.5e-5.",
    )


def _chain_inputs():
    return [(w, L) for w in (4.0, 1.0, 8.0, 2.0, -4.0, 0.5) for L in (1, 2, 5, 20)]


_CHAIN_GAIN = Exercise(
    reference=lambda w, L: (w / 4) ** L,
    inputs=_chain_inputs,
    mistakes=(
        Mistake(
            lambda w, L: 0.25**L,
            "that is the slopes alone: each layer also multiplies by its weight w, "
            "so the factor per layer is w · σ'(0) = w / 4.",
        ),
        Mistake(
            lambda w, L: float(w) ** L,
            "that is the weights alone: each layer also multiplies by the slope "
            "σ'(0) = 1/4.",
        ),
        Mistake(
            lambda w, L: w * 0.25**L,
            "the weight appears once per layer, like the slope: (w / 4) to the "
            "power L.",
        ),
    ),
)


@_CHAIN_GAIN.register
def check_chain_gain(chain_gain):
    r"""Exercise ``act-ex-chain-gain`` (chapter "Activation functions").

    ``chain_gain(w, L)`` must return the derivative of the output of L centred-sigmoid
    units in a chain, :math:`a_l = \sigma(w a_{l-1}) - 1/2`, with respect to the input
    :math:`a_0 = 0`: every pre-activation stays 0, so each layer multiplies by
    :math:`w\,\sigma'(0) = w / 4`, and the answer is :math:`(w/4)^L`.
    """
    _CHAIN_GAIN.run(
        chain_gain,
        name="chain_gain",
        arg_names=["w", "L"],
        against="the product of the Jacobians",
        atol=1e-12,
        rtol=1e-9,
        note="w = 4 (the weight that undoes the quarter) and w < 0 included",
        hint="at a_0 = 0 every z is 0, so every layer multiplies the gradient by its "
        "weight times its slope, w · σ'(0) = w / 4; L layers multiply L such factors.",
    )


def _leaky_inputs():
    return [(s, sigma) for s in (0.0, 0.01, 0.2, 0.5, 1.0) for sigma in (1.0, 2.0, 0.5)]


_SQRT_2PI = math.sqrt(2 * math.pi)

_LEAKY_MEAN = Exercise(
    reference=lambda s, sigma=1.0: (1 - s) * sigma / _SQRT_2PI,
    inputs=_leaky_inputs,
    mistakes=(
        Mistake(
            lambda s, sigma=1.0: sigma / _SQRT_2PI,
            "that is ReLU's mean, whatever s: the negative half adds s · E[z; z < 0] "
            "= −s σ / √(2π).",
        ),
        Mistake(
            lambda s, sigma=1.0: (1 + s) * sigma / _SQRT_2PI,
            "check the sign of the negative half: s z < 0 there, so it lowers the "
            "mean: (1 − s) σ / √(2π).",
        ),
        Mistake(
            lambda s, sigma=1.0: (1 - s) * sigma * math.sqrt(2 / math.pi),
            "σ √(2/π) is E[z | z > 0], the mean over the positive half only; weigh it "
            "by P(z > 0) = 1/2.",
        ),
        Mistake(
            lambda s, sigma=1.0: (1 - s) / _SQRT_2PI,
            "right for σ = 1 only: the mean of a positive part scales with σ.",
        ),
    ),
)


@_LEAKY_MEAN.register
def check_leaky_mean(leaky_mean):
    r"""Exercise ``act-ex-leaky-mean`` (chapter "Activation functions").

    ``leaky_mean(s, sigma)`` must return the mean output of Leaky ReLU with slope ``s``
    for inputs :math:`z \sim N(0, \sigma^2)`:
    :math:`E[\max(sz, z)] = (1 - s)\,\sigma / \sqrt{2\pi}`.
    """
    _LEAKY_MEAN.run(
        leaky_mean,
        name="leaky_mean",
        arg_names=["s", "sigma"],
        against="the closed form (1 − s) σ / √(2π)",
        atol=1e-9,
        rtol=1e-6,
        note="s = 0 (ReLU) and s = 1 (the identity, mean 0) included",
        hint="split the mean into the two halves: E[z; z > 0] = σ / √(2π) and "
        "E[s z; z < 0] = −s σ / √(2π).",
    )


def _elu_inputs():
    grids = _grid()
    return [(z, alpha) for alpha in (1.0, 0.5, 2.0) for z in grids]


_ELU_GRAD = Exercise(
    reference=_autograd(lambda z, alpha: F.elu(z, alpha=alpha)),
    inputs=_elu_inputs,
    mistakes=(
        Mistake(
            lambda z, alpha: F.elu(z, alpha=alpha),
            "you returned ELU(z) itself, not its derivative.",
        ),
        Mistake(
            lambda z, alpha: torch.where(z > 0, torch.ones_like(z), torch.exp(z)),
            "right for α = 1 only: the left piece is α·e^z; multiply by alpha.",
        ),
        Mistake(
            lambda z, alpha: (z > 0).to(z.dtype),
            "that is ReLU's derivative: for z ≤ 0 ELU's slope is α·e^z, never exactly "
            "0.",
        ),
        Mistake(
            lambda z, alpha: torch.where(
                z >= 0, torch.ones_like(z), alpha * torch.exp(z)
            ),
            "all right except at z = 0: use the left piece there (z ≤ 0 gives α), as "
            "torch does.",
        ),
    ),
)


@_ELU_GRAD.register
def check_elu_grad(elu_grad):
    """Exercise ``act-ex-elu-grad`` (chapter "Activation functions").

    ``elu_grad(z, alpha)`` must return ELU's derivative: 1 for z > 0 and α·e^z for z ≤ 0
    (at z = 0, torch's convention, the left piece: α). The oracle is torch's autograd of
    ``F.elu``.
    """
    _ELU_GRAD.run(
        elu_grad,
        name="elu_grad",
        arg_names=["z", "alpha"],
        against="torch's autograd of F.elu",
        atol=1e-9,
        rtol=1e-6,
        note="for alpha = 1, 0.5 and 2, z = 0 included",
        hint="ELU'(z) = 1 for z > 0 and α·e^z for z ≤ 0 (at z = 0 use the left piece, "
        "α, as torch does). torch.where(z > 0, 1.0, alpha * torch.exp(z)) is one line.",
    )


def _logsumexp_inputs():
    gen = torch.Generator().manual_seed(0)
    return [
        torch.tensor([1000.0, 0.0, -1000.0], dtype=DTYPE),  # exp(1000) overflows
        torch.tensor([-1000.0, -1000.0], dtype=DTYPE),  # exp(-1000) underflows to 0
        torch.tensor([[1000.0, 999.0], [-1000.0, -1001.0]], dtype=DTYPE),  # max per row
        3 * torch.randn(4, 10, generator=gen, dtype=DTYPE),  # ordinary logits
        torch.tensor([5.0], dtype=DTYPE),  # one entry: log(e^5) = 5
        torch.tensor([0.0, 0.0, 0.0, 0.0], dtype=DTYPE),  # log 4
    ]


_LOGSUMEXP = Exercise(
    reference=lambda z: torch.logsumexp(z, dim=-1),
    inputs=_logsumexp_inputs,
    mistakes=(
        Mistake(
            lambda z: torch.log(torch.exp(z).sum(-1)),
            "the naive formula log(Σ exp(z)) overflows (exp(1000) = inf) or underflows "
            "(log 0 = −inf): subtract the row's maximum m first and add it back: "
            "m + log Σ exp(z − m).",
        ),
        Mistake(
            lambda z: z.max() + torch.log(torch.exp(z - z.max()).sum(-1)),
            "use each row's own maximum (z.max(dim=-1, keepdim=True)), not the maximum "
            "of the whole tensor: a row far below the global maximum underflows to "
            "log 0.",
        ),
        Mistake(
            lambda z: torch.log(torch.exp(z - z.max(-1, keepdim=True).values).sum(-1)),
            "you subtracted the maximum m but did not add it back: return "
            "m + log Σ exp(z − m).",
        ),
    ),
)


@_LOGSUMEXP.register
def check_logsumexp(logsumexp):
    """Exercise ``act-ex-logsumexp`` (chapter "Activation functions").

    ``logsumexp(z)`` must return log Σ_i exp(z_i) over the last dimension, without
    overflow or underflow (subtract the row's maximum first); the oracle is
    ``torch.logsumexp(z, dim=-1)``.
    """
    _LOGSUMEXP.run(
        logsumexp,
        name="logsumexp",
        arg_names=["z"],
        against="torch.logsumexp",
        atol=1e-9,
        rtol=1e-9,
        note="z = [1000, 0, -1000] and z = [-1000, -1000] included",
        hint="take m = the maximum of each row (z.max(dim=-1, keepdim=True).values) "
        "and return m + log Σ exp(z − m), with the last dimension summed away. Every "
        "exp(z − m) is at most 1, so nothing overflows, and the largest is exactly 1, "
        "so the sum is never 0.",
    )


def _masks_inputs():
    gen = torch.Generator().manual_seed(0)

    def masks(*sizes, p=0.3):
        return [torch.rand(n, generator=gen) < p for n in sizes]

    none_silent = [torch.zeros(8, dtype=torch.bool), torch.zeros(8, dtype=torch.bool)]
    deep_only = [torch.zeros(6, dtype=torch.bool), torch.ones(4, dtype=torch.bool)]
    first_only = [torch.ones(5, dtype=torch.bool), torch.zeros(3, dtype=torch.bool)]
    # a whole layer silent in the middle: nothing below it moves, the next sees zeros
    blocked = masks(8, 4, 6, 5, p=0.5)
    blocked[1][:] = True
    return [
        (masks(64, 64),),
        (masks(16, 32, 8, p=0.5),),
        (none_silent,),
        (deep_only,),
        (first_only,),
        (masks(10, p=0.4),),
        (blocked,),
    ]


def _dead_for_good(masks):
    """Silent units whose inputs can never change under plain SGD.

    Those of the first hidden layer: their inputs are the data. And, when a whole
    layer is silent, no gradient passes it: the layers below it never move again, and
    the layer above it sees only zeros. Then every layer up to the one just above the
    deepest silent layer has fixed inputs, and its silent units are dead for good.
    """
    whole = [i for i, m in enumerate(masks) if bool(m.all())]
    fixed = max(whole, default=-1) + 1  # layers 0..fixed get inputs that never change
    return torch.cat(
        [m if i <= fixed else torch.zeros_like(m) for i, m in enumerate(masks)]
    )


_DEAD_FOR_GOOD = Exercise(
    reference=_dead_for_good,
    inputs=_masks_inputs,
    mistakes=(
        Mistake(
            lambda masks: torch.cat(list(masks)),
            "a silent unit of a deeper layer is not always dead for good: its inputs "
            "are the outputs of the layers below, which keep learning while a gradient "
            "reaches them, so its z can rise above 0 again.",
        ),
        Mistake(
            lambda masks: torch.zeros(sum(len(m) for m in masks), dtype=torch.bool),
            "a silent unit of the first layer cannot come back under plain SGD: its "
            "inputs are the fixed training data, and its gradient is exactly 0, so "
            "its weights never move.",
        ),
        Mistake(
            lambda masks: torch.cat(
                [torch.zeros_like(m) for m in masks[:-1]] + [masks[-1]]
            ),
            "the other way round: the first layer sees the fixed data; the last hidden "
            "layer sees inputs that move.",
        ),
        Mistake(
            lambda masks: torch.cat(
                [masks[0]] + [torch.zeros_like(m) for m in masks[1:]]
            ),
            "a layer whose units are all silent passes no gradient: the layers below "
            "it never move again, and the layer above it sees only zeros. Silent units "
            "up to the layer just above it are dead for good too.",
        ),
    ),
)


@_DEAD_FOR_GOOD.register
def check_dead_for_good(dead_for_good):
    """Exercise ``act-ex-dead-for-good`` (chapter "Activation functions").

    ``dead_for_good(masks)`` takes one boolean mask per hidden layer (first layer
    first), ``True`` where a ReLU unit is silent on every training example, and must
    return one mask of all units (the layers concatenated): ``True`` where plain SGD
    can never bring the unit back. Silent units of the first layer qualify, and, when a
    whole layer is silent, those of every layer up to the one just above it.
    """
    _DEAD_FOR_GOOD.run(
        dead_for_good,
        name="dead_for_good",
        arg_names=["masks"],
        against="the rule: silent, with inputs that can never change",
        atol=0,
        rtol=0,
        note="networks with one, two and three hidden layers",
        hint="which units see inputs that never change? Those of the first layer (the "
        "data), and, below and just above a layer that is silent as a whole, those of "
        "the layers that no gradient reaches or that see only zeros.",
    )


def _sweeps():
    lrs = torch.tensor([0.1, 0.3, 0.5, 1.0, 2.0], dtype=DTYPE)
    clean = torch.zeros(5, 3, dtype=DTYPE)
    one_seed = clean.clone()
    one_seed[3, 1] = 0.02  # lr = 1: one seed lost a unit
    one_seed[4] = torch.tensor([0.4, 0.8, 0.1])
    early = clean.clone()
    early[2:, 0] = 0.01  # from lr = 0.5 on, seed 0 loses units
    early[4] = torch.tensor([0.3, 0.0, 0.5])
    late = clean.clone()
    late[4, 2] = 0.05
    return [(lrs, one_seed), (lrs, early), (lrs, late), (lrs, clean)]


def _largest_safe(lrs, dead):
    """The largest learning rate whose row of dead fractions is 0 in every seed."""
    safe = (dead == 0).all(dim=1)  # (n_lr,)
    return lrs[safe].max()


_LARGEST_SAFE_LR = Exercise(
    reference=_largest_safe,
    inputs=_sweeps,
    mistakes=(
        Mistake(
            lambda lrs, dead: lrs[(dead == 0).any(dim=1)].max(),
            "one clean seed is not enough: no unit may die in any of the seeds "
            "(.all over the seeds, not .any).",
        ),
        Mistake(
            lambda lrs, dead: lrs[dead.mean(dim=1) < 0.05].max(),
            "a small average hides a seed that lost units: ask for exactly 0 in every "
            "seed.",
        ),
        Mistake(
            lambda lrs, dead: (dead == 0).all(dim=1).nonzero().max(),
            "that is the position of the learning rate in the grid: return the "
            "learning rate itself, lrs[...].",
        ),
    ),
)


@_LARGEST_SAFE_LR.register
def check_largest_safe_lr(largest_safe_lr):
    """Exercise ``act-ex-safe-lr`` (chapter "Activation functions").

    ``largest_safe_lr(lrs, dead)`` takes a grid of learning rates ``(n_lr,)`` and the
    fraction of dead units after training, ``(n_lr, n_seeds)``, and must return the
    largest learning rate at which no unit died in any seed.
    """
    _LARGEST_SAFE_LR.run(
        largest_safe_lr,
        name="largest_safe_lr",
        arg_names=["lrs", "dead"],
        against="the rows of the sweep",
        atol=0,
        rtol=0,
        note="sweeps where one seed alone loses a unit included",
        hint="a learning rate is safe when its row of `dead` is 0 in every seed: "
        "(dead == 0).all(dim=1); return the largest such entry of lrs.",
    )
