"""Published pages: self-contained, bilingual, accessible; overview, maps and index.

Most tests read the shared ``built_portfolio`` (see conftest.py); the rest exercise the
rendering helpers directly.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from analysis import __version__
from analysis.pages import maps
from analysis.core.messages import fmt_datetime, fmt_pct, t
from analysis.pages.overview import map_year
from analysis.model.params import load_params, params_digest
from analysis.pages.render import CSS, render_index
from analysis.pages.search import search_text

MAX_PAGE_BYTES = 1_500_000
EXTERNAL = re.compile(r"^(https?:)?//", re.I)


class Page(HTMLParser):
    """The parts of a page the tests look at."""

    def __init__(self, path: Path):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.headings: list[int] = []
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {"title": [], "footer": [], "nav": [], "body": []}
        self.nav_links: list[str] = []
        self.source = path.read_text(encoding="utf-8")
        self.feed(self.source)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "a" and "nav" in self.stack:
            self.nav_links.append(attributes.get("href", ""))
        if tag not in ("img", "meta", "br", "input", "link"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        for part in ("title", "footer", "nav"):
            if part in self.stack:
                self.text[part].append(data)
        if "body" in self.stack:
            self.text["body"].append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for name, a in self.tags if name == tag]

    def words(self, part: str = "body") -> str:
        return " ".join(" ".join(self.text[part]).split())


def pages(portfolio) -> list[Page]:
    return [Page(p) for p in portfolio.html_pages()]


def page_lang(portfolio, path: Path) -> str:
    if path.parent != portfolio.root:
        return path.parent.name
    return "id" if path.name == "index.html" else path.stem.split("-")[1]


# --- every page -------------------------------------------------------------------------------

def test_portfolio_has_every_page(built_portfolio):
    for lang in built_portfolio.languages:
        for stem in (*built_portfolio.regions, "overview"):
            assert built_portfolio.page(lang, stem).is_file(), (lang, stem)
        assert built_portfolio.index(lang).is_file()


def test_pages_are_self_contained(built_portfolio):
    for page in pages(built_portfolio):
        name = page.path.name
        assert not page.all("link") and not page.all("iframe") and not page.all("object") and not page.all("embed"), name
        for script in page.all("script"):
            assert "src" not in script, name
        for img in page.all("img"):
            assert img["src"].startswith("data:image/"), name
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page.source, re.I), name
        lowered = page.source.lower()
        for library in ("require.js", "requirejs", "mathjax", "mermaid", "cdn.jsdelivr", "unpkg.com", "cdnjs"):
            assert library not in lowered, (name, library)


def test_pages_show_no_code_prompts_parameters_or_streams(built_portfolio):
    for page in pages(built_portfolio):
        body = page.words()
        for marker in ("In [", "Out[", "Traceback", "Warning:", "UserWarning", "params_path", "get_ipython", "publish(", "import "):
            assert marker not in body, (page.path.name, marker)
        for marker in ("jp-InputArea", "jp-OutputPrompt", "jp-RenderedText", "highlight", "stderr", "cakupan.summary"):
            assert marker not in page.source, (page.path.name, marker)


def test_pages_are_small_enough(built_portfolio):
    for path in built_portfolio.html_pages():
        assert path.stat().st_size < MAX_PAGE_BYTES, (path.name, path.stat().st_size)


def test_pages_have_language_one_h1_and_ordered_headings(built_portfolio):
    for page in pages(built_portfolio):
        name = page.path.relative_to(built_portfolio.root)
        html_tag = page.all("html")[0]
        assert html_tag["lang"] == page_lang(built_portfolio, page.path), name
        assert page.headings.count(1) == 1 and page.headings[0] == 1, name
        for before, after in zip(page.headings, page.headings[1:]):
            assert after <= before + 1, (name, page.headings)


def test_charts_have_alt_text_with_their_key_numbers(built_portfolio):
    for page in pages(built_portfolio):
        for img in page.all("img"):
            alt = img.get("alt", "")
            assert len(alt) > 20 and re.search(r"\d", alt) and "%" in alt, (page.path.name, alt)


def test_tables_have_headers(built_portfolio):
    for page in pages(built_portfolio):
        tables = page.source.count("<table")
        assert page.source.count("<thead>") >= tables, page.path.name
        for th in page.all("th"):
            assert th.get("scope") in ("col", "row"), page.path.name


def test_nav_and_index_links_resolve(built_portfolio):
    for page in pages(built_portfolio):
        links = page.nav_links + ([a.get("href", "") for a in page.all("a")] if page.path.parent == built_portfolio.root else [])
        for href in links:
            if EXTERNAL.match(href) or href.startswith("#"):
                continue
            assert (page.path.parent / href).resolve().is_file(), (page.path.name, href)


def test_pages_link_the_other_language(built_portfolio):
    for lang, other in (("id", "en"), ("en", "id")):
        report = Page(built_portfolio.page(lang, "32"))
        assert f"../{other}/32.html" in report.nav_links
        assert any(a.get("hreflang") == other and a.get("lang") == other for a in report.all("a"))
        overview = Page(built_portfolio.page(lang, "overview"))
        assert f"../{other}/overview.html" in overview.nav_links


# --- bilingual, numbers, provenance --------------------------------------------------------------

def test_labels_and_numbers_follow_the_language(built_portfolio):
    summary = json.loads((built_portfolio.root / "id" / "32.json").read_text(encoding="utf-8"))
    share = summary["latest"]["cakupan"]
    for lang in built_portfolio.languages:
        page = Page(built_portfolio.page(lang, "32"))
        assert page.words("title") == t("report.title", lang, region="Jawa Barat")
        assert fmt_pct(share, lang) in page.words()
        assert t("headline.title", lang) in page.words()
    assert fmt_pct(share, "id") != fmt_pct(share, "en")
    assert t("headline.title", "id") not in Page(built_portfolio.page("en", "32")).words()


def test_footer_names_version_build_time_and_parameters(built_portfolio):
    digest = params_digest(load_params(None))[:12]
    for lang in built_portfolio.languages:
        for stem in ("32", "overview"):
            footer = Page(built_portfolio.page(lang, stem)).words("footer")
            assert __version__ in footer and fmt_datetime(built_portfolio.built, lang) in footer, (lang, stem, footer)
            assert digest in footer and "default.yaml" in footer and "bundled" in footer


def test_provenance_lists_sources_with_links_and_the_definition(built_portfolio):
    for lang in built_portfolio.languages:
        for stem in ("32", "overview"):
            source = built_portfolio.page(lang, stem).read_text(encoding="utf-8")
            section = source[source.index('id="sources"'):]
            assert t("sources.definition", lang) in section and t("sources.params", lang) in section
            assert re.search(r'<a href="https://[^"]+"', section), (lang, stem)


# --- overview -------------------------------------------------------------------------------

def _svgs(page: Page) -> list[str]:
    return [base64.b64decode(img["src"].split(",", 1)[1]).decode("utf-8") for img in page.all("img")]


def test_overview_has_league_maps_distribution_and_forecast(built_portfolio):
    for lang in built_portfolio.languages:
        page = Page(built_portfolio.page(lang, "overview"))
        words = page.words()
        for key in ("overview.league.title", "overview.distribution.title", "forecast.title"):
            assert t(key, lang) in words, key
        assert re.search(re.escape(t("overview.kabkota.title", lang, parent="Jawa Barat", year="@")).replace("@", r"\d{4}"), words)
        assert len(page.all("img")) == 4
        league = page.source[page.source.index('id="league"'):page.source.index('id="map-provinces"')]
        assert league.count('<th scope="row">') == 38
        assert t("banner.sample", lang) in words  # the bundled data include the sample panel


def test_overview_maps_show_over_100_percent_and_the_papua_split(built_portfolio):
    for lang in built_portfolio.languages:
        page = Page(built_portfolio.page(lang, "overview"))
        province_map = next(svg for svg in _svgs(page) if maps.class_labels(lang)[-1] in svg and "Jakarta" in svg)
        assert f"Daerah Khusus Ibukota Jakarta {fmt_pct(7498532 / 5072737, lang)}" in province_map  # Dec 2023 / Aug 2023, not clipped
        assert t("map.pre_split.legend", lang) in province_map
        words = page.words()
        assert t("map.note.pre_split", lang, year=2023) in words
        assert t("headline.over100", lang) in words
        hrefs = [a.get("href") for a in page.all("a")]
        for source in (maps.PROVINCES_SOURCE, maps.KABKOTA_SOURCE):
            assert source.url in hrefs and source.licence_url in hrefs


# --- index ----------------------------------------------------------------------------------

def test_index_lists_every_region_with_coverage_and_link(built_portfolio):
    for lang in built_portfolio.languages:
        page = Page(built_portfolio.index(lang))
        hrefs = [a.get("href") for a in page.all("a")]
        for code in built_portfolio.regions:
            assert f"{lang}/{code}.html" in hrefs
            summary = json.loads((built_portfolio.root / lang / f"{code}.json").read_text(encoding="utf-8"))
            assert fmt_pct(summary["latest"]["cakupan"], lang) in page.words()
        assert f"{lang}/overview.html" in hrefs
        other = "en" if lang == "id" else "id"
        assert built_portfolio.index(other).name in hrefs
        titles = re.findall(r"<h2[^>]*>([^<]+)</h2>", page.source)
        assert titles == [t("level.nasional", lang), t("level.provinsi", lang),
                          t("index.group", lang, level=t("level.kabkota", lang), parent="Jawa Barat")]


def _entry(code: str, name: str, level: str, parent: str | None, share: float | None, status: str = "built", sample: bool = False) -> dict:
    latest = None if share is None else {"tahun": 2025, "cakupan": share, "sintetis": sample}
    return {"kode": code, "nama": name, "tingkat": level, "induk": parent, "status": status, "latest": latest, "sintetis": sample}


def test_render_index_groups_by_level_and_parent_and_escapes_names():
    entries = [
        _entry("32.73", "Kota <b>Bandung</b>", "kabkota", "32", 0.2, sample=True),
        _entry("33.01", "Kabupaten Cilacap", "kabkota", "33", None, status="failed"),
        _entry("32", "Jawa Barat", "provinsi", "ID", 0.202),
        _entry("ID", "Indonesia", "nasional", None, 1.478),
    ]
    built = dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.timezone.utc)
    page = render_index(entries, "en", ["id", "en"], built, [("en/backtest.html", "Forecast backtest")])
    assert "<b>Bandung</b>" not in page and "Kota &lt;b&gt;Bandung&lt;/b&gt;" in page
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", page) == ["National", "Province", "Regency/city in Jawa Barat", "Regency/city in 33"]
    assert "147.8%" in page and "20.0% ◇" in page  # not clipped; sample marked
    assert 'href="en/33.01.html"' not in page and t("index.failed", "en") in page
    assert 'href="index.html"' in page and 'href="en/overview.html"' in page and 'href="en/backtest.html"' in page
    assert f'data-search="{search_text("32.73", "Kota <b>Bandung</b>")}"' in page and 'data-search="3273 kota b bandung city ' in page
    assert page.count(t("index.status.cannot_tell", "en")) == 4  # no status in these summaries: cannot tell
    assert f'<div class="banner sample" role="note"><strong>{t("banner.sample", "en")}</strong></div>' in page
    assert "regions.csv" not in page  # linked only when the build wrote it


def test_render_index_shows_status_and_year_links_the_region_files_and_needs_no_banner_without_sample():
    west = {**_entry("32", "Jawa Barat", "provinsi", "ID", 0.29),
            "region_status": {"headline": {"value": 0.3135, "year": 2024, "data_as_of": "2025-02", "sintetis": False},
                              "on_track": {"value": "no", "sintetis": False},
                              "reached_year": {"target_year": 2029, "median": 2036, "low": 2031, "high": 2044, "sintetis": False}}}
    page = render_index([west], "en", ["id", "en"], dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc), region_files=("regions.csv", "regions.json"))
    row = page[page.index('<tr data-search="32 '):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells == ["32", '31.4% <span class="muted">(2024)</span>', "Not on track for 2029", "2036 (2031–2044)", "February 2025"]
    assert 'href="regions.csv" download' in page and 'href="regions.json" download' in page
    assert 'class="banner' not in page and "◇" not in row
    west["region_status"]["reached_year"]["sintetis"] = True  # an official headline, a year reached resting on sample rows
    page = render_index([west], "en", ["id", "en"], dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc))
    assert "2036 (2031–2044) ◇" in page and t("banner.sample", "en") in page and 'class="tag official"' in page


def test_index_carries_the_banner_if_and_only_if_it_shows_a_sample_value():
    built = dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc)
    official = [_entry("32", "Jawa Barat", "provinsi", "ID", 0.207), _entry("ID", "Indonesia", "nasional", None, 0.297)]
    assert "% ◇" not in render_index(official, "id", ["id", "en"], built)
    assert 'class="banner sample"' not in render_index(official, "id", ["id", "en"], built)
    marked = render_index([*official, _entry("32.73", "Kota Bandung", "kabkota", "32", 0.2, sample=True)], "id", ["id", "en"], built)
    assert "20,0% ◇" in marked and t("banner.sample", "id") in marked


# --- maps and helpers -------------------------------------------------------------------------

def test_map_classes_keep_values_above_100_percent_distinct():
    assert maps.value_class(0.05) == 0
    assert maps.value_class(0.999) == len(maps.BREAKS) - 1
    assert maps.value_class(1.0) == maps.value_class(1.478) == len(maps.BREAKS)
    assert maps.class_labels("id")[-1] == "≥ 100%" and maps.class_labels("en")[1] == "15%–25%"
    assert len(set(maps.CLASS_COLOURS)) == len(maps.BREAKS) + 1


def test_map_colours_get_darker_class_by_class():
    """One lightness ramp: classes stay apart in grey scale."""
    import matplotlib.colors

    grey = [sum(w * c for w, c in zip((0.2126, 0.7152, 0.0722), matplotlib.colors.to_rgb(x))) for x in maps.CLASS_COLOURS]
    assert all(a - b > 0.05 for a, b in zip(grey, grey[1:])), grey


def test_boundaries_join_every_province_and_jawa_barat_kabkota():
    from analysis.data.contract import cached_dataset

    regions = cached_dataset().regions
    assert sorted(maps.province_shapes(regions)) == regions.codes("provinsi")
    assert sorted(maps.kabkota_shapes()) == regions.codes("kabkota", within=maps.KABKOTA_PARENT)


def test_choropleth_legend_names_inherited_and_missing_regions():
    from analysis.data.contract import cached_dataset
    from analysis.pages.charts import to_svg

    shapes = maps.province_shapes(cached_dataset().regions)
    values = {code: 0.3 for code in shapes if code not in ("93", "94", "11")}
    values["31"] = 1.5
    svg = to_svg(maps.choropleth(shapes, values, "en", {"93": 0.2, "94": 0.2}, "pre-split area", {"31": "DKI 150.0%"})).decode()
    assert "pre-split area" in svg and t("map.no_data", "en") in svg and "DKI 150.0%" in svg and "≥ 100%" in svg


def test_map_year_prefers_the_year_with_most_official_values():
    table = pd.DataFrame({
        "kode": ["a", "b", "a", "b", "a"], "tahun": [2023, 2023, 2024, 2024, 2025],
        "cakupan": [0.1, 0.2, 0.1, 0.2, 0.3], "sintetis": [False, False, True, False, False],
    })
    assert map_year(table) == 2023
    assert map_year(table.assign(sintetis=True)) == 2024  # all sample: the latest year with the most values
    assert map_year(table.assign(cakupan=float("nan"))) is None


def test_stylesheet_has_print_and_small_screen_rules():
    assert "@media print" in CSS and "@media (max-width" in CSS
    print_rules = CSS[CSS.index("@media print"):]
    assert "nav.top" in print_rules and "display: none" in print_rules


@pytest.mark.parametrize("lang", ["id", "en"])
def test_build_time_honours_source_date_epoch(built_portfolio, lang):
    stamp = json.loads((built_portfolio.root / lang / "overview.json").read_text(encoding="utf-8"))["built"]
    assert dt.datetime.fromisoformat(stamp) == built_portfolio.built


def test_overview_publishes_its_league_table_as_csv_and_in_its_json(built_portfolio):
    for lang in built_portfolio.languages:
        folder = built_portfolio.page(lang, "overview").parent
        summary = json.loads((folder / "overview.json").read_text(encoding="utf-8"))
        league = pd.read_csv(folder / "overview.league.csv", dtype={"kode": str})
        assert len(summary["league"]) == 38 and sorted(league["kode"]) == sorted(row["kode"] for row in summary["league"])
        assert 'href="overview.league.csv"' in built_portfolio.page(lang, "overview").read_text(encoding="utf-8")
        dki = league.set_index("kode").loc["31"]
        assert dki["cakupan"] > 1 and not dki["sintetis_cakupan"]  # above 100% on official 2023, never clipped; its provenance goes with it
