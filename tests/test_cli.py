"""`cakupan validate` and `cakupan sample` from the command line."""

import os
import shutil
import subprocess
import sys

from analysis.data import BUNDLED_DIR


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


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
    from analysis.messages import cli_language

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
