"""The checks of chapter "Activation functions" (``chapters/activations.ipynb``).

Exercises: the sigmoid's derivative, tanh from the sigmoid, ELU's derivative, how many
sigmoid layers shrink a gradient below ``eps``, the parameters of a Maxout layer, a
stable log-sum-exp, and, in the section "Dead ReLUs", the fraction of dead units.
"""

import math

import torch
import torch.nn.functional as F

from ..activations import Maxout
from .core import DTYPE
from .registry import Exercise, Mistake

__all__ = [
    "check_sigmoid_grad",
    "check_tanh_from_sigmoid",
    "check_elu_grad",
    "check_sigmoid_depth",
    "check_maxout_params",
    "check_logsumexp",
    "check_dead_fraction",
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


_TANH_FROM_SIGMOID = Exercise(
    reference=torch.tanh,
    inputs=_grid,
    mistakes=(
        Mistake(
            lambda z: 2 * torch.sigmoid(z) - 1,
            "2σ(z) − 1 is tanh(z/2): double the input too, 2σ(2z) − 1.",
        ),
        Mistake(
            lambda z: torch.sigmoid(2 * z),
            "σ(2z) lies in (0, 1); stretch it to (−1, 1): 2σ(2z) − 1.",
        ),
        Mistake(
            lambda z: -torch.tanh(z),
            "your function is −tanh(z): the leading minus sign (as in some lecture "
            "notes) is wrong; tanh(z) > 0 for z > 0.",
        ),
    ),
)


@_TANH_FROM_SIGMOID.register
def check_tanh_from_sigmoid(tanh_from_sigmoid):
    """Exercise ``act-ex-tanh-sigmoid`` (chapter "Activation functions").

    ``tanh_from_sigmoid(z)`` must return 2σ(2z) - 1, which equals tanh(z); the oracle is
    ``torch.tanh``.
    """
    _TANH_FROM_SIGMOID.run(
        tanh_from_sigmoid,
        name="tanh_from_sigmoid",
        arg_names=["z"],
        against="torch.tanh",
        atol=1e-9,
        rtol=1e-6,
        note="z = 0 and |z| = 1e4 included",
        hint="tanh(z) = 2σ(2z) − 1: double the input, apply torch.sigmoid, double the "
        "output, subtract 1.",
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


def _layers_below(eps):
    """The smallest number of layers L >= 1 with 0.25**L < eps.

    Exact: the powers of 1/4 are exact floats.
    """
    layers = 1
    while 0.25**layers >= eps:
        layers += 1
    return layers


_SIGMOID_DEPTH = Exercise(
    reference=_layers_below,
    inputs=lambda: [1e-6, 1e-3, 0.5, 0.25, 0.0625, 1e-12, 1.0],
    mistakes=(
        Mistake(
            lambda eps: math.ceil(math.log(eps) / math.log(0.25)),
            "ceil(log(eps) / log(0.25)) is one short when eps is an exact power of 1/4 "
            "(eps = 0.25 needs 2 layers: 0.25¹ is not strictly below 0.25).",
        ),
        Mistake(
            lambda eps: _layers_below(eps) - 1,
            "one layer short: 0.25**L must be strictly below eps.",
        ),
        Mistake(
            lambda eps: _layers_below(eps) + 1,
            "one layer too many: stop at the first L with 0.25**L < eps.",
        ),
    ),
)


@_SIGMOID_DEPTH.register
def check_sigmoid_depth(sigmoid_depth):
    """Exercise ``act-ex-sigmoid-depth`` (chapter "Activation functions").

    ``sigmoid_depth(eps)`` must return the smallest number of layers ``L >= 1`` for
    which the bound on the product of sigmoid derivatives, ``0.25**L``, is strictly
    below ``eps`` (0 < eps <= 1).
    """
    _SIGMOID_DEPTH.run(
        sigmoid_depth,
        name="sigmoid_depth",
        arg_names=["eps"],
        against="a direct count",
        atol=0,
        rtol=0,
        note="eps = 0.25 (exactly 0.25¹) included",
        hint="multiply by 0.25 one layer at a time until the product is strictly below "
        "eps (a while loop), or use math.log with care: at eps = 0.25 one layer gives "
        "exactly 0.25, which is not below it.",
    )


def _maxout_count(d_in, d_out, k):
    """The parameters of actlib.Maxout(d_in, d_out, k), biases included, counted."""
    return sum(p.numel() for p in Maxout(d_in, d_out, k=k).parameters())


_MAXOUT_PARAMS = Exercise(
    reference=_maxout_count,
    inputs=lambda: [
        (64, 32, 2),
        (2, 1, 2),
        (1, 1, 1),
        (10, 7, 3),
        (784, 100, 4),
        (64, 32, 1),
    ],
    mistakes=(
        Mistake(
            lambda d_in, d_out, k: k * d_in * d_out,
            "count the biases too: each of the k pieces has d_out of them.",
        ),
        Mistake(
            lambda d_in, d_out, k: d_in * d_out + d_out,
            "that is one linear layer: each of the k pieces has its own weights and "
            "biases.",
        ),
        Mistake(
            lambda d_in, d_out, k: k * d_in * d_out + d_out,
            "each of the k pieces has its own d_out biases, not one shared set.",
        ),
    ),
)


@_MAXOUT_PARAMS.register
def check_maxout_params(maxout_params):
    """Exercise ``act-ex-maxout-params`` (chapter "Activation functions").

    ``maxout_params(d_in, d_out, k)`` must return the number of learned parameters
    (weights and biases) of a Maxout layer with ``k`` pieces; the oracle counts the
    parameters of ``actlib.Maxout(d_in, d_out, k=k)``.
    """
    _MAXOUT_PARAMS.run(
        maxout_params,
        name="maxout_params",
        arg_names=["d_in", "d_out", "k"],
        against="the parameters of actlib.Maxout",
        atol=0,
        rtol=0,
        hint="a Maxout layer is k linear layers side by side: each has a (d_out, d_in) "
        "weight and d_out biases.",
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


def _dead_inputs():
    gen = torch.Generator().manual_seed(0)
    A = torch.relu(torch.randn(100, 8, generator=gen, dtype=DTYPE))
    A[:, [1, 5]] = 0.0  # two dead units: 0.25
    B = torch.relu(torch.randn(50, 20, generator=gen, dtype=DTYPE) - 1.5)  # few dead
    C = torch.zeros(10, 4, dtype=DTYPE)  # all dead: 1
    D = torch.relu(torch.randn(30, 6, generator=gen, dtype=DTYPE)) + 0.1  # none dead: 0
    return [A, B, C, D]


_DEAD_FRACTION = Exercise(
    reference=lambda A: (A == 0).all(dim=0).to(DTYPE).mean(),
    inputs=_dead_inputs,
    mistakes=(
        Mistake(
            lambda A: (A == 0).to(DTYPE).mean(),
            "that is the fraction of zero entries; a unit is dead only when its whole "
            "column is 0.",
        ),
        Mistake(
            lambda A: (A == 0).all(dim=1).to(DTYPE).mean(),
            "you looked at rows (examples); a unit is a column: use all(dim=0).",
        ),
        Mistake(
            lambda A: (A == 0).any(dim=0).to(DTYPE).mean(),
            "any() counts units that are 0 on at least one example (almost all ReLU "
            "units are); dead means 0 on every example: all().",
        ),
    ),
)


@_DEAD_FRACTION.register
def check_dead_fraction(dead_fraction):
    """Exercise ``act-ex-dead-fraction`` (section "Dead ReLUs", "Activation functions").

    ``dead_fraction(A)`` must return the fraction of units (columns of the
    ``(N, units)`` ReLU outputs ``A``) that are 0 on every example, as
    ``actlib.layer_stats`` reports under ``dead``.
    """
    _DEAD_FRACTION.run(
        dead_fraction,
        name="dead_fraction",
        arg_names=["A"],
        against="a direct count",
        atol=1e-6,
        rtol=0,
        note="no dead unit and all units dead included",
        hint="a unit is a column (dim=0 runs over the examples): (A == 0).all(dim=0), "
        "then the mean of that as floats.",
    )
