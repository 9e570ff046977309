r"""Data preprocessing: centre, standardise, decorrelate (PCA) and whiten.

Every method is fitted on the training split.

Every method first subtracts the mean of each feature, then goes one step further:

.. math::

    \text{center:}\quad x' = x - \mu, \qquad
    \text{standardize:}\quad x'_j = \frac{x_j - \mu_j}{\sigma_j},

    \text{pca:}\quad x' = U^\top (x - \mu), \qquad
    \text{whiten:}\quad x' = \Lambda^{-1/2}\, U^\top (x - \mu)
        \;\; (\Lambda + \varepsilon \text{ in code}),

where :math:`\mu` and :math:`\sigma` are the mean and standard deviation of each feature
and :math:`\Sigma = U \Lambda U^\top` is the eigendecomposition of the covariance matrix
(eigenvalues in decreasing order), all computed on the **training split only** and then
applied unchanged to the validation and test splits. Centring makes the inputs of the
first layer zero-mean (so the weight gradients of a neuron do not all share one sign);
standardising gives every feature the same scale; PCA rotates the data so that the
features are uncorrelated; whitening also scales each of those directions to unit
variance, so the covariance becomes the identity.

A feature that is constant on the training split (:math:`\sigma_j = 0`, e.g. a pixel at
the border of the digits that is always blank) would give :math:`0/0` on the training
split and :math:`\pm\infty` on a test image where it is not blank. ``"standardize"``
divides such a feature by 1 instead (it stays 0 on the training split); ``"whiten"``
adds ``eps`` to every eigenvalue before the square root.

Statistics use :math:`1/N` (as ``numpy.std`` and ``torch.cov(correction=0)``), so the
training split comes out with mean exactly 0 and, for ``"standardize"`` and
``"whiten"``, variance 1.

Taught in the chapter "Zero-centring and data preprocessing".
"""

import torch

from ._validate import check_choice, check_number

__all__ = ["PREPROCESSING_METHODS", "Preprocessor"]

PREPROCESSING_METHODS = ("center", "standardize", "pca", "whiten")


def _check_X(X, name="X", n_features=None):
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(X).__name__}")
    if X.ndim != 2:
        raise ValueError(
            f"{name} must have shape (N, D) (one row per example), "
            f"got shape {tuple(X.shape)}"
        )
    if not X.is_floating_point():
        raise TypeError(
            f"{name} must hold floating-point numbers, got {X.dtype}; use X.float()"
        )
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"{name} has {X.shape[1]} features, "
            f"but the Preprocessor was fitted on {n_features}"
        )


def _wide(X):
    """X in float64 for exact statistics (float32 on Apple's MPS: it has no float64)."""
    return X.float() if X.device.type == "mps" else X.double()


class Preprocessor:
    r"""Fit preprocessing statistics on the training split; apply them to any split.

    .. math::

        x' = \Lambda_\varepsilon^{-1/2} U^\top (x - \mu)
            \quad (\text{``whiten''}), \qquad
        \Sigma = \tfrac1N \textstyle\sum_n (x_n - \mu)(x_n - \mu)^\top
            = U \Lambda U^\top

    and the simpler ``"center"``, ``"standardize"`` and ``"pca"`` of the module
    docstring.

    Args:
        method: one of ``PREPROCESSING_METHODS``: ``"center"``, ``"standardize"``,
            ``"pca"`` or ``"whiten"``. Default: ``"standardize"``.
        eps: added to every eigenvalue before whitening (``"whiten"`` only),
            :math:`\ge 0`; it keeps directions of zero variance finite.
            Default: ``1e-5``.

    Attributes (after ``fit``):
        mean: ``(D,)`` mean of each feature.
        std: ``(D,)`` its standard deviation, with 1 where it is 0.
        eigenvalues: ``(D,)`` of the covariance, in decreasing order (clamped at 0).
        components: ``(D, D)`` the eigenvectors :math:`U`, one per column.
        All four are computed in float64 (float32 on Apple's MPS) on the data's device;
        ``transform`` returns the data's dtype.

    Shape:
        ``transform``: ``(N, D) -> (N, D)``, on ``X``'s device and in its dtype.

    Example::

        >>> X_train, y_train, X_test, y_test = load_digits(standardize=False)
        >>> prep = Preprocessor("standardize").fit(X_train)  # training statistics only
        >>> X_train_s, X_test_s = prep.transform(X_train), prep.transform(X_test)
        >>> bool(torch.isfinite(X_test_s).all())  # constant pixels stay finite
        True

    Taught in the chapter "Zero-centring and data preprocessing".
    """

    def __init__(self, method="standardize", eps=1e-5):
        self.method = check_choice("method", method, PREPROCESSING_METHODS)
        self.eps = check_number("eps", eps, low=0, finite=True)
        self.mean = self.std = self.eigenvalues = self.components = None

    def __repr__(self):
        fitted = "fitted" if self.mean is not None else "not fitted"
        return f"Preprocessor(method={self.method!r}, eps={self.eps:g}) [{fitted}]"

    def fit(self, X):
        """Compute the statistics of ``X`` and return ``self``.

        ``X`` is the training split, ``(N, D)`` with N >= 1.
        """
        _check_X(X)
        if len(X) == 0:
            raise ValueError("X is empty: fit needs at least one example")
        X64 = _wide(X)
        self.mean = X64.mean(dim=0)  # (D,)
        Xc = X64 - self.mean  # (N, D)
        std = Xc.pow(2).mean(dim=0).sqrt()  # (D,): 1/N, as numpy.std
        # a constant feature is divided by 1
        self.std = torch.where(std > 0, std, torch.ones_like(std))
        cov = Xc.T @ Xc / len(X)  # (D, N) x (N, D) -> (D, D)
        eigenvalues, components = torch.linalg.eigh(cov)  # ascending order
        # decreasing; rounding can give -1e-17
        self.eigenvalues = eigenvalues.flip(0).clamp(min=0)
        self.components = components.flip(1)
        return self

    def transform(self, X):
        """Apply the fitted statistics to ``X`` ``(N, D)`` of any split.

        Returns a new tensor.
        """
        if self.mean is None:
            raise RuntimeError(
                "this Preprocessor is not fitted yet: call fit(X_train) first"
            )
        _check_X(X, n_features=len(self.mean))
        Xw = _wide(X)
        mean, std, U, lam = (
            t.to(Xw.device, Xw.dtype)
            for t in (self.mean, self.std, self.components, self.eigenvalues)
        )
        Xc = Xw - mean  # (N, D)
        if self.method == "center":
            out = Xc
        elif self.method == "standardize":
            out = Xc / std
        elif self.method == "pca":
            # (N, D) x (D, D) -> (N, D): coordinates along the principal axes
            out = Xc @ U
        else:  # whiten
            out = Xc @ U / torch.sqrt(lam + self.eps)
        return out.to(X.dtype)

    def fit_transform(self, X):
        """``fit(X)`` then ``transform(X)``: for the training split only."""
        return self.fit(X).transform(X)
