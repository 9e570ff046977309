"""Tests of actlib.book: the one module that knows about the book's build machinery."""

import builtins
import sys

import pytest

import actlib


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


def test_glue_without_myst_nb_does_nothing(monkeypatch):
    # a reader's Jupyter (Colab, Binder): myst_nb cannot be imported
    monkeypatch.setitem(sys.modules, "myst_nb", None)
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None)
    real_import = builtins.__import__

    def no_myst(name, *args, **kwargs):
        if name.startswith("myst_nb"):
            raise ModuleNotFoundError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_myst)
    assert actlib.glue("answer", 1.5, display=True) == 1.5


@pytest.mark.parametrize("name", ["", None, 3])
def test_glue_rejects_a_bad_name(name):
    with pytest.raises(TypeError, match="name"):
        actlib.glue(name, 1)
