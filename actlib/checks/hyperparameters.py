"""The checks of chapter "Hyperparameter search" (``chapters/hyperparameters.ipynb``).

Exercises: the median and mean of a log-uniform sample, the chance that random search
hits the best region, the sizes of stratified k-fold validation folds, where the best
value lies in its range, the first loss of a fresh network, reading loss curves, the
cost of successive halving, and the expected improvement of Bayesian optimisation.
"""

import math

import torch

from ..training import History
from .core import DTYPE
from .registry import Exercise, Mistake

__all__ = [
    "check_log_uniform_stats",
    "check_hit_probability",
    "check_kfold_sizes",
    "check_log_position",
    "check_first_loss",
    "check_diagnose",
    "check_halving_cost",
    "check_expected_improvement",
    "DIAGNOSES",
]


def _log_uniform_stats(low, high):
    """``(median, mean)`` of log-uniform samples on [low, high]: the exponent's middle,
    and the integral of lr p(lr) with p(lr) = 1 / (lr ln(high / low))."""
    return torch.tensor(
        [math.sqrt(low * high), (high - low) / math.log(high / low)], dtype=DTYPE
    )


_LOG_UNIFORM_STATS = Exercise(
    reference=_log_uniform_stats,
    inputs=lambda: [(1e-4, 1.0), (1e-6, 1e-1), (0.5, 8.0), (1e-3, 10.0), (0.2, 0.3)],
    mistakes=(
        Mistake(
            lambda low, high: ((low + high) / 2, (high - low) / math.log(high / low)),
            "(low + high) / 2 is the median on a linear scale. Half the samples have "
            "an exponent below the middle exponent: the median is 10 to that power, "
            "sqrt(low * high).",
        ),
        Mistake(
            lambda low, high: (
                (high - low) / math.log(high / low),
                math.sqrt(low * high),
            ),
            "the pair is (median, mean), in that order.",
        ),
        Mistake(
            lambda low, high: ((low + high) / 2,) * 2,
            "(low + high) / 2 is the median and the mean of uniform samples, on a "
            "linear scale; neither holds on a log scale.",
        ),
        Mistake(
            lambda low, high: (math.sqrt(low * high),) * 2,
            "the mean is not the median: the samples in the top decade are large and "
            "pull it up. Integrate lr * p(lr) over [low, high].",
        ),
        Mistake(
            lambda low, high: (math.sqrt(low * high), (low + high) / 2),
            "(low + high) / 2 is the mean of uniform samples; log-uniform ones have "
            "the density p(lr) = 1 / (lr ln(high / low)): integrate lr * p(lr).",
        ),
        Mistake(
            lambda low, high: (
                math.sqrt(low * high),
                (high - low) / math.log10(high / low),
            ),
            "the density's constant has the natural log, ln(high / low), not log10: "
            "p(lr) = 1 / (lr ln(high / low)) integrates to 1.",
        ),
    ),
)


@_LOG_UNIFORM_STATS.register
def check_log_uniform_stats(log_uniform_stats):
    r"""Exercise ``hp-ex-log-uniform`` (chapter "Hyperparameter search").

    ``log_uniform_stats(low, high)`` must return ``(median, mean)`` of samples drawn
    log-uniformly from [low, high]: :math:`\sqrt{\text{low} \cdot \text{high}}` and
    :math:`(\text{high} - \text{low}) / \ln(\text{high} / \text{low})`.
    """
    _LOG_UNIFORM_STATS.run(
        log_uniform_stats,
        name="log_uniform_stats",
        arg_names=["low", "high"],
        against="sqrt(low * high) and (high - low) / ln(high / low)",
        rtol=1e-9,
        atol=0,
        hint="return a pair (median, mean). The median: 10 to the middle exponent. "
        "The mean: the integral of lr * p(lr) from low to high, where "
        "lr * p(lr) = 1 / ln(high / low) is a constant.",
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
    # the standard tool is the reference: StratifiedKFold on labels of 2 classes, each
    # with at least k members (the chapter's folds are stratified)
    from sklearn.model_selection import StratifiedKFold

    y = [i % 2 for i in range(n)]
    return [len(test) for _, test in StratifiedKFold(n_splits=k).split(y, y)]


_KFOLD_SIZES = Exercise(
    reference=_kfold_sizes,
    inputs=lambda: [(10, 5), (1347, 5), (11, 3), (14, 7), (100, 8), (1010, 4)],
    mistakes=(
        Mistake(
            lambda n, k: [n // k] * k,
            "the folds must use every example: n % k are left over.",
        ),
        Mistake(
            lambda n, k: [n // k] * (k - 1) + [n - (k - 1) * (n // k)],
            "that puts the whole remainder in the last fold; StratifiedKFold spreads "
            "it, one extra example to each of the first n % k folds.",
        ),
    ),
)


@_KFOLD_SIZES.register
def check_kfold_sizes(kfold_sizes):
    """Exercise ``hp-ex-kfold`` (chapter "Hyperparameter search").

    ``kfold_sizes(n, k)`` must return the validation-fold sizes of ``sklearn``'s
    ``StratifiedKFold(k)`` (and ``KFold(k)``, the same sizes) on ``n`` examples: every
    fold gets ``n // k``, and the first ``n % k`` folds one more.
    """
    _KFOLD_SIZES.run(
        kfold_sizes,
        name="kfold_sizes",
        arg_names=["n", "k"],
        against="sklearn.model_selection.StratifiedKFold",
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


_FIRST_LOSS = Exercise(
    reference=lambda C: math.log(C),
    inputs=lambda: [2, 3, 10, 100, 1000],
    mistakes=(
        Mistake(
            lambda C: math.log10(C),
            "cross-entropy uses the natural logarithm (torch's log), not log10.",
        ),
        Mistake(
            lambda C: math.log2(C),
            "cross-entropy in torch is in nats: the natural logarithm, not log2.",
        ),
        Mistake(
            lambda C: 1 / C,
            "1 / C is the probability of the right class; the loss is minus its log.",
        ),
        Mistake(
            lambda C: 1 - 1 / C,
            "that is the error rate of guessing; the loss is -log of the probability "
            "given to the right class.",
        ),
    ),
)


@_FIRST_LOSS.register
def check_first_loss(first_loss):
    """Exercise ``hp-ex-first-loss`` (chapter "Hyperparameter search").

    ``first_loss(C)``: the cross-entropy of a network that gives each of ``C`` classes
    the same probability, :math:`-\\log(1/C) = \\log C`.
    """
    _FIRST_LOSS.run(
        first_loss,
        name="first_loss",
        arg_names=["C"],
        against="-log(1/C)",
        atol=1e-9,
        rtol=1e-9,
        hint="each class gets probability 1/C; the loss is -log of the right class's.",
    )


#: The diagnoses of exercise ``hp-ex-curves``, in the order the check numbers them.
DIAGNOSES = ("diverging", "too slow", "overfitting", "fine")


def _history(train_loss, val_loss, train_acc, val_acc):
    diverged = not all(math.isfinite(v) for v in train_loss)
    ok = [i for i, v in enumerate(train_loss) if math.isfinite(v)]
    cut = ok[-1] + 1 if ok else 0
    return History(
        step_loss=list(train_loss),
        train_loss=list(train_loss[:cut]),
        train_acc=list(train_acc[:cut]),
        val_loss=list(val_loss[:cut]),
        val_acc=list(val_acc[:cut]),
        diverged=diverged,
    )


def _curves():
    """Histories of 10 epochs, each plainly one of DIAGNOSES, with its label."""
    e = torch.arange(1, 11, dtype=DTYPE)
    out = []
    for rate, gap, label in [
        (0.02, 0.0, "too slow"),
        (0.04, 0.01, "too slow"),
        (0.8, 0.01, "fine"),
        (0.5, 0.02, "fine"),
        (1.2, 0.25, "overfitting"),
        (0.9, 0.35, "overfitting"),
    ]:
        train = 2.3 * torch.exp(-rate * e)  # the training loss falls at this rate
        train_acc = 1 - 0.9 * torch.exp(-1.5 * rate * e)
        val_acc = train_acc - gap * (1 - torch.exp(-0.5 * e))
        # past a point the validation loss of an overfitting run rises again
        val = train + 6 * gap * (e / 10) ** 2
        out.append((_history(*(t.tolist() for t in (train, val, train_acc, val_acc))),
                    label))  # fmt: skip
    for blow in (3, 6):
        train = [2.3 * (0.6 if i < blow else 10.0 ** (i - blow + 1)) for i in range(8)]
        train += [math.inf]
        acc = [0.5] * blow + [0.1] * (9 - blow)
        out.append((_history(train, train, acc, acc), "diverging"))
    return out


def _diagnose(history):
    """The reference: the rules of the chapter's section on reading curves."""
    if history.diverged:
        return "diverging"
    if history.train_acc[-1] - history.val_acc[-1] > 0.1:
        return "overfitting"
    if history.train_loss[-1] > 0.5 * history.train_loss[0]:
        return "too slow"
    return "fine"


def _as_index(f):
    """A diagnose function as one returning the index of its diagnosis (-1 unknown)."""

    def index(history):
        label = f(history)
        return DIAGNOSES.index(label) if label in DIAGNOSES else -1

    return index


_DIAGNOSE = Exercise(
    reference=_diagnose,
    inputs=lambda: [h for h, _ in _curves()],
    mistakes=(
        Mistake(
            lambda h: (
                "diverging"
                if h.diverged
                else "too slow"
                if h.train_loss[-1] > 0.5 * h.train_loss[0]
                else "fine"
            ),
            "the training curves alone cannot show overfitting: compare the training "
            "and validation accuracies.",
        ),
        Mistake(
            lambda h: (
                "diverging"
                if h.diverged
                else "overfitting"
                if h.train_acc[-1] - h.val_acc[-1] > 0.1
                else "fine"
            ),
            "a loss that has not even halved in 10 epochs is a learning rate too small "
            "(or too few epochs): compare the last training loss with the first.",
        ),
    ),
)


@_DIAGNOSE.register
def check_diagnose(diagnose):
    """Exercise ``hp-ex-curves`` (chapter "Hyperparameter search").

    ``diagnose(history)`` names what a ``History`` shows: one of ``DIAGNOSES``
    (``"diverging"``, ``"too slow"``, ``"overfitting"``, ``"fine"``). The check runs it
    on eight made-up histories, each plainly one of them; any rules that name all
    eight rightly pass.
    """
    _DIAGNOSE.run(
        diagnose,
        adapt=_as_index,
        name="diagnose",
        arg_names=["history"],
        against="the diagnoses of made-up runs",
        atol=0,
        rtol=0,
        hint=f"return one of {list(DIAGNOSES)}: a non-finite loss first, then a "
        "train/validation gap, then a training loss that barely falls.",
    )


def _halving_cost(n, eta, rungs, min_epochs):
    cost, K, epochs = n * min_epochs, n, min_epochs
    for _ in range(rungs - 1):
        K = max(1, K // eta)
        cost += K * (epochs * eta - epochs)  # the survivors continue, not restart
        epochs *= eta
    return cost


_HALVING_COST = Exercise(
    reference=_halving_cost,
    inputs=lambda: [
        (27, 3, 3, 1),
        (81, 3, 4, 1),
        (16, 2, 4, 1),
        (30, 3, 3, 2),
        (10, 3, 3, 1),
        (5, 2, 1, 3),
    ],  # fmt: skip
    mistakes=(
        Mistake(
            lambda n, eta, rungs, e0: sum(
                max(1, n // eta**i) * e0 * eta**i for i in range(rungs)
            ),
            "the survivors are continued, not retrained: a rung costs only the epochs "
            "it adds, e_i - e_(i-1), per trial.",
        ),
        Mistake(
            lambda n, eta, rungs, e0: sum(
                max(1, n // eta**i) * e0 for i in range(rungs)
            ),
            "each rung trains its survivors eta times longer than the last: the epochs "
            "it adds grow as e0 (eta - 1) eta^(i-1).",
        ),
    ),
)


@_HALVING_COST.register
def check_halving_cost(halving_cost):
    """Exercise ``hp-ex-halving-cost`` (chapter "Hyperparameter search").

    ``halving_cost(n, eta, rungs, min_epochs)``: the trial-epochs successive halving
    spends, :math:`\\sum_i K_i (e_i - e_{i-1})` with :math:`K_{i+1} = \\max(1,
    \\lfloor K_i/\\eta \\rfloor)` and :math:`e_i = e_0 \\eta^i`.
    """
    _HALVING_COST.run(
        halving_cost,
        name="halving_cost",
        arg_names=["n", "eta", "rungs", "min_epochs"],
        against="a count of the epochs of actlib.successive_halving",
        atol=0,
        rtol=0,
        hint="rung 0 trains n trials for min_epochs; each later rung keeps "
        "max(1, K // eta) and trains them from e to eta * e epochs.",
    )


def _expected_improvement(mu, sigma, best):
    z = (mu - best) / sigma
    normal = torch.distributions.Normal(torch.zeros((), dtype=mu.dtype), 1.0)
    return (mu - best) * normal.cdf(z) + sigma * normal.log_prob(z).exp()


def _ei_inputs():
    mu = torch.tensor([0.97, 0.95, 0.90, 0.96, 0.5, 0.99, 0.2], dtype=DTYPE)
    sigma = torch.tensor([0.001, 0.05, 0.01, 0.02, 0.3, 0.1, 1.0], dtype=DTYPE)
    return [(mu, sigma, 0.96), (mu, sigma, 0.5), (mu, 2 * sigma, 0.0)]


def _phi(z):
    return torch.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)


def _cdf(z):
    return 0.5 * (1 + torch.erf(z / math.sqrt(2)))


_EXPECTED_IMPROVEMENT = Exercise(
    reference=_expected_improvement,
    inputs=_ei_inputs,
    mistakes=(
        Mistake(
            lambda mu, sigma, best: (mu - best).clamp(min=0),
            "that is the improvement of the mean alone (pure exploitation): EI "
            "averages max(f - best, 0) over f ~ N(mu, sigma^2), so sigma adds value.",
        ),
        Mistake(
            lambda mu, sigma, best: (
                (mu - best) * _cdf((best - mu) / sigma)
                + sigma * _phi((best - mu) / sigma)
            ),
            "z = (mu - best) / sigma: improvement is likely when the mean is above the "
            "best, so Phi(z) must grow with mu.",
        ),
        Mistake(
            lambda mu, sigma, best: (mu - best) * _cdf((mu - best) / sigma),
            "the second term, sigma * phi(z), is missing: it is the value of the "
            "uncertainty, the whole point of exploring.",
        ),
        Mistake(
            lambda mu, sigma, best: (
                (best - mu) * _cdf((best - mu) / sigma)
                + sigma * _phi((best - mu) / sigma)
            ),
            "that is the expected improvement of a minimisation; here a higher score "
            "is better: use mu - best.",
        ),
    ),
)


@_EXPECTED_IMPROVEMENT.register
def check_expected_improvement(expected_improvement):
    """Exercise ``hp-ex-ei`` (chapter "Hyperparameter search").

    ``expected_improvement(mu, sigma, best)``: for a score
    :math:`f \\sim \\mathcal{N}(\\mu, \\sigma^2)`,
    :math:`\\operatorname{E}[\\max(f - f^+, 0)] = (\\mu - f^+)\\,\\Phi(z) +
    \\sigma\\,\\varphi(z)` with :math:`z = (\\mu - f^+)/\\sigma`.
    """
    _EXPECTED_IMPROVEMENT.run(
        expected_improvement,
        name="expected_improvement",
        arg_names=["mu", "sigma", "best"],
        against="(mu - best) Phi(z) + sigma phi(z), z = (mu - best) / sigma",
        rtol=1e-6,
        atol=1e-12,
        hint="z = (mu - best) / sigma; EI = (mu - best) * Phi(z) + sigma * phi(z), "
        "with Phi and phi the standard normal cdf and density.",
    )
