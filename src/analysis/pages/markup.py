"""HTML pieces shared by the region report and the overview: escaping, tables, sections, the
sample marker, data text in the page's language, sources and the forecast-skill sentence.

Everything here renders; nothing computes a value.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from analysis.model import forecast as fc
from analysis.pages import notebook_display
from analysis.core.messages import fmt_num, fmt_pct, t

MARK = " ◇"  # follows every value that rests on any sample (synthetic) row
FEW_FOLDS = 10  # a backtest on fewer forecasts than this is said to be indicative only


class Html(str):
    """A block of trusted HTML (built here from escaped data) that notebooks display."""

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        return notebook_display.block_bundle(self)  # styled for JupyterLab, and as the page shows it

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        """``text/plain``: one line naming the block (IPython would otherwise store the HTML again)."""
        printer.text(notebook_display.plain_line(self))  # type: ignore[attr-defined]


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def mark(sample: object) -> str:
    """The sample marker after a value that rests on sample rows, else nothing."""
    return MARK if bool(sample) else ""


def sample_note(text: str) -> str:
    """A note saying that what follows rests on sample data (plain text, escaped here), marked ◇."""
    return f'<p class="note">{esc(text)}{MARK}</p>'


def column_headers(labels: Iterable[str]) -> str:
    """Column header cells of a data table from their (plain-text) labels."""
    return "".join(f'<th scope="col">{esc(label)}</th>' for label in labels)


def header_cells(lang: str, keys: tuple[str, ...]) -> str:
    """Column headers of a data table, each a message key."""
    return column_headers(t(k, lang) for k in keys)


def data_table(caption: str | None, head: str, rows: str) -> str:
    """A data table: caption (plain text, escaped here), header cells and body rows (markup)."""
    caption_html = f"<caption>{esc(caption)}</caption>" if caption is not None else ""
    return f'<table class="data">{caption_html}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def section(key: str, lang: str, body: str, level: int = 2) -> Html:
    slug = key.split(".")[0]
    return Html(f'<section class="block" id="{slug}"><h{level}>{esc(t(key, lang))}</h{level}>{body}</section>')


def data_text(row: object, column: str, lang: str) -> str:
    """A data note in the page's language: ``<column>_en`` on English pages when the data gives one."""
    if lang == "en":
        english = getattr(row, f"{column}_en", None) if not isinstance(row, (dict, pd.Series)) else row.get(f"{column}_en")
        if isinstance(english, str) and english.strip():
            return english
    value = getattr(row, column, None) if not isinstance(row, (dict, pd.Series)) else row.get(column)
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def source_items(keys: list[str], sources: pd.DataFrame, lang: str) -> str:
    """``<li>`` per source key: title and licence in the page's language, linked when the URL is http(s)."""
    known = sources.set_index("sumber") if not sources.empty else pd.DataFrame()
    items = []
    for key in keys:
        if key not in known.index:
            items.append(f"<li><code>{esc(key)}</code></li>")
            continue
        entry = known.loc[key]
        title = esc(data_text(entry, "judul", lang))
        url = str(entry.get("url") or "")
        link = f' <a href="{esc(url)}">{esc(url)}</a>' if url.startswith(("http://", "https://")) else ""
        licence = data_text(entry, "lisensi", lang)
        note = f' <span class="muted">({esc(licence)})</span>' if licence else ""
        items.append(f"<li><code>{esc(key)}</code>: {title}{link}{note}</li>")
    return "".join(items)


def signed(value: float, lang: str, digits: int) -> str:
    """A number with an explicit sign (+0,246 / −0.120), the minus sign U+2212."""
    shown = round(value, digits)
    return ("+" if shown > 0 else "−" if shown < 0 else "±") + fmt_num(abs(shown), lang, digits)


def skill_text(lang: str, national: bool = False) -> str:
    """What the backtest found for coverage series (the committed skill record), as strong as the measurement.

    "Calibrated" is said only where the calibration changed the bands; on the national page the
    sentence names the national series and says whether the default beat the naive forecast, and
    on fewer than FEW_FOLDS forecasts that this is indicative only.
    """
    record = fc.skill()
    share = record["kinds"]["share"]
    default, naive = share["mase"]["default"], share["mase"]["naive"]
    verdict = t("skill.better" if default < naive else "skill.worse", lang)
    values = {"what": t("skill.what.share", lang), "folds": share["folds"], "default": fmt_num(default, lang, 3),
              "naive": fmt_num(naive, lang, 3), "difference": signed(default - naive, lang, 3),
              "verdict": verdict, "coverage80": fmt_pct(share["coverage80"], lang, 0)}
    text = t("skill.national" if national else "skill.share", lang, **values)
    if share["folds"] < FEW_FOLDS:
        text += " " + t("skill.few", lang, folds=share["folds"])
    calibration = t("skill.calibrated" if record["calibration"]["changed"] else "skill.uncalibrated", lang)
    return f"{text} {calibration}"
