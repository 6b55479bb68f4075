"""Where the command line may write: the bundled data is protected by what it is, not by how Cakupan is installed."""

import os
import shutil

from analysis.data.contract import BUNDLED_DIR, PROJECT_ROOT
from analysis.data.destinations import is_bundled, output_problems


def _project(root):
    """A second Cakupan checkout's layout: data/bundled next to data/raw and data/SOURCES.md."""
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "SOURCES.md").write_text("# sources\n", encoding="utf-8")
    shutil.copytree(BUNDLED_DIR, root / "data" / "bundled")
    return root / "data" / "bundled"


def test_bundled_data_is_recognised_by_what_it_is(tmp_path):
    other = _project(tmp_path / "checkout")
    link = tmp_path / "link"
    link.symlink_to(BUNDLED_DIR)
    copy = tmp_path / "mydata"
    shutil.copytree(BUNDLED_DIR, copy)
    assert is_bundled(BUNDLED_DIR) and is_bundled(link) and is_bundled(BUNDLED_DIR / "new-sub")
    assert is_bundled(other) and is_bundled(tmp_path / "checkout" / "data" / "bundled" / "x")
    assert is_bundled(PROJECT_ROOT / "data" / ".." / "data" / "bundled")
    assert not is_bundled(copy) and not is_bundled(tmp_path / "checkout" / "data") and not is_bundled(tmp_path / "new")


def test_into_the_bundled_data_of_any_checkout_is_refused_with_the_way_out(tmp_path):
    other = _project(tmp_path / "checkout")
    for target in (BUNDLED_DIR, other, tmp_path / "link"):
        if target.name == "link":
            target.symlink_to(other)
        (p,) = output_problems(str(target), "--into", lang="en")
        assert (p.file, p.value) == ("--into", str(target)) and "cp -r data/bundled mydata" in p.expected
    assert output_problems(str(tmp_path / "mydata"), "--into", lang="en") == []


def test_output_inside_the_data_directory_is_refused(tmp_path):
    data = tmp_path / "mydata"
    data.mkdir()
    for target in (data, data / "reports"):
        (p,) = output_problems(str(target), "--out", data_dir=data, lang="en")
        assert p.expected == f"a folder outside the data directory {data} (reports would mix with the data)"
    assert output_problems(str(tmp_path / "reports"), "--out", data_dir=data, lang="en") == []


def test_unwritable_places_are_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        problems = output_problems(str(ro / "reports"), "--out", lang="id")
        if os.access(ro, os.W_OK):  # root writes anywhere: the system's own refusal is reported by the command
            assert problems == []
        else:
            assert problems[0].expected == f"folder yang dapat ditulisi; {ro} tidak dapat ditulisi"
    finally:
        ro.chmod(0o755)
    (p,) = output_problems("/proc/1/reports", "--out", lang="en")
    assert "/proc/1" in p.expected


def test_paths_the_system_cannot_use_are_problems_not_tracebacks(tmp_path):
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "dangling").symlink_to(tmp_path / "missing" / "dir")
    cases = {"x" * 300: "File name too long", str(tmp_path / "loop1"): "Too many levels of symbolic links",
             str(tmp_path / "dangling"): "No such file or directory"}
    for value, reason in cases.items():
        (p,) = output_problems(value, "--out", lang="en")
        assert p.expected == f"a usable path ({reason})"
