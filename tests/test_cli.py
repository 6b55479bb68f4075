"""`cakupan validate` and `cakupan sample` from the command line."""

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.data.contract import BUNDLED_DIR, PROJECT_ROOT


def run(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})})


def test_validate_bundled_ok():
    result = run("validate")
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_validate_broken_participants_exits_2_naming_file_line_column(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DIR, data)
    with open(data / "participants.csv", "a", encoding="utf-8") as fh:
        fh.write("32,2024,PU,5.900.000x,Kanwil\n")
    lines = sum(1 for _ in open(data / "participants.csv", encoding="utf-8"))
    result = run("validate", "--data", str(data))
    assert result.returncode == 2
    assert f"participants.csv:{lines}: column 'peserta_aktif': value '5.900.000x'" in result.stderr


def test_build_with_invalid_data_writes_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DIR, data)
    with open(data / "workforce.csv", "a", encoding="utf-8") as fh:
        fh.write("32,20x4,1,,x\n")
    out = tmp_path / "reports"
    result = run("build", "--data", str(data), "--out", str(out), "--region", "32")
    assert result.returncode == 2
    assert "workforce.csv" in result.stderr and "periode" in result.stderr
    assert not out.exists()


def test_unknown_region_is_usage_error(tmp_path):
    result = run("build", "--region", "32.99", "--out", str(tmp_path / "r"))
    assert result.returncode == 2 and "32.99" in result.stderr
    assert not (tmp_path / "r").exists()


def test_sample_writes_a_valid_dataset(tmp_path):
    result = run("sample", "--out", str(tmp_path / "s"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "s" / "participants.csv").read_bytes() == (BUNDLED_DIR / "participants.csv").read_bytes()


def test_messages_follow_cakupan_lang_then_the_locale(tmp_path):
    from analysis.core.messages import cli_language

    assert cli_language({"CAKUPAN_LANG": "id", "LANG": "en_US.UTF-8"}) == "id"
    assert cli_language({"LC_ALL": "id_ID.UTF-8", "LANG": "en_US.UTF-8"}) == "id"
    assert cli_language({"LC_ALL": "", "LC_MESSAGES": "C", "LANG": "id_ID.UTF-8"}) == "en"
    assert cli_language({"CAKUPAN_LANG": "fr", "LANG": "id_ID.UTF-8"}) == "id"
    assert cli_language({}) == "en"
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "CAKUPAN_LANG": "id"}
    done = subprocess.run([sys.executable, "-m", "analysis", "validate"], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "data/bundled: baik (" in done.stdout and "sintetis)" in done.stdout
    done = subprocess.run([sys.executable, "-m", "analysis", "build", "--out", str(tmp_path), "--region", "99"],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 2 and "cakupan: masukan tidak valid (1 masalah):" in done.stderr


# ---------------------------------------------------------------- options, hints, language, README


def test_repeated_options_accumulate():
    from analysis.cli import parse

    ns = parse(["build", "--region", "32", "--region", "31", "32.73", "--level", "provinsi", "--level", "kabkota",
                "--lang", "id", "--lang", "en"], "en")
    assert (ns.region, ns.level, ns.lang) == (["32", "31", "32.73"], ["provinsi", "kabkota"], ["id", "en"])
    ns = parse(["sample", "--levels", "kecamatan", "--levels", "desa", "--within", "32.04", "--within", "32.73"], "en")
    assert (ns.levels, ns.within) == (["kecamatan", "desa"], ["32.04", "32.73"])
    assert parse(["backtest", "--lang", "en", "--lang", "id"], "en").lang == ["en", "id"]


@pytest.mark.parametrize("args, message", [
    (["--region", "3273"], "--region: value '3273': expected a Kemendagri code like ID, 32, 32.73 or 32.04.16.2001; "
                           "did you mean 32.73 (Kota Bandung)?"),
    (["--region", "32.73,32.10"], "--region: value '32.73,32.10': expected one code per value, separated by spaces; "
                                  "did you mean --region 32.73 32.10?"),
    (["--region", "3273,3210"], "did you mean --region 32.73 32.10?"),
    (["--region", "Bandung"], "did you mean 32.04 (Kabupaten Bandung) or 32.73 (Kota Bandung)?"),
    (["--region", "Kota Bandug"], "did you mean 32.73 (Kota Bandung)?"),
    (["--region", "3204162001"], "did you mean 32.04.16.2001 ("),
])
def test_region_slips_get_the_dotted_codes(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert main(["build", "--out", str(out), *args]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["build", "--lang", "id,en"], "argument --lang: value 'id,en': expected one value per word, separated by spaces; did you mean --lang id en?"),
    (["build", "--level", "kabkot"], "argument --level: value 'kabkot': expected one of nasional, provinsi, kabkota, kecamatan, desa; "
                                     "did you mean --level kabkota?"),
    (["sample", "--levels", "kecamatan,desa"], "did you mean --levels kecamatan desa?"),
])
def test_comma_lists_and_near_misses_get_hints(capsys, args, message):
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.parametrize("make_out, expected", [
    (lambda tmp: _file(tmp / "taken"), "value '{out}': expected a folder; this is a file"),
    (lambda tmp: _file(tmp / "taken") / "sub", "expected a folder that can be created; {parent} is a file"),
    (lambda tmp: "", "value '': expected a folder name"),
    (lambda tmp: str(tmp / "a\0b"), "expected a path without NUL characters"),
    (lambda tmp: BUNDLED_DIR, "--out: value '{out}': expected a folder outside the data directory"),
    (lambda tmp: BUNDLED_DIR / "sub", "--out: value '{out}': expected a folder outside the data directory"),
])
def test_unusable_out_exits_2_and_writes_nothing(tmp_path, capsys, make_out, expected):
    out = make_out(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    bundled = {p.name: p.stat().st_mtime_ns for p in BUNDLED_DIR.iterdir()}
    assert main(["build", "--out", str(out), "--region", "32"]) == 2
    err = capsys.readouterr().err
    parent = Path(str(out)).parent if str(out) else None
    assert expected.format(out=out, parent=parent) in err and "Traceback" not in err, err
    assert sorted(tmp_path.rglob("*")) == before
    assert {p.name: p.stat().st_mtime_ns for p in BUNDLED_DIR.iterdir()} == bundled


def _file(path: Path) -> Path:
    path.write_text("not a folder\n", encoding="utf-8")
    return path


def test_unusable_out_of_backtest_sample_and_import(tmp_path):
    taken = _file(tmp_path / "taken")
    for args in (["backtest", "--out", str(taken)], ["sample", "--out", str(taken)],
                 ["import", "bps-wide", str(taken), "--into", str(taken / "x"), "--source", "s", "--measure", "penduduk_bekerja"]):
        done = run(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert f"{taken}" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert taken.read_text(encoding="utf-8") == "not a folder\n" and sorted(tmp_path.iterdir()) == [taken]


def test_out_is_relative_to_where_the_user_stands_and_named_absolutely(tmp_path):
    from analysis.cli import DEFAULT_OUT, parse

    assert parse(["build"], "en").out == DEFAULT_OUT == "reports" and not Path(DEFAULT_OUT).is_absolute()
    assert parse(["backtest"], "en").out == "reports"
    done = run("build", "--region", "32", "--lang", "en", "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "reports" / "index-en.html")
    assert f"→ {tmp_path / 'reports'}" in done.stderr
    manifest = json.loads((tmp_path / "reports" / "build.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"built": 1}
    assert "region reports: built 1, skipped 0 (unchanged), failed 0 in" in done.stderr
    assert "1 region × 1 language →" in done.stderr


def test_printed_counts_agree_with_build_json(tmp_path):
    """The national overview pages are counted apart, as build.json lists them apart."""
    from analysis.build import engine as batch

    results = [batch.Result(kode, lang, status, f"{lang}/{kode}.html", 0.0, "k")
               for kode, lang, status in [("ID", "id", "built"), ("ID", "en", "built"), ("32", "id", "skipped"), ("32", "en", "failed"),
                                          ("overview", "id", "built"), ("overview", "en", "built")]]
    manifest = batch.Manifest(tmp_path / "build.json", dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))
    for r in results:
        manifest.add(r)
    manifest.flush(complete=True)
    doc = json.loads((tmp_path / "build.json").read_text(encoding="utf-8"))
    counts = batch.summarize(results)
    assert {k: v for k, v in counts.items() if k != "pages" and v} == doc["counts"] == {"built": 2, "skipped": 1, "failed": 1}
    assert counts["pages"] == {"built": len(doc["pages"]), "skipped": 0, "failed": 0} == {"built": 2, "skipped": 0, "failed": 0}


def test_every_argparse_message_of_this_python_is_translated():
    import argparse
    import ast
    import inspect

    from analysis.core.messages import catalogue

    found = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            found |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    assert len(found) > 25
    missing = sorted(m for m in found if "argparse:" + m not in catalogue())
    assert not missing


ENGLISH_WORDS = {"the", "and", "of", "usage", "options", "show", "default", "directory", "error", "expected", "exit",
                 "invalid", "choice", "required", "arguments", "regions", "only", "these", "with", "message", "languages", "file"}


@pytest.mark.parametrize("command", [[], ["validate"], ["build"], ["sample"], ["backtest"], ["import"]])
def test_help_is_indonesian_with_cakupan_lang_id(command):
    done = run(*command, "--help", env={"CAKUPAN_LANG": "id"})
    assert done.returncode == 0 and "pemakaian: cakupan" in done.stdout and "opsi:" in done.stdout
    # Words outside option names, metavars and choices ({...}) and paths must not be English.
    text = re.sub(r"--?[\w-]+|\{[^}]*\}|/\S+|\b[A-Z]{2,}\b|cakupan \w+|tcp://\S+|e\.g\.", " ", done.stdout)
    assert not ENGLISH_WORDS & set(re.findall(r"\b[a-z]+\b", text)), done.stdout
    english = run(*command, "--help", env={"CAKUPAN_LANG": "en"})
    assert "usage: cakupan" in english.stdout and "options:" in english.stdout


@pytest.mark.parametrize("args, id_text", [
    (["build", "--jobs", "x"], "cakupan build: galat: argumen --jobs: nilai int tidak valid: 'x'"),
    (["import", "bps-wide", "a.csv"], "cakupan import: galat: argumen berikut wajib diisi: --into, --source"),
    (["frobnicate"], "pilihan tidak valid: 'frobnicate'"),
    (["build", "--lang", "id,en"], "nilai 'id,en': diharapkan satu nilai per kata, dipisah spasi; maksud Anda --lang id en?"),
    (["build", "--region", "3273", "--out", "{tmp}"], "--region: nilai '3273': diharapkan kode Kemendagri seperti ID, 32, 32.73 atau "
                                                       "32.04.16.2001; maksud Anda 32.73 (Kota Bandung)?"),
])
def test_usage_errors_follow_cakupan_lang(tmp_path, args, id_text):
    done = run(*[a.format(tmp=tmp_path / "o") for a in args], env={"CAKUPAN_LANG": "id"})
    assert done.returncode == 2 and id_text in done.stderr, done.stderr
    assert "pemakaian:" in done.stderr or "masukan tidak valid" in done.stderr


def _readme_commands() -> list[str]:
    readme = (PROJECT_ROOT / "docs" / "command-line.md").read_text(encoding="utf-8")
    table = readme[readme.index("| command | what it does |"):]
    table = table[:table.index("\n\n")]
    return [m.group(1).replace("\\|", "|") for m in re.finditer(r"^\| `(cakupan [^`]+)` \|", table, re.MULTILINE)]


PLACEHOLDERS = {"FILE": "params.yaml", "DIR": "somewhere", "L": "kabkota", "CODE": "32.04", "N": "2", "ADDRESS": "tcp://127.0.0.1:8786",
                "FORMAT": "bps-wide", "TEXT": "BPS", "MM": "08", "NAME": "Sheet1", "MEASURE": "penduduk_bekerja", "SEGMENT": "PU"}


def _concrete(synopsis: str) -> list[str]:
    """A synopsis with every optional part taken, the first of each alternative and a value for each placeholder."""
    words = synopsis.replace("[", " ").replace("]", " ").split()[1:]
    out = []
    for word in words:
        if word == "...":
            continue
        word = word.split("|")[0]
        out.append(PLACEHOLDERS.get(word.rstrip("."), word.rstrip(".") if word.endswith("...") else word))
    return out


def test_every_command_in_the_readme_table_parses_with_the_real_parser():
    from analysis.cli import parse

    commands = _readme_commands()
    assert {c.split()[1] for c in commands} == {"validate", "build", "sample", "backtest", "import", "--version"}
    for synopsis in commands:
        argv = _concrete(synopsis)
        if argv == ["--version"]:
            with pytest.raises(SystemExit) as done:
                parse(argv, "en")
            assert done.value.code == 0
            continue
        ns = parse(argv, "en")
        assert ns.command == argv[0], synopsis


@pytest.mark.parametrize("make, key", [
    (lambda p: p.mkdir(), "a regular file, not a folder"), (lambda p: os.mkfifo(p), "a regular file, not a named pipe (FIFO)"),
    (lambda p: p.symlink_to(p), "a regular file, not a symbolic link loop"),
])
@pytest.mark.parametrize("command", ["build", "validate"])
def test_params_that_are_not_a_file_are_named_at_once(tmp_path, capsys, monkeypatch, make, key, command):
    monkeypatch.setenv("CAKUPAN_LANG", "en")
    params = tmp_path / "params.yaml"
    make(params)
    started = time.monotonic()
    code = main([command, "--params", str(params)] + (["--out", str(tmp_path / "o")] if command == "build" else []))
    err = capsys.readouterr().err
    assert (code, time.monotonic() - started < 5) == (2, True)
    assert err.startswith(f"cakupan: invalid input (1 problem):\n{params}: value ") and f"expected {key}" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_a_write_refused_by_the_system_is_a_message_and_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CAKUPAN_LANG", "en")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".cakupan.lock").symlink_to(tmp_path / "victim")
    assert main(["build", "--region", "32", "--lang", "en", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out / '.cakupan.lock'} is a symbolic link" in err and not (tmp_path / "victim").exists()


def test_a_disk_that_fills_mid_build_lists_the_failed_reports_and_exits_1(tmp_path, capsys, monkeypatch):
    from analysis.build import engine
    from analysis.core.writing import WriteError

    monkeypatch.setenv("CAKUPAN_LANG", "en")
    out = tmp_path / "out"

    def stopped(ds, codes, opts):
        exc = WriteError(out / "build.json", "full")
        exc.results = [engine.Result("32", "en", "built", "en/32.html", 1.0, "k"),
                       engine.Result("32.73", "en", "failed", None, 1.0, "k", WriteError(out / "en" / "32.73.html", "full").message("en"))]
        raise exc

    monkeypatch.setattr(engine, "build", stopped)
    assert main(["build", "--region", "32", "--lang", "en", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"failed 32.73 (en): cakupan: the disk is full while writing {out / 'en' / '32.73.html'}" in err
    assert err.rstrip().endswith(f"the disk is full while writing {out / 'build.json'}; free some space or choose a folder on another disk "
                                 "(--out/--into), then run again; earlier files are left as they were")
    monkeypatch.setattr(engine, "build", lambda ds, codes, opts: (_ for _ in ()).throw(WriteError(out / ".cakupan.lock", "read_only")))
    assert main(["build", "--region", "32", "--lang", "en", "--out", str(out)]) == 2  # unusable before anything was built
    assert "read-only file system" in capsys.readouterr().err


def test_a_malformed_source_date_epoch_stops_any_command_with_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CAKUPAN_LANG", "en")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    assert main(["build", "--region", "32", "--lang", "en", "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.startswith("cakupan: invalid input (1 problem):\nSOURCE_DATE_EPOCH: value 'yesterday': expected seconds")
    assert not (tmp_path / "out").exists()
