"""The built pages in a real headless Chromium (Debian's, never a downloaded one).

Offline and self-contained: every request is recorded and anything but a file under the
portfolio folder fails the test (http(s) requests are also aborted, so nothing leaves the
machine). Charts must decode, the console must stay clean, the index filter and sorting must
work, and axe-core must find no serious or critical violations. Skips only when no Chromium
executable can be found.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from analysis.core.messages import t

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium executable found (install Debian's chromium: make chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """One page opened from disk, with every request and console problem recorded."""

    def __init__(self, browser, path: Path, root: Path, width: int = 1280):
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.problems: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=True)
        self.context.route(re.compile(r"^(https?|wss?|ftp):"), self._block)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.goto(path.as_uri(), wait_until="load")
        self.root = root

    def _block(self, route) -> None:
        self.blocked.append(route.request.url)
        route.abort()

    def outside_requests(self) -> list[str]:
        inside = self.root.resolve().as_uri() + "/"
        return [u for u in self.requests if not (u.startswith(inside) or u.startswith("data:"))] + self.blocked

    def broken_images(self) -> list[str]:
        return self.page.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt)")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, built_portfolio):
    opened = []

    def open_page(path: Path, width: int = 1280) -> Visit:
        v = Visit(browser, path, built_portfolio.root, width)
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()


def _pages(portfolio) -> list[Path]:
    return [portfolio.page(lang, stem) for lang in portfolio.languages for stem in (*portfolio.regions, "overview")] + \
        [portfolio.index(lang) for lang in portfolio.languages]


def test_pages_load_offline_with_decoded_charts_and_a_clean_console(built_portfolio, visit):
    for path in _pages(built_portfolio):
        v = visit(path)
        assert v.outside_requests() == [], path.name
        assert v.problems == [], (path.name, v.problems)
        assert v.broken_images() == [], path.name
        assert v.page.evaluate("document.images.length") == path.read_text(encoding="utf-8").count("<img"), path.name


def test_pages_fit_a_phone_screen(built_portfolio, visit):
    for path in (built_portfolio.page("id", "32"), built_portfolio.page("id", "overview"), built_portfolio.index("id")):
        v = visit(path, width=390)
        assert v.page.evaluate("document.documentElement.scrollWidth") <= 390, path.name


def _visible_rows(page) -> list[str]:
    """Region codes of the index rows a reader can see."""
    return page.evaluate("Array.from(document.querySelectorAll('tbody tr')).filter(r => r.offsetParent !== null)"
                         ".map(r => r.cells[0].textContent.trim())")


def test_index_filter_finds_a_region_by_name_or_code(built_portfolio, visit):
    v = visit(built_portfolio.index("id"))
    page = v.page
    everything = _visible_rows(page)
    assert len(everything) == len(built_portfolio.regions)
    page.fill("#q", "Bandung")
    assert _visible_rows(page) == ["32.73"]
    assert page.get_by_role("link", name="Kota Bandung").is_visible()
    assert page.locator("section.block:visible").count() == 1
    assert page.locator("#q-status").text_content().startswith("1 ")
    page.fill("#q", "31")
    assert _visible_rows(page) == ["31"]
    page.fill("#q", "")
    assert len(_visible_rows(page)) == len(everything)


def test_index_columns_sort(built_portfolio, visit):
    v = visit(built_portfolio.index("en"))
    page = v.page
    header = page.locator("#g-provinsi th", has_text="Coverage")
    header.locator("button").click()
    values = page.eval_on_selector_all("#g-provinsi tbody td.num[data-sort]:nth-of-type(2)", "cells => cells.map(c => parseFloat(c.dataset.sort))")
    assert values == sorted(values) and header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    values = page.eval_on_selector_all("#g-provinsi tbody td.num[data-sort]:nth-of-type(2)", "cells => cells.map(c => parseFloat(c.dataset.sort))")
    assert values == sorted(values, reverse=True) and header.get_attribute("aria-sort") == "descending"


def test_axe_finds_no_serious_or_critical_violations(built_portfolio, visit):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    scans = [(built_portfolio.page("id", "32"), 1280), (built_portfolio.page("en", "overview"), 1280), (built_portfolio.index("id"), 1280),
             # on a phone wide tables scroll sideways: they must stay reachable by keyboard
             (built_portfolio.page("id", "32"), 390), (built_portfolio.page("en", "overview"), 390)]
    for path, width in scans:
        v = visit(path, width)
        violations = axe.run(v.page).response["violations"]
        serious = [(x["id"], x["impact"], len(x["nodes"])) for x in violations if x["impact"] in ("serious", "critical")]
        assert serious == [], (path.name, width, serious)


def test_print_view_hides_navigation_and_opens_map_figures(built_portfolio, visit):
    v = visit(built_portfolio.page("id", "overview"))
    v.page.emulate_media(media="print")
    assert v.page.locator("nav.top").is_hidden()
    assert v.page.locator("details table").first.is_visible()


@pytest.mark.parametrize("width", [800, 1280])
def test_numbers_are_right_aligned_and_the_league_table_shows_its_last_column(built_portfolio, visit, width):
    """td.num is right-aligned (``table.data td`` no longer overrides it) and the league's last column
    fits: no table wider than its scroll box at 800 px (a nowrap "cannot be estimated ..." cell pushed it out)."""
    v = visit(built_portfolio.page("en", "overview"), width)
    aligns = v.page.evaluate("Array.from(document.querySelectorAll('table.data td.num')).map(td => getComputedStyle(td).textAlign)")
    assert aligns and set(aligns) == {"right"}
    league = v.page.evaluate("(() => { const box = document.querySelector('#league .table-scroll');"
                             " return [box.scrollWidth, box.clientWidth]; })()")
    assert league[0] <= league[1], league


def _search(page, query: str) -> list[str]:
    page.fill("#q", query)
    return _visible_rows(page)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_index_search_finds_short_english_and_abbreviated_names_and_shows_each_status(built_portfolio, visit, lang):
    page = visit(built_portfolio.index(lang)).page
    for query, codes in (("DKI", ["31"]), ("Jabar", ["32"]), ("3273", ["32.73"]), ("32.73", ["32.73"]), ("kota bdg", ["32.73"]),
                         ("West Java", ["32"]), ("JAWA BARÁT", ["32"]), ("Kab. Bandung", []), ("", ["ID", "31", "32", "32.73"])):
        assert sorted(_search(page, query)) == sorted(codes), query
    statuses = {t(f"index.status.{v}" + (".year" if v != "cannot_tell" else ""), lang, year=y)
                for v in ("yes", "no", "reached", "cannot_tell") for y in range(2015, 2046)}
    shown = page.eval_on_selector_all("tbody tr td:nth-of-type(3)", "cells => cells.map(c => c.textContent.replace(' ◇', ''))")
    assert len(shown) == len(built_portfolio.regions) and set(shown) <= statuses


def _status(code: str, verdict: str, median: int) -> dict:
    return {"headline": {"value": 0.2 + int(code.replace(".", "")) % 7 / 100, "year": 2024, "data_as_of": "2025-02", "sintetis": False},
            "on_track": {"value": verdict, "sintetis": False},
            "reached_year": {"target_year": 2029, "median": median, "low": median - 3, "high": median + 6, "sintetis": False}}


@pytest.fixture(scope="module")
def served_index(tmp_path_factory):
    """An index of every province and every Jawa Barat kab/kota (hand-made statuses), served from 127.0.0.1."""
    import datetime as dt
    import functools
    import http.server
    import threading

    from analysis.data.contract import cached_dataset
    from analysis.pages.render import render_index

    regions = cached_dataset().regions
    codes = [*regions.codes("provinsi"), *regions.codes("kabkota", within="32")]
    verdicts = ("yes", "no", "reached", "cannot_tell")
    entries = [{"kode": c, "nama": regions.name(c), "tingkat": regions.level(c), "induk": regions.parent(c), "status": "built",
                "sintetis": False, "region_status": _status(c, verdicts[i % 4], 2030 + i % 11)} for i, c in enumerate(codes)]
    root = tmp_path_factory.mktemp("served")
    (root / "index-en.html").write_text(render_index(entries, "en", ["id", "en"], dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)),
                                        encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index-en.html", len(codes)
    server.shutdown()
    server.server_close()


def test_served_index_finds_kab_bandung_and_sorts_by_status_with_and_without_script(browser, served_index):
    url, total = served_index
    origin = url.rsplit("/", 1)[0] + "/"
    requests: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url, wait_until="load")
        for query, codes in (("Kab. Bandung", ["32.04", "32.17"]), ("kabupaten bandung barat", ["32.17"]), ("kota bdg", ["32.73"]),
                             ("DKI", ["31"]), ("Jabar", ["32"]), ("Jateng", ["33"]), ("Jatim", ["35"]), ("West Java", ["32"]),
                             ("3273", ["32.73"]), ("32.7", [f"32.{n}" for n in range(71, 80)]), ("Bandung Regency", ["32.04", "32.17"])):
            assert sorted(_search(page, query)) == codes, query
        assert page.locator("#q-status").text_content() == t("index.shown", "en", shown=2, total=total)
        _search(page, "")
        row = page.locator("tr", has=page.locator("td", has_text="32.04"))
        assert row.locator("td").nth(2).text_content() == "Not on track for 2029"
        header = page.locator("#g-provinsi th", has_text="Target status")
        header.locator("button").click()
        ranks = page.eval_on_selector_all("#g-provinsi tbody td:nth-of-type(3)", "cells => cells.map(c => +c.dataset.sort)")
        assert ranks == sorted(ranks) and len(set(ranks)) == 4
        assert [u for u in requests if not u.startswith(origin)] == []
    finally:
        context.close()
    plain = browser.new_context(java_script_enabled=False)
    try:
        page = plain.new_page()
        page.goto(url, wait_until="load")
        assert page.locator(".filter").is_hidden() and page.locator("tbody tr:visible").count() == total
        assert page.locator("td", has_text="Not on track for 2029").first.is_visible()
    finally:
        plain.close()
