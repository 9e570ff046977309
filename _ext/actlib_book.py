"""The glue between the book build and ``actlib``: a small local Sphinx extension.

Its jobs:

1. It sets ``ACTLIB_STATIC_SITE=1`` in the build's environment. The kernels that execute
   the chapters inherit it, so :func:`actlib.explore` renders kernel-free explorers
   (precomputed frames and an inline slider) and :func:`actlib.fit` hides its progress
   bar: the static site has no kernel.
2. No stale outputs. Every notebook depends on the source files of ``actlib/`` (an edit
   there makes Sphinx re-read the chapters), and the execution cache
   (``_build/.jupyter_cache``, shared by both editions so the student edition does not
   execute the chapters again) is emptied whenever the source of ``actlib`` differs
   from the one that filled it. jupyter-cache itself re-executes a notebook whose code
   changed.
3. Two editions from one source, chosen by the environment variable ``ACTLIB_EDITION``:
   ``instructor`` (the default: solutions shown in drop-downs) or ``student``: every
   gated solution (``solution-start`` ... ``solution-end``), every plain ``solution``
   block and every cell tagged ``solution`` is removed from the pages, the outputs of
   check cells are removed (they would say that the hidden solution passes), and
   ``html_copy_source`` is off, so ``_sources`` holds nothing. In both editions the
   chapters as live notebooks (:mod:`bookkit.live`; the student notebooks in the
   student edition) go into the site, ``notebooks/``, behind the download button.
4. A "Run this chapter live" box at the top of every notebook page, with its Binder and
   Colab links, built from the one repository setting of ``_config.yml``
   (``repository.url``).
5. MathJax ships with the site: MathJax 3.2.2 from the pip package
   ``sphinx-mathjax-offline`` is copied into ``_static/mathjax``; Sphinx loads it only
   on pages that have maths.
6. The directive ``actlib-chapters``: the per-chapter part of the instructor page
   (:mod:`bookkit.instructor`: goals, exercises, checks, code cells, a time estimate).

The notebooks and ``_toc.yml`` are read by :mod:`bookkit` (at the repository's root);
only the doctree-level work (:func:`strip_solutions`) is done here.
"""

import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # bookkit lives at the repository's root, beside _ext
    sys.path.insert(0, str(ROOT))

from bookkit import live  # noqa: E402
from bookkit.book import PLACEHOLDER_URL, toc_entries  # noqa: E402
from bookkit.instructor import chapters_markdown  # noqa: E402

ACTLIB = ROOT / "actlib"
CACHE = ROOT / "_build" / ".jupyter_cache"
EDITIONS = ("instructor", "student")
# the one combined configuration shipped
MATHJAX_PATH = "mathjax/tex-chtml.js"


# ------------------------------------------------------------------ 1. static explorers
def _static_site(app, config):
    os.environ["ACTLIB_STATIC_SITE"] = "1"


# ------------------------------------------------------------------ 2. no stale outputs
def _depend_on_actlib(app, docname, source):
    if str(app.env.doc2path(docname)).endswith(".ipynb"):
        for path in sorted(ACTLIB.rglob("*.py")):
            app.env.note_dependency(str(path))


def actlib_fingerprint(root=ACTLIB):
    """A hash of every source file of actlib (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(Path(root).rglob("*.py")):
        digest.update(
            str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0"
        )
    return digest.hexdigest()


def prepare_cache(cache=CACHE, root=ACTLIB):
    """Empty ``cache`` unless it was filled with the current actlib; return True if it
    was emptied."""
    cache = Path(cache)
    stamp, current = cache / "actlib.sha256", actlib_fingerprint(root)
    emptied = False
    if cache.exists() and (not stamp.exists() or stamp.read_text() != current):
        shutil.rmtree(cache)
        emptied = True
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current)
    return emptied


def _shared_cache(app, config):
    if config.nb_execution_mode == "cache":
        prepare_cache()
        config.nb_execution_cache_path = str(CACHE)


# -------------------------------------------------------------------------- 3. editions
def edition():
    value = os.environ.get("ACTLIB_EDITION", "instructor") or "instructor"
    if value not in EDITIONS:
        raise ValueError(
            f"ACTLIB_EDITION={value!r}: expected one of {', '.join(EDITIONS)}"
        )
    return value


def _set_edition(app, config):
    config.actlib_edition = edition()
    if app is not None:
        # pages may say ```{only} student``` or `not student`
        app.tags.add(config.actlib_edition)
    if config.actlib_edition == "student":
        config.html_copy_source = False
        config.html_title = f"{config.html_title or config.project} (student edition)"


def _is_solution(node):
    from sphinx_exercise.nodes import (
        solution_end_node,
        solution_node,
        solution_start_node,
    )

    if isinstance(node, (solution_node, solution_start_node, solution_end_node)):
        return True
    return isinstance(node, nodes.Element) and "tag_solution" in node.get("classes", [])


def strip_solutions(doctree):
    """Remove every solution from a doctree; return how many nodes were removed.

    A gated solution is everything from a ``solution-start`` node to its
    ``solution-end`` node (siblings in between included); a plain ``solution`` block and
    a cell tagged ``solution`` go too. The outputs of check cells (``actlib.check_...``)
    go as well.
    """
    from sphinx_exercise.nodes import solution_end_node, solution_start_node

    removed = 0
    for start in list(doctree.findall(solution_start_node)):
        parent = start.parent
        if parent is None:
            continue
        i = parent.index(start)
        j = next(
            (
                k
                for k in range(i, len(parent))
                if isinstance(parent[k], solution_end_node)
            ),
            i,
        )
        for child in parent.children[i : j + 1]:
            parent.remove(child)
            removed += 1
    for node in list(doctree.findall(_is_solution)):
        if node.parent is not None:
            node.parent.remove(node)
            removed += 1
    for cell in list(doctree.findall(nodes.container)):
        if cell.get("nb_element") != "cell_code" or cell.parent is None:
            continue
        code = "".join(
            n.astext()
            for n in cell.findall(nodes.literal_block)
            if n.parent.get("nb_element") == "cell_code_source"
        )
        if "actlib.check_" in code:
            for out in [
                c for c in cell.children if c.get("nb_element") == "cell_code_output"
            ]:
                cell.remove(out)
                removed += 1
    return removed


def _live_notebooks(app, exception):
    """Each chapter as a notebook that reads like the book (:mod:`bookkit.live`: the
    numbers this build measured, no build-only cells, plain Markdown) goes into the
    site, ``notebooks/``, and is what the page's download button offers: with its
    solutions in the instructor edition, as the student notebook in the student
    edition."""
    if exception is not None or app.builder.format != "html":
        return
    executed = Path(app.outdir).parent / "jupyter_execute"
    for entry in toc_entries(ROOT, notebooks=True):
        live.export(
            entry,
            Path(app.outdir) / "notebooks",
            executed=executed,
            student=app.config.actlib_edition == "student",
            root=ROOT,
        )


def download_buttons(buttons, notebook_url, student):
    """The header buttons, the download of a notebook's source
    (``_sources/...ipynb``) replaced by the live notebook at ``notebook_url`` (None for
    a Markdown page). The student edition has no ``_sources``: its other source links
    go."""
    out = []
    for button in buttons:
        url = str(button.get("url", ""))
        if isinstance(button.get("buttons"), list):
            button = dict(
                button,
                buttons=download_buttons(button["buttons"], notebook_url, student),
            )
            if not button["buttons"]:
                continue
        elif "_sources" in url and url.endswith(".ipynb") and notebook_url:
            tooltip = (
                "the student notebook" if student else "this chapter as a notebook"
            )
            button = dict(
                button, url=notebook_url, text=".ipynb", tooltip=f"Download {tooltip}"
            )
        elif "_sources" in url and student:
            continue
        out.append(button)
    return out


def _download(app, pagename, templatename, context, doctree):
    if "header_buttons" not in context:
        return
    is_notebook = str(context.get("page_source_suffix", "")) == ".ipynb"
    url = context["pathto"](f"notebooks/{pagename}.ipynb", 1) if is_notebook else None
    student = app.config.actlib_edition == "student"
    context["header_buttons"] = download_buttons(
        context["header_buttons"], url, student
    )


class StripSolutions(SphinxTransform):
    """Student edition: runs before sphinx-exercise merges gated solutions (priority
    10)."""

    default_priority = 5

    def apply(self):
        if getattr(self.config, "actlib_edition", "instructor") == "student":
            strip_solutions(self.document)


# ------------------------------------------------------------------------ 4. launch box
def launch_links(theme_options, docpath):
    """The (name, url) of each live launcher for the notebook ``docpath`` (relative to
    the book)."""
    repo = (theme_options.get("repository_url") or "").rstrip("/")
    match = re.match(r"https://github\.com/([^/]+)/([^/]+)$", repo)
    if not match:
        return []
    org, name = match.groups()
    branch = theme_options.get("repository_branch") or "main"
    book = (theme_options.get("path_to_docs") or "").strip("/")
    path = f"{book}/{docpath}" if book else docpath
    launch = theme_options.get("launch_buttons") or {}
    links = []
    if launch.get("binderhub_url"):
        hub = launch["binderhub_url"].rstrip("/")
        links.append(
            ("Binder", f"{hub}/v2/gh/{org}/{name}/{branch}?urlpath=lab/tree/{path}")
        )
    if launch.get("colab_url"):
        colab = launch["colab_url"].rstrip("/")
        links.append(("Colab", f"{colab}/github/{org}/{name}/blob/{branch}/{path}"))
    return links


def _no_placeholder_links(app, config):
    """While `repository.url` is the placeholder, the site links to no repository, no
    Binder and no Colab (they would lead nowhere); the build says once how to turn
    them on."""
    options = dict(config.html_theme_options or {})
    url = (options.get("repository_url") or "").rstrip("/")
    if url != PLACEHOLDER_URL:
        return
    options["launch_buttons"] = {}
    for button in (
        "use_repository_button",
        "use_issues_button",
        "use_edit_page_button",
    ):
        options[button] = False
    options["repository_url"] = ""
    config.html_theme_options = options
    logging.getLogger(__name__).info(
        "actlib_book: no Binder, Colab or repository links: `repository.url` in "
        "_config.yml is the placeholder %s; set it to the book's GitHub repository, "
        "then run `make colab-cell`, to turn them on",
        PLACEHOLDER_URL,
    )


def launch_box(links, student_notebook=None, how_to_use=None):
    """The "Run this chapter live" box: the launchers ``links``, (name, url) pairs, or,
    without any, how to run the chapter on one's own machine (``how_to_use``: the URL
    of the page "How to use this book")."""
    box = nodes.admonition(classes=["tip", "actlib-launch"])
    box += nodes.title(text="Run this chapter live")
    para = nodes.paragraph()
    if links:
        para += nodes.Text("Open it in ")
        for i, (name, url) in enumerate(links):
            if i:
                para += nodes.Text(" or ")
            para += nodes.reference(text=name, refuri=url)
        para += nodes.Text(
            " (a free server in your browser; the first start takes a minute), or on "
            "your own machine"
        )
    else:
        para += nodes.Text("Run it on your own machine: in the book's repository, ")
        para += nodes.literal(text="make book")
        para += nodes.Text(
            " installs everything; then open the chapter in JupyterLab or any Jupyter"
        )
    if how_to_use:
        para += nodes.Text(" as ")
        para += nodes.reference(text="How to use this book", refuri=how_to_use)
        para += nodes.Text(" describes")
    para += nodes.Text(". Run the cells from the top.")
    box += para
    if student_notebook:
        extra = nodes.paragraph()
        extra += nodes.Text("The exercises without their solutions: ")
        extra += nodes.reference(
            text="this chapter's student notebook", refuri=student_notebook
        )
        extra += nodes.Text(".")
        box += extra
    return box


def _add_launch_box(app, doctree, docname):
    path = str(app.env.doc2path(docname, False))
    if not path.endswith(".ipynb"):
        return
    links = launch_links(app.config.html_theme_options or {}, path)
    how_to_use = None
    if "chapters/how-to-use" in app.env.all_docs:
        how_to_use = app.builder.get_relative_uri(docname, "chapters/how-to-use")
    student = None
    if app.config.actlib_edition == "student":
        depth = docname.count("/")
        student = "../" * depth + f"notebooks/{docname}.ipynb"
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None:
        section.insert(1, launch_box(links, student, how_to_use))


# ------------------------------------------------------------------- 5. offline MathJax
def _mathjax_offline(app, config):
    config.mathjax_path = MATHJAX_PATH
    # MathJax 3's options (Sphinx writes them into every page that loads it; myst-parser
    # adds its own `processHtmlClass`). A display equation wider than its column is a
    # box that scrolls sideways (`_static/actlib.css`), never clipped.
    mathjax = dict(config.mathjax3_config or {})
    mathjax.setdefault("chtml", {"matchFontHeight": True, "mtextInheritFont": True})
    # no context menu: its accessibility tools would load the speech engine on demand
    mathjax.setdefault("options", {}).setdefault("enableMenu", False)
    config.mathjax3_config = mathjax


def _theme_defaults(app, config):
    # pydata-sphinx-theme logs a console error ("invalid theme mode") when its template
    # variable `default_mode` is unset (html_context, not a theme option).
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "light")
    config.html_context = context


def _drop_thebe(app, pagename, templatename, context, doctree):
    """sphinx-thebe (added by jupyter-book, unused: ``launch_buttons.thebe`` is false)
    puts on every page a script naming thebe's CDN, twice (a console error). No page
    needs it: drop its scripts."""

    def keep(script):
        name = str(getattr(script, "filename", script) or "")
        body = str(getattr(script, "attributes", {}).get("body", ""))
        return "thebe" not in name and "THEBE_JS_URL" not in body

    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if keep(s)]


def has_maths(doctree):
    if doctree is None:
        return False
    maths = doctree.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block)))
    return next(iter(maths), None) is not None


def _mathjax_only_with_maths(app, pagename, templatename, context, doctree):
    """Sphinx loads MathJax on a page whose toctree includes maths (the root page): keep
    it only on pages that show maths themselves."""
    if "script_files" not in context or has_maths(doctree):
        return

    def is_mathjax(script):
        name = str(getattr(script, "filename", script) or "")
        body = str(getattr(script, "attributes", {}).get("body", ""))
        return "mathjax/" in name or "window.MathJax" in body

    context["script_files"] = [s for s in context["script_files"] if not is_mathjax(s)]


def mathjax_source():
    """MathJax 3's folder in the package sphinx-mathjax-offline (found through the
    package's metadata: its folder's name has hyphens, it cannot be imported)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("sphinx-mathjax-offline")
    except PackageNotFoundError:
        raise RuntimeError(
            "sphinx-mathjax-offline is missing: `make book` installs it "
            "(requirements-assets.txt)"
        ) from None
    return Path(dist.locate_file("sphinx-mathjax-offline/static/mathjax"))


def _copy_mathjax(app, exception):
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "_static" / "mathjax"
        if not (target / "tex-chtml.js").exists():
            shutil.copytree(mathjax_source(), target, dirs_exist_ok=True)


# ------------------------------------------------------------------- 6. instructor page
class ChaptersDirective(SphinxDirective):
    """``actlib-chapters``: one section per chapter of the toc, read from its
    notebook."""

    has_content = False

    def run(self):
        from docutils.statemachine import StringList

        for entry in toc_entries(ROOT, notebooks=True):
            self.env.note_dependency(str(ROOT / f"{entry}.ipynb"))
        self.env.note_dependency(str(ROOT / "_toc.yml"))
        text = chapters_markdown(ROOT)
        container = nodes.container()
        self.state.nested_parse(
            StringList(text.splitlines(), source="actlib-chapters"),
            self.content_offset,
            container,
        )
        return container.children


def setup(app):
    app.add_config_value("actlib_edition", "instructor", "env")
    app.connect("config-inited", _static_site)
    app.connect("config-inited", _set_edition, priority=400)
    app.connect("config-inited", _shared_cache, priority=400)
    app.connect("config-inited", _mathjax_offline, priority=400)
    app.connect("config-inited", _theme_defaults, priority=400)
    app.connect("config-inited", _no_placeholder_links, priority=900)
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("html-page-context", _mathjax_only_with_maths, priority=900)
    app.connect("source-read", _depend_on_actlib)
    app.connect("doctree-resolved", _add_launch_box)
    app.connect("html-page-context", _download, priority=502)
    app.connect("build-finished", _copy_mathjax)
    app.connect("build-finished", _live_notebooks)
    app.add_transform(StripSolutions)
    app.add_directive("actlib-chapters", ChaptersDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
