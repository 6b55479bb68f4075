"""Parameter files: strict schema, errors with file, line, key and value."""

import pytest

from analysis.errors import InputError
from analysis.params import DEFAULT_PARAMS, load_params


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

    from analysis.params import cached_params

    path = _write(tmp_path, "horizon: 2050\n")
    first = cached_params(path)
    assert first == load_params(path)
    first["targets"].clear()  # a notebook changing its parameters must not reach the next report
    assert cached_params(path)["targets"] == load_params(path)["targets"] != []
    path.write_text("horizon: 2060\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a new version even within the file system's timestamp resolution
    assert cached_params(path)["horizon"] == 2060
