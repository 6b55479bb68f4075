"""The status block that opens every region page and the overview: the answer in thirty seconds.

It renders :class:`analysis.model.status.Status` (computed once from the region's facts) as five
short lines: coverage now and "data as of", the next milestone, on track or not (with how that is
judged, in points and in people), when the target is reached, and the lever that helps most. Values
resting on sample rows carry ◇; the details link to the sections that hold them.
"""

from __future__ import annotations

from collections.abc import Callable

from analysis.core.messages import fmt_int, fmt_num, fmt_pct, fmt_period, t
from analysis.model.status import Status, months_text, reason_text
from analysis.pages.markup import Html, esc, mark, section

# the sections the block's details link to: (id, title key)
DETAILS = (("headline", "headline.title"), ("targets", "targets.title"), ("pace", "pace.title"), ("forecast", "forecast.title"),
           ("scenarios", "scenarios.title"))


def _line(label: str, value: str) -> str:
    return f"<dt>{esc(label)}</dt><dd>{value}</dd>"


def _now(s: Status, lang: str) -> str:
    h = s.headline
    if h["value"] is None:
        text = esc(t("status.now.none", lang))
    else:
        value = f'<strong class="status-value">{esc(fmt_pct(h["value"], lang))}{mark(h["sintetis"])}</strong>'
        kind = t("status.now.sample" if h["sintetis"] else "status.now.official", lang)
        text = (esc(t("status.now.value", lang, value="\0", year=h["year"], months=months_text(h, lang))).replace("\0", value)
                + f' <span class="muted">({esc(kind)})</span>')
    if h["value"] is not None and h["value"] > 1:  # shown, never clipped, and explained
        text += f' {esc(t("headline.over100", lang))}'
    as_of = h["data_as_of"]
    if as_of:
        later = h["year"] is not None and int(as_of[:4]) > h["year"]
        key = "status.as_of.later" if later else "status.as_of"
        text += f" {esc(t(key, lang, period=fmt_period(as_of, lang), year=h['year']))}"
    return _line(t("status.now", lang), text)


def _milestone(s: Status, lang: str) -> str:
    m = s.milestone
    if m["gap_points"] is None:
        gap = t("status.milestone.none", lang)
    else:
        points = fmt_num(abs(m["gap_points"]), lang, 2) + mark(m["sintetis"])
        gap = t("status.milestone.above" if m["above"] else "status.milestone.below", lang, points=points)
    text = t("status.milestone.value", lang, label=m["label"], target=fmt_pct(m["target"], lang, 2), year=m["year"], gap=gap)
    return _line(t("status.milestone", lang), esc(text))


def _on_track(s: Status, lang: str) -> str:
    o, target = s.on_track, s.target
    label = t("status.on_track", lang, target=target["label"], value=fmt_pct(target["percent"] / 100, lang, 2), year=target["year"])
    word = t(f"status.on_track.{o['value']}", lang)
    verdict = f'<strong class="status-verdict status-{esc(o["value"])}">{esc(word)}</strong>'
    reason = reason_text(s, lang) + mark(o["sintetis"])
    return _line(label, f"{verdict}. {esc(reason)}")


def _reached(s: Status, lang: str, prob: Callable[[float], str]) -> str:
    r = s.reached_year
    m = mark(r["sintetis"])
    if r["already_reached"]:
        text = t("status.reached.already", lang, year=f"{r['median']}{m}")
    elif not r["forecast"]:
        text = t("status.reached.none", lang)
    else:
        lo, hi = r["low"], r["high"]
        rng = (t("targets.range.after", lang, horizon=r["horizon"]) if lo is None else
               t("targets.range.open", lang, lo=lo, horizon=r["horizon"]) if hi is None else t("targets.range", lang, lo=lo, hi=hi))
        values = {"range": rng + m, "deadline": r["target_year"], "prob": prob(r["p_by_deadline"]) + m}
        text = (t("status.reached.year", lang, year=f"{r['median']}{m}", **values) if r["median"] is not None
                else t("status.reached.not_by", lang, horizon=r["horizon"], **values))
    return _line(t("status.reached", lang, target=s.target["label"]), esc(text))


def _lever(s: Status, lang: str) -> str:
    b = s.best_lever
    if b["lever"] is None:
        return _line(t("status.lever", lang), esc(t("status.lever.none", lang)))
    people = fmt_int(b["people_by_2029"], lang) + mark(b["sintetis"])
    names = [t(f"lever.{key}", lang) for key in b["tied"]]
    text = (t("status.lever.value", lang, lever=names[0], people=people, year=b["year"]) if len(names) == 1
            else t("status.lever.tied", lang, levers=" = ".join(names), people=people, year=b["year"]))
    if b["illustrative"]:
        text += " " + t("status.lever.illustrative", lang)
    return _line(t("status.lever", lang), esc(text))


def status_block(s: Status, lang: str, region: str, prob: Callable[[float], str], details: tuple[tuple[str, str], ...] = DETAILS) -> Html:
    """The ``status`` section: five lines, how on-track is judged, the national reference and links to the details."""
    lines = _now(s, lang) + _milestone(s, lang) + _on_track(s, lang) + _reached(s, lang, prob) + _lever(s, lang)
    notes = [t("status.on_track.how", lang)]
    if s.national_reference:
        notes.append(t("status.reference", lang, region=region))
    links = ", ".join(f'<a href="#{slug}">{esc(t(key, lang))}</a>' for slug, key in details)
    more = esc(t("status.more", lang, links="\0")).replace("\0", links)
    body = (f'<dl class="status">{lines}</dl><p class="muted">{esc(" ".join(notes))} '
            f'<a href="#ucj">{esc(t("ucj.see", lang))}</a> {more}</p>')
    return section("status.title", lang, body)
