"""Tests of actlib.book (the one module that knows the book's build) and of the plain
kernel the notebook tests run the chapters in (tests/plain_jupyter)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import actlib
from actlib import book

PLAIN = Path(__file__).resolve().parent / "plain_jupyter"


@pytest.fixture(autouse=True)
def fresh_glue():
    book._myst_glue.cache_clear()
    yield
    book._myst_glue.cache_clear()


def test_static_site_reads_the_environment(monkeypatch):
    monkeypatch.setenv("ACTLIB_STATIC_SITE", "1")
    assert actlib.static_site()
    monkeypatch.setenv("ACTLIB_STATIC_SITE", "0")
    assert not actlib.static_site()
    monkeypatch.delenv("ACTLIB_STATIC_SITE")
    assert not actlib.static_site()


def test_glue_hands_the_value_to_myst_nb(monkeypatch):
    calls = []
    import myst_nb

    monkeypatch.setattr(myst_nb, "glue", lambda *a, **k: calls.append((a, k)))
    assert actlib.glue("answer", 42) == 42
    assert calls == [(("answer", 42), {"display": False})]


def test_glue_gives_numpy_and_torch_scalars_as_python_numbers(monkeypatch):
    import myst_nb
    import numpy as np
    import torch

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda *a, **k: calls.append(a[1]))
    for value in (np.float64(0.25), torch.tensor(0.25), np.int64(3)):
        actlib.glue("x", value)
    assert calls == [0.25, 0.25, 3] and type(calls[0]) is float
    assert type(calls[2]) is int  # its text, "3", reads as {glue:text}`x:d`


def test_glue_without_myst_nb_does_nothing(monkeypatch):
    # a reader's Jupyter (Colab, Binder): myst_nb cannot be imported
    monkeypatch.setitem(sys.modules, "myst_nb", None)
    assert actlib.glue("answer", 1.5, display=True) == 1.5


@pytest.mark.parametrize("name", ["", None, 3])
def test_glue_rejects_a_bad_name(name):
    with pytest.raises(TypeError, match="name"):
        actlib.glue(name, 1)


def _plain(code):
    env = dict(os.environ, PYTHONPATH=str(PLAIN), ACTLIB_PLAIN_KERNEL="1")
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )


def test_the_plain_kernel_has_actlib_and_its_dependencies_only():
    code = (
        "import actlib, torch, sklearn, matplotlib, ipywidgets, tqdm, IPython\n"
        "for name in ('myst_nb', 'jupyter_book', 'sphinx', 'nbval', 'docutils'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ModuleNotFoundError:\n"
        "        continue\n"
        "    raise SystemExit(f'{name} is importable')\n"
        "print(actlib.glue('x', 3))\n"
    )
    result = _plain(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3"


def test_the_plain_kernel_rule_is_off_outside_kernels():
    env = dict(os.environ, PYTHONPATH=str(PLAIN))
    env.pop("ACTLIB_PLAIN_KERNEL", None)
    result = subprocess.run(
        [sys.executable, "-c", "import myst_nb"], env=env, capture_output=True
    )
    assert result.returncode == 0, result.stderr
