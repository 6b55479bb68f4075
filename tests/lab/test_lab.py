"""The notebooks in a real JupyterLab, driven by Debian's chromium: what an analyst sees.

JupyterLab runs from this environment on 127.0.0.1 (a free port, a token, ``--allow-root`` when
root, no browser of its own) over a copy of ``notebooks/`` (Lab saves what it runs, and the
committed notebooks stay without outputs), with its settings and workspaces in a temporary
folder. Every cell of ``region_report.ipynb`` and ``explore.ipynb`` is run with Run All; no
output may be an error, and the sample banner, the headline figure and the data tables must be
styled as on the published page (computed styles compared with the page built by ``cakupan
build``). Set ``CAKUPAN_LAB_SCREENSHOTS=DIR`` to keep screenshots of both notebooks.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from analysis.core.messages import t
from analysis.data.contract import PROJECT_ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
STYLED = {  # element -> computed style properties that must match the published page
    ".banner": ("background-color", "border-top-style", "border-top-width", "color", "padding-left"),
    ".kpi-value": ("font-size", "font-weight", "color"),
    "table.data td.num": ("text-align", "white-space"),
    "table.data caption": ("text-align", "font-weight"),
    "h2:not(#status h2)": ("font-size", "font-weight", "margin-top", "margin-bottom", "border-bottom-style"),  # the status block's heading sits closer
    "h3": ("font-size", "font-weight", "margin-top"),
    "code": ("font-family", "font-size", "background-color", "padding-left"),
}


LAB_ROOTS: dict[str, Path] = {}  # base URL of a running JupyterLab -> the folder it serves


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):
    """A running JupyterLab over a copy of the notebooks: yields its base URL and token; stopped at the end."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make chromium)")
    pytest.importorskip("playwright.sync_api")
    root = tmp_path_factory.mktemp("lab")
    work = root / "notebooks"
    shutil.copytree(PROJECT_ROOT / "notebooks", work)
    # every cell in the page (no windowing), so the test sees all prompts and outputs
    tracker = root / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"windowingMode": "none"}', encoding="utf-8")
    notification = root / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text('{"fetchNews": "false"}', encoding="utf-8")  # no news toast over the outputs
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(root / "runtime"), "JUPYTER_CONFIG_DIR": str(root / "config")}
    command = [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}", "--LabApp.news_url=",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(root / "lab.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    base = f"http://127.0.0.1:{port}"
    LAB_ROOTS[base] = work
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (root / "lab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _styles(page, selector_root: str) -> dict[str, dict[str, str]]:
    """Computed styles of the first visible element of each STYLED selector under ``selector_root``."""
    return page.evaluate(
        """([root, wanted]) => {
            const out = {};
            for (const [selector, props] of Object.entries(wanted)) {
                const el = Array.from(document.querySelectorAll(root + ' ' + selector)).find(e => e.offsetParent !== null);
                if (!el) { out[selector] = null; continue; }
                const style = getComputedStyle(el);
                out[selector] = Object.fromEntries(props.map(p => [p, style.getPropertyValue(p)]));
            }
            return out;
        }""",
        [selector_root, {k: list(v) for k, v in STYLED.items()}],
    )


def _run_all(browser, base: str, token: str, name: str, shots: Path | None):
    """Open ``name`` in Lab, Run All, wait until every cell ran; returns the page (context left open)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    # a workspace of its own, reset: only this notebook is open
    page.goto(f"{base}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={token}", wait_until="domcontentloaded")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=90_000)
    try:  # JupyterLab may ask which kernel to start: the notebook's own, "Python (Cakupan)", is preselected
        page.locator(".jp-Dialog button.jp-mod-accept").click(timeout=15_000)
    except PlaywrightTimeout:
        pass
    page.get_by_text("Python (Cakupan) | Idle").wait_for(timeout=90_000)
    page.wait_for_timeout(1000)  # Lab has written the kernel's language_info into the model by now
    # opening changed nothing: the committed notebook holds the metadata Lab writes
    assert page.locator(".lm-TabBar-tab.jp-mod-dirty").count() == 0, f"{name} is modified as soon as it opens"
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    code_cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").count()
    try:
        page.wait_for_function(
            """(n) => { const prompts = Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt'));
                       return prompts.length === n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)); }""",
            arg=code_cells, timeout=240_000)
    except Exception:
        page.screenshot(path=str((shots or Path(".")) / f"{Path(name).stem}-timeout.png"))
        raise
    page.wait_for_timeout(500)  # the last outputs are drawn
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
        for i, block in enumerate(("h1", ".banner", "table.data")):
            found = page.locator(f".jp-Notebook .cakupan-nb {block}").first
            if found.count():
                found.scroll_into_view_if_needed()
                page.screenshot(path=str(shots / f"{Path(name).stem}-{i}.png"))
        page.locator(".jp-Notebook .jp-CodeCell").last.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"{Path(name).stem}-end.png"))
    return context, page


def _errors(page) -> list[str]:
    return page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        "els => els.map(e => e.textContent.slice(0, 300))")


def _empty_outputs(page) -> int:
    return page.eval_on_selector_all(".jp-OutputArea-child", "els => els.filter(e => e.getBoundingClientRect().height < 4).length")


@pytest.fixture(scope="module")
def published(browser, built_portfolio):
    """Computed styles of the published page of Jawa Barat."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(built_portfolio.page("id", "32").as_uri())
    styles = _styles(page, "main")
    context.close()
    return styles


def test_opening_and_saving_an_unchanged_notebook_leaves_it_byte_identical(lab):
    """What JupyterLab does on open and save, through its contents API: read the notebook as a model, write it back."""
    import json

    base, token = lab
    for path in sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")):
        with urllib.request.urlopen(f"{base}/api/contents/{path.name}?type=notebook&content=1&token={token}", timeout=60) as got:
            model = json.load(got)
        body = json.dumps({"type": "notebook", "format": "json", "content": model["content"]}).encode()
        put = urllib.request.Request(f"{base}/api/contents/{path.name}?token={token}", data=body, method="PUT",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(put, timeout=60) as saved:
            assert saved.status == 200
        assert (LAB_ROOTS[base] / model["path"]).read_bytes() == path.read_bytes(), path.name


def _exported_page(page, shots: Path | None) -> Path:
    """File > Save and Export Notebook As > Cakupan: the menu lists the page, and its download is saved."""
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.locator(".lm-Menu-item", has_text="Save and Export Notebook As").click()  # a submenu: no menuitem role
    item = page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Cakupan$"))
    item.wait_for(timeout=30_000)
    with page.expect_download(timeout=180_000) as download:
        item.click()
    target = (shots or Path(tempfile.mkdtemp())) / "exported.html"
    download.value.save_as(target)
    return target


def _requests_of(browser, path: Path) -> list[str]:
    """Every request a page makes when opened from disk, but for itself and its own data: links."""
    context = browser.new_context()
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(500)
    context.close()
    return [url for url in seen if url != path.as_uri() and not url.startswith("data:")]


def test_region_report_runs_in_lab_and_looks_like_the_published_page(lab, browser, published):
    shots = Path(os.environ["CAKUPAN_LAB_SCREENSHOTS"]) if os.environ.get("CAKUPAN_LAB_SCREENSHOTS") else None
    context, page = _run_all(browser, *lab, "region_report.ipynb", shots)
    try:
        assert _errors(page) == []
        assert page.locator(".jp-Notebook .cakupan-nb .banner").count() >= 1
        assert _styles(page, ".jp-Notebook .cakupan-nb") == published
        # the blocks never restyle JupyterLab itself: a notebook heading and the toolbar keep Lab's look
        lab_font = page.evaluate("getComputedStyle(document.querySelector('.jp-MarkdownCell h2')).fontFamily")
        assert "DejaVu Sans" not in lab_font.split(",")[0]
        # links to other pages of a portfolio are not shown as (broken) links inside Lab
        hrefs = page.eval_on_selector_all(".jp-Notebook .cakupan-nb a[href]", "els => els.map(e => e.getAttribute('href'))")
        assert all(h.startswith(("http://", "https://", "#")) for h in hrefs), hrefs
        # the publish(...) cell shows the footer line, no empty output anywhere
        assert page.locator(".jp-Notebook .cakupan-nb footer.built").count() == 1
        assert _empty_outputs(page) == 0
        # the stylesheet rides on one output of the notebook, not on each
        assert page.locator(".jp-Notebook .cakupan-nb style").count() == 1
        # File > Save and Export Notebook As lists the Cakupan page; it is one file that loads nothing
        exported = _exported_page(page, shots)
        html = exported.read_text(encoding="utf-8")
        title = t("report.title", "id", region="Jawa Barat")
        assert html.startswith("<!DOCTYPE html>") and f"<title>{title}</title>" in html and "cakupan-nb" not in html
        assert _requests_of(browser, exported) == []
    finally:
        context.close()


def test_explore_runs_in_lab_and_its_sliders_move_the_targets(lab, browser, published):
    shots = Path(os.environ["CAKUPAN_LAB_SCREENSHOTS"]) if os.environ.get("CAKUPAN_LAB_SCREENSHOTS") else None
    context, page = _run_all(browser, *lab, "explore.ipynb", shots)
    try:
        assert _errors(page) == []
        styles = {k: v for k, v in _styles(page, ".jp-Notebook .cakupan-nb").items() if v is not None}
        assert set(styles) >= {".banner", "table.data td.num", "table.data caption", "h2:not(#status h2)"}  # as on the page
        assert styles == {k: published[k] for k in styles}
        # ◇ where the report puts it: Jawa Barat's forecast in the comparison, and the lever board's values
        jabar = page.locator(".jp-Notebook .cakupan-nb table.data tr", has_text="Jawa Barat").first.inner_text().split("\t")
        assert jabar[-2].strip().endswith("◇") and jabar[-1].strip().endswith("◇"), jabar
        levers = page.locator(".jp-Notebook .widget-html .cakupan-nb table.data").last.inner_text()
        assert levers.count("◇") >= 4, levers
        sliders = page.locator(".jp-Notebook .widget-slider")
        assert sliders.count() >= 6
        result = page.locator(".jp-Notebook .widget-html .cakupan-nb table.data").last
        before = result.inner_text()
        handle = sliders.first.locator(".noUi-handle, .ui-slider-handle").first
        handle.focus()
        for _ in range(8):
            page.keyboard.press("ArrowRight")
        page.wait_for_function("(before) => { const t = Array.from(document.querySelectorAll('.widget-html .cakupan-nb table.data')).pop();"
                               " return t && t.innerText !== before; }", arg=before, timeout=60_000)
        if shots is not None:
            result.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "explore-levers-moved.png"))
        # a typo'd lever in a new cell: a message naming the lever meant, not a silent baseline
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt").last.click()
        page.keyboard.press("Escape")
        page.keyboard.press("b")
        page.keyboard.press("Enter")
        page.keyboard.type('move_levers(report, {"village": 2.0})')
        page.keyboard.press("Shift+Enter")
        page.wait_for_function("() => Array.from(document.querySelectorAll(\"[data-mime-type='application/vnd.jupyter.stderr']\"))"
                               ".some(e => e.textContent.includes('village'))", timeout=60_000)
        (error,) = page.eval_on_selector_all(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                                             "els => els.map(e => e.textContent)")
        assert "ValueError: Tuas 'village' tidak dikenal (maksud Anda 'desa'?)" in error, error
    finally:
        context.close()
