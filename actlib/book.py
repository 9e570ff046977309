"""Where a chapter runs: the book's site build, or a reader's own Jupyter.

The one module that knows about the book's build machinery, so that the chapters and
the rest of ``actlib`` run unchanged anywhere (Colab, Binder, JupyterLab, plain Python):

- :func:`static_site` says whether the static site is being built. The book's Sphinx
  extension (``_ext/actlib_book.py``) sets ``ACTLIB_STATIC_SITE=1`` for the kernels
  that execute the chapters; explorers then render kernel-free frames and ``fit``
  hides its progress bar.
- :func:`glue` hands a value to myst-nb's ``glue`` when myst-nb is installed (the
  book's build), so the prose can show it, and does nothing otherwise: a reader's
  Jupyter has no myst-nb.

Taught in: every chapter (the setup cell).
"""

import functools
import os

__all__ = ["glue", "static_site"]


def static_site() -> bool:
    """True while the book's static site is built (``ACTLIB_STATIC_SITE=1``)."""
    return os.environ.get("ACTLIB_STATIC_SITE", "") == "1"


def glue(name, value, display=False):
    """Record ``value`` under ``name`` for the prose; return ``value``.

    In the book's build this is ``myst_nb.glue(name, value, display=display)``, which
    the prose shows with a role such as ``{glue:text}`steps_90:d```. Where myst-nb is
    not installed (Colab, a plain Jupyter) nothing is recorded: the number is already
    in the text the reader sees, so the chapter runs on unchanged.

    Args:
        name: the key the prose names (``steps_90`` above).
        value: what to record (a number, a string, a figure).
        display: also show ``value`` as the cell's output. Default: ``False``.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        # a numpy scalar or a 0-d tensor: its Python number, whose text the prose's
        # format spec ({glue:text}`name:.2f`) can read (not "np.float64(0.5)")
        value = value.item()
    myst_glue = _myst_glue()
    if myst_glue is not None:
        myst_glue(name, value, display=display)
    return value


@functools.cache
def _myst_glue():
    """myst-nb's ``glue``, or None where myst-nb is not installed (asked once)."""
    try:
        from myst_nb import glue
    except ImportError:
        return None
    return glue
