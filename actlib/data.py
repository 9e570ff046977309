"""Data sets of the book: four 2-D toy problems and the 8x8 handwritten digits.

The toy sets are small enough to draw: a network's decision boundary on them shows what
its activation function lets it bend. The digits (1797 images of 8x8 pixels, bundled
with scikit-learn, no download) are the book's "real" data set: big enough for
initialisation and normalisation to matter, small enough to train in a second on a
laptop.

Everything random takes a ``seed``; the same seed gives the same data.

Taught in the chapters "Why non-linearity" (toy sets) and "Zero-centring and data
preprocessing" (standardisation of the digits).
"""

from typing import NamedTuple

import numpy as np
import torch

from ._validate import check_choice, check_number

__all__ = [
    "TOY_DATASETS",
    "toy_dataset",
    "xor",
    "moons",
    "circles",
    "spirals",
    "Split",
    "load_digits",
]

TOY_DATASETS = ("xor", "moons", "circles", "spirals")


def _check(n, noise, seed, n_min=2):
    n = check_number("n", n, low=n_min, integer=True)
    noise = check_number("noise", noise, low=0)
    seed = check_number("seed", seed, low=0, high=2**32 - 1, integer=True)
    return n, noise, seed


def _tensors(X, y):
    X = torch.as_tensor(X, dtype=torch.float32)
    y = torch.as_tensor(y, dtype=torch.int64)
    return X, y


def xor(n=400, noise=0.1, seed=0):
    r"""XOR: four Gaussian blobs at a square's corners; opposite corners share a class.

    .. math::

        x = c + \text{noise}\cdot\varepsilon,\quad c \in \{-1, 1\}^2,
        \ \varepsilon \sim \mathcal N(0, I),
        \qquad y = [\,\operatorname{sign} c_1 \ne \operatorname{sign} c_2\,]

    No line separates the classes, so a linear model (or a stack of linear layers)
    fails on it.

    Args:
        n: number of points (at least 4). Default: 400. The blobs differ in size by
            at most one.
        noise: standard deviation of each blob. Default: 0.1.
        seed: seed of the draw. Default: 0.

    Returns:
        ``(X, y)``: X float32 of shape ``(n, 2)``, y int64 of shape ``(n,)`` with
        values 0 and 1.

    Example::

        >>> X, y = xor(n=8, seed=0)
        >>> X.shape, y.tolist().count(1)
        (torch.Size([8, 2]), 4)

    Taught in the chapter "Why non-linearity".
    """
    n, noise, seed = _check(n, noise, seed, n_min=4)
    rng = np.random.default_rng(seed)
    # the four corners, of classes 0, 0, 1, 1
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    blob = rng.permutation(np.arange(n) % 4)  # (n,): which corner each point belongs to
    X = corners[blob] + noise * rng.standard_normal((n, 2))  # (n, 2)
    y = (np.sign(corners[blob, 0]) != np.sign(corners[blob, 1])).astype(np.int64)
    return _tensors(X, y)


def moons(n=400, noise=0.1, seed=0):
    """Two interleaving half circles: scikit-learn's ``make_moons``.

    Args:
        n: number of points (at least 2). Default: 400 (half per class, within one).
        noise: standard deviation of the Gaussian noise on each point. Default: 0.1.
        seed: ``random_state`` of ``make_moons``. Default: 0.

    Returns:
        ``(X, y)``: X float32 ``(n, 2)``, y int64 ``(n,)`` in {0, 1}.

    Example::

        >>> X, y = moons(n=200, noise=0.2, seed=1)

    Taught in the chapter "Why non-linearity".
    """
    from sklearn.datasets import make_moons

    n, noise, seed = _check(n, noise, seed)
    return _tensors(*make_moons(n_samples=n, noise=noise, random_state=seed))


def circles(n=400, noise=0.1, seed=0, *, factor=0.5):
    """A small circle inside a large one: scikit-learn's ``make_circles``.

    Args:
        n: number of points (at least 2). Default: 400 (half per class, within one).
        noise: standard deviation of the Gaussian noise on each point. Default: 0.1.
        seed: ``random_state`` of ``make_circles``. Default: 0.
        factor: radius of the inner circle relative to the outer one, in (0, 1).
            Default: 0.5.

    Returns:
        ``(X, y)``: X float32 ``(n, 2)``, y int64 ``(n,)``; class 1 is the inner circle.

    Example::

        >>> X, y = circles(n=200, seed=0)

    Taught in the chapter "Why non-linearity".
    """
    from sklearn.datasets import make_circles

    n, noise, seed = _check(n, noise, seed)
    factor = check_number("factor", factor, low=0, high=1, low_open=True)
    if factor == 1:
        raise ValueError("factor=1 is out of range; valid values lie in (0, 1)")
    X, y = make_circles(n_samples=n, noise=noise, factor=factor, random_state=seed)
    return _tensors(X, y)


def spirals(n=400, noise=0.1, seed=0, *, classes=2):
    r"""Interleaved spiral arms, one per class.

    Point :math:`i` of class :math:`k` sits at radius :math:`r = t` and angle
    :math:`\theta = 3\pi t + 2\pi k / K` with :math:`t \sim U(0, 1)`, plus
    Gaussian noise:

    .. math::

        x = r\,(\cos\theta, \sin\theta) + \text{noise}\cdot\varepsilon

    Args:
        n: number of points (at least ``classes``). Default: 400 (classes differ in size
            by at most one).
        noise: standard deviation of the Gaussian noise. Default: 0.1.
        seed: seed of the draw. Default: 0.
        classes: number of arms (and classes), at least 2. Default: 2.

    Returns:
        ``(X, y)``: X float32 ``(n, 2)``, y int64 ``(n,)`` in ``{0, ..., classes - 1}``.

    Example::

        >>> X, y = spirals(n=300, classes=3, seed=0)
        >>> sorted(set(y.tolist()))
        [0, 1, 2]

    Taught in the chapter "Why non-linearity".
    """
    classes = check_number("classes", classes, low=2, integer=True)
    n, noise, seed = _check(n, noise, seed, n_min=classes)
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % classes)  # (n,)
    t = rng.uniform(0.0, 1.0, n)  # (n,): position along the arm
    theta = 3 * np.pi * t + 2 * np.pi * y / classes
    X = t[:, None] * np.stack([np.cos(theta), np.sin(theta)], axis=1)  # (n, 2)
    X = X + noise * rng.standard_normal((n, 2))
    return _tensors(X, y)


_TOY = {"xor": xor, "moons": moons, "circles": circles, "spirals": spirals}


def toy_dataset(name, n=400, noise=0.1, seed=0, **kwargs):
    """One of the 2-D toy data sets by name.

    The names are ``"xor"``, ``"moons"``, ``"circles"`` and ``"spirals"``.

    Args:
        name: one of ``TOY_DATASETS``.
        n: number of points. Default: 400.
        noise: noise level (see each function). Default: 0.1.
        seed: seed of the draw. Default: 0.
        **kwargs: extra keywords of that data set, e.g. ``circles(factor=0.5)`` or
            ``spirals(classes=2)``.

    Returns:
        ``(X, y)``: X float32 ``(n, 2)``, y int64 ``(n,)``.

    Example::

        >>> X, y = toy_dataset("moons", n=200, noise=0.2, seed=0)

    Taught in the chapter "Why non-linearity".
    """
    check_choice("name", name, TOY_DATASETS)
    return _TOY[name](n=n, noise=noise, seed=seed, **kwargs)


class Split(NamedTuple):
    """A train/test split ``X_train, y_train, X_test, y_test``; unpack it like a tuple.

    Example::

        >>> split = load_digits()
        >>> X_train, y_train, X_test, y_test = split      # or split.X_train, ...

    Taught in the chapter "Zero-centring and data preprocessing".
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor


def load_digits(test_size=0.25, seed=0, standardize=True):
    r"""The 8x8 handwritten digits of scikit-learn, split and (by default) standardised.

    1797 images, 10 classes, 64 pixels with values 0 to 16, bundled with scikit-learn
    (nothing is downloaded). The split is stratified (each class keeps its share in both
    parts). Standardisation uses statistics of the *training* split only, then applies
    them to both splits:

    .. math::

        x' = \frac{x - \mu_\text{train}}{\sigma_\text{train}}

    where a pixel that is constant in the training split (:math:`\sigma = 0`, e.g. a
    corner that is always blank) is divided by 1 instead of 0, so nothing becomes
    ``inf`` or ``nan``.

    Args:
        test_size: fraction of the examples held out, in (0, 1). Default: 0.25.
        seed: ``random_state`` of the split. Default: 0.
        standardize: standardise as above; ``False`` keeps the raw pixel values 0..16
            (all positive: the chapter on zero-centring shows why that hurts).
            Default: ``True``.

    Returns:
        ``Split(X_train, y_train, X_test, y_test)``: X float32 ``(N, 64)``,
        y int64 ``(N,)``.

    Example::

        >>> X_train, y_train, X_test, y_test = load_digits(seed=0)
        >>> X_train.shape, X_test.shape
        (torch.Size([1347, 64]), torch.Size([450, 64]))

    Taught in the chapter "Zero-centring and data preprocessing".
    """
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    test_size = check_number("test_size", test_size, low=0, high=1, low_open=True)
    if test_size == 1:
        raise ValueError("test_size=1 is out of range; valid values lie in (0, 1)")
    seed = check_number("seed", seed, low=0, high=2**32 - 1, integer=True)
    if not isinstance(standardize, bool):
        raise TypeError(f"standardize must be True or False, got {standardize!r}")
    X, y = datasets.load_digits(return_X_y=True)  # (1797, 64) floats 0..16, (1797,)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, random_state=seed, stratify=y
    )
    if standardize:
        mean = X_train.mean(axis=0)  # (64,): training statistics only
        std = X_train.std(axis=0)
        std[std == 0] = 1.0  # a constant pixel stays finite
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return Split(*_tensors(X_train, y_train), *_tensors(X_test, y_test))
