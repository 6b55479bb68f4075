"""Bring your own data: ``cakupan import`` merges published tables into a data directory.

Formats
-------
``opendata-jabar``
    Open Data Jabar layout, one row per kab/kota and year:
    ``id,kode_provinsi,nama_provinsi,kode_kabupaten_kota,nama_kabupaten_kota,<measure>,satuan,tahun``.
    ``kode_kabupaten_kota`` is the 4-digit code (3273 = Kota Bandung = 32.73). The name is checked
    against the region tree; ``satuan`` must be a head count (ORANG, JIWA, ...) or ``RIBU ...``
    (thousands, multiplied by 1000).
``bps-wide``
    A BPS web-table export: regions as rows, years (or year-months) as columns, with title and
    footnote rows around it, ``-`` or ``...`` for missing cells and Indonesian number formats.
    Every region name must match the region tree; otherwise nothing is imported.
    Several measures side by side (BPS "Angkatan Kerja" tables: Bekerja, Jumlah Pengangguran,
    % Bekerja / AK) are blocks: ``--measure`` picks one (see ``blocks``); a total row is checked
    against its parts and imported only with ``--with-total`` (see ``totals``).
``xlsx``
    Either layout from an Excel sheet (``--sheet NAME``; the first sheet by default).

Every imported row gets ``sumber = "<--source text> [<file name>]"`` and an entry in ``sources.csv``.
A key that already holds a different value is a conflict: all of them are listed and nothing is
written unless ``--replace`` is given. Synthetic rows (``sumber`` starting with ``sintetis``) are
placeholders and are replaced by imported figures without ``--replace`` (the report says so).
The merged directory is validated with :func:`analysis.data.contract.load_dataset` before any file is replaced.

One module a step: ``grid`` and ``excel`` read a file into cells, ``cells`` and ``names`` read the
cells, ``headers`` reads a wide table's header hierarchy and ``blocks`` picks its block, ``totals`` checks
its total rows, ``opendata_jabar`` and ``bps_wide`` read a layout, ``measures`` decides what a table counts,
``refusals`` groups problems into a short refusal,
``merge`` merges it into the data folder and ``staging`` writes it there; ``parquet`` copies tables out.
"""


from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.core.messages import cli_language, t, tn
from analysis.core.problems import InputError, render_problems
from analysis.data.importers.cells import parse_count, parse_period
from analysis.data.importers.common import EXIT_INVALID, EXIT_OK, FORMATS
from analysis.data.importers.measures import IMPORT_MEASURES
from analysis.data.importers.merge import import_files
from analysis.data.importers.names import NameIndex
from analysis.data.importers.parquet import to_parquet
from analysis.data.importers.refusals import short_problems

__all__ = ["FORMATS", "IMPORT_MEASURES", "NameIndex", "import_files", "parse_count", "parse_period", "to_parquet", "main"]


def main(ns: argparse.Namespace) -> int:
    """``cakupan import``: print a summary; 0 when written, 2 when refused (nothing written)."""
    lang = cli_language()
    try:
        report = import_files(ns.format, list(ns.files), Path(ns.into), ns.measure, getattr(ns, "segment", None), ns.source,
                              bool(getattr(ns, "replace", False)), sheet=getattr(ns, "sheet", None),
                              period_month=getattr(ns, "period_month", None), with_total=bool(getattr(ns, "with_total", False)))
    except InputError as exc:
        reason = getattr(exc, "reason", t("import.reason.input", lang))
        print(tn("import.refused", lang, len(exc.problems), reason=reason), file=sys.stderr)
        verbose = bool(getattr(ns, "verbose", False))
        print(render_problems(exc.problems, lang, limit=len(exc.problems)) if verbose else short_problems(exc.problems, lang), file=sys.stderr)
        names = list(dict.fromkeys(getattr(exc, "unmatched", [])))
        if names:
            print(t("import.unmatched", lang, count=len(names), names="; ".join(names)), file=sys.stderr)
        return EXIT_INVALID
    print(report.summary())
    return EXIT_OK
