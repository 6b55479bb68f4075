"""Parquet copies of a data folder's tables, for analysts whose tools read Parquet."""


from __future__ import annotations

from pathlib import Path

from analysis.data.contract import (
    PARTICIPANT_COLUMNS,
    WORKFORCE_COLUMNS,
    load_dataset,
)
from analysis.data.importers.merge import read_existing
from analysis.data.importers.staging import write_table

# --------------------------------------------------------------------------------------------
# Parquet conversion and the command line


def to_parquet(directory: Path | str) -> list[Path]:
    """Replace participants.csv and workforce.csv of a valid data directory by Parquet files.

    The directory is validated before and after. The CSV files are removed, because a directory may
    not hold both formats of one table; if this stops halfway, loading names both files.
    """
    directory = Path(directory)
    load_dataset(directory)
    written = []
    for stem, columns in (("participants", PARTICIPANT_COLUMNS), ("workforce", WORKFORCE_COLUMNS)):
        csv_path = directory / f"{stem}.csv"
        if not csv_path.exists():
            continue
        df = read_existing(csv_path, columns, columns[:2])
        write_table(df, directory / f"{stem}.parquet")
        csv_path.unlink()
        written.append(directory / f"{stem}.parquet")
    load_dataset(directory)
    return written
