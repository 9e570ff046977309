"""Tests for actlib.device: the device choice and the seeds."""

import random

import numpy as np
import pytest
import torch

import actlib


def test_default_device_is_available(monkeypatch):
    monkeypatch.delenv("ACTLIB_DEVICE", raising=False)
    device = actlib.get_device()
    assert isinstance(device, torch.device)
    torch.zeros(2, device=device)  # usable
    if torch.cuda.is_available():
        assert device.type == "cuda"


def test_env_override_to_cpu(monkeypatch):
    monkeypatch.setenv("ACTLIB_DEVICE", "CPU ")
    assert actlib.get_device() == torch.device("cpu")


def test_env_override_rejects_unknown_device(monkeypatch):
    monkeypatch.setenv("ACTLIB_DEVICE", "tpu")
    with pytest.raises(
        ValueError, match=r"ACTLIB_DEVICE='tpu'.*\['cpu', 'cuda', 'mps'\]"
    ):
        actlib.get_device()


@pytest.mark.skipif(
    torch.cuda.is_available(), reason="this machine has CUDA, so asking for it is fine"
)
def test_env_override_to_missing_cuda_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("ACTLIB_DEVICE", "cuda")
    with pytest.raises(
        RuntimeError, match=r"ACTLIB_DEVICE='cuda'.*no cuda device.*available here"
    ):
        actlib.get_device()


def test_set_seed_makes_python_numpy_and_torch_repeat():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    assert actlib.set_seed(7) == 7
    first = draw()
    actlib.set_seed(7)
    assert draw() == first
    actlib.set_seed(8)
    assert draw() != first


@pytest.mark.parametrize(
    "seed, error",
    [
        (-1, ValueError),
        (2**32, ValueError),
        (1.5, TypeError),
        ("7", TypeError),
        (True, TypeError),
    ],
)
def test_set_seed_rejects_bad_seeds(seed, error):
    with pytest.raises(error, match="seed"):
        actlib.set_seed(seed)


def test_set_seed_accepts_whole_floats_and_numpy_integers():
    assert actlib.set_seed(2.0) == 2
    assert actlib.set_seed(np.int64(3)) == 3
