"""The checks of chapter "Hyperparameter search" (``chapters/hyperparameters.ipynb``).

Exercises: sampling on a log scale, the chance that random search hits the best region,
the sizes of k-fold validation folds, and where the best value lies in its range.
"""

import math

import torch

from .core import DTYPE
from .registry import Exercise, Mistake

__all__ = [
    "check_log_uniform",
    "check_hit_probability",
    "check_kfold_sizes",
    "check_log_position",
]


def _log_uniform_inputs():
    u = torch.linspace(0, 1, 11, dtype=DTYPE)
    return [(u, 1e-4, 1.0), (u, 1e-6, 1e-1), (u, 0.5, 8.0), (u, 1e-3, 10.0)]


_LOG_UNIFORM = Exercise(
    reference=lambda u, low, high: low * (high / low) ** u,
    inputs=_log_uniform_inputs,
    mistakes=(
        Mistake(
            lambda u, low, high: low + u * (high - low),
            "that is uniform on a linear scale: most samples land in the top decade. "
            "Interpolate the exponent, not the value.",
        ),
        Mistake(
            lambda u, low, high: 10 ** (u * (math.log10(high) - math.log10(low))),
            "the exponent must start at log10(low): add it, or u = 0 gives 1 instead "
            "of low.",
        ),
        Mistake(
            lambda u, low, high: 10 ** (math.log10(low) + u * math.log10(high)),
            "the exponent's range is log10(high) - log10(low), not log10(high).",
        ),
    ),
)


@_LOG_UNIFORM.register
def check_log_uniform(log_uniform):
    """Exercise ``hp-ex-log-uniform`` (chapter "Hyperparameter search").

    ``log_uniform(u, low, high)`` must map uniform numbers ``u`` in [0, 1] to samples
    spread evenly over the decades of [low, high]:
    ``10 ** (log10(low) + u * (log10(high) - log10(low)))``.
    """
    _LOG_UNIFORM.run(
        log_uniform,
        name="log_uniform",
        arg_names=["u", "low", "high"],
        against="10**(log10(low) + u * (log10(high) - log10(low)))",
        rtol=1e-6,
        atol=0,
        hint="draw the exponent uniformly: 10 ** (a + u * (b - a)) with a = "
        "log10(low), b = log10(high).",
    )


_HIT_PROBABILITY = Exercise(
    reference=lambda q, n: 1 - (1 - q) ** n,
    inputs=lambda: [(q, n) for q in (0.01, 0.05, 0.1, 0.5) for n in (1, 5, 20, 60)],
    mistakes=(
        Mistake(
            lambda q, n: q * n,
            "adding the n chances counts twice the cases where two trials hit (and "
            "gives more than 1 for large n): use the chance that every trial misses.",
        ),
        Mistake(
            lambda q, n: (1 - q) ** n,
            "that is the chance that every trial misses: take 1 minus it.",
        ),
        Mistake(
            lambda q, n: 1 - q**n,
            "q**n is the chance that every trial hits; each trial misses with "
            "probability 1 - q.",
        ),
    ),
)


@_HIT_PROBABILITY.register
def check_hit_probability(hit_probability):
    """Exercise ``hp-ex-hit`` (chapter "Hyperparameter search").

    ``hit_probability(q, n)``: the chance that at least one of ``n`` independent random
    trials lands in the best fraction ``q`` of the search space, :math:`1 - (1 - q)^n`.
    """
    _HIT_PROBABILITY.run(
        hit_probability,
        name="hit_probability",
        arg_names=["q", "n"],
        against="1 - (1 - q)**n",
        atol=1e-9,
        rtol=1e-9,
        hint="compute the chance that all n trials miss the best region, then take its "
        "complement.",
    )


def _kfold_sizes(n, k):
    from sklearn.model_selection import KFold  # the standard tool is the oracle

    return [len(test) for _, test in KFold(n_splits=k).split(range(n))]


_KFOLD_SIZES = Exercise(
    reference=_kfold_sizes,
    inputs=lambda: [(10, 5), (1347, 5), (11, 3), (7, 7), (100, 8), (1010, 4)],
    mistakes=(
        Mistake(
            lambda n, k: [n // k] * k,
            "the folds must use every example: n % k are left over.",
        ),
        Mistake(
            lambda n, k: [n // k] * (k - 1) + [n - (k - 1) * (n // k)],
            "that puts the whole remainder in the last fold; KFold spreads it, one "
            "extra example to each of the first n % k folds.",
        ),
    ),
)


@_KFOLD_SIZES.register
def check_kfold_sizes(kfold_sizes):
    """Exercise ``hp-ex-kfold`` (chapter "Hyperparameter search").

    ``kfold_sizes(n, k)`` must return the validation-fold sizes of ``sklearn``'s
    ``KFold(k)`` on ``n`` examples: every fold gets ``n // k``, and the first ``n % k``
    folds one more.
    """
    _KFOLD_SIZES.run(
        kfold_sizes,
        name="kfold_sizes",
        arg_names=["n", "k"],
        against="sklearn.model_selection.KFold",
        atol=0,
        rtol=0,
        hint="k folds of n // k examples leave n % k over: give one of them to each of "
        "the first folds.",
    )


def _log_position(best, low, high):
    return (math.log10(best) - math.log10(low)) / (math.log10(high) - math.log10(low))


_LOG_POSITION = Exercise(
    reference=_log_position,
    inputs=lambda: [
        (1e-2, 1e-4, 1.0),
        (1e-4, 1e-4, 1.0),
        (1.0, 1e-4, 1.0),
        (0.3, 0.01, 3.0),
        (5e-3, 1e-3, 1e-1),
    ],
    mistakes=(
        Mistake(
            lambda best, low, high: (best - low) / (high - low),
            "that is the position on a linear scale, where 1e-2 in [1e-4, 1] looks "
            "like the left edge. Take log10 of all three first.",
        ),
    ),
)


@_LOG_POSITION.register
def check_log_position(log_position):
    """Exercise ``hp-ex-edge`` (chapter "Hyperparameter search").

    ``log_position(best, low, high)``: where ``best`` lies in ``[low, high]`` on a log
    scale, 0 at ``low`` and 1 at ``high``.
    """
    _LOG_POSITION.run(
        log_position,
        name="log_position",
        arg_names=["best", "low", "high"],
        against="the position on a log scale",
        atol=1e-9,
        rtol=1e-9,
        hint="measure in decades: (log10(best) - log10(low)) / (log10(high) - "
        "log10(low)).",
    )
