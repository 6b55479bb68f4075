"""Writing an import: tables staged beside the data folder, validated, then swapped in."""


from __future__ import annotations

import dataclasses
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from analysis.core.messages import cli_language, t
from analysis.core.problems import InputError, Problem
from analysis.data.contract import (
    SOURCE_COLUMNS,
    load_dataset,
)
from analysis.core.writing import WriteError, folder_lock, replace, write_atomic
from analysis.data.importers.common import URL_RE, RefusedImport


def write_table(df: pd.DataFrame, path: Path) -> None:
    """A data table as CSV or Parquet (by the suffix), through the writing layer."""
    if path.suffix == ".parquet":
        out = df.copy()
        for col in ("peserta_aktif", "penduduk_bekerja", "pekerja_berhak"):
            if col in out.columns:
                out[col] = pd.to_numeric(out[col].replace("", None), errors="raise").astype("Int64")
        buffer = io.BytesIO()
        out.to_parquet(buffer, index=False)
        write_atomic(path, buffer.getvalue())
    else:
        write_atomic(path, df.to_csv(index=False, lineterminator="\n"))


STAGE_PATTERNS = (".import-*", ".{name}.import-*")  # staging folders inside the data folder, or beside a new one


@contextmanager
def data_folder_lock(into: Path) -> Iterator[None]:
    """Hold ``into`` (or, for a folder still to be made, the folder it goes in) for one import: another
    import or a build reading it waits, then the staging folders of imports killed earlier are removed
    (nobody else can be using them now)."""
    into = into.absolute()
    held = into if into.is_dir() else into.parent
    held.mkdir(parents=True, exist_ok=True)
    with folder_lock(held, exclusive=True):
        pattern = STAGE_PATTERNS[0] if held == into else STAGE_PATTERNS[1].format(name=into.name)
        for stale in held.glob(pattern):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
        yield


def upsert_source(sources: pd.DataFrame, key: str, source: str) -> tuple[pd.DataFrame, bool]:
    url = URL_RE.search(source)
    entry = {"sumber": key, "judul": source, "url": url.group(0) if url else "", "lisensi": "", "judul_en": "", "lisensi_en": ""}
    hit = sources.index[sources["sumber"] == key]
    if len(hit):
        i = hit[0]
        if sources.at[i, "judul"] == entry["judul"] and sources.at[i, "url"] == entry["url"]:
            return sources, False
        sources = sources.copy()
        sources.at[i, "judul"], sources.at[i, "url"] = entry["judul"], entry["url"]
        return sources, True
    return pd.concat([sources, pd.DataFrame([entry], columns=list(SOURCE_COLUMNS)).astype("str")], ignore_index=True), True


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        write_atomic(dst, src.read_bytes())


def _relabel(problems: list[Problem], stage: Path, into: Path) -> list[Problem]:
    prefix = str(stage)
    return [dataclasses.replace(p, file=str(into) + p.file[len(prefix):]) if p.file.startswith(prefix) else p for p in problems]


def commit(into: Path, tables: dict[str, pd.DataFrame], create: bool) -> None:
    """Write tables next to the existing files in a staging directory, validate, then move them in.

    The staging directory sits inside ``into`` (or next to it when ``into`` is new), so every move is
    a rename on one file system.
    """
    try:
        if create:
            parent = into.absolute().parent
            parent.mkdir(parents=True, exist_ok=True)
            stage = Path(tempfile.mkdtemp(prefix=f".{into.name}.import-", dir=parent))
        else:
            stage = Path(tempfile.mkdtemp(prefix=".import-", dir=into.absolute()))
    except OSError as exc:
        raise WriteError.from_os(into, exc) from None
    try:
        if not create:
            for item in into.iterdir():
                if item.is_file() and item.name not in tables and (item.suffix in (".csv", ".parquet")):
                    _link_or_copy(item, stage / item.name)
        for name, df in tables.items():
            write_table(df, stage / name)
        try:
            load_dataset(stage)
        except InputError as exc:
            raise RefusedImport(t("import.reason.invalid_after", cli_language(), into=into), _relabel(exc.problems, stage, into)) from None
        if create:
            try:
                os.rename(stage, into)
            except OSError as exc:
                raise WriteError.from_os(into, exc) from None
            return
        # sources.csv first: if anything stops halfway, an extra source entry is harmless.
        for name in sorted(tables, key=lambda n: n != "sources.csv"):
            replace(stage / name, into / name)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
