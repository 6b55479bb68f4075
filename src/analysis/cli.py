"""Command line: ``cakupan`` (also ``python -m analysis``).

Exit codes: 0 success; 1 some reports failed (the rest were built); 2 invalid input or usage
(nothing written); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM).

Every message, argparse's own (usage errors, ``--help``) included, is in the command line's
language (``CAKUPAN_LANG``, else the locale, see :func:`analysis.core.messages.cli_language`).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from analysis import __version__
from analysis.data.contract import BUNDLED_DIR, SEGMENTS, TOTAL, load_dataset
from analysis.data.destinations import is_bundled, output_problems
from analysis.core.problems import InputError, Problem, input_problem, problem, render_problems
from analysis.data.importers import FORMATS, IMPORT_MEASURES, NameIndex
from analysis.build.launch import DEFAULT_OUT, say_build_done, say_build_start
from analysis.core.messages import catalogue, cli_language, fmt_int, t, tn
from analysis.model.params import DEFAULT_PARAMS, LANGUAGES, load_params
from analysis.data.portfolio import select_regions
from analysis.build.preload import MANIFEST_NAME, warm_up
from analysis.data.regions import LEVELS, ROOT, RegionTree, code_expectation, is_valid_code
from analysis.core.writing import BuildLocked, FolderBusy, WriteError, build_time, folder_lock

DEFAULT_SEED = 20240827
EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


# ---------------------------------------------------------------- language of argparse


@contextlib.contextmanager
def _argparse_speaks(lang: str) -> Iterator[None]:
    """argparse's own strings ("usage:", "invalid choice", ...) from the catalogue while parsing.

    argparse looks its messages up through module-level gettext functions; they are swapped for the
    time of one parse and restored after, so nothing else in the process is affected.
    """
    messages = catalogue()

    def gettext(text: str) -> str:
        key = f"argparse:{text}"
        return messages[key][lang] if isinstance(text, str) and key in messages else text

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = gettext, ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 like invalid input
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, argparse._("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": message})


# ---------------------------------------------------------------- problems and hints


def _report_invalid(exc: InputError) -> int:
    lang = cli_language()
    print(tn("cli.invalid", lang, len(exc.problems)), file=sys.stderr)
    print(render_problems(exc.problems, lang), file=sys.stderr)
    return EXIT_INVALID


def dotted(text: str) -> str | None:
    """A Kemendagri code written without dots ('3273', '3204162001') with its dots, else None."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()):
        return None
    cuts = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}.get(len(digits))
    if cuts is None:
        return None
    ends = [sum(cuts[:i + 1]) for i in range(len(cuts))]
    return ".".join(digits[end - width:end] for end, width in zip(ends, cuts, strict=True))


def _code_list(value: str) -> list[str]:
    """The codes of '32.73,32.10' or '3273 3210' (one code, or a name, gives one part)."""
    parts = [part for part in re.split(r"[,;\s]+", value.strip()) if part]
    return parts if all(re.fullmatch(r"ID|[0-9.]+", part) for part in parts) else [value]


def _or(items: list[str], lang: str) -> str:
    return t("cli.hint.or", lang).join(items)


def region_hint(value: str, regions: RegionTree, option: str, lang: str) -> str | None:
    """'did you mean ...?' for a code without dots, a list in one value, or a region name."""
    parts = _code_list(value)
    if len(parts) > 1:
        return t("cli.hint.did_you_mean", lang, suggestion=f"{option} " + " ".join(dotted(part) or part for part in parts))
    code = dotted(value)
    if code is not None and code != value and code in regions:
        return t("cli.hint.did_you_mean", lang, suggestion=f"{code} ({regions.name(code).strip()})")
    if code is None and not is_valid_code(value) and re.search(r"[A-Za-z]{3}", value):
        names = NameIndex(regions)
        found = [f"{c} ({regions.name(c).strip()})" for c in names.candidates(value)]
        found = found or [s.replace(" ", " (", 1) + ")" for s in names.suggestions(value)]
        if found:
            return t("cli.hint.did_you_mean", lang, suggestion=_or(found, lang))
    return None


def code_problems(values: list[str], regions: RegionTree, option: str, lang: str) -> list[Problem]:
    """Codes given on the command line that are not regions of the tree, each with a hint."""
    out = []
    for value in values:
        if is_valid_code(value) and value in regions:
            continue
        expected = code_expectation(value, "cli.expect.code" if not is_valid_code(value) else "cli.expect.in_tree").text(lang)
        if len(_code_list(value)) > 1:
            expected = t("cli.expect.one_code", lang)
        hint = region_hint(value, regions, option, lang)
        out.append(problem(option, None, None, value, expected + (f"; {hint}" if hint else "")))
    return out


def _word(choices: tuple[str, ...], option: str, lang: str):
    """An argparse type for a value from ``choices``, with hints for 'id,en' and near misses."""

    def check(value: str) -> str:
        if value in choices:
            return value
        parts = [part for part in re.split(r"[,;\s]+", value) if part]
        if len(parts) > 1 and all(part in choices for part in parts):
            expected, suggestion = t("cli.expect.one_word", lang), f"{option} {' '.join(parts)}"
        else:
            expected = t("cli.expect.choice", lang, choices=", ".join(choices))
            close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
            suggestion = f"{option} {close[0]}" if close else None
        hint = f"; {t('cli.hint.did_you_mean', lang, suggestion=suggestion)}" if suggestion else ""
        raise argparse.ArgumentTypeError(
            f"{t('cli.problem.value', lang, value=repr(value))}: {t('cli.problem.expected', lang, expected=expected)}{hint}")

    check.__name__ = option.lstrip("-")
    return check


def _distinct(values: list[str] | None) -> list[str] | None:
    """Repeated options accumulate; a value given twice counts once."""
    return list(dict.fromkeys(values)) if values else None


# ---------------------------------------------------------------- commands


def cmd_validate(ns: argparse.Namespace) -> int:
    """The data and the parameters, each alone and against each other, as a build of the
    parameters' default selection would check them before building anything."""
    from analysis.model import checks

    params = load_params(ns.params)
    ds = load_dataset(ns.data)
    problems = checks.check_build(ds, params, select_regions(ds.regions, params, None, None), params_path=ns.params)
    if problems:
        raise InputError(problems)
    lang = cli_language()
    print(t("cli.valid", lang, directory=ds.directory, participants=tn("cli.count.participant_rows", lang, len(ds.participants)),
            workforce=tn("cli.count.workforce_rows", lang, len(ds.workforce)),
            synthetic=fmt_int(ds.participants["sintetis"].sum() + ds.workforce["sintetis"].sum(), lang)))
    return EXIT_OK


def _check_selection(ns: argparse.Namespace, params: dict, regions: RegionTree) -> list[str] | None:
    lang = cli_language()
    bad = code_problems(ns.region or [], regions, "--region", lang)
    for code in ns.lang or []:
        if code not in params["languages"]:
            bad.append(problem("--lang", None, None, code, t("cli.expect.lang_param", lang, languages=", ".join(params["languages"]))))
    if ns.jobs < 0:
        bad.append(problem("--jobs", None, None, ns.jobs, t("cli.expect.jobs", lang)))
    if ns.scheduler and ns.executor != "dask":
        bad.append(problem("--scheduler", None, None, ns.scheduler, t("cli.expect.scheduler", lang)))
    bad += output_problems(ns.out, "--out", data_dir=Path(ns.data) if ns.data else BUNDLED_DIR, lang=lang)
    if bad:
        raise InputError(bad)
    return ns.region


def _make_out(out: Path, say: str) -> bool:
    """Create the output folder (after every check passed); False with a message when the system refuses."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(t("cli.out.failed", say, out=out.absolute(), error=exc.strerror or exc), file=sys.stderr)
        return False
    return True


def cmd_build(ns: argparse.Namespace) -> int:
    from analysis.build import engine
    from analysis.build import stamps

    ns.region, ns.level, ns.lang = _distinct(ns.region), _distinct(ns.level), _distinct(ns.lang)
    odd = [p for p in (input_problem(ns.params, "file") if ns.params else None, input_problem(ns.data, "folder") if ns.data else None) if p]
    if odd:  # a pipe, folder or link loop named before the stamp below opens anything
        raise InputError(odd)
    read = stamps.inputs(*engine.build_inputs(ns.params, ns.data))  # before anything is read
    with folder_lock(Path(ns.data) if ns.data else BUNDLED_DIR, exclusive=False):  # an import into the data waits for the build
        return _build(ns, read)


def _build(ns: argparse.Namespace, read: dict) -> int:
    from analysis.build import engine
    from analysis.model import checks
    from analysis.build import executors
    from analysis.pages.render import index_name

    say = cli_language()
    params = load_params(ns.params)
    started = time.perf_counter()
    out = Path(ns.out)
    if ns.executor == "local" and not output_problems(ns.out, "--out") and (ns.force or not (out / MANIFEST_NAME).exists()):
        warm_up()  # surely work to do (often started already by analysis.build.launch): the workers' imports overlap reading the data
    ds = load_dataset(ns.data)
    codes = select_regions(ds.regions, params, ns.level, _check_selection(ns, params, ds.regions))
    if not codes:
        raise InputError([problem("--level", None, None, " ".join(ns.level or params["levels"]), t("cli.expect.levels", say))])
    problems = checks.check_build(ds, params, codes, named=bool(ns.region) and not ns.level, params_path=ns.params)
    if problems:
        raise InputError(problems)
    try:
        executor = executors.make_executor(ns.executor, ns.jobs, ns.scheduler)
    except (OSError, TimeoutError) as exc:
        print(t("cli.scheduler", say, address=ns.scheduler, error=exc), file=sys.stderr)
        return EXIT_INVALID
    if not _make_out(out, say):
        executor.close()
        return EXIT_INVALID
    opts = engine.BuildOptions(
        out=out, params=params, params_path=str(Path(ns.params).resolve()) if ns.params else "",
        data_dir=str(Path(ns.data).resolve()) if ns.data else "", jobs=ns.jobs, force=ns.force,
        fail_fast=ns.fail_fast, languages=ns.lang, command=ns.words, read=read, progress=engine.progress_printer(), executor=executor,
    )
    langs = ns.lang or params["languages"]
    say_build_start(len(codes), len(langs), out)
    try:
        results = engine.build(ds, codes, opts)
    except BuildLocked as exc:
        print(t("cli.build.locked", say, out=exc.out, pid=exc.holder), file=sys.stderr)
        return EXIT_INVALID
    except WriteError as exc:
        if not any(r.status == "built" for r in exc.results or []):
            raise  # the folder was unusable before anything was built: exit 2 (main)
        _say_failed(exc.results, out, say)
        print(exc.message(say), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt as exc:
        print(t("cli.build.interrupted", say), file=sys.stderr)
        return 128 + getattr(exc, "signum", 2)
    finally:
        executor.close()
    counts = engine.summarize(results)
    failed = _say_failed(results, out, say)
    pages = counts.pop("pages")
    say_build_done(counts, pages, time.perf_counter() - started, out, out / index_name(langs[0], params["languages"]))
    return EXIT_FAILED if failed else EXIT_OK


def _say_failed(results: list, out: Path, say: str) -> list:
    """The failed reports on standard error (the first 20, then where the rest are listed); returns them."""
    failed = [r for r in results if r.status == "failed"]
    for r in failed[:20]:
        print(t("cli.build.failed", say, kode=r.kode, language=r.lang, error=r.error), file=sys.stderr)
    if len(failed) > 20:
        print(t("cli.build.more_failed", say, count=len(failed) - 20, manifest=out / MANIFEST_NAME), file=sys.stderr)
    return failed


def cmd_sample(ns: argparse.Namespace) -> int:
    from analysis.data import bundle
    from analysis.data import sample
    from analysis.data.contract import REGION_TREE_FILE
    from analysis.data.regions import load_regions

    lang = cli_language()
    ns.levels, ns.within = _distinct(ns.levels), _distinct(ns.within)
    regions = load_regions(REGION_TREE_FILE)
    out = Path(ns.out)
    bad = code_problems(ns.within or [], regions, "--within", lang)
    if ns.within and not ns.levels:
        bad.append(problem("--within", None, None, " ".join(ns.within), t("cli.expect.within_levels", lang)))
    bad += output_problems(ns.out, "--out", bundled_ok=True, lang=lang)  # regenerating the bundled data is what sample is for
    if ns.levels and is_bundled(out):
        bad.append(problem("--out", None, None, str(out), t("cli.expect.sample_out", lang)))
    if bad:
        raise InputError(bad)
    tables = sample.bundled_tables(regions, seed=ns.seed)
    if ns.levels:
        depth = max(ns.levels, key=LEVELS.index)
        tables = sample.subregion_tables(tables, regions, ns.within or [ROOT], depth, seed=ns.seed)
    if not _make_out(out, lang):
        return EXIT_INVALID
    for name, table in tables.items():
        bundle.write_csv(table, out / name)
    load_dataset(out)
    synthetic = sum(int(t["sumber"].str.startswith("sintetis").sum()) for n, t in tables.items() if "sumber" in t and n != "sources.csv")
    print(t("cli.sample.written", lang, directory=out.absolute(), participants=tn("cli.count.participant_rows", lang, len(tables["participants.csv"])),
            workforce=tn("cli.count.workforce_rows", lang, len(tables["workforce.csv"])), synthetic=fmt_int(synthetic, lang)))
    return EXIT_OK


def cmd_backtest(ns: argparse.Namespace) -> int:
    from analysis.pages import backtest_page

    data_dir = Path(ns.data) if ns.data else BUNDLED_DIR
    bad = output_problems(ns.out, "--out", data_dir=data_dir)
    if bad:
        raise InputError(bad)
    if ns.record and not is_bundled(data_dir):
        raise InputError([problem("--record", None, None, str(data_dir), t("cli.expect.record_bundled", cli_language()))])
    languages = load_params(None)["languages"]
    return backtest_page.main(data_dir, Path(ns.out), _distinct(ns.lang) or languages, _distinct(ns.benchmark) or (),
                                languages=languages, skill_path=backtest_page.SKILL_PATH if ns.record else None)


def cmd_import(ns: argparse.Namespace) -> int:
    from analysis.data import importers

    return importers.main(ns)


# ---------------------------------------------------------------- the parser


BENCHMARKS = ("m1", "tourism")  # public yearly series for `backtest --benchmark` (the benchmark extra)


def make_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The parser with every help text in ``lang`` (default: the command line's language)."""
    lang = lang or cli_language()

    def h(key: str, **values: object) -> str:
        return t(key, lang, **values).replace("%", "%%")  # argparse formats help with %

    data_help = h("help.data", bundled=BUNDLED_DIR)
    params_help = h("help.params", default=DEFAULT_PARAMS)
    parser = _Parser(prog="cakupan", description=h("help.description"), epilog=h("help.epilog"))
    parser.add_argument("--version", action="version", version=f"cakupan {__version__}", help=h("help.version"))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, title=h("help.commands"))

    p = sub.add_parser("validate", help=h("help.validate"), description=h("help.validate"))
    p.add_argument("--data", default=None, help=data_help)
    p.add_argument("--params", default=None, help=params_help)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help=h("help.build"), description=h("help.build"), epilog=h("help.epilog"))
    p.add_argument("--params", default=None, help=params_help)
    p.add_argument("--data", default=None, help=data_help)
    p.add_argument("--out", default=DEFAULT_OUT, help=h("help.out"))
    p.add_argument("--level", nargs="+", action="extend", choices=LEVELS, type=_word(LEVELS, "--level", lang), help=h("help.level"))
    p.add_argument("--region", nargs="+", action="extend", metavar="CODE", help=h("help.region"))
    p.add_argument("--lang", nargs="+", action="extend", choices=LANGUAGES, type=_word(LANGUAGES, "--lang", lang), help=h("help.lang"))
    p.add_argument("--jobs", type=int, default=0, help=h("help.jobs"))
    p.add_argument("--executor", choices=["local", "dask"], default="local", help=h("help.executor"))
    p.add_argument("--scheduler", metavar="ADDRESS", help=h("help.scheduler"))
    p.add_argument("--force", action="store_true", help=h("help.force"))
    p.add_argument("--fail-fast", action="store_true", help=h("help.fail_fast"))
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("sample", help=h("help.sample"), description=h("help.sample"))
    p.add_argument("--out", default=str(BUNDLED_DIR), help=h("help.sample_out", bundled=BUNDLED_DIR))
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=h("help.seed", seed=DEFAULT_SEED))
    p.add_argument("--levels", nargs="+", action="extend", choices=LEVELS[2:], type=_word(LEVELS[2:], "--levels", lang), help=h("help.levels"))
    p.add_argument("--within", nargs="+", action="extend", metavar="CODE", help=h("help.within"))
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("backtest", help=h("help.backtest"), description=h("help.backtest"))
    p.add_argument("--data", default=None, help=data_help)
    p.add_argument("--out", default=DEFAULT_OUT, help=h("help.out"))
    p.add_argument("--lang", nargs="+", action="extend", choices=LANGUAGES, type=_word(LANGUAGES, "--lang", lang), help=h("help.backtest_lang"))
    p.add_argument("--benchmark", nargs="+", action="extend", choices=BENCHMARKS, type=_word(BENCHMARKS, "--benchmark", lang),
                   help=h("help.benchmark"))
    p.add_argument("--record", action="store_true", help=h("help.record"))
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("import", help=h("help.import"), description=h("help.import"))
    p.add_argument("format", choices=FORMATS, help=h("help.format"))
    p.add_argument("files", nargs="+", help=h("help.files"))
    p.add_argument("--into", required=True, help=h("help.into"))
    p.add_argument("--measure", choices=IMPORT_MEASURES, default=None, help=h("help.measure"))
    p.add_argument("--segment", choices=SEGMENTS + (TOTAL,), default=None, help=h("help.segment"))
    p.add_argument("--source", required=True, help=h("help.source"))
    p.add_argument("--replace", action="store_true", help=h("help.replace"))
    p.add_argument("--sheet", default=None, help=h("help.sheet"))
    p.add_argument("--period-month", dest="period_month", metavar="MM", default=None, help=h("help.period_month"))
    p.add_argument("--with-total", dest="with_total", action="store_true", help=h("help.with_total"))
    p.add_argument("--verbose", action="store_true", help=h("help.import_verbose"))
    p.set_defaults(func=cmd_import)
    return parser


def parse(argv: list[str] | None, lang: str) -> argparse.Namespace:
    with _argparse_speaks(lang):
        return make_parser(lang).parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    lang = cli_language()
    ns = parse(argv, lang)
    ns.words = list(sys.argv[1:] if argv is None else argv)
    try:
        build_time()  # a malformed SOURCE_DATE_EPOCH is refused before any work
        return ns.func(ns)
    except InputError as exc:
        return _report_invalid(exc)
    except WriteError as exc:  # the output or data folder refused before (or while) anything was written
        print(exc.message(lang), file=sys.stderr)
        return EXIT_INVALID
    except FolderBusy as exc:
        print(t("lock.busy", lang, folder=exc.folder, seconds=f"{exc.seconds:g}"), file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:  # any other refusal of the system: named, never a traceback
        print(t("writing.read_failed", lang, path=exc.filename or "?", error=exc.strerror or exc), file=sys.stderr)
        return EXIT_INVALID
