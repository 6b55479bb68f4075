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
from analysis.core.messages import fmt_int, fmt_num, fmt_pct, t

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


def self_link(slug: str, lang: str) -> str:
    """The link a section heading carries to its own section, so ``32.html#forecast`` can be shared."""
    return f' <a class="self" href="#{esc(slug)}" aria-label="{esc(t("nav.self", lang))}">#</a>'


def section(key: str, lang: str, body: str, level: int = 2, slug: str | None = None, **values: object) -> Html:
    """A page section: ``id`` from the key's first part (or ``slug``), the heading linking to itself."""
    slug = slug or key.split(".")[0]
    return Html(f'<section class="block" id="{esc(slug)}"><h{level}>{esc(t(key, lang, **values))}{self_link(slug, lang)}</h{level}>'
                f'{body}</section>')


def data_text(row: object, column: str, lang: str) -> str:
    """A data note in the page's language: ``<column>_en`` on English pages when the data gives one."""
    if lang == "en":
        english = getattr(row, f"{column}_en", None) if not isinstance(row, (dict, pd.Series)) else row.get(f"{column}_en")
        if isinstance(english, str) and english.strip():
            return english
    value = getattr(row, column, None) if not isinstance(row, (dict, pd.Series)) else row.get(column)
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def source_keys(values: Iterable[object]) -> list[str]:
    """The source keys in ``sumber`` values (several joined with `` + ``), each once, in order of appearance."""
    return list(dict.fromkeys(part for value in values for part in str(value or "").split(" + ") if part))


def source_anchor(key: str) -> str:
    """The id of a source's entry in the page's source list (a citation links to it)."""
    return "sumber-" + "".join(c if c.isalnum() or c == "-" else "-" for c in key.lower())


def source_title(key: str, sources: pd.DataFrame, lang: str) -> str:
    """A source's title in the page's language (its key only when sources.csv does not describe it)."""
    known = sources[sources["sumber"] == key] if not sources.empty else sources
    return data_text(known.iloc[0], "judul", lang) or key if not known.empty else key


def source_names(value: object, sources: pd.DataFrame, lang: str) -> str:
    """The titles of the sources in a ``sumber`` value, for text: a reader gets names, not keys."""
    return "; ".join(source_title(key, sources, lang) for key in source_keys([value]))


def source_citations(value: object, sources: pd.DataFrame, lang: str) -> str:
    """HTML for a table cell: each source's short name (its title up to the first top-level comma
    or colon) linking to its entry in the page's source list, which gives the full title and URL."""
    def short(title: str) -> str:
        depth = 0
        for i, c in enumerate(title):
            depth += (c in "([") - (c in ")]")
            if depth == 0 and c in ",:" and i > 0:
                return title[:i]
        return title
    return "; ".join(f'<a href="#{source_anchor(key)}">{esc(short(source_title(key, sources, lang)))}</a>'
                     for key in source_keys([value]))


def source_items(keys: list[str], sources: pd.DataFrame, lang: str) -> str:
    """``<li>`` per source key (its id the key's anchor): title and licence in the page's language, linked when the URL is http(s)."""
    known = sources.set_index("sumber") if not sources.empty else pd.DataFrame()
    items = []
    for key in keys:
        if key not in known.index:
            items.append(f'<li id="{source_anchor(key)}"><code>{esc(key)}</code></li>')
            continue
        entry = known.loc[key]
        title = esc(data_text(entry, "judul", lang))
        url = str(entry.get("url") or "")
        link = f' <a href="{esc(url)}">{esc(url)}</a>' if url.startswith(("http://", "https://")) else ""
        licence = data_text(entry, "lisensi", lang)
        note = f' <span class="muted">({esc(licence)})</span>' if licence else ""
        items.append(f'<li id="{source_anchor(key)}"><code>{esc(key)}</code>: {title}{link}{note}</li>')
    return "".join(items)


def target_source_items(targets: list[dict], lang: str) -> str:
    """``<li>`` per target source (the plan's figures as quoted, a URL in the parameters), targets sharing one URL together."""
    by_url: dict[str, list[str]] = {}
    for tg in targets:
        if tg.get("source"):
            by_url.setdefault(str(tg["source"]), []).append(tg["label"])
    return "".join(
        f'<li id="{source_anchor("target-" + str(i))}">{esc(t("sources.targets", lang, labels=", ".join(labels)))}'
        + (f' <a href="{esc(url)}">{esc(url)}</a>' if url.startswith(("http://", "https://")) else f" {esc(url)}") + "</li>"
        for i, (url, labels) in enumerate(by_url.items(), 1))


def skill_text(lang: str, national: bool = False) -> str:
    """What the backtest found (the committed skill record), as strong as each measurement: first the
    public benchmarks, where the default's bands and accuracy were measured on thousands of forecasts
    (coverage of its 80% and 95% bands, MASE against the drift), then, separately, the national
    coverage series with its number of forecasts (indicative only below FEW_FOLDS). "Calibrated" is
    said only where the calibration changed the bands.
    """
    record = fc.skill()
    m1, tourism = record["benchmarks"]["m1_yearly"], record["benchmarks"]["tourism_yearly"]
    benchmarks = t("skill.benchmarks", lang, **{
        f"{p}_{k}": v for p, b in (("m1", m1), ("t", tourism)) for k, v in (
            ("series", fmt_int(b["series"], lang)), ("folds", fmt_int(b["folds"], lang)),
            ("cov80", fmt_pct(b["coverage80"], lang)), ("cov95", fmt_pct(b["coverage95"], lang)),
            ("mase", fmt_num(b["mase"]["default"], lang, 3)), ("drift", fmt_num(b["mase"]["drift"], lang, 3)))})
    share = record["kinds"]["share"]
    default, drift = share["mase"]["default"], share["mase"]["drift"]
    verdict = t("skill.better" if default < drift else "skill.worse", lang)
    series = t("skill.series.national" if national else "skill.series", lang, folds=fmt_int(share["folds"], lang),
               default=fmt_num(default, lang, 3), drift=fmt_num(drift, lang, 3), verdict=verdict,
               coverage80=fmt_pct(share["coverage80"], lang, 0))
    if share["folds"] < FEW_FOLDS:
        series += " " + t("skill.few", lang, folds=share["folds"])
    calibration = t("skill.calibrated" if record["calibration"]["changed"] else "skill.uncalibrated", lang)
    return f"{benchmarks} {calibration} {series}"
