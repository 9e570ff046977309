"""The built site in a real browser, with the network off (run by `make test` after the
build).

Headless Chromium (Debian's `chromium` and `chromium-driver`, driven by selenium) opens
every page of `_build/html` (or of the folder in $SITE_DIR) from a server on 127.0.0.1.
Chromium resolves no other host name (`--host-resolver-rules`), so a page that needed a
CDN would fail here. On every page:

- MathJax 3 rendered: no raw `\\(` or `$$` is left in the text, and a page with maths
  has MathJax's output elements;
- no display equation is clipped, in a laptop's window (1400 pixels wide) and a
  phone's (390): an equation wider than its column scrolls inside its own box, that
  box lies inside the page's column, and its number never covers it;
- no code block scrolls sideways at 1400 pixels;
- every image loaded (`complete` and `naturalWidth > 0`);
- the browser logged no error (level SEVERE);
- an automated accessibility audit (axe-core, from the package `selenium-axe-python`)
  finds nothing serious or critical (images without a text alternative, contrast,
  names of controls, ...);
- every kernel-free explorer (`.actlib-explorer`) changes its figure when each of its
  sliders moves.

Without Chromium and its driver every test is skipped with a message that says how to
install them (`.ci/run` does it).
"""

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest
from chromium import CHROMIUM, DRIVER, headless_chromium

from bookkit import toc_entries

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("SITE_DIR", ROOT / "_build" / "html"))
ENTRIES = toc_entries(ROOT)
# Every HTML page of the built site (the toc's pages, the index, the search page, ...).
PAGES = (
    sorted(
        str(p.relative_to(SITE).with_suffix(""))
        for p in SITE.rglob("*.html")
        if not {"_static", "_sources", "_images"} & set(p.parts)
    )
    or ENTRIES
)
MISSING = (
    "Chromium or its driver is missing: `apt-get install chromium chromium-driver` "
    "(.ci/run does it)"
)

pytestmark = [
    pytest.mark.skipif(not (CHROMIUM and DRIVER), reason=MISSING),
    pytest.mark.xdist_group("browser"),  # one browser for the module under xdist
]
# The layout checks (maths, code widths, the accessibility audit) run on the instructor
# edition: the student edition has the same pages, theme and styles, less the solutions.
layout_check = pytest.mark.skipif(
    "student" in SITE.parts, reason="layout: checked on the instructor edition"
)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server():
    assert (SITE / "index.html").exists(), (
        f"no site in {SITE}: build it first (`make book`)"
    )
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(SITE))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    driver = headless_chromium(1280, 900, console_log=True)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def open_page(browser, server, entry):
    browser.get_log("browser")  # forget the previous page's messages
    browser.get(f"{server}/{entry}.html")
    # MathJax 3 typesets asynchronously: wait for its start-up promise (pages without
    # maths do not load it).
    browser.set_script_timeout(60)
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "if (window.MathJax && MathJax.startup && MathJax.startup.promise) {"
        "  MathJax.startup.promise.then(() => done(true), () => done(false));"
        "} else { done(false); }"
    )


# The text of the page's main part, outside code, scripts and MathJax's previews.
VISIBLE_TEXT = """
const c = document.querySelector('main') || document.body;
const skip = c.querySelectorAll('pre, code, script, .highlight');
const t = []; const w = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
while (w.nextNode()) {
  const n = w.currentNode; let p = n.parentElement, inside = false;
  while (p) {
    if (['PRE','CODE','SCRIPT','STYLE'].includes(p.tagName)
        || p.tagName === 'MJX-ASSISTIVE-MML') {
      inside = true; break;
    }
    p = p.parentElement;
  }
  if (!inside) t.push(n.textContent);
}
return t.join(' ');
"""


def harmless(message):
    # - The browser asks every server for /favicon.ico on its own; the site has none,
    #   no page asks.
    # Every other message of level SEVERE fails the test.
    return "/favicon.ico" in message


def console_errors(browser):
    return [
        e["message"]
        for e in browser.get_log("browser")
        if e["level"] == "SEVERE" and not harmless(e["message"])
    ]


@pytest.mark.parametrize("entry", PAGES)
def test_page_in_a_browser_without_network(browser, server, entry):
    open_page(browser, server, entry)
    has_math = (
        browser.execute_script("return document.querySelectorAll('.math').length") > 0
    )
    if has_math:
        assert browser.execute_script(
            "return !!(window.MathJax && MathJax.version"
            " && MathJax.version.startsWith('3'))"
        ), "MathJax 3 did not load"
        rendered = browser.execute_script(
            "return document.querySelectorAll('mjx-container').length"
        )
        assert rendered > 0, "the page has maths but MathJax rendered none"
    text = browser.execute_script(VISIBLE_TEXT)
    for raw in ("\\(", "\\[", "$$"):
        at = text.find(raw)
        near = text[max(0, at - 60) : at + 60]
        assert at < 0, f"raw maths left in the page: {raw!r} near {near!r}"

    broken = browser.execute_script(
        "return [...document.images]"
        ".filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.src.slice(0, 80))"
    )
    assert not broken, f"images that did not load: {broken}"

    errors = console_errors(browser)
    assert not errors, f"console errors: {errors}"


CHAPTERS = toc_entries(ROOT, notebooks=True)
MATHS_PAGES = [e for e in ENTRIES if (SITE / f"{e}.html").exists()] or ENTRIES

# Every display equation that is clipped: wider than its box without being able to
# scroll, a box that leaves the page's column, or a number that covers the maths.
CLIPPED_EQUATIONS = """
const out = [];
const column = (document.querySelector('article') || document.body)
  .getBoundingClientRect();
const right = Math.min(column.right, document.documentElement.clientWidth);
document.querySelectorAll('mjx-container[display="true"]').forEach((box, k) => {
  const r = box.getBoundingClientRect();
  const maths = box.querySelector('mjx-math').getBoundingClientRect();
  const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
  const text = (box.closest('div.math') || box).id || `equation ${k}`;
  if (maths.right > r.right + 1 && !scrolls) out.push(`${text}: wider than its box`);
  if (r.right > right + 1 || r.left < column.left - 1)
    out.push(`${text}: its box leaves the page's column`);
  const no = box.parentElement.querySelector(':scope > .eqno');
  if (no) {
    const n = no.getBoundingClientRect();
    const across = n.left < r.right - 1 && n.right > r.left + 1;
    if (across && n.top < r.bottom && n.bottom > r.top)
      out.push(`${text}: its number covers the equation`);
  }
});
return out;
"""


@layout_check
@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.parametrize("entry", MATHS_PAGES)
def test_no_display_equation_is_clipped(browser, server, entry, width):
    browser.set_window_size(width, 900)
    try:
        open_page(browser, server, entry)
        clipped = browser.execute_script(CLIPPED_EQUATIONS)
    finally:
        browser.set_window_size(1280, 900)
    assert not clipped, f"at {width} pixels: {clipped}"


@layout_check
@pytest.mark.parametrize("entry", ENTRIES)
def test_no_code_block_scrolls_sideways_on_a_laptop(browser, server, entry):
    browser.set_window_size(1400, 900)
    try:
        open_page(browser, server, entry)
        wide = browser.execute_script(
            "return [...document.querySelectorAll('article div.highlight pre')]"
            ".filter(p => p.scrollWidth > p.clientWidth + 1)"
            ".map(p => p.textContent.split('\\n')"
            ".reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 100))"
        )
    finally:
        browser.set_window_size(1280, 900)
    assert not wide, f"code blocks that scroll at 1400 pixels, longest lines: {wide}"


@layout_check
@pytest.mark.parametrize("entry", PAGES)
def test_accessibility_audit_finds_nothing_serious(browser, server, entry):
    from selenium_axe_python import Axe

    open_page(browser, server, entry)
    axe = Axe(browser)
    axe.inject()
    # violations in full; of the passing and inapplicable rules only one node each
    # (axe's resultTypes): the same findings in 60% of the time on a long chapter
    results = axe.run(options={"resultTypes": ["violations"]})
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']}; "
        + "; ".join(n["target"][0] for n in v["nodes"][:3] if n.get("target"))
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, "\n".join(serious)


@pytest.mark.parametrize("entry", CHAPTERS)
def test_every_explorer_slider_changes_its_figure(browser, server, entry):
    open_page(browser, server, entry)
    explorers = browser.find_elements("css selector", ".actlib-explorer")
    assert explorers, "no kernel-free explorer on the page"
    moved = browser.execute_script(
        """
        const failures = [];
        document.querySelectorAll('.actlib-explorer').forEach((ex, k) => {
          const img = ex.querySelector('img');
          ex.querySelectorAll('input[type=range]').forEach((s, j) => {
            const lo = Number(s.min || 0), hi = Number(s.max || 0);
            if (hi <= lo) {
              failures.push(`explorer ${k} slider ${j} has one value`);
              return;
            }
            s.value = lo; s.dispatchEvent(new Event('input', {bubbles: true}));
            const first = img.src;
            s.value = hi; s.dispatchEvent(new Event('input', {bubbles: true}));
            if (img.src === first)
              failures.push(`explorer ${k} slider ${j}: the figure did not change`);
          });
        });
        return failures;
        """
    )
    assert not moved, moved
    errors = console_errors(browser)
    assert not errors, f"console errors while moving sliders: {errors}"
