"""Batch engine: selection, input keys, incremental rebuilds, failure isolation, lock, desa sample.

Builds here run a small stand-in notebook (``write_probe_notebook``): it has the same Papermill
parameters and publishes a summary like the region report, but does in milliseconds what the real
report does in seconds, and raises for a region whose rows carry the source ``uji-gagal``
(``failing_data``). The real notebook is exercised by the CLI, dask and end-to-end tests.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.build import engine as batch
from analysis.data import sample
from analysis.core import writing
from analysis.data.contract import BUNDLED_DIR, REGION_TREE_FILE, load_dataset
from analysis.build.executors import LocalExecutor
from analysis.core.messages import t
from analysis.model.params import load_params
from analysis.data.portfolio import select_regions
from analysis.data.regions import load_regions

PROBE_CELL = '''
import os, time
from IPython.display import HTML, display
from analysis.data.contract import cached_dataset
from analysis.pages.region_page import publish
ds = cached_dataset(data_dir or None)
rows = ds.participants[ds.participants["kode"] == region]
time.sleep(float(os.environ.get("CAKUPAN_PROBE_SLEEP", "0")))
if (rows["sumber"] == "uji-gagal").any():
    raise ValueError(f"designed to fail for {region}")
total = int(rows["peserta_aktif"].sum())
display(HTML(f"<p>{region} {lang}: {len(rows)} rows, {total} participants</p>"))
publish({"kode": region, "nama": ds.regions.name(region), "tingkat": ds.regions.level(region),
         "induk": ds.regions.parent(region), "lang": lang, "title": f"Probe {region}",
         "sintetis": bool(rows["sintetis"].any()), "latest": {"tahun": 2024, "cakupan": 0.5}, "total": total,
         "status": {"headline": {"value": 0.25, "year": 2023, "sintetis": False}, "on_track": {"value": "no", "sintetis": False},
                    "reached_year": {"target_year": 2029, "median": 2040 + len(rows) % 5, "sintetis": False}, "sintetis": False}})
'''

# In ``failing_data``, the probe notebook builds GOOD and raises for BAD.
GOOD = ["32.01", "32.02"]
BAD = "32.03"


OVERVIEW_PROBE_CELL = '''
from analysis.pages.region_page import publish
publish({"kode": "overview", "lang": lang, "title": "Probe overview"})
'''


def write_probe_notebook(path: Path, extra: str = "", overview: bool = False) -> Path:
    """The stand-in region notebook, or with ``overview`` a stand-in overview (no region parameter)."""
    nb = nbformat.v4.new_notebook()
    names = 'params_path = ""\nlang = "id"\ndata_dir = ""'
    params = nbformat.v4.new_code_cell(names if overview else 'region = "32"\n' + names, id="parameters")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell((OVERVIEW_PROBE_CELL if overview else PROBE_CELL) + extra, id="probe")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def cli_with_notebook(notebook: Path) -> list[str]:
    """Command prefix running ``cakupan`` with another region notebook (the real CLI code path)."""
    code = ("import sys; from pathlib import Path; from analysis.build import engine as batch; "
            "batch.NOTEBOOK = Path(sys.argv.pop(1)); from analysis.cli import main; sys.exit(main(sys.argv[1:]))")
    return [sys.executable, "-c", code, str(notebook)]


def copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DIR, data)
    return data


def failing_data(tmp_path: Path) -> Path:
    """The bundled data plus a row that makes the probe notebook raise for BAD."""
    data = copy_data(tmp_path)
    with open(data / "participants.csv", "a", encoding="utf-8") as fh:
        fh.write(f"{BAD},2026-01,PU,1,uji-gagal\n")
    return data


def build(ds, codes, out: Path, notebook: Path, **kw) -> dict[tuple[str, str], str]:
    opts = batch.BuildOptions(out=out, params=kw.pop("params", load_params(None)), notebook=notebook, jobs=1,
                              languages=kw.pop("languages", ["id"]), data_dir=str(ds.directory), **kw)
    return {(r.kode, r.lang): r.status for r in batch.build(ds, codes, opts)}


@pytest.fixture(scope="module")
def ds():
    return load_dataset(BUNDLED_DIR)


@pytest.fixture(scope="module")
def failing(tmp_path_factory):
    return load_dataset(failing_data(tmp_path_factory.mktemp("failing")))


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> Path:
    return write_probe_notebook(tmp_path_factory.mktemp("nb") / "probe.ipynb")


# --- keys (no kernel) ------------------------------------------------------------------------

def _keys(ds, params=None, notebook="nb"):
    codes = ["ID", "32", "32.73", "32.01", "31"]
    return batch.task_keys(ds, params or load_params(None), notebook, codes, ["id", "en"])


def test_keys_follow_the_data_the_report_reads(tmp_path, ds):
    before = _keys(ds)
    assert before == _keys(ds)
    assert len(set(before.values())) == len(before)
    data = copy_data(tmp_path)
    table = pd.read_csv(data / "participants.csv", dtype=str, keep_default_na=False)
    row = table.index[table["kode"] == "32.73"][0]
    table.loc[row, "peserta_aktif"] = str(int(table.loc[row, "peserta_aktif"]) + 1)
    table.to_csv(data / "participants.csv", index=False, lineterminator="\n")
    after = _keys(load_dataset(data))
    changed = {code for (code, _), key in after.items() if before[(code, _)] != key}
    assert changed == {"32.73", "32", "ID"}  # the region and every ancestor that shows it; not its siblings


def test_keys_follow_parameters_and_notebook(tmp_path, ds):
    before = _keys(ds)
    params = tmp_path / "p.yaml"
    params.write_text("horizon: 2040\n", encoding="utf-8")
    assert all(before[k] != v for k, v in _keys(ds, load_params(params)).items())
    assert all(before[k] != v for k, v in _keys(ds, notebook="nb v2").items())


@pytest.mark.parametrize("code", ["../etc", "32/../../x", "ID.html", "32.04/..", ""])
def test_output_paths_refuse_names_that_could_leave_the_folder(tmp_path, code):
    with pytest.raises(ValueError):
        batch.output_paths(tmp_path, code, "id")
    with pytest.raises(ValueError):
        batch.output_paths(tmp_path, "32", "../id")


# --- desa sample panel (no kernel) -----------------------------------------------------------

@pytest.fixture(scope="module")
def regions():
    return load_regions(REGION_TREE_FILE)


def test_subregion_panel_adds_up_to_its_parents_and_is_marked(regions):
    tables = sample.bundled_tables(regions)
    made = sample.subregion_tables(tables, regions, ["32.73", "11.01"], "desa")
    p, w = made["participants.csv"], made["workforce.csv"]
    pd.testing.assert_frame_equal(p[p["kode"].isin(tables["participants.csv"]["kode"])].reset_index(drop=True),
                                  tables["participants.csv"].reset_index(drop=True))
    new = p[~p["kode"].isin(tables["participants.csv"]["kode"])]
    assert (new["sumber"] == sample.SUBREGION_SOURCE).all()
    assert set(new["kode"]) >= set(regions.codes("desa", within="32.73")) | set(regions.codes("kabkota", within="11"))
    assert not new["kode"].str.startswith("11.02.").any()  # siblings of 11.01 get rows, not their children
    for parent in ["32.73", "32.73.01", "11", "11.01"]:
        kids = p[p["kode"].isin(regions.children(parent))].groupby(["periode", "segmen"])["peserta_aktif"].sum()
        own = p[p["kode"] == parent].set_index(["periode", "segmen"])["peserta_aktif"]
        assert (kids.reindex(own.index) == own).all(), parent
        kids = w[w["kode"].isin(regions.children(parent))].groupby("periode")["penduduk_bekerja"].sum()
        own = w[w["kode"] == parent].dropna(subset=["penduduk_bekerja"]).set_index("periode")["penduduk_bekerja"]
        assert (kids.reindex(own.index) == own).all(), parent
    assert sample.SUBREGION_SOURCE in set(made["sources.csv"]["sumber"])


def test_subregion_panel_is_deterministic_and_local(regions):
    tables = sample.bundled_tables(regions)
    one = sample.subregion_tables(tables, regions, ["32.73.01"], "desa")["participants.csv"]
    two = sample.subregion_tables(tables, regions, ["32.04", "32.73.01"], "desa")["participants.csv"]
    village = regions.children("32.73.01")[0]
    pd.testing.assert_frame_equal(one[one["kode"] == village].reset_index(drop=True), two[two["kode"] == village].reset_index(drop=True))


# --- builds with the probe notebook ------------------------------------------------------------

def test_unchanged_reports_are_skipped_and_changes_rebuild_them(tmp_path, ds, probe):
    out = tmp_path / "out"
    assert build(ds, GOOD, out, probe) == {(c, "id"): "built" for c in GOOD}
    assert build(ds, GOOD, out, probe) == {(c, "id"): "skipped" for c in GOOD}
    assert build(ds, GOOD, out, probe, force=True) == {(c, "id"): "built" for c in GOOD}

    data = copy_data(tmp_path)
    with open(data / "participants.csv", "a", encoding="utf-8") as fh:
        fh.write("32.02,2026-01,PU,1000,uji\n")
    page = (out / "id" / "32.02.html").read_bytes()
    assert build(load_dataset(data), GOOD, out, probe) == {("32.01", "id"): "skipped", ("32.02", "id"): "built"}
    assert (out / "id" / "32.02.html").read_bytes() != page

    params = tmp_path / "params.yaml"
    params.write_text("horizon: 2040\n", encoding="utf-8")
    assert set(build(ds, GOOD, out, probe, params=load_params(params)).values()) == {"built"}
    assert set(build(ds, GOOD, out, probe, params=load_params(params)).values()) == {"skipped"}
    edited = write_probe_notebook(tmp_path / "edited.ipynb", extra="\n# edited\n")
    assert set(build(ds, GOOD, out, edited, params=load_params(params)).values()) == {"built"}


def test_a_failing_region_is_recorded_and_the_others_are_built(tmp_path, failing, probe):
    out = tmp_path / "out"
    statuses = build(failing, [BAD, *GOOD], out, probe)
    assert statuses == {(BAD, "id"): "failed", ("32.01", "id"): "built", ("32.02", "id"): "built"}
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    failed = [e for e in manifest["reports"] if e["status"] == "failed"]
    assert manifest["complete"] is True and manifest["counts"] == {"built": 2, "failed": 1}
    assert failed[0]["kode"] == BAD and failed[0]["output"] is None
    assert failed[0]["error"] == f"ValueError: designed to fail for {BAD}"
    assert not (out / "id" / f"{BAD}.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="id/32.01.html"' in index and f'href="id/{BAD}.html"' not in index


def test_a_crashing_kernel_is_restarted_for_the_next_region(tmp_path, ds):
    crashing = write_probe_notebook(tmp_path / "crash.ipynb", extra='\nif region == "32.01":\n    os._exit(1)\n')
    out = tmp_path / "out"
    statuses = build(ds, GOOD, out, crashing)
    assert statuses == {("32.01", "id"): "failed", ("32.02", "id"): "built"}
    error = json.loads((out / "build.json").read_text(encoding="utf-8"))["reports"][0]["error"]
    assert error.startswith("DeadKernelError")


def test_a_hung_report_is_stopped_at_the_timeout_and_the_next_region_built(tmp_path, ds):
    hanging = write_probe_notebook(tmp_path / "hang.ipynb", extra='\nif region == "32.01":\n    time.sleep(600)\n')
    out = tmp_path / "out"
    statuses = build(ds, GOOD, out, hanging, executor=LocalExecutor(1, timeout=3))
    assert statuses == {("32.01", "id"): "failed", ("32.02", "id"): "built"}
    entry = json.loads((out / "build.json").read_text(encoding="utf-8"))["reports"][0]
    assert entry["error"].startswith("TimeoutError: no result after 3 s") and 3 <= entry["seconds"] < 60


def test_the_overview_comes_with_the_national_report_and_is_skipped_when_unchanged(tmp_path, ds, probe):
    out, both = tmp_path / "out", ["id", "en"]
    overview = write_probe_notebook(tmp_path / "overview.ipynb", overview=True)
    pages = {(stem, lang) for stem in ("overview", "ID") for lang in both}
    assert build(ds, ["ID"], out, probe, overview_notebook=overview, languages=both) == dict.fromkeys(pages, "built")
    assert build(ds, ["ID"], out, probe, overview_notebook=overview, languages=both) == dict.fromkeys(pages, "skipped")
    edited = write_probe_notebook(tmp_path / "edited.ipynb", extra="\n# edited\n", overview=True)
    statuses = build(ds, ["ID"], out, probe, overview_notebook=edited, languages=both)
    assert statuses == {**dict.fromkeys(pages, "skipped"), ("overview", "id"): "built", ("overview", "en"): "built"}
    manifest = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert [(e["kode"], e["lang"]) for e in manifest["pages"]] == [("overview", "en"), ("overview", "id")]
    assert {e["kode"] for e in manifest["reports"]} == {"ID"}
    assert "Probe overview" in (out / "en" / "overview.html").read_text(encoding="utf-8")
    assert build(ds, ["32.01"], tmp_path / "regional", probe, overview_notebook=edited) == {("32.01", "id"): "built"}


def test_fail_fast_stops_at_the_first_failure(tmp_path, failing, probe):
    out = tmp_path / "out"
    assert build(failing, [BAD, *GOOD], out, probe, fail_fast=True) == {(BAD, "id"): "failed"}
    assert json.loads((out / "build.json").read_text(encoding="utf-8"))["complete"] is False


def test_workers_in_processes_give_the_same_bytes(tmp_path, ds, probe, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    one, two = tmp_path / "one", tmp_path / "two"
    build(ds, GOOD, one, probe, languages=["id", "en"])
    build(ds, GOOD, two, probe, languages=["id", "en"], executor=LocalExecutor(2))
    assert same_files(one, two)


def test_desa_reports_are_indexed_per_kabkota(tmp_path, regions, probe, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data = tmp_path / "desa"
    data.mkdir()
    from analysis.data import bundle

    for name, table in sample.subregion_tables(sample.bundled_tables(regions), regions, ["32.73.01"], "desa").items():
        bundle.write_csv(table, data / name)
    ds = load_dataset(data)
    codes = ["32.73", *select_regions(ds.regions, load_params(None), ["kecamatan", "desa"], ["32.73.01"])]
    out = tmp_path / "out"
    assert set(build(ds, codes, out, probe).values()) == {"built"}
    index, sub = (out / "index.html").read_text(encoding="utf-8"), (out / "index-32.73.html").read_text(encoding="utf-8")
    assert 'href="id/32.73.html"' in index and 'href="index-32.73.html"' in index and "32.73.01.1001" not in index
    assert 'href="id/32.73.01.1001.html"' in sub and 'href="id/32.73.html"' not in sub
    assert list(pd.read_csv(out / "regions.csv", dtype=str)["kode"]) == sorted(codes)  # every level in the one file
    page = json.loads((out / "id" / "32.73.01.1001.json").read_text(encoding="utf-8"))
    assert page["sintetis"] is True


def test_regions_files_list_every_region_with_its_status_and_are_linked_from_the_indexes(tmp_path, failing, probe, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "out"
    build(failing, [BAD, *GOOD], out, probe, languages=["id", "en"])
    csv = pd.read_csv(out / "regions.csv", dtype=str, keep_default_na=False).set_index("kode")
    assert list(csv.index) == [*GOOD, BAD] and list(csv["page"]) == [f"id/{c}.html" for c in GOOD] + [""]
    for code in GOOD:
        page = json.loads((out / "id" / f"{code}.json").read_text(encoding="utf-8"))
        assert (csv.loc[code, "page"], csv.loc[code, "nama"]) == (f"id/{code}.html", page["nama"])
        assert csv.loc[code, "reached_year_median"] == str(page["status"]["reached_year"]["median"])
        assert (csv.loc[code, "on_track_value"], csv.loc[code, "headline_year"], csv.loc[code, "headline_value"]) == ("no", "2023", "0.25")
    assert csv.loc[BAD, "page"] == "" and csv.loc[BAD, "on_track_value"] == ""
    for index, status in (("index.html", "Tidak sesuai jalur untuk 2029"), ("index-en.html", "Not on track for 2029")):
        text = (out / index).read_text(encoding="utf-8")
        assert 'href="regions.csv"' in text and 'href="regions.json"' in text and text.count(status) == len(GOOD)
    regions_json = json.loads((out / "regions.json").read_text(encoding="utf-8"))
    first = (out / "regions.csv").read_bytes()
    assert build(failing, GOOD, out, probe, languages=["id", "en"]) == {(c, lang): "skipped" for c in GOOD for lang in ("id", "en")}
    # a skipped report gives the same row, read back from its stored summary
    assert (out / "regions.csv").read_text(encoding="utf-8").splitlines() == [
        line for line in first.decode().splitlines() if not line.startswith(f"{BAD},")]
    assert [r["status"] for r in regions_json["regions"][:2]] == [json.loads((out / "id" / f"{c}.json").read_text(encoding="utf-8"))["status"] for c in GOOD]


def same_files(a: Path, b: Path, ignore: tuple[str, ...] = ("build.json", writing.LOCK_NAME)) -> bool:
    """Same set of files with the same bytes (the manifest's timings and the lock's pid aside)."""
    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name not in ignore}
    fa, fb = files(a), files(b)
    assert sorted(fa) == sorted(fb)
    for name in fa:
        assert fa[name] == fb[name], name
    return True


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_progress_bar_speaks_the_language_of_the_command_line(lang):
    """On a terminal the tqdm bar names what it counts (its description and unit) and each report's status in ``lang``."""
    terminal = _Terminal()
    update = batch.progress_printer(terminal, lang)
    results = [batch.Result("32", "id", "skipped", "id/32.html", 0.0, "k"), batch.Result("32.73", "id", "built", "id/32.73.html", 0.1, "k")]
    for done, result in enumerate(results, 1):
        update(done, len(results), result)
    shown = terminal.getvalue().replace("\r", "\n").splitlines()[-1]
    unit, desc, built = (t(k, lang) for k in ("cli.progress_bar.unit", "cli.progress_bar.desc", "cli.status.built"))
    assert shown.startswith(f"{desc}: 100%") and (f"{unit}/s" in shown or f"s/{unit}" in shown) and f"32.73 id {built}" in shown, shown
    assert ({"report", "reports", "built"} if lang == "id" else {"laporan", "dibangun"}).isdisjoint(re.findall(r"[a-z]+", shown)), shown


def test_a_page_the_disk_refuses_fails_alone_and_keeps_its_earlier_files(tmp_path, monkeypatch):
    """Pages failing mid-build: each is a failed result with the message (the command line lists them, exit 1)."""
    from analysis.build.executors import Outcome, Task

    page, years = tmp_path / "en" / "32.html", tmp_path / "en" / "32.years.csv"
    writing.write_atomic(page, "<p>earlier</p>")
    writing.write_atomic(years, "a\n0\n")
    real = writing._write_all

    def full(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").rsplit("/", 1)[-1].startswith(".32.html"):
            raise OSError(28, os.strerror(28))
        real(fd, data)

    monkeypatch.setattr(writing, "_write_all", full)
    outcome = Outcome(Task("32", "en", "key"), 1.0, page="<p>new</p>", summary={"kode": "32"}, files={"32.years.csv": "a\n1\n"})
    result = batch._store(tmp_path, outcome, writing.build_time())
    assert (result.status, result.output) == ("failed", None)
    assert result.error == t("writing.full", "en", path=page) or "disk is full" in result.error
    assert page.read_text() == "<p>earlier</p>" and not (tmp_path / "en" / "32.json").exists()
    assert years.read_text() == "a\n0\n"  # its downloads too: never a new CSV beside the old page
    assert sorted(p.name for p in page.parent.iterdir()) == ["32.html", "32.years.csv"]
