"""Everything every report needs, loaded once in the fork server before worker processes fork.

The fork server imports this module (``analysis.executors.PRELOAD``); each worker then starts with
the libraries imported and the catalogue, locale data, fonts and nbconvert template ready, instead
of paying for them again in every process on its first report.
"""

from __future__ import annotations

import gc

# Imported here for their import cost only: the fitting code imports them where it is used.
import statsmodels.tsa.exponential_smoothing.ets  # noqa: F401
import statsmodels.tsa.forecasting.theta  # noqa: F401
from scipy import stats  # noqa: F401

from analysis import overview, plots, report  # noqa: F401 (plots selects the Agg backend)
from analysis.messages import LANGUAGES, fmt_int, fmt_pct, t
from analysis.render import make_exporter

for _lang in LANGUAGES:
    t("nav.index", _lang)
    fmt_int(5_900_000, _lang)
    fmt_pct(0.314, _lang)
_fig, _ax = plots.new_figure()
_ax.plot([2020, 2024], [30.0, 31.4], "o-", label="warm")
_ax.legend()
plots.to_svg(_fig)  # font files, glyph and text-layout caches
make_exporter()
# Everything loaded so far lives as long as the workers: keep it out of the collector's scans (and
# its pages shared with the workers, which a scan would copy into each of them).
gc.freeze()
