"""The checks of chapter "Weight initialisation" (``chapters/initialisation.ipynb``).

Exercises: Glorot's (Xavier's) standard deviation, He's for a Leaky ReLU, the fans of a
convolution's weight, the standard deviation of ``nn.Linear``'s default weights (all
implement); the loss an all-zero network settles at and the per-layer gradients of a
linear network (predict); the odd layer out in per-layer statistics (diagnose); and the
scale of residual branches (design).
"""

import math

import torch

from ..init import fans, gain, init_std
from .registry import Exercise, Mistake

__all__ = [
    "check_xavier_std",
    "check_he_std",
    "check_conv_fans",
    "check_torch_default_std",
    "check_zero_init_loss",
    "check_grad_ratios",
    "check_odd_layer",
    "check_branch_scale",
]

_XAVIER_STD = Exercise(
    reference=lambda fan_in, fan_out: init_std("xavier_normal", fan_in, fan_out),
    inputs=lambda: [(100, 100), (64, 32), (1, 1), (500, 10), (3, 1000), (784, 256)],
    mistakes=(
        Mistake(
            lambda n, m: 2 / math.sqrt(n + m),
            "2 / sqrt(n + m) is the erratum of the lecture notes: the square root "
            "covers the 2 as well, sqrt(2 / (n + m)).",
        ),
        Mistake(
            lambda n, m: 2 / (n + m),
            "2 / (fan_in + fan_out) is the variance; return its square root.",
        ),
        Mistake(
            lambda n, m: math.sqrt(6 / (n + m)),
            "sqrt(6 / (n + m)) is the limit of Glorot *uniform*; its standard "
            "deviation is that divided by sqrt(3).",
        ),
        Mistake(
            lambda n, m: 1 / math.sqrt(n),
            "1 / sqrt(fan_in) is LeCun's (CS231n's) form: Glorot averages fan_in and "
            "fan_out, sqrt(2 / (fan_in + fan_out)).",
        ),
    ),
)


@_XAVIER_STD.register
def check_xavier_std(xavier_std):
    """Exercise ``init-ex-xavier-std`` (chapter "Weight initialisation").

    ``xavier_std(fan_in, fan_out)`` must return the Glorot normal standard deviation
    sqrt(2 / (fan_in + fan_out)); the oracle is
    ``actlib.init_std("xavier_normal", ...)``.
    """
    _XAVIER_STD.run(
        xavier_std,
        name="xavier_std",
        arg_names=["fan_in", "fan_out"],
        against='actlib.init_std("xavier_normal", fan_in, fan_out)',
        atol=1e-12,
        rtol=1e-9,
        hint="Glorot normal keeps Var[w] = 2 / (fan_in + fan_out), the harmonic "
        "compromise between 1/fan_in (forward) and 1/fan_out (backward); the standard "
        "deviation is its square root.",
    )


_HE_STD = Exercise(
    reference=lambda fan_in, negative_slope: init_std(
        "he_normal", fan_in, 1, negative_slope=negative_slope
    ),
    inputs=lambda: [(n, a) for n in (100, 64, 1, 500) for a in (0.0, 0.01, 0.2, 1.0)],
    mistakes=(
        Mistake(
            lambda n, a: math.sqrt(2 / n),
            "right for ReLU only (a = 0): divide the 2 by (1 + a²) for a Leaky ReLU.",
        ),
        Mistake(
            lambda n, a: 2 / ((1 + a**2) * n),
            "that is the variance; return its square root.",
        ),
        Mistake(
            lambda n, a: math.sqrt(2 / (1 + a) / n),
            "square the slope: the negative half keeps a² of the signal's second "
            "moment, so the gain is sqrt(2 / (1 + a²)).",
        ),
        Mistake(
            lambda n, a: math.sqrt(1 / n),
            "1 / sqrt(fan_in) forgets the factor 2 that makes up for the half of the "
            "signal that ReLU cuts.",
        ),
    ),
)


@_HE_STD.register
def check_he_std(he_std):
    """Exercise ``init-ex-he-std`` (chapter "Weight initialisation").

    ``he_std(fan_in, negative_slope)`` must return sqrt(2 / (1 + a^2)) / sqrt(fan_in);
    the oracle is ``actlib.init_std("he_normal", ...)`` (equal to
    ``torch.nn.init.kaiming_normal_``'s).
    """
    _HE_STD.run(
        he_std,
        name="he_std",
        arg_names=["fan_in", "negative_slope"],
        against='actlib.init_std("he_normal", ...)',
        atol=1e-12,
        rtol=1e-9,
        note="slopes 0, 0.01, 0.2 and 1 included",
        hint="a Leaky ReLU with slope a keeps (1 + a²)/2 of E[z²], so the weights need "
        "the variance 2 / ((1 + a²) fan_in): return sqrt(2 / (1 + a**2)) / "
        "sqrt(fan_in).",
    )


_CONV_FANS = Exercise(
    reference=lambda out_channels, in_channels, kh, kw: fans(
        torch.empty(out_channels, in_channels, kh, kw)
    ),
    inputs=lambda: [
        (16, 3, 5, 5),
        (64, 64, 3, 3),
        (1, 1, 1, 1),
        (8, 4, 3, 1),
        (10, 2, 1, 7),
    ],
    mistakes=(
        Mistake(
            lambda o, i, kh, kw: (i, o),
            "count the receptive field: each unit sees in_channels · kh · kw inputs, "
            "not just in_channels.",
        ),
        Mistake(
            lambda o, i, kh, kw: (o * kh * kw, i * kh * kw),
            "swapped: fan_in counts the *input* channels (the second dimension of the "
            "weight).",
        ),
        Mistake(
            lambda o, i, kh, kw: (i * kh * kw, o),
            "fan_out counts the receptive field too: out_channels · kh · kw.",
        ),
    ),
)


@_CONV_FANS.register
def check_conv_fans(conv_fans):
    """Exercise ``init-ex-conv-fans`` (chapter "Weight initialisation").

    ``conv_fans(out_channels, in_channels, kh, kw)`` must return ``(fan_in, fan_out)``
    of a ``nn.Conv2d`` weight of shape ``(out_channels, in_channels, kh, kw)``, as
    ``torch.nn.init`` computes them:
    ``(in_channels * kh * kw, out_channels * kh * kw)``.
    """
    _CONV_FANS.run(
        conv_fans,
        name="conv_fans",
        arg_names=["out_channels", "in_channels", "kh", "kw"],
        against="actlib.fans (torch's rule)",
        atol=0,
        rtol=0,
        hint="every output value of a convolution sums in_channels · kh · kw products: "
        "that is fan_in; each input value feeds out_channels · kh · kw of them: "
        "fan_out. Return (fan_in, fan_out).",
    )


def _torch_default_std(fan_in):
    """The standard deviation of nn.Linear's default weights, in torch's arithmetic."""
    limit = math.sqrt(3.0) * gain("leaky_relu", math.sqrt(5)) / math.sqrt(fan_in)
    return limit / math.sqrt(3.0)  # U(-l, l) has standard deviation l / sqrt(3)


_TORCH_DEFAULT_STD = Exercise(
    reference=_torch_default_std,
    inputs=lambda: [1, 3, 64, 100, 500, 4096],
    mistakes=(
        Mistake(
            lambda n: 1 / math.sqrt(n),
            "1/sqrt(fan_in) is the limit l of the uniform draw; its standard deviation "
            "is l / sqrt(3).",
        ),
        Mistake(
            lambda n: 1 / (3 * math.sqrt(n)),
            "divide by sqrt(3), not 3: U(-l, l) has variance l²/3.",
        ),
        Mistake(
            lambda n: math.sqrt(2 / n),
            "that is He's standard deviation; torch's default is three times smaller "
            "in variance than even LeCun's 1/fan_in.",
        ),
    ),
)


@_TORCH_DEFAULT_STD.register
def check_torch_default_std(torch_default_std):
    """Exercise ``init-ex-torch-default`` (chapter "Weight initialisation").

    ``torch_default_std(fan_in)`` must return the standard deviation of ``nn.Linear``'s
    default weights, ``kaiming_uniform_(a=sqrt(5))`` = U(-1/sqrt(fan_in),
    1/sqrt(fan_in)): 1 / sqrt(3 fan_in).
    """
    _TORCH_DEFAULT_STD.run(
        torch_default_std,
        name="torch_default_std",
        arg_names=["fan_in"],
        against="kaiming_uniform_(a=sqrt(5))'s limit / sqrt(3)",
        atol=1e-12,
        rtol=1e-9,
        hint="with a = sqrt(5) the gain is sqrt(2 / 6) = 1/sqrt(3), so the uniform "
        "limit is sqrt(3) · (1/sqrt(3)) / sqrt(fan_in) = 1/sqrt(fan_in); a uniform "
        "U(-l, l) has standard deviation l / sqrt(3).",
    )


def _prior_entropy(class_counts):
    """The entropy of the label frequencies, -sum p log p (natural log)."""
    p = class_counts / class_counts.sum()
    return -(p * p.log()).sum()


_ZERO_INIT_LOSS = Exercise(
    reference=_prior_entropy,
    inputs=lambda: [
        torch.full((10,), 135.0),
        torch.tensor([133.0, 137, 133, 137, 138, 137, 136, 134, 127, 135]),
        torch.tensor([1.0, 1.0]),
        torch.tensor([9.0, 1.0]),
        torch.tensor([50.0, 30.0, 20.0]),
        torch.tensor([100.0, 1.0, 1.0, 1.0]),
    ],
    mistakes=(
        Mistake(
            lambda c: torch.tensor(math.log(len(c))),
            "log K is the loss at step 0, when every class gets 1/K. The output bias "
            "still learns: it moves towards the log of each class's frequency.",
        ),
        Mistake(
            lambda c: torch.tensor(0.0),
            "with every weight at 0 the output cannot depend on the input, so the "
            "network cannot fit the labels: only the output bias learns.",
        ),
        Mistake(
            lambda c: -(c.max() / c.sum()).log(),
            "the best constant prediction is not 'always the largest class': the "
            "cross-entropy of a constant softmax p is smallest when p equals the "
            "class frequencies.",
        ),
    ),
)


@_ZERO_INIT_LOSS.register
def check_zero_init_loss(zero_init_loss):
    """Exercise ``init-ex-zero-loss`` (chapter "Weight initialisation").

    ``zero_init_loss(class_counts)`` must return the loss an all-zero tanh network
    settles at: the entropy of the label frequencies, -sum p log p with p = counts /
    counts.sum() (log 10 for ten balanced classes).
    """
    _ZERO_INIT_LOSS.run(
        zero_init_loss,
        name="zero_init_loss",
        arg_names=["class_counts"],
        against="the entropy of the class frequencies",
        atol=1e-6,
        rtol=1e-6,
        note="unbalanced classes included",
        hint="only the output bias b gets a gradient; softmax(b) moves to the class "
        "frequencies p, and the loss to the cross-entropy of p with itself, "
        "-sum p log p.",
    )


def _grad_ratios(c, depth):
    """Ratios std(layer 1) / std(layer ``depth``) in a linear net: dL/dW, dL/dz."""
    return 1.0, c ** ((depth - 1) / 2)


_GRAD_RATIOS = Exercise(
    reference=_grad_ratios,
    inputs=lambda: [(c, L) for c in (1 / 3, 0.5, 1.0, 2.0) for L in (2, 5, 10)],
    mistakes=(
        Mistake(
            lambda c, L: (c ** ((L - 1) / 2), c ** ((L - 1) / 2)),
            "the weight gradient is delta a^T: delta shrinks going down, but the "
            "activations a grow going down by the same factor, so their product keeps "
            "its size.",
        ),
        Mistake(
            lambda c, L: (1.0, c ** (L - 1)),
            "c^(L-1) is the ratio of the variances; the standard deviations differ "
            "by its square root.",
        ),
        Mistake(
            lambda c, L: (1.0, c ** (-(L - 1) / 2)),
            "upside down: going from layer L down to layer 1, each layer multiplies "
            "the variance of dL/dz by n Var[w] = c.",
        ),
    ),
)


@_GRAD_RATIOS.register
def check_grad_ratios(grad_ratios):
    """Exercise ``init-ex-grad-ratios`` (chapter "Weight initialisation").

    ``grad_ratios(c, depth)`` must return the ratios std(layer 1) / std(layer depth) of
    the weight gradients and of dL/dz in a linear network of square layers with
    n Var[w] = c: ``(1, c ** ((depth - 1) / 2))``.
    """
    _GRAD_RATIOS.run(
        grad_ratios,
        name="grad_ratios",
        arg_names=["c", "depth"],
        against="the linear-regime variances of Glorot & Bengio (2010)",
        atol=1e-9,
        rtol=1e-6,
        hint="forward, Var[a] gains a factor c per layer going up; backward, "
        "Var[dL/dz] gains a factor c per layer going down. dL/dW of layer l is "
        "dL/dz of layer l times a of layer l - 1.",
    )


def _odd_layer(a_std):
    """The layer l whose ratio a_std[l] / a_std[l-1] is farthest from the median."""
    log_ratio = (a_std[1:] / a_std[:-1]).log()  # layer l's ratio at index l - 1
    return int((log_ratio - log_ratio.median()).abs().argmax()) + 1


def _odd_stack(healthy, odd_layer, odd, depth=10, seed=0):
    """Per-layer spreads of a stack whose layers multiply it by ``healthy`` (±3%),
    except layer ``odd_layer``, which multiplies it by ``odd``; index 0 is the input."""
    g = torch.Generator().manual_seed(seed)
    factors = healthy * (1 + 0.03 * (2 * torch.rand(depth, generator=g) - 1))
    factors[odd_layer - 1] = odd
    return torch.cat([torch.ones(1), factors.cumprod(0)]).to(torch.float64)


_ODD_LAYER = Exercise(
    reference=_odd_layer,
    inputs=lambda: [
        _odd_stack(1.0, 4, 0.16, seed=1),  # He, one layer drawn 0.01 randn
        _odd_stack(1 / math.sqrt(2), 7, 1.0, seed=2),  # Xavier/ReLU, one He
        _odd_stack(0.5, 1, 2.0, seed=3),
        _odd_stack(1.0, 10, 3.0, seed=4),
        _odd_stack(0.9, 2, 0.2, seed=5),
        _odd_stack(1.0, 5, 1.5, depth=12, seed=6),
    ],
    mistakes=(
        Mistake(
            lambda s: _odd_layer(s) - 1,
            "number the layers from 1: layer l's factor is a_std[l] / a_std[l - 1] "
            "(a_std[0] is the input).",
        ),
        Mistake(
            lambda s: int(s.argmin()),
            "the smallest spread shows where the damage ends up, not which layer did "
            "it: look at each layer's factor a_std[l] / a_std[l - 1].",
        ),
        Mistake(
            lambda s: int(((s[1:] / s[:-1]).log()).abs().argmax()) + 1,
            "compare each layer's factor with the factor of the others (their "
            "median), not with 1: when every layer shrinks the signal, the odd one "
            "out may be the one that keeps it.",
        ),
    ),
)


@_ODD_LAYER.register
def check_odd_layer(odd_layer):
    """Exercise ``init-ex-odd-layer`` (chapter "Weight initialisation").

    ``odd_layer(a_std)`` gets the per-layer spreads ``a_std`` (index 0: the input,
    index l: layer l) of a stack whose layers were all initialised alike but one, and
    must return that layer's number l (from 1): the one whose factor
    a_std[l] / a_std[l - 1] stands out from the others'.
    """
    _ODD_LAYER.run(
        odd_layer,
        name="odd_layer",
        arg_names=["a_std"],
        against="the layer whose factor is farthest from the median factor",
        atol=0,
        rtol=0,
        hint="each layer multiplies the spread by its own factor a_std[l] / "
        "a_std[l - 1]; the layers initialised alike share about one factor, the odd "
        "one does not.",
    )


def _branch_scale(depth, growth):
    """alpha with (1 + alpha^2) ** depth = growth."""
    return math.sqrt(growth ** (1 / depth) - 1)


_BRANCH_SCALE = Exercise(
    reference=_branch_scale,
    inputs=lambda: [(1, 2.0), (10, 2.0), (50, 2.0), (20, 1.5), (100, 4.0), (8, 1.1)],
    mistakes=(
        Mistake(
            lambda L, g: math.sqrt((g - 1) / L),
            "the variances multiply from block to block, (1 + alpha²) each, so the "
            "growth over L blocks is (1 + alpha²)^L, not 1 + L alpha².",
        ),
        Mistake(
            lambda L, g: g ** (1 / L) - 1,
            "that is alpha², the factor on the branch's variance; the branch is "
            "scaled by its square root.",
        ),
        Mistake(
            lambda L, g: 1 / math.sqrt(L),
            "alpha = 1/sqrt(L) gives a growth of (1 + 1/L)^L, close to e = 2.72 "
            "whatever the target: solve (1 + alpha²)^L = growth.",
        ),
    ),
)


@_BRANCH_SCALE.register
def check_branch_scale(branch_scale):
    """Exercise ``init-ex-branch-scale`` (chapter "Weight initialisation").

    ``branch_scale(depth, growth)`` must return the scale alpha of every residual branch
    x + alpha F(x) (F keeps the variance, uncorrelated with x) such that the variance
    grows by ``growth`` over ``depth`` blocks: sqrt(growth ** (1 / depth) - 1).
    """
    _BRANCH_SCALE.run(
        branch_scale,
        name="branch_scale",
        arg_names=["depth", "growth"],
        against="(1 + alpha²)^depth = growth",
        atol=1e-9,
        rtol=1e-6,
        hint="one block adds the branch's variance alpha² Var[x] to Var[x]: it "
        "multiplies the variance by 1 + alpha². Over depth blocks: "
        "(1 + alpha²)^depth = growth; solve for alpha.",
    )
