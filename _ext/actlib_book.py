"""The glue between the book build and ``actlib``: a small local Sphinx extension.

Two jobs:

1. It sets ``ACTLIB_STATIC_SITE=1`` in the build's environment. The kernels that execute the
   chapters inherit it, so :func:`actlib.explore` renders kernel-free explorers (precomputed frames
   and an inline slider) and :func:`actlib.fit` hides its progress bar: the static site has no kernel.
2. It makes every notebook depend on the source files of ``actlib/``. Sphinx re-reads (and so
   myst-nb re-executes) a page when a file it depends on changes, so an edit to ``actlib`` can never
   leave outputs of the old code in the site.
"""
import os
from pathlib import Path

ACTLIB = Path(__file__).resolve().parent.parent / "actlib"


def _static_site(app, config):
    os.environ["ACTLIB_STATIC_SITE"] = "1"


def _depend_on_actlib(app, docname, source):
    if str(app.env.doc2path(docname)).endswith(".ipynb"):
        for path in sorted(ACTLIB.rglob("*.py")):
            app.env.note_dependency(str(path))


def setup(app):
    app.connect("config-inited", _static_site)
    app.connect("source-read", _depend_on_actlib)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
