"""Untrusted text renders as text: region names (a data folder's ``regions.csv``), source titles,
``sumber`` values and definition-break notes, in HTML blocks, chart alt text, JSON and the index.

The property tests render ``RegionReport`` blocks directly (no kernel); one real ``cakupan build``
with a hostile data folder proves the whole path, then refused builds into the same folder change
nothing in it.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.data.test_bad_inputs import snapshot

from analysis.build import engine as batch
from analysis.data import contract as data
from analysis.model import metrics
from analysis.pages import charts as plots
from analysis.cli import main
from analysis.data.contract import BUNDLED_DIR, load_dataset
from analysis.core.problems import InputError
from analysis.model.params import load_params
from analysis.data.regions import CODE_RE, RegionTree, is_valid_code
from analysis.pages.render import render_index
from analysis.core.writing import json_text
from analysis.pages.region_page import RegionReport

NASTY = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "Tom & Jerry's \"kota\" &amp; &lt;",
    "</title></head><body><h1>ganti</h1>",
    "<!-- {region} ]]> <![CDATA[",
    "Kota 🏙️ Baru 👩‍👩‍👧",
    "مدينة ‮جديدة‬ שלום",
    "Kab. " + "Panjang " * 800,
]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=60))
NAME = TEXT.filter(lambda s: s.strip() != "")
BENIGN = "Nama"
BUILT = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


class Parsed(HTMLParser):
    """Elements (tag and attribute names) and the text and attribute values of an HTML fragment."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, tuple[str, ...]]] = []
        self.values: list[str] = []
        self.text: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.elements.append((tag, tuple(sorted(name for name, _ in attrs))))
        self.values += [value or "" for _, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        raise AssertionError(f"a comment was injected: {data!r}")

    def shows(self, text: str) -> bool:
        return any(text in part for part in self.text + self.values)


def same_elements(hostile: str, benign: str, text: str) -> None:
    """``hostile`` has exactly the elements of ``benign`` and shows ``text`` as text or attribute value."""
    got, want = Parsed(hostile), Parsed(benign)
    assert got.elements == want.elements
    assert got.shows(text)


@pytest.fixture(scope="module")
def report():
    """Jawa Barat in Indonesian on a private copy of the bundled data (names are changed per example)."""
    ds = load_dataset()
    ds = dataclasses.replace(ds, regions=RegionTree(ds.regions.table.copy()))
    params = load_params()
    params["forecast"]["paths"] = 200
    return RegionReport("32", "id", params, ds, metrics.coverage_table(ds, ["32"], params["coverage"]))


@pytest.fixture
def quick_charts(monkeypatch):
    """Charts never show data text (names are alt text), so the property tests skip drawing them."""
    monkeypatch.setattr(plots, "to_svg", lambda fig: b"<svg xmlns='http://www.w3.org/2000/svg'/>")


NAMED_BLOCKS = ("title", "trend", "forecast", "scenarios", "subregions")


def _named(report: RegionReport, name: str) -> dict[str, str]:
    """The blocks that show region names, with Jawa Barat and Kota Bandung (one of its children) called ``name``."""
    report.ds.regions.table.loc[["32", "32.73"], "nama"] = name
    return {block: getattr(report, block)() for block in NAMED_BLOCKS}


@given(name=NAME)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_region_names_render_as_text_in_blocks_and_json(report, quick_charts, name):
    benign = _named(report, BENIGN)
    for block, html in _named(report, name).items():
        same_elements(html, benign[block], name)
    summary = json.loads(json_text(report.summary()))
    assert summary["nama"] == name and name in summary["title"]
    assert {r["nama"] for r in summary["ranking"]["regions"] if r["kode"] == "32.73"} == {name}


@given(name=NAME)
@settings(max_examples=25, deadline=None)
def test_random_region_names_render_as_text_in_the_index(name):
    def index(nama: str) -> str:
        entries = [{"kode": "32", "nama": nama, "tingkat": "provinsi", "induk": "ID", "status": "built",
                    "latest": {"tahun": 2024, "cakupan": 0.314, "sintetis": False}},
                   {"kode": "32.73", "nama": nama, "tingkat": "kabkota", "induk": "32", "induk_nama": nama, "status": "failed"}]
        return render_index(entries, "id", ["id", "en"], BUILT, [("index-id-32.73.html", nama)])

    same_elements(index(name), index(BENIGN), name)


@given(title=TEXT, sumber=NAME, note=TEXT, url=st.sampled_from(["javascript:alert(1)", 'https://x.id/"onmouseover="alert(1)', "https://bps.go.id"]))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_source_texts_and_notes_render_as_text(report, quick_charts, title, sumber, note, url):
    def blocks(title: str, sumber: str, note: str) -> str:
        ds = dataclasses.replace(
            report.ds, sources=pd.DataFrame([{"sumber": sumber, "judul": title, "url": url, "lisensi": title}]),
            breaks=pd.DataFrame([{"kode": "32", "periode": "2020-08", "ukuran": "penduduk_bekerja", "catatan": note, "jenis": ""}]))
        one = RegionReport("32", "id", report.params, ds, report.table.assign(sumber=sumber))
        return one.trend() + one.provenance()

    html = blocks(title, sumber, note)
    same_elements(html, blocks(BENIGN, BENIGN, BENIGN), sumber)
    parsed = Parsed(html)
    assert parsed.shows(title) and parsed.shows(note)


@pytest.mark.parametrize("label", [NASTY[0], NASTY[1], "RPJMN $2029$", r"Target $\frac$ 50%"])
def test_target_labels_are_drawn_verbatim_in_well_formed_charts(report, label):
    """Target labels (parameters) are the only free text drawn inside a chart: never markup, never mathtext."""
    targets = [{**report.params["targets"][0], "label": label}]
    for fig in (plots.trend_chart(report.table, "id", "penduduk_bekerja", targets=targets),
                plots.fan_chart(report.table, report.outlook.frame(), "id", targets)):
        svg = ET.fromstring(plots.to_svg(fig))
        assert label in " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
        assert not [e for e in svg.iter() if e.tag.split("}")[-1] in ("script", "foreignObject", "image")]


def test_region_names_with_control_characters_are_refused(tmp_path):
    (tmp_path / "regions.csv").write_text("kode,nama,tingkat,kode_induk\n32.73,\"Kota\x1b[31m Bandung\",kabkota,32\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        data.load_region_tree(tmp_path)
    (p,) = err.value.problems
    assert (p.line, p.column, p.value) == (2, "nama", b'"Kota\x1b[31m Bandung"')


@given(name=NAME)
@settings(max_examples=40, deadline=None)
def test_random_names_survive_regions_csv_exactly(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("r")
    with open(folder / "regions.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([data.REGION_COLUMNS, ["32.73", name, "kabkota", "32"]])
    table, problems = data._region_rows(folder / "regions.csv", RegionTree(pd.DataFrame(
        {"nama": ["Indonesia", "Jawa Barat"], "tingkat": ["nasional", "provinsi"], "kode_induk": ["", "ID"]}, index=pd.Index(["ID", "32"], name="kode"))))
    assert problems == [] and table["nama"].tolist() == [name]


# ------------------------------------------------------------------ the whole path, once


def _hostile_data(folder: Path) -> None:
    """The bundled data with Jawa Barat and Kota Bandung renamed, two source titles and a note replaced."""
    shutil.copytree(BUNDLED_DIR, folder)
    with open(folder / "regions.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([data.REGION_COLUMNS, ["32", NASTY[0], "provinsi", "ID"], ["32.73", NASTY[1], "kabkota", "32"]])
    sources = pd.read_csv(folder / "sources.csv", dtype=str, keep_default_na=False)
    hit = sources["sumber"].isin(["bps-jabar-kabkota", "sintetis:cakupan-sample-v1"])
    sources.loc[hit, "judul"] = sources.loc[hit, "judul_en"] = NASTY[2]  # English pages show judul_en
    sources.to_csv(folder / "sources.csv", index=False)
    breaks = pd.read_csv(folder / "breaks.csv", dtype=str, keep_default_na=False)
    breaks.loc[breaks["kode"] == "32", "catatan"] = breaks.loc[breaks["kode"] == "32", "catatan_en"] = NASTY[3]
    breaks.to_csv(folder / "breaks.csv", index=False)


def test_a_hostile_data_folder_builds_pages_that_show_it_as_text(tmp_path, built_portfolio, monkeypatch, capsys):
    folder, out = tmp_path / "data", tmp_path / "reports"
    _hostile_data(folder)
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run([sys.executable, "-m", "analysis", "build", "--data", str(folder), "--out", str(out), "--region", "32.73", "--jobs", "1"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    for lang in ("id", "en"):
        page = (out / lang / "32.73.html").read_text(encoding="utf-8")
        same_elements(page, built_portfolio.page(lang, "32.73").read_text(encoding="utf-8"), NASTY[1])
        parsed = Parsed(page)
        assert all(parsed.shows(text) for text in NASTY[:4])
        summary = json.loads((out / lang / "32.73.json").read_text(encoding="utf-8"))
        assert (summary["nama"], summary["induk"]) == (NASTY[1], "32")
    index = Parsed((out / "index.html").read_text(encoding="utf-8"))
    assert index.shows(NASTY[1]) and [e for e in index.elements if e[0] == "script"] == [("script", ())]
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert [f for f in files if not f.endswith(".csv")] == [
        ".cakupan.lock", "build.json", "en/32.73.html", "en/32.73.json", "id/32.73.html", "id/32.73.json", "index-en.html", "index.html", "regions.json"]
    assert all(re.fullmatch(r"(id|en)/32\.73\.[a-z]+\.csv|regions\.csv", f) for f in files if f.endswith(".csv"))  # the pages' data downloads, every region's status
    assert json.loads((out / "regions.json").read_text(encoding="utf-8"))["regions"][0]["nama"] == NASTY[1]

    before = snapshot(out)
    monkeypatch.setattr(batch, "build", lambda *a, **k: pytest.fail("the build started although the input is invalid"))
    (folder / "params.yaml").write_text("horizon: 2045\nhorison: 2050\n", encoding="utf-8")
    assert main(["build", "--data", str(folder), "--out", str(out), "--region", "32.73", "--params", str(folder / "params.yaml")]) == 2
    with open(folder / "participants.csv", "ab") as fh:
        fh.write("32.73,2010-12,PU,5,Kanwil Jabar (ejaan lama: Bandoeng é)\n".encode("cp1252"))
    assert main(["build", "--data", str(folder), "--out", str(out), "--region", "32.73"]) == 2
    assert "params.yaml:2: column 'horison'" in capsys.readouterr().err
    assert snapshot(out) == before


@given(code=st.one_of(st.text(max_size=24), st.from_regex(CODE_RE, fullmatch=True), st.sampled_from(["../32", "32/../..", "/etc/passwd", "ID\x00"])))
def test_no_region_code_names_a_file_outside_the_output_folder(code):
    out = PurePosixPath("/srv/cakupan/reports")
    try:
        pages = batch.output_paths(Path(out), code, "id")
    except ValueError:
        assert not is_valid_code(code)
        return
    for page in pages:
        assert PurePosixPath(os.path.normpath(page)).parent == out / "id"
