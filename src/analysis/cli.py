"""Command line: ``cakupan`` (also ``python -m analysis``).

Exit codes: 0 success; 1 some reports failed (the rest were built); 2 invalid input or usage
(nothing written).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from analysis import __version__
from analysis.data import BUNDLED_DIR, PROJECT_ROOT, load_dataset
from analysis.errors import InputError, problem
from analysis.messages import cli_language, t
from analysis.params import LANGUAGES, load_params
from analysis.regions import LEVELS, ROOT, is_valid_code

DEFAULT_OUT = PROJECT_ROOT / "reports"
EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 like invalid input
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INVALID)


def _report_invalid(exc: InputError) -> int:
    count = len(exc.problems)
    print(t("cli.invalid.one" if count == 1 else "cli.invalid.many", cli_language(), count=count), file=sys.stderr)
    print(exc.render(), file=sys.stderr)
    return EXIT_INVALID


def cmd_validate(ns: argparse.Namespace) -> int:
    load_params(ns.params)
    ds = load_dataset(ns.data)
    print(t("cli.valid", cli_language(), directory=ds.directory, participants=len(ds.participants), workforce=len(ds.workforce),
            synthetic=int(ds.participants["sintetis"].sum() + ds.workforce["sintetis"].sum())))
    return EXIT_OK


def _check_selection(ns: argparse.Namespace, params: dict, regions) -> list[str] | None:
    bad = []
    for code in ns.region or []:
        if not is_valid_code(code):
            bad.append(problem("--region", None, None, code, "a Kemendagri code like ID, 32 or 32.04"))
        elif code not in regions:
            bad.append(problem("--region", None, None, code, "a region present in the region tree"))
    for lang in ns.lang or []:
        if lang not in params["languages"]:
            bad.append(problem("--lang", None, None, lang, f"one of the languages in the parameters ({', '.join(params['languages'])})"))
    if ns.jobs < 0:
        bad.append(problem("--jobs", None, None, ns.jobs, "a number of workers, 1 or more (0 = all cores)"))
    if ns.scheduler and ns.executor != "dask":
        bad.append(problem("--scheduler", None, None, ns.scheduler, "--executor dask together with a scheduler address"))
    if bad:
        raise InputError(bad)
    return ns.region


def cmd_build(ns: argparse.Namespace) -> int:
    from analysis import batch, checks, executors

    params = load_params(ns.params)
    started = time.perf_counter()
    if ns.executor == "local" and (ns.force or not (Path(ns.out) / batch.MANIFEST_NAME).exists()):
        executors.warm_up()  # surely work to do: the workers' imports overlap reading the data
    ds = load_dataset(ns.data)
    codes = batch.select_regions(ds.regions, params, ns.level, _check_selection(ns, params, ds.regions))
    if not codes:
        raise InputError([problem("--level", None, None, " ".join(ns.level or params["levels"]), "levels with regions under the selected codes")])
    problems = checks.check_build(ds, params, codes, named=bool(ns.region) and not ns.level, params_path=ns.params)
    if problems:
        raise InputError(problems)
    try:
        executor = executors.make_executor(ns.executor, ns.jobs, ns.scheduler)
    except (OSError, TimeoutError) as exc:
        print(t("cli.scheduler", cli_language(), address=ns.scheduler, error=exc), file=sys.stderr)
        return EXIT_INVALID
    out = Path(ns.out)
    opts = batch.BuildOptions(
        out=out, params=params, params_path=str(Path(ns.params).resolve()) if ns.params else "",
        data_dir=str(Path(ns.data).resolve()) if ns.data else "", jobs=ns.jobs, force=ns.force,
        fail_fast=ns.fail_fast, languages=ns.lang, progress=batch.progress_printer(), executor=executor,
    )
    langs = ns.lang or params["languages"]
    say = cli_language()
    print(t("cli.build.start", say, version=__version__, regions=len(codes), languages=len(langs), out=out), file=sys.stderr)
    try:
        results = batch.build(ds, codes, opts)
    except batch.BuildLocked as exc:
        print(t("cli.build.locked", say, out=exc.out, pid=exc.holder), file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt as exc:
        print(t("cli.build.interrupted", say), file=sys.stderr)
        return 128 + getattr(exc, "signum", 2)
    finally:
        executor.close()
    counts = batch.summarize(results)
    failed = [r for r in results if r.status == "failed"]
    for r in failed[:20]:
        print(t("cli.build.failed", say, kode=r.kode, language=r.lang, error=r.error), file=sys.stderr)
    if len(failed) > 20:
        print(t("cli.build.more_failed", say, count=len(failed) - 20, manifest=out / batch.MANIFEST_NAME), file=sys.stderr)
    print(t("cli.build.done", say, **counts, seconds=f"{time.perf_counter() - started:.1f}"), file=sys.stderr)
    print((out / ("index.html" if langs[0] == params["languages"][0] else f"index-{langs[0]}.html")).resolve())
    return EXIT_FAILED if failed else EXIT_OK


def cmd_sample(ns: argparse.Namespace) -> int:
    from analysis import bundle, sample
    from analysis.data import REGION_TREE_FILE
    from analysis.regions import load_regions

    regions = load_regions(REGION_TREE_FILE)
    out = Path(ns.out)
    bad = [problem("--within", None, None, c, "a region code present in the region tree") for c in ns.within or [] if c not in regions]
    if ns.within and not ns.levels:
        bad.append(problem("--within", None, None, " ".join(ns.within), "--levels together with --within"))
    if ns.levels and out.resolve() == BUNDLED_DIR.resolve():
        bad.append(problem("--out", None, None, str(out), "another folder than the bundled data for a panel with --levels"))
    if bad:
        raise InputError(bad)
    tables = sample.bundled_tables(regions, seed=ns.seed)
    if ns.levels:
        depth = max(ns.levels, key=LEVELS.index)
        tables = sample.subregion_tables(tables, regions, ns.within or [ROOT], depth, seed=ns.seed)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        bundle.write_csv(table, out / name)
    load_dataset(out)
    synthetic = sum(int(t["sumber"].str.startswith("sintetis").sum()) for n, t in tables.items() if "sumber" in t and n != "sources.csv")
    print(t("cli.sample.written", cli_language(), directory=out, participants=len(tables["participants.csv"]),
            workforce=len(tables["workforce.csv"]), synthetic=synthetic))
    return EXIT_OK


def cmd_backtest(ns: argparse.Namespace) -> int:
    from analysis import backtest_report

    languages = load_params(None)["languages"]
    return backtest_report.main(Path(ns.data) if ns.data else BUNDLED_DIR, Path(ns.out), ns.lang or languages,
                                ns.benchmark or (), languages=languages)


def cmd_import(ns: argparse.Namespace) -> int:
    from analysis import importers

    return importers.main(ns)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cakupan", description="Coverage of Indonesian workers by BPJS Ketenagakerjaan: validate data, build reports.")
    parser.add_argument("--version", action="version", version=f"cakupan {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("validate", help="check a data directory (and parameters); print every problem, exit 2 if any")
    p.add_argument("--data", default=None, help=f"data directory (default: {BUNDLED_DIR.relative_to(PROJECT_ROOT)})")
    p.add_argument("--params", default=None, help="YAML parameter file (default: params/default.yaml)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="build region reports, the index and build.json")
    p.add_argument("--params", default=None, help="YAML parameter file (default: params/default.yaml)")
    p.add_argument("--data", default=None, help="data directory (default: the bundled data)")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="output directory (default: reports/)")
    p.add_argument("--level", nargs="+", choices=LEVELS, help="levels to build (default: from the parameters); with --region: the regions of these levels under those codes")
    p.add_argument("--region", nargs="+", metavar="CODE", help="build only these regions (or, with --level, the regions under them)")
    p.add_argument("--lang", nargs="+", choices=LANGUAGES, help="languages (default: all in the parameters)")
    p.add_argument("--jobs", type=int, default=0, help="parallel workers, one warm kernel each (default: all cores)")
    p.add_argument("--executor", choices=["local", "dask"], default="local", help="local processes, or dask.distributed (default: local)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="with --executor dask: an existing scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster on 127.0.0.1)")
    p.add_argument("--force", action="store_true", help="rebuild reports even when their inputs are unchanged")
    p.add_argument("--fail-fast", action="store_true", help="stop at the first failing report")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("sample", help="write the bundled dataset: real rows plus the deterministic sample panel")
    p.add_argument("--out", default=str(BUNDLED_DIR), help="data directory to write (default: data/bundled)")
    p.add_argument("--seed", type=int, default=20240827, help="random seed of the sample panel")
    p.add_argument("--levels", nargs="+", choices=LEVELS[2:], help="also make a synthetic panel for these levels (and those above them) under --within")
    p.add_argument("--within", nargs="+", metavar="CODE", help="with --levels: the regions to fill, e.g. 32.04 (default: the whole country)")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("backtest", help="rolling-origin backtest of the forecast methods on real series")
    p.add_argument("--data", default=None, help="data directory (default: the bundled data)")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="output directory (default: reports/)")
    p.add_argument("--lang", nargs="+", choices=LANGUAGES, help="languages of the backtest page")
    p.add_argument("--benchmark", nargs="+", choices=["m1", "tourism"], help="also the yearly series of M1 and/or Tourism (needs the 'benchmark' extra: pip install 'cakupan[benchmark]')")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("import", help="import downloaded tables (Open Data Jabar, BPS web tables, Excel) into a data directory")
    p.add_argument("format", choices=["opendata-jabar", "bps-wide", "xlsx"], help="layout of the input files")
    p.add_argument("files", nargs="+", help="files to import")
    p.add_argument("--into", required=True, help="data directory to merge into (created if missing)")
    p.add_argument("--measure", choices=["peserta_aktif", "penduduk_bekerja", "pekerja_berhak"], default="penduduk_bekerja")
    p.add_argument("--segment", choices=["PU", "BPU", "JAKON", "PMI", "TOTAL"], default=None, help="segment (for peserta_aktif)")
    p.add_argument("--source", required=True, help="source text recorded with every imported row")
    p.add_argument("--replace", action="store_true", help="replace existing values that differ (default: refuse conflicts)")
    p.add_argument("--sheet", default=None, help="sheet name (xlsx)")
    p.add_argument("--period-month", dest="period_month", default=None, help="month MM to append to yearly periods (e.g. 08)")
    p.set_defaults(func=cmd_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    ns = make_parser().parse_args(argv)
    try:
        return ns.func(ns)
    except InputError as exc:
        return _report_invalid(exc)
