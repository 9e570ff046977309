"""The checks of chapter "Zero-centring and data preprocessing".

The chapter is ``chapters/preprocessing.ipynb``. Exercises: the condition number of
XᵀX / N (predict), the condition number from the inputs' mean and spread (predict),
standardisation with the training split's statistics, whitening, which transform made
some data (diagnose), and the scale of a bias's input (design).
"""

import torch

from .core import DTYPE, ExerciseError, check_prediction
from .registry import Exercise, Mistake

__all__ = [
    "check_condition_number",
    "check_kappa_mean_spread",
    "check_standardize",
    "check_whiten",
    "check_which_transform",
    "check_bias_scale",
]


def _needs_function(f, name, args):
    if not callable(f):
        raise TypeError(
            f"{name} must be a function (write `def {name}({args}):` and pass its name "
            f"without calling it), got {type(f).__name__}"
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
def check_condition_number(condition_number, prediction=None):
    """Exercise ``prep-ex-condition`` (chapter "Zero-centring and data preprocessing").

    ``condition_number(X)`` must return λ_max / λ_min of H = XᵀX / N; the oracle is
    ``torch.linalg.cond(X.T @ X)`` (the 1/N cancels). ``prediction`` is the reader's
    guess of κ for 1,000 points uniform in [0, 1]^5: accepted in [14, 18] (1 + 3D = 16,
    and a sample of 1,000 points lands close to it).
    """
    _needs_function(condition_number, "condition_number", "X")
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
    check_prediction(
        prediction,
        name="κ for inputs uniform in [0, 1]^5",
        low=14,
        high=18,
        hints=(
            (
                (0.5, 2),
                "raw inputs are not well conditioned: their mean puts 1/4 into every "
                "entry of H, which makes one eigenvalue large.",
            ),
            ((6, 8), "1 + 3D = 7 is the value for D = 2; here D = 5."),
            ((30, 32), "1 + 3D = 31 is the value for D = 10; here D = 5."),
        ),
        hint="with mean m = 1/2 and variance s^2 = 1/12 per input, κ = 1 + D m^2 / "
        "s^2 = 1 + 3D.",
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


def _whiten_inputs():
    gen = torch.Generator().manual_seed(0)
    A = torch.tensor([[2.0, 0.0], [1.2, 0.4]], dtype=DTYPE)
    shift = torch.tensor([6.0, 4.0], dtype=DTYPE)
    cloud = torch.randn(400, 2, generator=gen, dtype=DTYPE) @ A.T + shift
    M = torch.randn(5, 5, generator=gen, dtype=DTYPE)
    wide = torch.randn(300, 5, generator=gen, dtype=DTYPE) @ M + 3.0
    return [cloud, wide]


def _centred_eigh(X):
    """X centred, and the eigenvalues and eigenvectors of its covariance (1/N)."""
    Xc = X - X.mean(0)
    lam, U = torch.linalg.eigh(Xc.T @ Xc / len(Xc))
    return Xc, lam, U


def _zca_whiten(X):
    """ZCA whitening: X_c U Λ^(-1/2) Uᵀ = X_c Σ^(-1/2), PCA whitening turned back."""
    Xc, lam, U = _centred_eigh(X)
    return Xc @ (U / torch.sqrt(lam)) @ U.T


def _pca_whiten(X):
    Xc, lam, U = _centred_eigh(X)
    return Xc @ U / torch.sqrt(lam)


def _by_lambda(X):
    Xc, lam, U = _centred_eigh(X)
    return Xc @ (U / lam) @ U.T


def _not_centred(X):
    lam, U = torch.linalg.eigh(torch.cov(X.T, correction=0))
    return X @ (U / torch.sqrt(lam)) @ U.T


_WHITEN = Exercise(
    reference=_zca_whiten,
    inputs=_whiten_inputs,
    mistakes=(
        Mistake(
            _pca_whiten,
            "that is PCA whitening: its covariance is I too, but its axes are the "
            "eigenvectors. ZCA turns back onto the original axes: multiply by Uᵀ.",
        ),
        Mistake(
            _by_lambda,
            "you divided by the eigenvalue λ; divide by its square root: the "
            "covariance is then I, not Σ⁻¹.",
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

    ``whiten(X)`` must return the ZCA whitening of ``X``: ``X_c Σ^(-1/2)``, with
    ``X_c`` centred and ``Σ = X_cᵀ X_c / N``, so mean 0 and covariance I. Whitenings
    differ by a rotation; ZCA is the one whose output stays closest to ``X_c``, and it
    is unique, so the check compares the values.
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

    _WHITEN.run(
        whiten,
        name="whiten",
        arg_names=["X"],
        against="ZCA whitening, X_c U Λ^(-1/2) Uᵀ",
        atol=1e-6,
        rtol=1e-6,
        note="on a 2-D cloud and on 5-D correlated data",
        hint="Xc = X - X.mean(dim=0); lam, U = torch.linalg.eigh(Xc.T @ Xc / len(Xc)); "
        "then scale the coordinates Xc @ U by 1 / sqrt(lam) and turn back with U.T.",
    )


# ---------------------------------------------------- κ from the mean and the spread


def _kappa_mean_spread(m, s, D):
    return 1 + D * m**2 / s**2


_KAPPA_MEAN_SPREAD = Exercise(
    reference=_kappa_mean_spread,
    inputs=lambda: [
        (0.5, (1 / 12) ** 0.5, 2),  # [0, 1]^2: 7
        (-0.5, (1 / 12) ** 0.5, 10),  # [-1, 0]^10: 31
        (100.5, (1 / 12) ** 0.5, 2),  # [100, 101]^2
        (0.0, 3.0, 5),  # centred: 1
        (2.0, 0.5, 3),
    ],
    mistakes=(
        Mistake(
            lambda m, s, D: 1 + D * m / s,
            "the mean's eigenvalue is s^2 + D m^2: square the mean and the spread, "
            "κ = 1 + D m^2 / s^2.",
        ),
        Mistake(
            lambda m, s, D: 1 + m**2 / s**2,
            "the mean adds m^2 to all D x D entries of H, so its eigenvalue grows with "
            "D: s^2 + D m^2.",
        ),
        Mistake(
            lambda m, s, D: D * m**2 / s**2,
            "centred inputs (m = 0) have κ = 1, not 0: the eigenvalues are s^2 + D m^2 "
            "and s^2, and κ is their ratio.",
        ),
        Mistake(
            lambda m, s, D: s**2 + D * m**2,
            "that is λ_max alone; divide it by λ_min = s^2.",
        ),
    ),
)


@_KAPPA_MEAN_SPREAD.register
def check_kappa_mean_spread(kappa_mean_spread, prediction=None):
    """Exercise ``prep-ex-shift`` (chapter "Zero-centring and data preprocessing").

    ``kappa_mean_spread(m, s, D)`` must return the condition number 1 + D m² / s² of
    H = s² I + m² 11ᵀ, the second moment of D independent inputs of mean m and standard
    deviation s. ``prediction`` is the reader's guess of κ for two inputs uniform in
    [100, 101]: about 2.4e5, accepted within a factor of two (1.2e5 to 4.8e5).
    """
    _needs_function(kappa_mean_spread, "kappa_mean_spread", "m, s, D")
    _KAPPA_MEAN_SPREAD.run(
        kappa_mean_spread,
        name="kappa_mean_spread",
        arg_names=["m", "s", "D"],
        against="the eigenvalues of s^2 I + m^2 11^T",
        atol=0,
        rtol=1e-9,
        note="[0, 1], [-1, 0], [100, 101] and centred inputs included",
        hint="H = s^2 I + m^2 11^T has the eigenvalue s^2 + D m^2 along (1, ..., 1) "
        "and s^2 in every direction orthogonal to it.",
    )
    check_prediction(
        prediction,
        name="κ for two inputs uniform in [100, 101]",
        low=1.2e5,
        high=4.8e5,
        hints=(
            (
                (5, 9),
                "that is κ for [0, 1]^2. Shifting by 100 keeps the spread (s^2 = 1/12) "
                "but makes the mean 201 times larger: κ = 1 + D m^2 / s^2 grows with "
                "m^2.",
            ),
            (
                (0.5, 2),
                "only centred inputs have κ near 1; these have mean 100.5.",
            ),
        ),
        hint="κ = 1 + D m^2 / s^2 with m = 100.5, s^2 = 1/12, D = 2.",
    )


# ------------------------------------------------------ which transform made the data


TRANSFORMS = ("none", "center", "standardize", "pca", "whiten")


def _which_transform(Z):
    """Name the transform from the mean and covariance of Z (1/N), with tolerances."""
    Z = Z.to(DTYPE)
    C = torch.cov(Z.T, correction=0)  # (D, D)
    if Z.mean(0).abs().max() > 1e-6 * (1 + Z.abs().max()):
        return "none"  # every transform subtracts the mean
    uncorrelated = (C - torch.diag(C.diag())).abs().max() <= 1e-6 * C.diag().max()
    unit = (C.diag() - 1).abs().max() <= 1e-3
    if uncorrelated and unit:
        return "whiten"
    if unit:
        return "standardize"
    return "pca" if uncorrelated else "center"


def _which_cases():
    """(Z, true name): five transforms of two correlated data sets, float64."""
    from ..preprocessing import Preprocessor

    gen = torch.Generator().manual_seed(0)
    A = torch.tensor([[2.0, 0.0], [1.2, 0.4]], dtype=DTYPE)
    cloud = torch.randn(400, 2, generator=gen, dtype=DTYPE) @ A.T + 5.0
    M = torch.randn(3, 3, generator=gen, dtype=DTYPE)
    wide = torch.randn(300, 3, generator=gen, dtype=DTYPE) @ M - 2.0
    cases = []
    for X in (cloud, wide):
        cases.append((X, "none"))
        for method in TRANSFORMS[1:]:
            prep = Preprocessor(method, eps=0.0)  # exact: no direction without spread
            cases.append((prep.fit_transform(X), method))
    return cases


def _which_diag_only(Z):
    C = torch.cov(Z.to(DTYPE).T, correction=0)
    if Z.mean(0).abs().max() > 1e-6 * (1 + Z.abs().max()):
        return "none"
    return "standardize" if (C.diag() - 1).abs().max() <= 1e-3 else "center"


def _which_no_mean(Z):
    name = _which_transform(Z - Z.mean(0))
    return name


def _which_offdiag_only(Z):
    name = _which_transform(Z)
    return "pca" if name == "whiten" else name


_WHICH_TRANSFORM = Exercise(
    reference=_which_transform,
    inputs=lambda: [Z for Z, _ in _which_cases()],
    mistakes=(
        Mistake(
            _which_no_mean,
            "look at the mean first: data left untransformed keep their mean, and "
            "every transform here subtracts it.",
        ),
        Mistake(
            _which_diag_only,
            "unit variances alone do not tell standardising from whitening, and "
            "uncorrelated features tell PCA from centring: look at the off-diagonal "
            "covariances too.",
        ),
        Mistake(
            _which_offdiag_only,
            "PCA and whitening both make the features uncorrelated; whitening also "
            "gives every feature variance 1.",
        ),
    ),
)


@_WHICH_TRANSFORM.register
def check_which_transform(which_transform):
    """Exercise ``prep-ex-which`` (chapter "Zero-centring and data preprocessing").

    ``which_transform(Z)`` must return the name of the transform (one of "none",
    "center", "standardize", "pca", "whiten") that produced ``Z`` from correlated
    data, from its statistics alone; the check shows it the five transforms of a 2-D
    cloud and of 3-D correlated data.
    """
    _needs_function(which_transform, "which_transform", "Z")

    def as_index(fn):
        def apply(Z):
            name = fn(Z.clone())
            if name not in TRANSFORMS:
                raise ValueError(
                    f"which_transform must return one of {list(TRANSFORMS)}, got "
                    f"{name!r}"
                )
            return torch.tensor(float(TRANSFORMS.index(name)), dtype=DTYPE)

        return apply

    _WHICH_TRANSFORM.run(
        which_transform,
        adapt=as_index,
        name="which_transform",
        arg_names=["Z"],
        atol=0,
        against="the transforms that made the data",
        note="the numbers stand for "
        + ", ".join(f"{i} = {n}" for i, n in enumerate(TRANSFORMS)),
        hint="test the mean (0 after every transform), then whether the covariance is "
        "diagonal (PCA, whitening) and whether the variances are 1 (standardising, "
        "whitening).",
    )


# ------------------------------------------------------------ the scale of the bias


def _bias_scale(X):
    """The root mean square spread of the (centred) features."""
    return X.var(dim=0, correction=0).mean().sqrt()


def _kappa_with_bias(X, c):
    A = torch.cat([X, torch.full((len(X), 1), float(c), dtype=X.dtype)], dim=1)
    lam = torch.linalg.eigvalsh(A.T @ A / len(A))  # ascending
    return lam[-1] / lam[0]


def _bias_inputs():
    gen = torch.Generator().manual_seed(0)
    U = torch.rand(2000, 10, generator=gen, dtype=DTYPE)  # variance 1/12
    V = 2 * torch.randn(2000, 4, generator=gen, dtype=DTYPE)  # variance 4
    W = 0.5 * torch.randn(2000, 6, generator=gen, dtype=DTYPE)  # variance 1/4
    return [X - X.mean(0) for X in (U, V, W)]


_BIAS_SCALE = Exercise(
    reference=_bias_scale,
    inputs=_bias_inputs,
    mistakes=(
        Mistake(
            lambda X: torch.tensor(1.0, dtype=DTYPE),
            "c = 1 is the plain bias, whose curvature 1 differs from the features' "
            "variance. The bias's curvature is c^2: make it equal the features' "
            "variance s^2, so c = s (not s^2, which misses by as much).",
        ),
        Mistake(
            lambda X: X.abs().mean(),
            "the mean absolute value is not the spread: H holds second moments, so "
            "use the standard deviation (the root mean square of centred features).",
        ),
    ),
)


@_BIAS_SCALE.register
def check_bias_scale(bias_scale):
    """Exercise ``prep-ex-bias`` (chapter "Zero-centring and data preprocessing").

    ``bias_scale(X)`` must return the constant c of the bias's input column for which
    the Hessian of ``[X, c]`` (centred, uncorrelated features of equal variance) is as
    well conditioned as it can be: c = ±s, the features' standard deviation. The check
    compares the condition numbers that the answer and the reference give, within 5%,
    so any sign and any estimate of s close to the sample's are accepted.
    """
    _needs_function(bias_scale, "bias_scale", "X")

    def kappa_of(fn):
        return lambda X: _kappa_with_bias(X, fn(X.clone()))

    _BIAS_SCALE.run(
        bias_scale,
        adapt=kappa_of,
        name="the κ of [X, bias_scale(X)]",
        arg_names=["X"],
        atol=0,
        rtol=0.05,
        against="the best κ",
        note="features of variance 1/12, 4 and 1/4",
        hint="the bias's input c has second moment c^2; each centred feature has "
        "variance s^2. H is a multiple of the identity when they match: c = the "
        "features' standard deviation.",
    )
