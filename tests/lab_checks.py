"""The live notebooks in a real JupyterLab, driven by a real browser (run by `make test`
after the build).

The site's download button hands a reader each chapter as a live notebook
(`bookkit.live`, in `_build/html/notebooks/`): what Binder or a local JupyterLab opens.
Here JupyterLab (the version Binder pins, with `jupyterlab-myst`:
`requirements-lab.txt`) serves a copy of those notebooks from 127.0.0.1, and headless
Chromium (selenium) opens each one, as a reader would, and runs all its cells. Then:

- every cell ran and none raised: no error output anywhere in the notebook;
- the text reads like the book: no raw MyST (`:::{`, `{eq}`, `{ref}`) and no glue key
  (`{glue`) in the rendered Markdown;
- the explorers' widgets rendered (an ipywidgets slider on the page), and moving a
  slider with the keyboard changes its figure.

JupyterLab runs with `expose_app_in_browser`, so the test drives it through its own
commands (`notebook:run-all-cells`) and reads the notebook's model, as JupyterLab's own
UI tests (Galata) do. Without Chromium, its driver or JupyterLab every test is skipped
with the reason.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chromium import CHROMIUM, DRIVER, headless_chromium

from bookkit import toc_entries

ROOT = Path(__file__).resolve().parent.parent
LIVE = Path(os.environ.get("LIVE_DIR", ROOT / "_build" / "html" / "notebooks"))
# `make test` runs one chapter here, the quickest to execute (each chapter is already
# run by nbval, by the build and, as a student notebook, by tests/live_checks.py; one is
# enough to prove that the front end shows and runs what bookkit.live writes);
# LAB_CHAPTERS=all runs every one,
# or name them: LAB_CHAPTERS="chapters/activations chapters/batchnorm".
_WANTED = os.environ.get("LAB_CHAPTERS", "chapters/preprocessing")
CHAPTERS = toc_entries(ROOT, notebooks=True) if _WANTED == "all" else _WANTED.split()
JUPYTER = Path(sys.executable).with_name("jupyter")
HAS_LAB = (
    subprocess.run(
        [sys.executable, "-c", "import jupyterlab, jupyterlab_myst"],
        capture_output=True,
    ).returncode
    == 0
)

pytestmark = [
    pytest.mark.skipif(
        not (CHROMIUM and DRIVER and HAS_LAB),
        reason="needs Chromium, its driver and JupyterLab (`.ci/run` and `make test` "
        "install them; requirements-lab.txt)",
    ),
    pytest.mark.xdist_group("lab"),  # one JupyterLab for the module under xdist
]

RUN_TIMEOUT_S = 600  # one chapter, run all, on a slow shared 2-core machine


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab serving a copy of the live notebooks; its URL."""
    assert (LIVE / "chapters").is_dir(), (
        f"no live notebooks in {LIVE}: build the book first (`make book`)"
    )
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(LIVE, root, dirs_exist_ok=True)
    port = _free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(root / ".jupyter-config"))
    env.pop("ACTLIB_STATIC_SITE", None)  # a reader's Jupyter: live widgets
    proc = subprocess.Popen(
        [
            str(JUPYTER),
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.extension_manager=readonly",
            "--allow-root",  # CI's containers run as root
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start within 120 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    driver = headless_chromium(1400, 1000)
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(110)
    yield driver
    driver.quit()


# Open a notebook through JupyterLab's own command, wait for its kernel and start
# running all its cells (the test then polls PROGRESS: selenium's calls time out after
# 120 s).
START = """
const [path, done] = arguments;
const app = window.jupyterapp;
const sleep = ms => new Promise(r => setTimeout(r, ms));
(async () => {
  await app.restored;
  const panel = await app.commands.execute(
    'docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  for (let i = 0; !(panel.sessionContext.session
                    && panel.sessionContext.session.kernel); i++) {
    if (i > 600) return done('no kernel');
    await sleep(200);
  }
  window.actlibPanel = panel;
  app.commands.execute('notebook:run-all-cells');
  done('started');
})().catch(e => done(`JavaScript error: ${e}`));
"""

# [cells run, code cells, kernel idle, errors so far]
PROGRESS = """
const panel = window.actlibPanel;
const code = [...panel.content.model.cells].filter(c => c.type === 'code');
const errors = [];
code.forEach((c, i) => {
  for (let k = 0; k < c.outputs.length; k++) {
    const o = c.outputs.get(k).toJSON();
    if (o.output_type === 'error')
      errors.push(`code cell ${i}: ${o.ename}: ${o.evalue}`);
  }
});
const kernel = panel.sessionContext.session.kernel;
return [code.filter(c => c.executionCount !== null).length, code.length,
        kernel.status === 'idle', errors];
"""

# Rendered Markdown: JupyterLab's own renderer writes `.jp-MarkdownOutput`,
# jupyterlab-myst's writes `.myst` (what Binder shows: requirements-lab.txt).
RENDERED_TEXT = """
const panel = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell ';
return [...document.querySelectorAll(`${panel}.myst, ${panel}.jp-MarkdownOutput`)]
  .map(e => e.innerText).join('\\n');
"""

# Move the first slider of the first explorer one step with the keyboard; return whether
# that explorer's image changed.
MOVE_SLIDER = """
const done = arguments[arguments.length - 1];
const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
const box = [...panel.querySelectorAll('.jp-OutputArea-output')]
  .find(o => o.querySelector('.widget-slider .noUi-handle, input[type=range]')
             && o.querySelector('img'));
if (!box) { done('no explorer with a slider and an image'); return; }
box.scrollIntoView();
const img = box.querySelector('img');
const before = img.src;
const handle = box.querySelector('.noUi-handle')
  || box.querySelector('input[type=range]');
handle.focus();
for (const type of ['keydown', 'keyup'])
  handle.dispatchEvent(new KeyboardEvent(type, {key: 'ArrowRight', bubbles: true}));
const deadline = Date.now() + 30000;
(function wait() {
  if (box.querySelector('img').src !== before) return done('changed');
  if (Date.now() > deadline) return done('the figure did not change');
  setTimeout(wait, 200);
})();
"""


@pytest.mark.parametrize("entry", CHAPTERS)
def test_a_live_notebook_runs_and_reads_like_the_book_in_jupyterlab(
    lab, browser, entry
):
    browser.get(f"{lab}/lab")
    for _ in range(240):  # JupyterLab's first load builds its page
        if browser.execute_script("return !!(window.jupyterapp && jupyterapp.shell)"):
            break
        time.sleep(0.5)
    else:
        pytest.fail("JupyterLab's page did not load")
    assert browser.execute_async_script(START, f"{entry}.ipynb") == "started"
    deadline = time.time() + RUN_TIMEOUT_S
    while True:
        ran, total, idle, errors = browser.execute_script(PROGRESS)
        assert not errors, "\n".join(errors)
        if ran == total and idle:
            break
        assert time.time() < deadline, (
            f"{ran} of {total} cells ran in {RUN_TIMEOUT_S} s"
        )
        time.sleep(1)
    text = browser.execute_script(RENDERED_TEXT)
    assert text.strip(), "no rendered Markdown"
    for raw in ("{glue", ":::{", "{eq}", "{ref}", "{doc}", "{cite"):
        assert raw not in text, f"raw MyST {raw!r} in the rendered text"
    widgets = browser.execute_script(
        "return document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
        ".widget-slider, .jp-NotebookPanel:not(.lm-mod-hidden) .widget-hslider')"
        ".length"
    )
    assert widgets > 0, "no explorer widget rendered"
    assert browser.execute_async_script(MOVE_SLIDER) == "changed"
    browser.execute_script(
        "return jupyterapp.commands.execute('kernelmenu:shutdown')"
        ".then(() => jupyterapp.commands.execute('application:close-all'))"
    )
