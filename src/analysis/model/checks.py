"""Cross-checks between the parameters and the dataset, made before any report is built.

The parameters and the data are each valid on their own (``analysis.model.params``, ``analysis.data.contract``);
these rules need both: targets set before the data begins, a forecast horizon the data has already
passed, regions named in the parameters that the region tree lacks, and regions asked for that have
no data. A build refuses them like any other invalid input (exit 2, nothing written), because each
would otherwise produce reports that look fine and say nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from analysis.data.contract import Dataset
from analysis.core.problems import Problem, expect, problem
from analysis.model.params import DEFAULT_PARAMS, _line_map
from analysis.data.regions import parent_of

Locate = Callable[[tuple], tuple[Path, int | None]]


def _locator(params_path: str | Path | None) -> Locate:
    """File and line of a parameter key: the given file where it sets the key, else the defaults."""
    files = [DEFAULT_PARAMS]
    if params_path and Path(params_path).resolve() != DEFAULT_PARAMS.resolve():
        files.insert(0, Path(params_path))
    maps = [(file, _line_map(file.read_text(encoding="utf-8"))) for file in files]

    def locate(key: tuple) -> tuple[Path, int | None]:
        return next(((file, lines[key]) for file, lines in maps if key in lines), (DEFAULT_PARAMS, None))

    return locate


def _years(ds: Dataset, params: dict, locate: Locate) -> list[Problem]:
    """Targets before the first participant figure cannot be compared with anything; a horizon
    not after the last figure leaves nothing to forecast."""
    if ds.participants.empty:
        return []
    first = int(ds.participants["tahun"].min())
    last = int(max(ds.participants["tahun"].max(), ds.workforce["tahun"].to_numpy().max(initial=first)))
    out = []
    for i, target in enumerate(params["targets"]):
        if target["year"] < first:
            out.append(problem(*locate(("targets", i, "year")), f"targets.{i}.year", target["year"],
                               expect("checks.expect.target_year", first=first)))
    if params["horizon"] <= last:
        out.append(problem(*locate(("horizon",)), "horizon", params["horizon"],
                           expect("checks.expect.horizon", last=last)))
    return out


def _named_regions(ds: Dataset, params: dict, locate: Locate) -> list[Problem]:
    """Regions the parameters name (``within``, per-region informal shares) must be in the tree."""
    expected = expect("checks.expect.in_tree")
    out = []
    for level, codes in params.get("within", {}).items():
        for i, code in enumerate(codes):
            if code not in ds.regions:
                out.append(problem(*locate(("within", level, i)), f"within.{level}.{i}", code, expected))
    for code in params["scenarios"]["informal_share"]["regions"]:
        if code not in ds.regions:
            key = ("scenarios", "informal_share", "regions", code)
            out.append(problem(*locate(key), ".".join(key), code, expected))
    return out


def _with_data(ds: Dataset) -> set[str]:
    """Codes with rows of their own or below them (a parent's report ranks and sums its children)."""
    out: set[str] = set()
    for code in {*ds.participants["kode"].unique(), *ds.workforce["kode"].unique()}:
        while code is not None and code not in out:
            out.add(code)
            code = parent_of(code)
    return out


def _selection(ds: Dataset, codes: Sequence[str], named: bool) -> list[Problem]:
    """Each region named on the command line must have data; a selection by level, at least one."""
    with_data = _with_data(ds)
    empty = [code for code in codes if code not in with_data]
    if named:
        return [problem("--region", None, None, code, expect("checks.expect.region_data", directory=ds.directory, code=code))
                for code in empty]
    if codes and len(empty) == len(codes):
        return [problem("--level", None, None, " ".join(codes),  # the codes selected, as --region takes them: no words to translate
                        expect("checks.expect.selection_data", directory=ds.directory))]
    return []


def check_build(ds: Dataset, params: dict, codes: Sequence[str], named: bool = False,
                params_path: str | Path | None = None) -> list[Problem]:
    """Every problem between ``params`` (loaded from ``params_path``) and ``ds`` for building ``codes``.

    ``named``: the codes were named one by one (``--region`` without ``--level``), so each must have data.
    """
    locate = _locator(params_path)
    return [*_years(ds, params, locate), *_named_regions(ds, params, locate), *_selection(ds, codes, named)]

