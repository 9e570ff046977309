"""The built site in a real browser, with the network off (run by `make test` after the
build).

Headless Chromium (Debian's `chromium` and `chromium-driver`, driven by selenium) opens
every page of `_build/html` (or of the folder in $SITE_DIR) from a server on 127.0.0.1.
Chromium resolves no other host name (`--host-resolver-rules`), so a page that needed a
CDN would fail here. On every page:

- MathJax rendered: no raw `\\(` or `$$` is left in the text, and a page with maths has
  MathJax's output elements;
- every image loaded (`complete` and `naturalWidth > 0`);
- the browser logged no error (level SEVERE);
- every kernel-free explorer (`.actlib-explorer`) changes its figure when each of its
  sliders moves.

Without Chromium and its driver every test is skipped with a message that says how to
install them (`.ci/run` does it).
"""

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

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
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
MISSING = (
    "Chromium or its driver is missing: `apt-get install chromium chromium-driver` "
    "(.ci/run does it)"
)

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason=MISSING)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--window-size=1280,900",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def open_page(browser, server, entry):
    browser.get_log("browser")  # forget the previous page's messages
    browser.get(f"{server}/{entry}.html")
    # MathJax 2 typesets asynchronously: wait until its queue is empty (pages without
    # maths have none).
    browser.set_script_timeout(60)
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "if (window.MathJax && MathJax.Hub) { MathJax.Hub.Queue(() => done(true)); }"
        " else { done(false); }"
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
        || (p.classList && p.classList.contains('MathJax_Preview'))) {
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
    # - MathJax 2's HTML-CSS output detects whether its web fonts have loaded by
    #   comparing them with a font whose source is `about:blank` (no request leaves the
    #   browser); Chromium reports that blank font as a blocked load.
    # Every other message of level SEVERE fails the test.
    return "/favicon.ico" in message or "about:blank" in message


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
        assert browser.execute_script("return !!(window.MathJax && MathJax.Hub)"), (
            "MathJax did not load"
        )
        rendered = browser.execute_script(
            "return document.querySelectorAll("
            "'.MathJax, .MathJax_Display, mjx-container').length"
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
