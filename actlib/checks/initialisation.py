"""The checks of chapter "Weight initialisation" (``chapters/initialisation.ipynb``).

Exercises: Glorot's (Xavier's) standard deviation, He's for a Leaky ReLU, the fans of a
convolution's weight, and the standard deviation of ``nn.Linear``'s default weights.
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
