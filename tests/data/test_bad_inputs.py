"""Bad input is refused before any work starts, naming file, line, column and value; input whose
meaning is certain is read correctly.

The corpus is ``tests/bad_inputs/`` (see its README): one folder per case with only the files that
differ from ``base/`` and, in ``expected.txt``, exactly what ``cakupan build`` prints. Every case is
built into a folder holding earlier reports, which must keep their bytes and modification times.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.build import engine as batch
from analysis.model import checks
from analysis.data import contract as data
from analysis.model import metrics
from analysis.data import regions
from analysis.cli import main
from analysis.data.contract import MAX_COUNT, REGION_TREE_FILE, load_dataset, load_region_tree
from analysis.core.problems import InputError
from analysis.core.messages import catalogue, fmt_int, fmt_pct, t, tn
from analysis.model.params import load_params
from analysis.data.regions import RegionTree, load_regions
from analysis.pages.region_page import RegionReport

CORPUS = Path(__file__).parents[1] / "bad_inputs"
BASE = CORPUS / "base"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p != BASE)
NOT_DATA = ("expected.txt", "args.txt")
EARLIER = {"index.html": "<!DOCTYPE html><title>earlier</title>", "build.json": '{"complete": true}\n',
           "id/32.html": "<!DOCTYPE html><title>Jawa Barat</title>", "id/32.json": '{"kode": "32"}\n'}
EARLIER_MTIME_NS = 1_600_000_000_000_000_000


def assemble(case: str, target: Path) -> list[str]:
    """The case's data folder (``base/`` overlaid with the case's files; ``<name>.absent`` removes
    ``<name>``) and the arguments it is built with."""
    shutil.copytree(BASE, target)
    folder = CORPUS / case
    for path in folder.iterdir():
        if path.suffix == ".absent":
            (target / path.stem).unlink()
        elif path.name not in NOT_DATA:
            shutil.copyfile(path, target / path.name)
    args = (folder / "args.txt").read_text(encoding="utf-8").split() if (folder / "args.txt").exists() else ["--region", "32"]
    return args + (["--params", str(target / "params.yaml")] if (target / "params.yaml").exists() else [])


def earlier_reports(out: Path) -> None:
    for name, text in EARLIER.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(EARLIER_MTIME_NS, EARLIER_MTIME_NS))


def snapshot(root: Path) -> dict[str, tuple[bytes, int] | None]:
    """Every file's bytes and modification time (folders as None), by path under ``root``."""
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) if p.is_file() else None
            for p in sorted(root.rglob("*"))}


def must_not_build(*args, **kwargs):
    raise AssertionError("the build started although the input is invalid")


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_at_its_place_and_writes_nothing(case, tmp_path, capsys, monkeypatch):
    folder = tmp_path / "data"
    args = assemble(case, folder)
    out = tmp_path / "reports"
    earlier_reports(out)
    before = snapshot(out)
    monkeypatch.setattr(batch, "build", must_not_build)
    code = main(["build", "--data", str(folder), "--out", str(out), *args])
    printed = capsys.readouterr().err.replace(str(folder), "DATA").replace(data.current_period(), "NOW")
    assert (code, printed) == (2, (CORPUS / case / "expected.txt").read_text(encoding="utf-8"))
    assert snapshot(out) == before


@pytest.mark.parametrize("case", [c for c in CASES if (CORPUS / c / "params.yaml").exists()])
def test_validate_checks_the_parameters_against_the_data_as_build_does(case, tmp_path, capsys):
    folder = tmp_path / "data"
    args = assemble(case, folder)
    code = main(["validate", "--data", str(folder), "--params", args[args.index("--params") + 1]])
    printed = capsys.readouterr().err.replace(str(folder), "DATA").replace(data.current_period(), "NOW")
    assert (code, printed) == (2, (CORPUS / case / "expected.txt").read_text(encoding="utf-8"))


def _printed_parts(line: str, lang: str) -> dict[str, str | None]:
    """Where, column, value and expectation of one printed problem, told apart by the words of ``lang``'s catalogue."""
    column, value, expected = (t(f"cli.problem.{k}", lang, **{k: "\0"}).split("\0") for k in ("column", "value", "expected"))
    pattern = (rf"(?P<where>.+?)(?:: {re.escape(column[0])}(?P<column>.*?){re.escape(column[1])})?"
               rf": {re.escape(value[0])}(?P<value>.*){re.escape(value[1])}: {re.escape(expected[0])}(?P<expected>.*)")
    match = re.fullmatch(pattern, line)
    assert match, (lang, line)
    return {**match.groupdict(), "value": None if match["value"] == t("cli.problem.none", lang) else match["value"]}


def _said_by(english: str) -> list[tuple[str, dict[str, str]]]:
    """Catalogue keys whose English text, with its placeholders filled, reads ``english``, and the values filled in."""
    found = []
    for key, entry in catalogue().items():
        chunks = list(string.Formatter().parse(entry["en"]))
        if not any(name for _, name, _, _ in chunks) and entry["en"] != english:
            continue
        pattern, seen = "", set()
        for literal, name, _, _ in chunks:
            pattern += re.escape(literal)
            if name:
                pattern += f"(?P={name})" if name in seen else f"(?P<{name}>.*?)"
                seen.add(name)
        match = re.fullmatch(pattern, english, re.DOTALL)
        if match:
            found.append((key, match.groupdict()))
    return found


ENGLISH = {"a", "an", "the", "of", "or", "and", "with", "is", "in", "on", "for", "to", "at", "most", "expected", "value", "column",
           "line", "file", "people", "number", "whole", "only", "each", "once", "year", "region", "present", "add", "save", "after"}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_speaks_both_languages_and_keeps_its_place(case, tmp_path, capsys, monkeypatch):
    """The same refusal in Indonesian and English: exit 2, the same file, line, column and value, and
    an expectation that is the catalogue's own text in each language, filled with the same values."""
    folder = tmp_path / "data"
    args = assemble(case, folder)
    monkeypatch.setattr(batch, "build", must_not_build)
    build = ["build", "--data", str(folder), "--out", str(tmp_path / "o"), *args]
    command = ["validate", "--data", str(folder)] if args == ["--region", "32"] else build  # validate takes no --region
    printed = {}
    for lang in ("id", "en"):
        monkeypatch.setenv("CAKUPAN_LANG", lang)
        assert main(command) == 2, (case, lang)
        err = capsys.readouterr().err.splitlines()
        assert err[0] == tn("cli.invalid", lang, len(err) - 1), err
        printed[lang] = [_printed_parts(line, lang) for line in err[1:]]
    assert len(printed["id"]) == len(printed["en"]) >= 1
    for said_id, said_en in zip(printed["id"], printed["en"]):
        assert {k: said_id[k] for k in ("where", "column", "value")} == {k: said_en[k] for k in ("where", "column", "value")}
        expected_id, expected_en = said_id["expected"], said_en["expected"]
        assert expected_id != expected_en
        keys = _said_by(expected_en)
        assert any(catalogue()[key]["id"].format(**values) == expected_id for key, values in keys), (expected_id, keys)
        verbatim = " ".join(str(v) for _, values in keys for v in values.values())
        assert not ENGLISH & (set(re.findall(r"[a-z]+", expected_id)) - set(re.findall(r"[a-z]+", verbatim))), expected_id


def test_every_expectation_of_the_validator_is_in_the_catalogue():
    """The keys the data layer says its expectations by exist in both languages (their placeholders are
    checked alike for every key in tests/core/test_messages.py)."""
    said = set()
    for module in (data, regions, checks):
        said |= set(re.findall(r'"((?:data|regions|checks)\.expect\.\w+)"', Path(module.__file__).read_text(encoding="utf-8")))
    assert len(said) > 40
    assert {key for key in said if set(catalogue().get(key, {})) != {"id", "en"}} == set()
    unused = {k for k in catalogue() if k.startswith(("data.expect.", "regions.expect.", "checks.expect.")) and k not in said}
    assert not unused


def _indonesian_excel_export_with_four_mistakes(folder: Path) -> None:
    """The example of docs/validation.md: base/ as Excel writes it under an Indonesian
    locale (BOM, ';', CRLF, thousands dots) with a mangled code, an Excel date, a decimal count and
    a repeated key after an empty line."""
    shutil.copytree(BASE, folder)
    rows = [line.split(",") for line in (folder / "participants.csv").read_text(encoding="utf-8").splitlines()]
    lines = [";".join(rows[0])] + [";".join([*r[:3], f"{int(r[3]):,}".replace(",", "."), r[4]]) for r in rows[1:]]
    lines += ["32.1;2023-12;PU;100.000;sintetis:uji-masukan", "32;2022-12-01;PU;4.600.000;sintetis:uji-masukan",
              "32;2022-12;BPU;31,4;sintetis:uji-masukan", "", "32;2024-12;PU;5.000.000;sintetis:uji-masukan"]
    (folder / "participants.csv").write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")


@pytest.mark.parametrize("lang, prompt", [("en", "$ cakupan validate --data bad"), ("id", "$ CAKUPAN_LANG=id cakupan validate --data bad")])
def test_the_readme_example_of_wrong_data_is_what_validate_prints(tmp_path, capsys, monkeypatch, lang, prompt):
    _indonesian_excel_export_with_four_mistakes(tmp_path / "bad")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAKUPAN_LANG", lang)
    assert main(["validate", "--data", "bad"]) == 2
    readme = (Path(__file__).parents[2] / "docs" / "validation.md").read_text(encoding="utf-8")
    assert f"{prompt}\n{capsys.readouterr().err}(exit 2)\n" in readme


def test_a_csv_above_the_size_limit_is_refused_unread(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(BASE, folder)
    path = folder / "participants.csv"
    with open(path, "ab") as fh:
        fh.truncate(2**30)  # a sparse 1 GiB file: nothing written, nothing read
    with pytest.raises(InputError) as err:
        load_dataset(folder)
    (p,) = err.value.problems
    assert (p.file, p.line, p.column, p.value) == (str(path), None, None, f"{2**30} bytes")
    assert p.expected == "a CSV file of at most 256 MB: store a larger table as participants.parquet with the same columns"


def test_the_size_limit_is_inclusive(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(BASE, folder)
    largest = max(folder.glob("*.csv"), key=lambda p: p.stat().st_size)
    monkeypatch.setattr(data, "MAX_CSV_BYTES", largest.stat().st_size)
    load_dataset(folder)
    monkeypatch.setattr(data, "MAX_CSV_BYTES", largest.stat().st_size - 1)
    with pytest.raises(InputError) as err:
        load_dataset(folder)
    assert [(p.file, p.value) for p in err.value.problems] == [(str(largest), f"{largest.stat().st_size} bytes")]


# ------------------------------------------------------------------ read correctly, meaning certain


def _excel_indonesian(folder: Path) -> None:
    """What Excel writes under an Indonesian locale: BOM, ';', CRLF, thousands dots."""
    for name in ("participants.csv", "workforce.csv"):
        table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        for column in ("peserta_aktif", "penduduk_bekerja", "pekerja_berhak"):
            if column in table:
                table[column] = [f"{int(v):,}".replace(",", ".") if v else "" for v in table[column]]
        text = table.to_csv(sep=";", index=False, lineterminator="\r\n")
        (folder / name).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def _english_grouping(folder: Path) -> None:
    table = pd.read_csv(folder / "participants.csv", dtype=str, keep_default_na=False)
    table["peserta_aktif"] = [f"{int(v):,}" for v in table["peserta_aktif"]]
    table.to_csv(folder / "participants.csv", index=False)


def _empty_lines(folder: Path) -> None:
    """Blank lines and Excel's rows of bare delimiters carry nothing."""
    lines = (folder / "participants.csv").read_text(encoding="utf-8").splitlines()
    (folder / "participants.csv").write_text("\n".join([lines[0], "", *lines[1:3], ",,,,", *lines[3:], "", ""]), encoding="utf-8")


def _quoted_everything(folder: Path) -> None:
    table = pd.read_csv(folder / "workforce.csv", dtype=str, keep_default_na=False)
    table.to_csv(folder / "workforce.csv", index=False, quoting=1)


@pytest.mark.parametrize("rewrite", [_excel_indonesian, _english_grouping, _empty_lines, _quoted_everything])
def test_files_whose_meaning_is_certain_are_read_as_the_plain_file(tmp_path, rewrite):
    folder = tmp_path / "data"
    shutil.copytree(BASE, folder)
    rewrite(folder)
    plain, read = load_dataset(BASE), load_dataset(folder)
    for table in ("participants", "workforce"):
        pd.testing.assert_frame_equal(getattr(read, table), getattr(plain, table))


def test_participants_above_the_workforce_are_read_and_never_clipped(tmp_path):
    """Employer registration against residence: DKI Jakarta counts more participants than workers."""
    folder = tmp_path / "data"
    shutil.copytree(BASE, folder)
    with open(folder / "participants.csv", "a", encoding="utf-8") as fh:
        fh.write("31,2024-12,TOTAL,7390000,sintetis:uji-masukan\n")
    with open(folder / "workforce.csv", "a", encoding="utf-8") as fh:
        fh.write("31,2024-08,5000000,,sintetis:uji-masukan\n")
    ds = load_dataset(folder)
    table = metrics.coverage_table(ds, ["31"], load_params()["coverage"])
    assert table["cakupan"].iloc[-1] == pytest.approx(1.478)


def test_a_parse_error_after_quoted_line_breaks_names_the_physical_line(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(BASE, folder)
    (folder / "sources.csv").write_text('sumber,judul,url,lisensi\na,"two\nlines",,\nb,x,y,z,extra\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_dataset(folder)
    assert [(p.line, p.value) for p in err.value.problems] == [(4, "b,x,y,z,extra")]


def test_regions_csv_builds_the_same_tree_as_the_region_loader(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("kode,nama,tingkat,kode_induk\n32.80,Kota Baru,kabkota,32\n32.73,Kota Bandung (ganti),kabkota,32\n"
                    "39,Provinsi Baru,provinsi,\n", encoding="utf-8")
    mine, theirs = load_region_tree(tmp_path), load_regions(REGION_TREE_FILE, path)
    pd.testing.assert_frame_equal(mine.table, theirs.table)


# ------------------------------------------------------------------ counts, as random numbers


@pytest.fixture(scope="module")
def small_tree():
    return RegionTree(load_regions(REGION_TREE_FILE).table.loc[["ID", "32"]])


def _participants(tmp_path: Path, cells: list[str], tree: RegionTree, delimiter: str = ","):
    """``cells`` as peserta_aktif of a participants.csv, read and validated; (counts, problems)."""
    path = tmp_path / "participants.csv"
    rows = [["32", f"{2000 + i // 4}-12", data.SEGMENTS[i % 4], cell, "uji"] for i, cell in enumerate(cells)]
    pd.DataFrame(rows, columns=data.PARTICIPANT_COLUMNS).to_csv(path, index=False, sep=delimiter)
    table, problems = data._read_table(path, data.PARTICIPANT_COLUMNS, data.PARTICIPANT_COLUMNS)
    assert not problems
    return data.validate_participants(table, path, tree, problems)["peserta_aktif"], problems


def _written(n: int, style: str) -> str:
    return {"plain": str(n), "id": f"{n:,}".replace(",", "."), "en": f"{n:,}", "padded": f" {n} "}[style]


def _expected_reading(counts: list[tuple[int, str]]) -> list[tuple[int | None, str | None]]:
    """(value, refusal) of each written count: a lone separator (5.900) is read as thousands only
    when the column shows its convention with a value only grouping explains (5.900.000)."""
    shown = {style for n, style in counts if style in ("id", "en") and n >= 10**6}
    convention = shown.pop() if len(shown) == 1 else None
    out = []
    for n, style in counts:
        lone = style in ("id", "en") and 1000 <= n < 10**6
        if lone and convention is None:
            out.append((None, t("data.expect.ambiguous", "en")))
        elif lone and style != convention:
            out.append((None, "a whole number of people, 0 or more"))
        else:
            out.append((n, None))
    return out


@given(st.lists(st.tuples(st.integers(0, MAX_COUNT), st.sampled_from(["plain", "id", "en", "padded"])), min_size=1, max_size=40))
@settings(max_examples=60, deadline=None)
def test_random_counts_are_read_exactly_or_refused_as_ambiguous(tmp_path_factory, small_tree, counts):
    got, problems = _participants(tmp_path_factory.mktemp("n"), [_written(n, style) for n, style in counts], small_tree)
    expected = _expected_reading(counts)
    assert sorted((p.line, p.expected) for p in problems) == [(i + 2, why) for i, (_, why) in enumerate(expected) if why]
    np.testing.assert_array_equal(got.array, pd.array([pd.NA if n is None else n for n, _ in expected], dtype="Int64"))


@pytest.mark.parametrize("delimiter, counts, refused", [
    (";", [923000, 5900, None], [4]),  # Excel's ';' comes with a decimal comma: '.' groups thousands
    (",", [None, None, None], [2, 3, 4]),
])
def test_a_lone_thousands_dot_is_read_only_where_the_file_shows_its_convention(tmp_path, small_tree, delimiter, counts, refused):
    got, problems = _participants(tmp_path, ["923.000", "5.900", "31,4"], small_tree, delimiter)
    assert [p.line for p in problems] == refused
    np.testing.assert_array_equal(got.array, pd.array(counts, dtype="Int64"))


CELL = st.one_of(st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12), st.floats().map(str), st.integers().map(str),
                 st.integers(0, 10**12).map(lambda n: f"{n:,}".replace(",", ".")))


@given(st.lists(CELL, min_size=1, max_size=20))
@settings(max_examples=60, deadline=None)
def test_random_count_cells_are_whole_people_or_refused_at_their_line(tmp_path_factory, small_tree, cells):
    got, problems = _participants(tmp_path_factory.mktemp("c"), cells, small_tree)
    refused = {p.line for p in problems}
    for i, value in enumerate(got):
        assert (i + 2 in refused) == (value is pd.NA or value > MAX_COUNT)
        assert value is pd.NA or value >= 0


# ------------------------------------------------------------------ cross-checks (analysis.model.checks)


@pytest.fixture(scope="module")
def base_dataset():
    return load_dataset(BASE)


def test_a_target_inside_the_data_and_a_later_horizon_pass(base_dataset):
    assert checks.check_build(base_dataset, load_params(), ["ID", "32"], named=True) == []


def test_a_level_selection_needs_data_in_one_region_only(base_dataset):
    assert checks.check_build(base_dataset, load_params(), ["31", "32"]) == []
    (p,) = checks.check_build(base_dataset, load_params(), ["31", "33"])
    assert (p.file, p.value) == ("--level", "31 33")


def test_a_region_with_data_only_below_it_has_data(base_dataset):
    ds = dataclasses.replace(base_dataset, participants=base_dataset.participants.replace({"kode": {"32": "32.73"}}))
    assert checks.check_build(ds, load_params(), ["32"], named=True) == []


@given(p=st.integers(0, MAX_COUNT), w=st.integers(1, MAX_COUNT), lang=st.sampled_from(["id", "en"]))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_counts_render_as_their_exact_ratio_never_clipped(tmp_path_factory, monkeypatch, small_tree, p, w, lang):
    folder = tmp_path_factory.mktemp("d")
    (folder / "participants.csv").write_text(f"kode,periode,segmen,peserta_aktif,sumber\n32,2024-12,TOTAL,{p},uji\n", encoding="utf-8")
    (folder / "workforce.csv").write_text(f"kode,periode,penduduk_bekerja,pekerja_berhak,sumber\n32,2024-08,{w},,uji\n", encoding="utf-8")
    monkeypatch.setattr(data, "load_region_tree", lambda directory: small_tree)
    ds, params = load_dataset(folder), load_params()
    headline = RegionReport("32", lang, params, ds, metrics.coverage_table(ds, ["32"], params["coverage"])).headline()
    for shown in (fmt_int(p, lang), fmt_int(w, lang), fmt_pct(p / w, lang)):
        assert shown in headline
    assert (t("headline.over100", lang) in headline) == (p > w)
