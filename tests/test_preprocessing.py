"""Tests for actlib/preprocessing.py.

numpy and torch (torch.cov, torch.linalg.eigh) are the oracles.
"""

import numpy as np
import pytest
import torch

import actlib
from actlib.preprocessing import PREPROCESSING_METHODS, Preprocessor


def _data(n=500, seed=0):
    g = torch.Generator().manual_seed(seed)
    A = torch.tensor([[2.0, 0.0, 0.0], [1.5, 0.5, 0.0], [0.3, -0.2, 0.1]])
    X = torch.randn(n, 3, generator=g, dtype=torch.float64)
    return X @ A.T.double() + torch.tensor([5.0, -1.0, 3.0], dtype=torch.float64)


def test_center_and_standardize_match_numpy():
    X = _data()
    Xn = X.numpy()
    torch.testing.assert_close(
        Preprocessor("center").fit_transform(X), torch.from_numpy(Xn - Xn.mean(0))
    )
    want = (Xn - Xn.mean(0)) / Xn.std(0)
    torch.testing.assert_close(
        Preprocessor("standardize").fit_transform(X), torch.from_numpy(want)
    )


def test_pca_decorrelates_and_matches_eigh():
    X = _data()
    out = Preprocessor("pca").fit_transform(X)
    cov = torch.cov(out.T, correction=0)
    lam = torch.linalg.eigvalsh(torch.cov(X.T, correction=0)).flip(0)
    # diagonal, decreasing variances
    torch.testing.assert_close(cov, torch.diag(lam), atol=1e-9, rtol=1e-7)
    # a rotation keeps lengths
    torch.testing.assert_close(out.norm(dim=1), (X - X.mean(0)).norm(dim=1))


def test_whitened_covariance_is_the_identity():
    X = _data()
    prep = Preprocessor("whiten", eps=0.0).fit(X)
    out = prep.transform(X)
    torch.testing.assert_close(
        out.mean(0), torch.zeros(3, dtype=X.dtype), atol=1e-10, rtol=0
    )
    torch.testing.assert_close(
        torch.cov(out.T, correction=0), torch.eye(3, dtype=X.dtype), atol=1e-8, rtol=0
    )
    with_eps = Preprocessor("whiten", eps=1e-5).fit_transform(X)
    assert torch.allclose(
        torch.cov(with_eps.T, correction=0), torch.eye(3, dtype=X.dtype), atol=1e-2
    )


def test_whitening_agrees_with_pca_lowrank_up_to_signs():
    X = _data()
    prep = Preprocessor("pca").fit(X)
    U, S, V = torch.pca_lowrank(X, q=3, center=True)
    torch.testing.assert_close(prep.eigenvalues, S**2 / len(X))
    torch.testing.assert_close(prep.components.abs(), V.abs(), atol=1e-8, rtol=1e-6)


def test_statistics_come_from_the_training_split_only():
    X = _data()
    X_train, X_test = X[:400], X[400:] + 100.0
    prep = Preprocessor("standardize").fit(X_train)
    torch.testing.assert_close(
        prep.transform(X_test),
        (X_test - X_train.mean(0)) / X_train.std(0, correction=0),
    )


def test_constant_feature_stays_finite():
    X_train, _, X_test, _ = actlib.load_digits(standardize=False)
    assert (X_train.std(0) == 0).any()  # the digits have constant pixels
    for method in PREPROCESSING_METHODS:
        prep = Preprocessor(method).fit(X_train)
        out = prep.transform(X_test)
        assert torch.isfinite(out).all(), method
        assert out.dtype == X_test.dtype
    std = Preprocessor("standardize").fit(X_train)
    # as load_digits does
    torch.testing.assert_close(std.transform(X_train), actlib.load_digits().X_train)


def test_device_and_dtype_follow_the_input():
    X = _data().float()
    out = Preprocessor("whiten").fit_transform(X)
    assert out.dtype == torch.float32 and out.device == X.device


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="method='zca'.*center"):
        Preprocessor("zca")
    with pytest.raises(ValueError, match="eps=-1"):
        Preprocessor("whiten", eps=-1)
    with pytest.raises(TypeError, match="eps"):
        Preprocessor("whiten", eps="small")
    with pytest.raises(RuntimeError, match="fit"):
        Preprocessor().transform(torch.zeros(2, 3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        Preprocessor().fit(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"shape \(N, D\)"):
        Preprocessor().fit(torch.zeros(5))
    with pytest.raises(TypeError, match="floating-point"):
        Preprocessor().fit(torch.zeros(2, 3, dtype=torch.int64))
    with pytest.raises(ValueError, match="empty"):
        Preprocessor().fit(torch.zeros(0, 3))
    prep = Preprocessor().fit(torch.randn(4, 3))
    with pytest.raises(ValueError, match="fitted on 3"):
        prep.transform(torch.zeros(2, 4))
    assert "fitted" in repr(prep)
