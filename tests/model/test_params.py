"""Parameter files: strict schema, errors with file, line, key and value."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.core.problems import InputError
from analysis.model.params import DEFAULT_PARAMS, load_params


def _write(tmp_path, text):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_load():
    params = load_params()
    assert [t["percent"] for t in params["targets"]] == [43.92, 99.5]
    assert params["coverage"]["denominator"] == ["pekerja_berhak", "penduduk_bekerja"]
    assert load_params(DEFAULT_PARAMS) == params


def test_override_merges_with_defaults(tmp_path):
    params = load_params(_write(tmp_path, "horizon: 2050\nlanguages: [en]\n"))
    assert params["horizon"] == 2050 and params["languages"] == ["en"]
    assert params["coverage"]["segments"] == ["PU", "BPU", "JAKON", "PMI"]


def test_unknown_key_is_refused_with_its_line(tmp_path):
    path = _write(tmp_path, "horizon: 2040\ncoverage:\n  segmen: [PU]\n")
    with pytest.raises(InputError) as err:
        load_params(path)
    (p,) = err.value.problems
    assert (p.file, p.line, p.column) == (str(path), 3, "coverage.segmen")
    assert "known here: segments" in p.expected


@pytest.mark.parametrize("text, column", [
    ("targets:\n  - {id: a, label: A, year: 2029, percent: 0}\n", "targets.0.percent"),
    ("targets:\n  - {id: a, label: A, year: 2029, percent: 120}\n", "targets.0.percent"),
    ("horizon: '2045'\n", "horizon"),
    ("languages: [id, fr]\n", "languages"),
    ("levels: [negara]\n", "levels"),
    ("coverage:\n  segments: []\n", "coverage.segments"),
    ("targets:\n  - {id: rpjmn2029, label: A, year: 2029, percent: 40, milestones: [{label: B, year: 2030, percent: 30, source: x}]}\n",
     "targets.0.milestones.0.year"),
    ("targets:\n  - {id: rpjmn2029, label: A, year: 2029, percent: 40, milestones: [{label: B, year: 2026, percent: 130, source: x}]}\n",
     "targets.0.milestones.0.percent"),
    ("targets:\n  - {id: rpjmn2029, label: A, year: 2029, percent: 40, milestones: [{label: B, year: 2026, percent: 30}]}\n",
     "targets.0.milestones.0.source"),
])
def test_bad_values_are_refused(tmp_path, text, column):
    with pytest.raises(InputError) as err:
        load_params(_write(tmp_path, text))
    assert err.value.problems[0].column == column


def test_yaml_syntax_error_names_the_line(tmp_path):
    with pytest.raises(InputError) as err:
        load_params(_write(tmp_path, "horizon: 2045\nlevels: [provinsi\n"))
    assert err.value.problems[0].line is not None


def test_cached_params_are_copies_and_follow_the_file(tmp_path):
    import os

    from analysis.model.params import cached_params

    path = _write(tmp_path, "horizon: 2050\n")
    first = cached_params(path)
    assert first == load_params(path)
    first["targets"].clear()  # a notebook changing its parameters must not reach the next report
    assert cached_params(path)["targets"] == load_params(path)["targets"] != []
    path.write_text("horizon: 2060\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a new version even within the file system's timestamp resolution
    assert cached_params(path)["horizon"] == 2060


# ---------------------------------------------------------------- hostile parameter files
# Each is refused with an InputError naming the file (exit 2 on the command line), never a traceback, a
# hang or a huge allocation: the limits are checked on the event stream before anything is expanded.

LAUGHS = "a0: &a0 [lol]\n" + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))


@pytest.mark.parametrize("name, content, line, expected", [
    ("billion laughs", LAUGHS, 9, "at most 64 aliases"),
    ("a few aliases, expanded huge", "a0: &a0 [" + ", ".join(["x"] * 200) + "]\n"
     + "".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 10)), 1, "once aliases"),
    ("recursive alias", "horizon: &a [*a]\n", 1, "once aliases"),
    ("deep flow nesting", "horizon: " + "[" * 5000 + "]" * 5000 + "\n", 1, "nesting at most"),
    ("deep block nesting", "".join("  " * i + "k:\n" for i in range(200)) + "  " * 200 + "v\n", 33, "nesting at most"),
    ("huge scalar", "horizon: " + "9" * 50_000 + "\n", 1, "at most 10000 characters"),
    ("more digits than Python converts", "horizon: " + "9" * 5000 + "\n", None, "plain values"),
    ("huge hexadecimal", "horizon: 0x" + "f" * 9000 + "\n", 1, "at most about 30 digits"),
    ("huge base 60", "horizon: " + ":".join(["59"] * 3000) + "\n", 1, "at most about 30 digits"),
    ("undefined alias", "horizon: *nope\n", 1, "valid YAML"),
    ("python object tag", "horizon: !!python/object/apply:os.system ['echo pwned']\n", 1, "without tags"),
    ("python name tag", "horizon: !!python/name:os.system\n", 1, "without tags"),
    ("local tag", "horizon: !secret 2045\n", 1, "without tags"),
    ("binary tag", "horizon: !!binary aGVsbG8=\n", 1, "without tags"),
    ("set tag", "levels: !!set {provinsi}\n", 1, "without tags"),
    ("NUL byte", "horizon: 2045\x00\n", None, "valid YAML"),
    ("escape sequence", "horizon: 2045\nlanguages: [\x1b[31mid]\n", None, "valid YAML"),
    ("two documents", "horizon: 2045\n---\nhorizon: 2050\n", 2, "valid YAML"),
    ("repeated key", "horizon: 2045\nlanguages: [id]\nhorizon: 2050\n", 3, "each key once"),
    ("unhashable key", "? [a, b]\n: 1\n", 1, "valid YAML"),
])
def test_hostile_yaml_is_refused_naming_the_file(tmp_path, name, content, line, expected):
    path = _write(tmp_path, content)
    with pytest.raises(InputError) as err:
        load_params(path)
    p = err.value.problems[0]
    assert p.file == str(path) and expected in p.expected, (name, str(p))
    if line is not None:
        assert p.line == line, (name, str(p))


def test_hostile_bytes_are_refused_before_parsing(tmp_path):
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as fh:  # 100 KB of comments: bigger than any parameter file
        fh.write(b"# " + b"x" * 100_000 + b"\nhorizon: 2045\n")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"horizon: 2045\ntargets:\n  - {id: a, label: Ciat\xe9ng, year: 2029, percent: 40}\n")
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes("horizon: 2045\n".encode("utf-16"))
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # reading it would block forever
    cases = [(huge, None, "at most 64 KB"), (latin, 3, "byte 0xE9 at offset"), (utf16, 1, "byte 0xFF"),
             (fifo, None, "a regular file, not a named pipe (FIFO)"), (tmp_path, None, "a regular file, not a folder"),
             (Path("/dev/zero"), None, "a regular file, not a device")]
    for path, line, expected in cases:
        with pytest.raises(InputError) as err:
            load_params(path)
        p = err.value.problems[0]
        assert (p.file, p.line) == (str(path), line) and expected in p.expected, str(p)


def test_anchors_within_the_limits_still_work(tmp_path):
    path = _write(tmp_path, "targets:\n  - &t {id: a, label: A, year: 2029, percent: 40}\n"
                            "  - {<<: *t, id: b, year: 2045, percent: 90}\nranking: {target: a}\n")
    assert [(t["id"], t["label"], t["percent"]) for t in load_params(path)["targets"]] == [("a", "A", 40), ("b", "A", 90)]


def test_hostile_file_on_the_command_line_exits_2_without_traceback(tmp_path):
    path = _write(tmp_path, LAUGHS)
    out = tmp_path / "reports"
    for command in (["validate", "--params", str(path)], ["build", "--params", str(path), "--out", str(out), "--region", "32"]):
        done = subprocess.run([sys.executable, "-m", "analysis", *command], capture_output=True, text=True,
                              timeout=60)  # a guard against a hang, not a speed measurement
        assert done.returncode == 2, done.stderr
        assert f"{path}:9: value '*a7': expected at most 64 aliases" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_expectations_follow_cakupan_lang(tmp_path, monkeypatch):
    monkeypatch.setenv("CAKUPAN_LANG", "id")
    with pytest.raises(InputError) as err:
        load_params(_write(tmp_path, LAUGHS))
    assert err.value.problems[0].expected == "paling banyak 64 alias (*nama) dalam berkas parameter"
    with pytest.raises(InputError) as err:
        load_params(_write(tmp_path, "horison: 2050\n"))
    assert err.value.problems[0].expected.startswith("kunci yang dikenal (yang dikenal di sini: coverage, targets")
    done = subprocess.run([sys.executable, "-m", "analysis", "validate", "--params", str(tmp_path / "p.yaml")], capture_output=True, text=True)
    assert done.returncode == 2
    assert (f"{tmp_path / 'p.yaml'}:1: kolom 'horison': nilai 2050: diharapkan kunci yang dikenal" in done.stderr
            and done.stderr.startswith("cakupan: masukan tidak valid (1 masalah):"))


@pytest.mark.parametrize("lang, value", [("id", "lebih dari 64 KB"), ("en", "more than 64 KB")])
def test_what_a_hostile_file_holds_is_described_in_the_language(tmp_path, monkeypatch, lang, value):
    """A file refused unread has no cell to quote: the value describes what was found, in the reader's language."""
    monkeypatch.setenv("CAKUPAN_LANG", lang)
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"# " + b"x" * 100_000 + b"\n")
    with pytest.raises(InputError) as err:
        load_params(huge)
    assert err.value.problems[0].value == value
