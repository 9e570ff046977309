"""Checks on the built site, run by `make test` after the book build (`_build/html`, or
the folder in $SITE_DIR).

Not collected by a plain `pytest tests` (the name does not start with `test_`): the
Makefile runs it explicitly once the site exists. The pages and exercises to look for
come from :mod:`bookkit` (the table of contents and the chapter model).
"""

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from bookkit import read_chapter, read_notebook, toc_entries
from bookkit.book import PLACEHOLDER_URL, read_config, repository

ROOT = Path(__file__).resolve().parent.parent
HTML = Path(os.environ.get("SITE_DIR", ROOT / "_build" / "html"))
ENTRIES = toc_entries(ROOT)
CHAPTERS = toc_entries(ROOT, notebooks=True)
# while repository.url is the placeholder, no page links to it (Binder, Colab, GitHub)
PLACEHOLDER = repository(read_config(ROOT)).is_placeholder


def labels(entry):
    """The labels of the exercises of the chapter ``entry``."""
    return [ex.label for ex in read_chapter(ROOT / f"{entry}.ipynb").exercises]


def page(entry):
    path = HTML / f"{entry}.html"
    assert path.exists(), f"the site has no page for {entry}: build it with `make book`"
    return path.read_text()


@pytest.mark.parametrize("entry", ENTRIES)
def test_page_exists_without_errors(entry):
    html = page(entry)
    assert "Traceback (most recent call last)" not in html
    assert "output stderr" not in html and "output traceback" not in html
    assert "{glue" not in html, "a glue role was left unresolved"


@pytest.mark.parametrize("entry", CHAPTERS)
def test_chapter_has_a_kernel_free_explorer(entry):
    html = page(entry)
    assert "application/vnd.jupyter.widget-view+json" not in html, (
        "a live widget leaked into the site"
    )
    assert "HBox(children" not in html and "VBox(children" not in html
    assert 'class="actlib-explorer"' in html, "no kernel-free explorer"
    assert re.search(r'<input type="range"', html), "no inline slider"
    frames = re.findall(r'const d=\{"frames": \[(.*?)\]', html)
    assert frames and all(f.count(",") >= 1 for f in frames), (
        "an explorer has fewer than two frames"
    )


@pytest.mark.parametrize("entry", CHAPTERS)
def test_every_exercise_and_solution_is_rendered(entry):
    html = page(entry)
    for label in labels(entry):
        assert f'id="{label}"' in html, f"exercise {label} is missing from the page"
    assert html.count('class="solution') >= len(labels(entry))


# ------------------------------------------------------------------------ both editions
STUDENT = ROOT / "student" / "_build" / "html"
SITES = {"instructor": HTML, "student": STUDENT}
MAX_PAGE_BYTES = 3 * 1024 * 1024


def site_pages(site):
    root = SITES[site]
    if not (root / "index.html").exists():
        pytest.skip(
            f"the {site} edition is not built ({root}): `make book` / `make student`"
        )
    return [p for p in sorted(root.rglob("*.html")) if "_static" not in p.parts]


@pytest.mark.parametrize("site", SITES)
def test_no_page_needs_a_cdn(site):
    """Scripts, stylesheets, fonts and images all come from the site itself (plain links
    may leave)."""
    for path in site_pages(site):
        html = path.read_text()
        remote = re.findall(
            r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=\"((?:https?:)?//[^\"]+)\"",
            html,
        )
        assert not remote, f"{path.relative_to(SITES[site])} loads {remote}"
        assert "@import url(http" not in html


@pytest.mark.parametrize("site", SITES)
def test_no_stylesheet_fetches_from_another_host(site):
    site_pages(site)
    for css in (SITES[site] / "_static").rglob("*.css"):
        text = css.read_text(errors="replace")
        assert not re.search(
            r"url\(\s*[\"']?(?:https?:)?//|@import\s+(?:url\()?\s*[\"']?(?:https?:)?//",
            text,
        ), css.name


@pytest.mark.parametrize("site", SITES)
def test_mathjax_ships_with_the_site_and_loads_only_where_there_is_maths(site):
    root = SITES[site]
    for path in site_pages(site):
        html = path.read_text()
        loads = (
            re.search(r'<script[^>]*src="[^"]*_static/mathjax/tex-chtml\.js', html)
            is not None
        )
        has_math = 'class="math' in html
        assert loads == has_math, (
            f"{path.name}: maths {has_math}, MathJax loaded {loads}"
        )
    assert (root / "_static" / "mathjax" / "tex-chtml.js").exists()


@pytest.mark.parametrize("site", SITES)
def test_every_page_weighs_under_3_mb(site):
    """The page and the images it shows, each counted once (the scripts and styles that
    every page shares, MathJax included, are fetched once and cached)."""
    root = SITES[site]
    heavy = []
    for path in site_pages(site):
        html = path.read_text()
        files = {path}
        for ref in re.findall(r'(?:src|href)="([^"#?]+)', html):
            if "://" in ref or ref.startswith(("data:", "mailto:")):
                continue
            target = (path.parent / ref).resolve()
            if target.is_file() and target.suffix in {".png", ".svg", ".jpg", ".gif"}:
                files.add(target)
        total = sum(f.stat().st_size for f in files)
        if total >= MAX_PAGE_BYTES:
            heavy.append(f"{path.relative_to(root)}: {total / 1e6:.2f} MB")
    assert not heavy, f"pages over 3 MB: {heavy}"


def figure_cells(entry):
    """(index, first line) of every code cell of chapter ``entry`` that shows a figure
    (an image output in the build's execution, read from the jupyter cache) and has
    no text alternative (``mystnb.image.alt`` in its metadata)."""
    import nbformat
    from jupyter_cache import get_cache

    cache = get_cache(str(ROOT / "_build" / ".jupyter_cache"))
    nb = nbformat.read(ROOT / f"{entry}.ipynb", as_version=4)
    _, executed = cache.merge_match_into_notebook(nb)  # the source, with outputs
    missing = []
    for index, cell in enumerate(executed.cells):
        outputs = cell.get("outputs", [])
        images = [o for o in outputs if "image/png" in o.get("data", {})]
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        if images and "remove-output" not in cell.metadata.get("tags", []):
            if len(alt.split()) < 5:
                missing.append((index, cell.source.strip().splitlines()[0][:60]))
    return missing


@pytest.mark.parametrize("entry", toc_entries(ROOT, notebooks=True))
def test_every_figure_cell_of_a_chapter_gives_its_text_alternative(entry):
    """A figure cell says what its figure shows in its metadata,
    ``"mystnb": {"image": {"alt": "..."}}`` (at least five words): myst-nb writes it
    into the page's ``<img alt=...>`` for screen readers."""
    missing = figure_cells(entry)
    assert not missing, f"{entry}: figure cells without a text alternative: {missing}"


@pytest.mark.parametrize("site", SITES)
def test_every_figure_has_a_text_alternative_that_says_what_it_shows(site):
    """Sphinx gives an image without one its file name as ``alt``: a screen reader
    would read a hash. Every figure of a chapter needs words (a figure cell's metadata
    ``mystnb.image.alt``; an explorer's title)."""
    missing = []
    for path in site_pages(site):
        for tag in re.findall(r"<img\b[^>]*>", path.read_text()):
            alt = re.search(r'alt="([^"]*)"', tag)
            text = alt.group(1).strip() if alt else ""
            if len(text.split()) < 3 or re.search(r"\.(png|svg|jpe?g)$", text):
                src = re.search(r'src="([^"]{0,60})', tag)
                missing.append(f"{path.name}: {src.group(1) if src else tag[:60]}")
    assert not missing, f"{len(missing)} images without a text alternative: {missing}"


@pytest.mark.parametrize("site", SITES)
def test_widget_javascript_only_on_pages_with_widget_state(site):
    for path in site_pages(site):
        html = path.read_text()
        state = "application/vnd.jupyter.widget-state+json" in html
        assert state == ("require.min.js" in html or "embed-amd" in html), (
            f"{path.name}: widget JS without state"
        )


class _Links(HTMLParser):
    """The ``href`` of every link and every ``id`` of an HTML page."""

    def __init__(self, html):
        super().__init__()
        self.hrefs, self.ids = [], set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


@pytest.mark.parametrize("site", SITES)
def test_every_internal_link_and_anchor_resolves(site):
    root = SITES[site].resolve()
    pages = {path.resolve(): _Links(path.read_text()) for path in site_pages(site)}
    broken = []
    for path, links in pages.items():
        for href in links.hrefs:
            if re.match(r"[a-z][a-z0-9+.-]*:|//", href, re.I):
                continue  # another host, mailto:, javascript:
            target, _, anchor = unquote(href).partition("#")
            target = (path.parent / target.split("?")[0]).resolve() if target else path
            if target.is_dir():
                target = target / "index.html"
            where = f"{path.relative_to(root)}: {href}"
            if not target.is_relative_to(root) or not target.exists():
                broken.append(f"{where} (no such file)")
            elif anchor and target.suffix == ".html":
                ids = (pages.get(target) or _Links(target.read_text())).ids
                if anchor not in ids:
                    broken.append(f"{where} (no such anchor)")
    assert not broken, f"{len(broken)} broken links: {broken[:10]}"


MYST_MARKS = ("{glue", "{eq}", "{ref}", "{doc}", ":::{", ")=\n")


@pytest.mark.parametrize("site", SITES)
def test_every_chapter_downloads_as_a_notebook_that_reads_like_the_book(site):
    site_pages(site)  # skips an edition that is not built
    for entry in CHAPTERS:
        html = (SITES[site] / f"{entry}.html").read_text()
        assert f"notebooks/{entry}.ipynb" in html, f"{entry}: no notebook to download"
        cells = read_notebook(SITES[site] / "notebooks" / f"{entry}.ipynb")["cells"]
        markdown = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
        )
        code = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "code"
        )
        left = [mark for mark in MYST_MARKS if mark in markdown]
        assert not left, f"{site} {entry}: MyST or glue keys left: {left}"
        assert "actlib.glue(" not in code, f"{site} {entry}: a glue call is left"


@pytest.mark.parametrize("entry", CHAPTERS)
def test_every_chapter_says_how_to_run_it_live(entry):
    html = page(entry)
    assert "actlib-launch" in html, "no 'Run this chapter live' box"
    assert "how-to-use.html" in html, "the box does not point to 'How to use this book'"
    launchers = (
        "mybinder.org/v2/gh/" in html,
        "colab.research.google.com/github/" in html,
    )
    if PLACEHOLDER:
        # links built from the placeholder would lead nowhere: none at all
        assert not any(launchers), "Binder or Colab links to the placeholder repository"
    else:
        assert all(launchers), "no Binder or no Colab link"


@pytest.mark.parametrize("entry", ENTRIES)
def test_no_page_links_to_the_placeholder_repository(entry):
    if not PLACEHOLDER:
        pytest.skip("repository.url is set: the links are real")
    assert PLACEHOLDER_URL.split("//")[1] not in page(entry)


def test_the_instructor_page_lists_every_chapter_and_exercise():
    html = page("chapters/instructors")
    for entry in CHAPTERS:
        for label in labels(entry):
            assert label in html, f"the instructor page does not list {label}"
    from solution_text import page_text

    assert "actlib.check_" in page_text(html) and "minutes" in html


def test_the_instructor_edition_shows_the_solutions():
    """The other side of the student tests: the search below finds solutions where they
    are."""
    from solution_text import leaks, page_text

    for entry in CHAPTERS:
        assert leaks(page_text(page(entry)), [entry]), (
            f"{entry}: no solution found in the instructor page"
        )


def student_page(entry):
    path = STUDENT / f"{entry}.html"
    if not (STUDENT / "index.html").exists():
        pytest.skip("the student edition is not built: `make student`")
    assert path.exists(), f"the student site has no page for {entry}"
    return path.read_text()


@pytest.mark.parametrize("entry", ENTRIES)
def test_student_pages_hold_no_solution(entry):
    from solution_text import leaks, page_text

    html = student_page(entry)
    assert 'class="solution' not in html, "a solution block is in the student page"
    found = leaks(page_text(html))
    assert not found, f"solution text in the student page: {found[:5]}"
    assert "Traceback (most recent call last)" not in html and "{glue" not in html


def test_the_student_site_has_no_sources():
    student_page(ENTRIES[0])
    assert not (STUDENT / "_sources").exists(), (
        "the student site has _sources (html_copy_source)"
    )
    for path in STUDENT.rglob("*.html"):
        assert (
            'href="../_sources/' not in path.read_text()
            and 'href="_sources/' not in path.read_text()
        )


@pytest.mark.parametrize("entry", CHAPTERS)
def test_student_chapters_keep_exercises_and_checks_but_not_their_outputs(entry):
    html = student_page(entry)
    for label in labels(entry):
        assert f'id="{label}"' in html, (
            f"exercise {label} is missing from the student page"
        )
    from solution_text import page_text

    assert "actlib.check_" in page_text(html)
    for cell in html.split('<div class="cell docutils container')[1:]:
        if "actlib.check_" in page_text(cell.split('<div class="cell_output')[0]):
            assert 'class="cell_output' not in cell, (
                "a check cell's output (it passed on the hidden solution) is shown"
            )
    assert "actlib-launch" in html and f"notebooks/{entry}.ipynb" in html


@pytest.mark.parametrize(
    "folder", ["student/notebooks", "student/_build/html/notebooks"]
)
def test_exported_student_notebooks_hold_no_solution(folder):
    from solution_text import leaks, notebook_text

    root = ROOT / folder
    if not root.exists():
        pytest.skip(f"{folder} does not exist: `make student`")
    for entry in CHAPTERS:
        path = root / f"{entry}.ipynb"
        assert path.exists(), f"no student notebook {path}"
        found = leaks(notebook_text(path))
        assert not found, f"{path}: solution text {found[:5]}"
        cells = read_notebook(path)["cells"]
        assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("site", SITES)
def test_every_citation_links_to_its_entry(site):
    """Each chapter cites ({footcite}) and every citation links to an entry of the
    chapter's own list of references ({footbibliography}) on the same page."""
    for entry in toc_entries(ROOT, notebooks=True):
        html = (SITES[site] / f"{entry}.html").read_text()
        refs = re.findall(r'class="footnote-reference[^"]*" href="#([^"]+)"', html)
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        assert refs, f"{entry}: no citation"
        missing = sorted({r for r in refs if r not in ids})
        assert not missing, f"{entry}: citations without an entry: {missing}"
