"""The checks of chapter "Zero-centring and data preprocessing".

The chapter is ``chapters/preprocessing.ipynb``. Exercises: the fraction of examples
whose gradients all share one sign, the condition number of XᵀX / N, standardisation
with the training split's statistics, and whitening.
"""

import torch

from .core import DTYPE, ExerciseError
from .registry import Exercise, Mistake

__all__ = [
    "check_one_sign_fraction",
    "check_condition_number",
    "check_standardize",
    "check_whiten",
]


def _one_sign_inputs():
    gen = torch.Generator().manual_seed(0)
    return [
        torch.rand(50, 8, generator=gen, dtype=DTYPE) + 0.1,  # all positive: 1
        torch.randn(200, 3, generator=gen, dtype=DTYPE),  # mixed: about 1/4
        torch.tensor(  # 0.5
            [[1.0, 2.0], [-1.0, -3.0], [1.0, -1.0], [0.0, 1.0]], dtype=DTYPE
        ),
        -torch.rand(5, 40, generator=gen, dtype=DTYPE) - 0.1,  # all negative: 1
        torch.randn(3, 100, generator=gen, dtype=DTYPE),  # a wide matrix: 0
    ]


_ONE_SIGN_FRACTION = Exercise(
    reference=lambda G: ((G > 0).all(dim=1) | (G < 0).all(dim=1)).to(DTYPE).mean(),
    inputs=_one_sign_inputs,
    mistakes=(
        Mistake(
            lambda G: (G > 0).all(dim=1).to(DTYPE).mean(),
            "count rows of all-negative entries too: δ < 0 makes every gradient of the "
            "row negative.",
        ),
        Mistake(
            lambda G: ((G > 0).all(dim=0) | (G < 0).all(dim=0)).to(DTYPE).mean(),
            "you counted columns (dim=0); one example is one row: use dim=1.",
        ),
        Mistake(
            lambda G: ((G >= 0).all(dim=1) | (G <= 0).all(dim=1)).to(DTYPE).mean(),
            "a row with a 0 in it is not strictly of one sign: use > 0 and < 0, not >= "
            "and <=.",
        ),
    ),
)


@_ONE_SIGN_FRACTION.register
def check_one_sign_fraction(one_sign_fraction):
    """Exercise ``prep-ex-one-sign`` (chapter "Zero-centring and data preprocessing").

    ``one_sign_fraction(G)`` must return the fraction of rows of ``G`` whose entries are
    all > 0 or all < 0 (a row containing a 0 does not count).
    """
    _ONE_SIGN_FRACTION.run(
        one_sign_fraction,
        name="one_sign_fraction",
        arg_names=["G"],
        against="a direct count",
        atol=1e-6,
        rtol=0,
        note="rows of all-negative entries and rows with a 0 included",
        hint="per row (dim=1): (G > 0).all(dim=1) | (G < 0).all(dim=1), then the mean "
        "of that as floats.",
    )


def _condition_inputs():
    gen = torch.Generator().manual_seed(0)
    U = torch.rand(1000, 2, generator=gen, dtype=DTYPE)
    V = torch.rand(500, 10, generator=gen, dtype=DTYPE)
    diagonal = torch.tensor([[1.0, 0.0], [0.0, 2.0]], dtype=DTYPE)
    return [U, U - U.mean(0), V, V - V.mean(0), diagonal]


def _inverse_condition(X):
    lam = torch.linalg.eigvalsh(X.T @ X / len(X))  # ascending
    return lam[0] / lam[-1]


_CONDITION_NUMBER = Exercise(
    reference=lambda X: torch.linalg.cond(X.T @ X),
    inputs=_condition_inputs,
    mistakes=(
        Mistake(
            lambda X: torch.linalg.cond(X),
            "that is the condition number of X itself, the ratio of its singular "
            "values: the square root of κ(H). Use the eigenvalues of X.T @ X / len(X).",
        ),
        Mistake(_inverse_condition, "upside down: κ = λ_max / λ_min ≥ 1."),
        Mistake(
            lambda X: torch.linalg.eigvalsh(X.T @ X / len(X))[-1],
            "that is λ_max alone; divide it by λ_min.",
        ),
    ),
)


@_CONDITION_NUMBER.register
def check_condition_number(condition_number):
    """Exercise ``prep-ex-condition`` (chapter "Zero-centring and data preprocessing").

    ``condition_number(X)`` must return λ_max / λ_min of H = XᵀX / N; the oracle is
    ``torch.linalg.cond(X.T @ X)`` (the 1/N cancels).
    """
    _CONDITION_NUMBER.run(
        condition_number,
        name="condition_number",
        arg_names=["X"],
        against="torch.linalg.cond(X.T @ X)",
        atol=0,
        rtol=1e-6,
        note="raw and centred inputs in [0, 1]^2 and [0, 1]^10",
        hint="the eigenvalues of H = X.T @ X / len(X) (torch.linalg.eigvalsh, "
        "ascending), then the largest divided by the smallest.",
    )


def _standardize(X_train, X_test):
    std = X_train.std(dim=0, correction=0)
    return (X_test - X_train.mean(dim=0)) / torch.where(
        std > 0, std, torch.ones_like(std)
    )


def _standardize_inputs():
    gen = torch.Generator().manual_seed(0)
    A = 3 * torch.rand(40, 5, generator=gen, dtype=DTYPE) + 1
    A[:, 2] = 0.0  # a constant feature (a blank pixel)
    B = (
        3 * torch.rand(10, 5, generator=gen, dtype=DTYPE) + 2
    )  # a test split, another mean
    scales = torch.tensor([1.0, 10.0, 0.1], dtype=DTYPE)
    C = torch.randn(30, 3, generator=gen, dtype=DTYPE) * scales
    D = torch.randn(8, 3, generator=gen, dtype=DTYPE)
    return [(A, B), (C, D), (C, C)]


def _own_stats(X_train, X_test):
    std = X_test.std(0, correction=0)
    return (X_test - X_test.mean(0)) / torch.where(std > 0, std, 1.0)


def _unbiased_std(X_train, X_test):
    std = X_train.std(0)
    return (X_test - X_train.mean(0)) / torch.where(std > 0, std, 1.0)


_STANDARDIZE = Exercise(
    reference=_standardize,
    inputs=_standardize_inputs,
    mistakes=(
        Mistake(
            _own_stats,
            "you used the test split's own statistics: take the mean and std of "
            "X_train.",
        ),
        Mistake(
            _unbiased_std,
            "torch's std divides by N - 1 by default; use X_train.std(dim=0, "
            "correction=0) (1/N, as numpy).",
        ),
        Mistake(
            lambda X_train, X_test: (
                (X_test - X_train.mean(0)) / X_train.std(0, correction=0)
            ),
            "a constant training feature has std 0, and x / 0 is inf or nan: divide it "
            "by 1 instead.",
        ),
        Mistake(
            lambda X_train, X_test: (
                (X_test - X_train.mean(0)) / (X_train.std(0, correction=0) + 1e-8)
            ),
            "adding a tiny eps keeps the constant feature finite but blows it up to "
            "about 1e8 on the test split: divide a constant feature by 1 instead.",
        ),
    ),
)


@_STANDARDIZE.register
def check_standardize(standardize):
    """Exercise ``prep-ex-standardize`` (chapter "Zero-centring and preprocessing").

    ``standardize(X_train, X_test)`` must return ``(X_test - mean) / std`` with the
    training split's mean and 1/N standard deviation, a constant training feature
    divided by 1.
    """
    _STANDARDIZE.run(
        standardize,
        name="standardize",
        arg_names=["X_train", "X_test"],
        against="the training-split standardisation",
        atol=1e-9,
        rtol=1e-7,
        note="a constant feature and a test split with its own mean included",
        hint="mean = X_train.mean(dim=0), std = X_train.std(dim=0, correction=0) with "
        "1 where it is 0 (torch.where), then (X_test - mean) / std.",
    )


def _white_stats(X):
    """Mean (D,) and covariance (D, D) of X in one vector: what whitening fixes."""
    X = X.to(DTYPE)
    return torch.cat([X.mean(0), torch.cov(X.T, correction=0).flatten()])


def _whiten_inputs():
    gen = torch.Generator().manual_seed(0)
    A = torch.tensor([[2.0, 0.0], [1.2, 0.4]], dtype=DTYPE)
    shift = torch.tensor([6.0, 4.0], dtype=DTYPE)
    cloud = torch.randn(400, 2, generator=gen, dtype=DTYPE) @ A.T + shift
    M = torch.randn(5, 5, generator=gen, dtype=DTYPE)
    wide = torch.randn(300, 5, generator=gen, dtype=DTYPE) @ M + 3.0
    return [cloud, wide]


def _pca_whiten(X):
    """PCA whitening: centre, turn to the covariance's eigenvectors, divide by √λ."""
    Xc = X - X.mean(0)
    lam, U = torch.linalg.eigh(Xc.T @ Xc / len(Xc))
    return Xc @ U / torch.sqrt(lam)


def _by_lambda(X):
    Xc = X - X.mean(0)
    lam, U = torch.linalg.eigh(Xc.T @ Xc / len(Xc))
    return Xc @ U / lam


def _not_centred(X):
    lam, U = torch.linalg.eigh(torch.cov(X.T, correction=0))
    return X @ U / torch.sqrt(lam)


_WHITEN = Exercise(
    reference=_pca_whiten,
    inputs=_whiten_inputs,
    mistakes=(
        Mistake(
            _by_lambda,
            "you divided by the eigenvalue λ; divide by its square root: the "
            "covariance is then I, not Λ⁻¹.",
        ),
        Mistake(
            _not_centred, "centre X first (subtract its mean): the mean must be 0."
        ),
        Mistake(
            lambda X: _standardize(X, X),
            "that standardises each feature, but the features stay correlated: rotate "
            "onto the eigenvectors of the covariance before scaling.",
        ),
    ),
)


@_WHITEN.register
def check_whiten(whiten):
    """Exercise ``prep-ex-whiten`` (chapter "Zero-centring and data preprocessing").

    ``whiten(X)`` must return data with mean 0 and covariance I (1/N). Whitening is
    unique only up to a rotation, so the check compares those statistics (and the
    shape), not the values.
    """
    for X in _whiten_inputs() if callable(whiten) else []:
        try:
            out = whiten(X.clone())
        except Exception:  # the comparison below reports it, with its input
            break
        if torch.is_tensor(out) and tuple(out.shape) != tuple(X.shape):
            raise ExerciseError(
                f"whiten returned shape {tuple(out.shape)} for X of shape "
                f"{tuple(X.shape)}; expected the same shape (one row per example).",
                expected=f"shape {tuple(X.shape)}",
                got=f"shape {tuple(out.shape)}",
            )

    def stats(f):
        return lambda X: _white_stats(f(X))

    def white(X):  # mean 0 and covariance I, flattened as _white_stats does
        D = X.shape[1]
        return torch.cat(
            [torch.zeros(D, dtype=DTYPE), torch.eye(D, dtype=DTYPE).flatten()]
        )

    _WHITEN.run(
        whiten,
        adapt=stats,
        target=white,
        name="whiten (its mean and covariance)",
        arg_names=["X"],
        against="mean 0 and covariance I",
        atol=1e-6,
        rtol=1e-6,
        note="on a 2-D cloud and on 5-D correlated data",
        hint="Xc = X - X.mean(dim=0); lam, U = torch.linalg.eigh(Xc.T @ Xc / len(Xc)); "
        "return Xc @ U / torch.sqrt(lam).",
    )
