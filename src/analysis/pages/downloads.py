"""The data of a published page as CSV files, built from its JSON summary.

A region page offers its year table, segments, forecast, targets (baseline and scenarios) and the
ranking of the regions below; the overview its league table. Files are named ``<kode>.<table>.csv``
next to the page, written by the build with the page (atomically), and listed on the page. The
CSV is for machines: UTF-8, comma, dot decimal, shares as fractions, no thousands separators,
the column names of :data:`analysis.pages.frames.COLUMNS` (one measure a column), and on every row
``sintetis`` (it rests on a sample row) and ``sumber`` (its source keys). No cell a spreadsheet would run as a formula (:func:`csv_text`).
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from analysis.pages import frames
from analysis.core.messages import t
from analysis.core.writing import safe_cell

# table name in the file name -> (section of analysis.pages.frames, message key of its link)
REGION_TABLES = {
    "years": ("trend", "downloads.years"),
    "segments": ("segments", "downloads.segments"),
    "forecast": ("forecast", "downloads.forecast"),
    "targets": ("targets", "downloads.targets"),
    "ranking": ("ranking", "downloads.ranking"),
    "points": ("off_series", "downloads.off_series"),
    "references": ("references", "downloads.references"),
}
OVERVIEW_TABLES = {"league": ("ranking", "downloads.league")}


def _tables(summary: dict) -> dict[str, tuple[str, str]]:
    return OVERVIEW_TABLES if "league" in summary else REGION_TABLES


def csv_text(frame: pd.DataFrame, float_format: str | None = None) -> str:
    """Deterministic CSV (same summary, same bytes): full float precision, empty cells for missing values.

    Every CSV offered for download is written here, safe to open in a spreadsheet: a text cell
    that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) gets a leading
    apostrophe (:func:`analysis.core.writing.safe_cell`); numbers stay numbers."""
    text = frame.columns[[dtype == object or pd.api.types.is_string_dtype(dtype) for dtype in frame.dtypes]]
    safe = frame.assign(**{str(c): frame[c].map(safe_cell) for c in text}) if len(text) else frame
    safe.columns = [safe_cell(str(c)) for c in frame.columns]
    return safe.to_csv(index=False, lineterminator="\n", float_format=float_format)


def files(summary: dict) -> dict[str, str]:
    """``{file name: CSV text}`` for every table of the page that has rows."""
    out = {}
    for name, (section, _) in _tables(summary).items():
        frame = frames.section(section, summary)
        if not frame.empty:
            out[f"{summary['kode']}.{name}.csv"] = csv_text(frame)
    return out


def links(summary: dict, made: Collection[str] | None = None) -> list[tuple[str, str]]:
    """``(file name, label)`` for the page's download list, in the summary's language; ``made``: the
    names :func:`files` gave for this summary, when it has run (the tables are not built again)."""
    return [(f"{summary['kode']}.{name}.csv", t(key, summary["lang"])) for name, (section, key) in _tables(summary).items()
            if (f"{summary['kode']}.{name}.csv" in made if made is not None else not frames.SECTIONS[section](summary).empty)]
