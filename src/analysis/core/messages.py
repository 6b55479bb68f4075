"""The message catalogue (Indonesian first, English too) and locale-aware number formats.

Every user-facing string lives in ``messages.yaml``; numbers and dates are formatted by babel
(id: 5.900.000 and 31,4%; en: 5,900,000 and 31.4%). Region names are data and never translated.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files

import yaml
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent


LANGUAGES = ("id", "en")
# libyaml's safe loader when PyYAML has it: the catalogue is read by every command and worker, and
# the pure-Python one takes 1.5 s for it (our own files, so the hardened parameter reader is not needed).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """``messages.yaml`` (plus any ``messages_*.yaml`` being written for a new area; keys must not repeat)."""
    root = files("analysis.core")
    merged: dict[str, dict[str, str]] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name == "messages.yaml" or (entry.name.startswith("messages_") and entry.name.endswith(".yaml")):
            part = yaml.load(entry.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
            clash = sorted(set(part) & set(merged))
            if clash:
                raise ValueError(f"message keys defined twice ({entry.name}): {', '.join(clash)}")
            merged.update(part)
    return merged


def cli_language(environ: Mapping[str, str] = os.environ) -> str:
    """Language of the command line's messages: ``CAKUPAN_LANG`` (id or en), else the locale as
    POSIX orders it (the first set of LC_ALL, LC_MESSAGES, LANG; ``id_ID...`` is Indonesian), else English."""
    chosen = environ.get("CAKUPAN_LANG", "")
    if chosen in LANGUAGES:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return "id" if environ[name].lower().startswith("id") else "en"
    return "en"


def t(key: str, lang: str, /, **values: object) -> str:
    """Message ``key`` in ``lang`` with ``{placeholders}`` filled in."""
    entry = catalogue()[key]
    return entry[lang].format(**values) if values else entry[lang]


def t_each(key: str, in_langs: tuple[str, ...] = LANGUAGES, **values: object) -> str:
    """Message ``key`` in each of ``in_langs``, joined by " / ": for a message whose reader's language
    is not known (or is what is wrong)."""
    return " / ".join(t(key, lang, **values) for lang in in_langs)


def _minus(text: str) -> str:
    """One minus sign in displayed numbers: U+2212, never the hyphen babel writes."""
    return text.replace("-", "\u2212")


def tn(key: str, lang: str, count: int, **values: object) -> str:
    """Message ``key.one`` or ``key.many`` by ``count`` (English needs both; Indonesian has one form for both),
    or ``key.zero`` for none where the catalogue has one ("none of the 9 years", not "0 of the 9 years"),
    the count written as the language writes numbers (1.966 / 1,966). The one rule for every count in a text."""
    form = "zero" if count == 0 and f"{key}.zero" in catalogue() else "one" if count == 1 else "many"
    return t(f"{key}.{form}", lang, count=fmt_int(count, lang), **values)


# Number formatting is pure and pages format the same few thousand numbers again and again (tick
# labels, table cells): babel's formatter cost 3% of a report.
_memoized = lru_cache(maxsize=16384, typed=True)


@_memoized
def fmt_int(value: float | int | None, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return _minus(format_decimal(int(round(value)), format="#,##0", locale=lang))


@_memoized
def fmt_pct(share: float | None, lang: str, digits: int = 1) -> str:
    """A share (0.314) as a percentage ('31,4%' in id)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return _minus(format_percent(share, format=pattern, locale=lang))


@_memoized
def fmt_num(value: float | None, lang: str, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return _minus(format_decimal(value, format=pattern, locale=lang))


def fmt_pp(points: float | None, lang: str, digits: int = 1) -> str:
    """Percentage points with an explicit sign ('+2,3 pp' / '+2.3 pp')."""
    if points is None or (isinstance(points, float) and math.isnan(points)):
        return "–"
    shown = round(points, digits)  # the sign follows what is printed: never "−0,0"
    sign = "+" if shown > 0 else ("−" if shown < 0 else "±")
    return f"{sign}{fmt_num(abs(shown), lang, digits)} {t('unit.pp', lang)}"


def fmt_period(periode: str, lang: str) -> str:
    """'2023-12' as 'Desember 2023' / 'December 2023'; a bare year stays as it is."""
    if len(periode) == 4:
        return periode
    return format_date(dt.date(int(periode[:4]), int(periode[5:7]), 1), format="MMMM y", locale=lang)


def fmt_datetime(moment: dt.datetime, lang: str) -> str:
    return format_date(moment.date(), format="long", locale=lang) + moment.strftime(" %H:%M UTC")
