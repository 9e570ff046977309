"""Tests for actlib.data: the toy sets and the digits split."""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_circles, make_moons

from actlib.data import (
    TOY_DATASETS,
    Split,
    circles,
    load_digits,
    moons,
    spirals,
    toy_dataset,
    xor,
)


@pytest.fixture(scope="module")
def digits():
    return load_digits()


@pytest.mark.parametrize("name", TOY_DATASETS)
@pytest.mark.parametrize("n", [4, 101, 400])
def test_toy_shapes_dtypes_balance(name, n):
    X, y = toy_dataset(name, n=n, seed=1)
    assert X.shape == (n, 2) and X.dtype == torch.float32
    assert y.shape == (n,) and y.dtype == torch.int64
    counts = torch.bincount(y, minlength=2)
    assert len(counts) == 2 and counts.max() - counts.min() <= 1
    assert torch.isfinite(X).all()


@pytest.mark.parametrize("name", TOY_DATASETS)
def test_toy_determinism_by_seed(name):
    X1, y1 = toy_dataset(name, seed=3)
    X2, y2 = toy_dataset(name, seed=3)
    X3, _ = toy_dataset(name, seed=4)
    assert torch.equal(X1, X2) and torch.equal(y1, y2)
    assert not torch.equal(X1, X3)


@pytest.mark.parametrize(
    "name, fn",
    [("xor", xor), ("moons", moons), ("circles", circles), ("spirals", spirals)],
)
def test_toy_dataset_dispatches_to_the_function(name, fn):
    X1, y1 = toy_dataset(name, n=50, noise=0.2, seed=2)
    X2, y2 = fn(n=50, noise=0.2, seed=2)
    assert torch.equal(X1, X2) and torch.equal(y1, y2)


def test_moons_and_circles_are_sklearn():
    X, y = moons(n=120, noise=0.3, seed=7)
    Xs, ys = make_moons(n_samples=120, noise=0.3, random_state=7)
    assert torch.equal(X, torch.tensor(Xs, dtype=torch.float32)) and torch.equal(
        y, torch.tensor(ys)
    )
    X, y = circles(n=90, noise=0.05, seed=2, factor=0.3)
    Xs, ys = make_circles(n_samples=90, noise=0.05, factor=0.3, random_state=2)
    assert torch.equal(X, torch.tensor(Xs, dtype=torch.float32)) and torch.equal(
        y, torch.tensor(ys)
    )


def test_xor_label_is_xor_of_signs_without_noise():
    X, y = xor(n=200, noise=0.0, seed=0)
    assert set(X.abs().flatten().tolist()) == {1.0}
    assert torch.equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).long())
    corners = torch.unique(X, dim=0)
    assert len(corners) == 4
    X, y = xor(n=400, noise=0.1, seed=0)
    assert torch.equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).long())  # blobs well apart


def test_spirals_classes_and_radius():
    X, y = spirals(n=301, classes=3, noise=0.0, seed=0)
    counts = torch.bincount(y)
    assert len(counts) == 3 and counts.max() - counts.min() <= 1
    assert X.norm(dim=1).max() <= 1.0 + 1e-6
    X, y = toy_dataset("spirals", n=40, classes=4)
    assert set(y.tolist()) == {0, 1, 2, 3}


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"name": "swiss_roll"}, ValueError, r"name='swiss_roll'.*'moons'"),
        ({"name": "xor", "n": 3}, ValueError, r"n=3 is out of range"),
        ({"name": "moons", "n": 10.5}, TypeError, "n must be an integer"),
        ({"name": "moons", "noise": -0.1}, ValueError, r"noise=-0.1"),
        ({"name": "circles", "seed": -1}, ValueError, r"seed=-1"),
        ({"name": "circles", "factor": 1.0}, ValueError, r"factor=1"),
        ({"name": "spirals", "classes": 1}, ValueError, r"classes=1"),
        ({"name": "spirals", "n": 2, "classes": 3}, ValueError, r"n=2"),
    ],
)
def test_toy_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        toy_dataset(**kwargs)


def test_toy_unknown_keyword():
    with pytest.raises(TypeError, match="classes"):
        toy_dataset("moons", classes=3)


def test_digits_shapes_dtypes(digits):
    assert isinstance(digits, Split)
    X_train, y_train, X_test, y_test = digits
    assert X_train.shape == (1347, 64) and X_test.shape == (450, 64)
    assert X_train.dtype == X_test.dtype == torch.float32
    assert y_train.dtype == y_test.dtype == torch.int64
    assert set(y_train.tolist()) == set(range(10))


def test_digits_stratified(digits):
    train = torch.bincount(digits.y_train, minlength=10) / len(digits.y_train)
    test = torch.bincount(digits.y_test, minlength=10) / len(digits.y_test)
    assert (train - test).abs().max() < 0.01


def test_digits_standardised_with_train_statistics_only(digits):
    X_train, X_test = digits.X_train, digits.X_test
    assert torch.isfinite(X_train).all() and torch.isfinite(X_test).all()
    assert X_train.mean(0).abs().max() < 1e-5  # train columns: mean 0 ...
    std = X_train.std(0, unbiased=False)
    varying = std > 0
    # ... and std 1 where they vary
    assert torch.allclose(std[varying], torch.ones_like(std[varying]), atol=1e-4)
    # some pixels are blank in every training image: divided by 1
    assert (~varying).any()
    # test set not standardised with its own statistics
    assert X_test.mean(0).abs().max() > 1e-3


def test_digits_constant_pixel_divided_by_one():
    raw = load_digits(standardize=False)
    std = load_digits(standardize=True)
    constant = raw.X_train.std(0) == 0
    mean = raw.X_train.mean(0)
    assert torch.allclose(
        std.X_test[:, constant], raw.X_test[:, constant] - mean[constant]
    )


def test_digits_raw_values(digits):
    raw = load_digits(standardize=False)
    assert raw.X_train.min() == 0 and raw.X_train.max() == 16
    assert torch.equal(raw.y_train, digits.y_train)  # same split, same seed


def test_digits_determinism_and_test_size():
    a, b, c = load_digits(seed=1), load_digits(seed=1), load_digits(seed=2)
    assert all(torch.equal(p, q) for p, q in zip(a, b))
    assert not torch.equal(a.y_train, c.y_train)
    small = load_digits(test_size=0.1)
    assert len(small.X_test) == 180 and len(small.X_train) == 1617
    assert np.isclose(len(small.X_test) / 1797, 0.1, atol=0.001)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"test_size": 0}, ValueError, "test_size=0"),
        ({"test_size": 1}, ValueError, "test_size=1"),
        ({"test_size": "a"}, TypeError, "test_size must be a number"),
        ({"seed": -3}, ValueError, "seed=-3"),
        ({"standardize": "yes"}, TypeError, "standardize must be True or False"),
    ],
)
def test_digits_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        load_digits(**kwargs)
