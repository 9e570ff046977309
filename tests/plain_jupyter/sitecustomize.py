"""A plain Jupyter for the notebook tests: a kernel sees only what actlib needs.

`make test` runs the chapters under nbval with this folder on ``PYTHONPATH``. In every
Jupyter kernel started from there (``python -m ipykernel_launcher``), importing a module
that is installed but belongs neither to the standard library nor to the dependencies of
``actlib`` and ``ipykernel`` (followed to the end) raises ``ModuleNotFoundError``, as it
would in Colab or in a fresh environment with ``pip install actlib``: myst-nb,
jupyter-book and Sphinx above all. A chapter that needs the book's build to run then
fails its test. Other processes (pytest itself, its workers) are left alone;
``ACTLIB_PLAIN_KERNEL=1`` turns the same rule on in any process (the tests use it).
"""

import importlib.abc
import importlib.metadata as metadata
import os
import re
import sys

ROOTS = ("actlib", "ipykernel")


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_closure(roots=ROOTS):
    """The canonical names of the distributions ``roots`` need, themselves included."""
    seen, todo = set(), list(roots)
    while todo:
        name = _canonical(todo.pop())
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for requirement in dist.requires or []:
            if "extra ==" not in requirement.replace('"', "'").replace("'", ""):
                todo.append(re.match(r"[A-Za-z0-9._-]+", requirement).group(0))
    return seen


def blocked_modules(roots=ROOTS):
    """The installed top-level modules that no distribution of the closure provides."""
    allowed = dependency_closure(roots)
    return {
        module
        for module, dists in metadata.packages_distributions().items()
        if not any(_canonical(d) in allowed for d in dists)
    }


class _PlainKernel(importlib.abc.MetaPathFinder):
    def __init__(self, blocked):
        self.blocked = blocked

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] in self.blocked:
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (not a dependency of actlib: a reader's "
                "Jupyter may not have it)",
                name=fullname,
            )
        return None


def _is_kernel():
    argv = getattr(sys, "orig_argv", sys.argv)
    return "ipykernel_launcher" in argv or os.environ.get("ACTLIB_PLAIN_KERNEL") == "1"


if _is_kernel():
    sys.meta_path.insert(0, _PlainKernel(blocked_modules()))
