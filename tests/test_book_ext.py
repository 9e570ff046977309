"""Tests for the local Sphinx extension `_ext/actlib_book.py` (no Sphinx build needed)."""
import importlib.util
import os
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("actlib_book", ROOT / "_ext" / "actlib_book.py")
ext = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ext)


class FakeEnv:
    def __init__(self, path):
        self.path, self.noted = path, []

    def doc2path(self, docname):
        return self.path

    def note_dependency(self, filename):
        self.noted.append(filename)


def test_every_notebook_depends_on_every_actlib_source_file():
    env = FakeEnv(str(ROOT / "chapters" / "activations.ipynb"))
    ext._depend_on_actlib(SimpleNamespace(env=env), "chapters/activations", [""])
    expected = {str(p) for p in (ROOT / "actlib").rglob("*.py")}
    assert expected and set(env.noted) == expected


def test_markdown_pages_do_not_depend_on_actlib():
    env = FakeEnv(str(ROOT / "chapters" / "intro.md"))
    ext._depend_on_actlib(SimpleNamespace(env=env), "chapters/intro", [""])
    assert env.noted == []


def test_the_site_build_asks_for_static_explorers(monkeypatch):
    monkeypatch.setenv("ACTLIB_STATIC_SITE", "0")  # recorded, so the test leaves the variable as it found it
    ext._static_site(None, None)
    assert os.environ["ACTLIB_STATIC_SITE"] == "1"
