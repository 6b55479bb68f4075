"""Everything every report needs, loaded once in the fork server before worker processes fork.

The fork server imports this module (``analysis.build.preload.PRELOAD``); each worker then starts with
the libraries imported and the catalogue, locale data, fonts, the nbconvert template, the bundled
dataset and the report charts' figures ready, instead of paying for them again in every process
on its first report. The server starts while the build reads its data and hashes its keys.
statsmodels and scipy are not loaded: the default forecast is numpy alone, and the methods that
need them import them when chosen (they cost every build 3 s of start-up).
"""

from __future__ import annotations

import gc

from analysis.pages import overview  # noqa: F401 (the overview page's modules)
from analysis.core.messages import LANGUAGES, fmt_int, fmt_pct, t
from analysis.pages.render import make_exporter
from analysis.pages.region_page import RegionReport

for _lang in LANGUAGES:
    t("nav.index", _lang)
    fmt_int(5_900_000, _lang)
    fmt_pct(0.314, _lang)
# One report's charts on the bundled data: builds each chart type's figure, loads the font files and
# the glyph caches, and leaves the bundled dataset, its per-region tables and the parameters cached
# for builds that use them. The region tree's index of children is built too (a quarter of a second
# that each worker's first report paid otherwise). The report's other blocks are not shown: they
# warm nothing a worker shares, and they would delay the first fork by a second and a half.
_report = RegionReport.load("32", None, LANGUAGES[0], None)
for _block in (_report.trend, _report.split, _report.forecast, _report.scenarios):
    _block()
_report.ds.regions.children(_report.code)
del _report, _block
make_exporter()
# Everything loaded so far lives as long as the workers: keep it out of the collector's scans (and
# its pages shared with the workers, which a scan would copy into each of them).
gc.freeze()
