"""Coverage metrics: pure functions over the validated panel.

Coverage = chosen participant segments / chosen denominator, per region and year, with the
definition (segments, denominator measure, periods, sources) carried next to every value.

One series, one reference month: each region's participant series and workforce series use the
month that most of their years report (participants: December; employed: the BPS August round).
A year's figure is the one of that month (a bare year ``YYYY`` is the annual figure and counts as
the reference month). A figure of another month (Jawa Barat's August 2024 regional-office count,
the national February 2025 Databoks figure) is not joined to the series: :func:`off_series`
returns it, and reports show it beside the series. Numerator and denominator carry their own
provenance (``sintetis_peserta``, ``sintetis_pekerja``); ``sintetis`` is set when either is sample.

Also here: year-on-year change, CAGR, the decomposition of a coverage change into participant
and workforce parts, gaps and the pace needed to reach a target against the recent pace, and
aggregation up the region tree with a reconciliation against a parent's own published totals.
Changes over time use ``cakupan_tren`` (one denominator) so a change of definition is not growth.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis.data.contract import SEGMENTS, TOTAL, Dataset
from analysis.data.regions import RegionTree

COVERAGE_COLUMNS = [
    "kode", "tahun", "periode_peserta", *SEGMENTS, TOTAL, "peserta", "periode_pekerja", "penduduk_bekerja",
    "pekerja_berhak", "penyebut", "ukuran_penyebut", "cakupan", "cakupan_tren", "sintetis", "sumber",
    "sintetis_peserta", "sintetis_pekerja", "sumber_peserta", "sumber_pekerja",
]


def reference_months(df: pd.DataFrame) -> pd.Series:
    """Per region, the month its series is read at: the month reported in the most years (ties: the later).

    A bare year is the annual figure and does not vote; a region with bare years only gets month 12.
    """
    dated = df[df["periode"].str.len() > 4]
    if dated.empty:
        return pd.Series(dtype="int64", name="bulan")
    votes = dated.groupby(["kode", "bulan"])["tahun"].nunique().rename("n").reset_index()
    votes = votes.sort_values(["kode", "n", "bulan"])
    return votes.groupby("kode")["bulan"].last()


def _in_series(df: pd.DataFrame) -> pd.Series:
    """Rows at their region's reference month (or bare years): the points a series is made of."""
    months = df["kode"].map(reference_months(df)).fillna(12)
    return (df["periode"].str.len() == 4) | (df["bulan"] == months)


def _series_rows(df: pd.DataFrame) -> pd.DataFrame:
    """One period per (kode, tahun) among the series rows: the latest (a bare year and its month are one figure)."""
    df = df[_in_series(df)]
    return df[df["bulan"] == df.groupby(["kode", "tahun"])["bulan"].transform("max")]


def _join_sources(values: pd.Series) -> str:
    return " + ".join(sorted({part for v in values for part in str(v).split(" + ")}))


def annual_participants(participants: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """One row per (kode, tahun): the reference month's counts by segment (and TOTAL where given)."""
    df = _series_rows(participants[participants["kode"].isin(codes)])
    wide = df.pivot_table(index=["kode", "tahun"], columns="segmen", values="peserta_aktif", aggfunc="sum")
    wide = wide.reindex(columns=[*SEGMENTS, TOTAL]).astype("float64")
    grouped = df.groupby(["kode", "tahun"])
    wide["periode_peserta"] = grouped["periode"].first()
    wide["sintetis_peserta"] = grouped["sintetis"].any()
    wide["sumber_peserta"] = grouped["sumber"].agg(_join_sources)
    return wide.reset_index()


def annual_workforce(workforce: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    df = _series_rows(workforce[workforce["kode"].isin(codes)])
    out = df[["kode", "tahun", "periode", "penduduk_bekerja", "pekerja_berhak", "sintetis", "sumber"]].astype(
        {"penduduk_bekerja": "float64", "pekerja_berhak": "float64"}
    )
    return out.rename(columns={"periode": "periode_pekerja", "sintetis": "sintetis_pekerja", "sumber": "sumber_pekerja"})


def numerator(wide: pd.DataFrame, segments: list[str]) -> pd.Series:
    """Participants in the chosen segments; a TOTAL row stands for all segments together."""
    split_sum = wide[list(segments)].sum(axis=1, min_count=1)
    if set(segments) == set(SEGMENTS):
        return wide[TOTAL].fillna(split_sum)
    return split_sum


def _compute_coverage(ds: Dataset, codes: list[str], definition: dict) -> pd.DataFrame:
    """Coverage per (kode, tahun) with its definition and provenance on every row.

    ``definition`` is the ``coverage`` section of the parameters: segments, denominator
    (preference list, first present per year wins) and trend_denominator (one measure for trends).
    """
    parts = annual_participants(ds.participants, codes)
    work = annual_workforce(ds.workforce, codes)
    df = parts.merge(work, on=["kode", "tahun"], how="outer").sort_values(["kode", "tahun"], ignore_index=True)
    df["peserta"] = numerator(df, definition["segments"])
    df["penyebut"] = np.nan
    df["ukuran_penyebut"] = None
    for measure in reversed(definition["denominator"]):
        present = df[measure].notna()
        df.loc[present, "penyebut"] = df.loc[present, measure]
        df.loc[present, "ukuran_penyebut"] = measure
    df["cakupan"] = df["peserta"] / df["penyebut"]
    df["cakupan_tren"] = df["peserta"] / df[definition["trend_denominator"]]
    for part in ("sintetis_peserta", "sintetis_pekerja"):
        df[part] = df[part].astype("boolean").fillna(False).astype(bool)
    df["sintetis"] = df["sintetis_peserta"] | df["sintetis_pekerja"]
    df["sumber"] = [
        _join_sources([s for s in (a, b) if isinstance(s, str)]) for a, b in zip(df["sumber_peserta"], df["sumber_pekerja"])
    ]
    return df[COVERAGE_COLUMNS]


def _memo(ds: Dataset, name: str, definition: dict, make):  # noqa: ANN001, ANN202 - any table maker
    """``make()`` once per dataset and definition (the panel never changes once loaded)."""
    key = (name, json.dumps(definition, sort_keys=True, default=str))
    if key not in ds.derived:
        ds.derived[key] = make()
    return ds.derived[key]


def coverage_table(ds: Dataset, codes: list[str], definition: dict) -> pd.DataFrame:
    """Coverage per (kode, tahun) of ``codes``, sorted by code and year: see :func:`_compute_coverage`.

    Every report reads a few regions' rows; they are cut from one table of all reporting regions,
    computed once per dataset (each region's rows depend on that region's rows only).
    """
    table, rows = _memo(ds, "coverage", definition, lambda: _all_coverage(ds, definition))
    wanted = sorted({c for c in codes if c in rows})
    if not wanted:  # no rows: computed, for the column types an empty computation gives
        return _compute_coverage(ds, list(codes), definition)
    return table.iloc[np.concatenate([rows[c] for c in wanted])].reset_index(drop=True)


def _all_coverage(ds: Dataset, definition: dict) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    table = _compute_coverage(ds, sorted(ds.reporting), definition)
    return table, {code: np.asarray(pos) for code, pos in table.groupby("kode", sort=False).indices.items()}


def latest_complete(table: pd.DataFrame, column: str = "cakupan") -> pd.Series | None:
    """The most recent row with a value in ``column`` (None when there is none)."""
    rows = table.dropna(subset=[column])
    return None if rows.empty else rows.iloc[-1]


def headline_row(table: pd.DataFrame, column: str = "cakupan") -> pd.Series | None:
    """The headline: the latest year whose numerator and denominator are both official.

    A sample year is the headline only where no official year exists (the row then has
    ``sintetis`` set, and pages mark it). A later sample year never hides an earlier official one.
    """
    rows = table.dropna(subset=[column])
    official = rows[~rows["sintetis"].astype(bool)]
    return latest_complete(official if not official.empty else rows, column)


def months_differ(row: pd.Series) -> bool:
    """True when the numerator and denominator of a row are read in different months (Dec vs Aug)."""
    a, b = row.get("periode_peserta"), row.get("periode_pekerja")
    return isinstance(a, str) and isinstance(b, str) and len(a) > 4 and len(b) > 4 and a[5:7] != b[5:7]


OFF_SERIES_COLUMNS = ["periode", "tahun", "peserta", "sumber", "sintetis", "penyebut", "ukuran_penyebut", "cakupan",
                      "cakupan_tren", "sintetis_pekerja", "presisi", "bagian"]


def rounding_unit(parts: "pd.Series | list[float]") -> int:
    """How precise a sum of published figures is: the coarsest rounding of its parts (the largest power
    of ten each divides by), at most two significant digits of the sum. 5,000,000 ("5 juta") +
    923,000 gives 100,000: pages show such a sum as its parts, never as a precise 5,923,000."""
    values = [int(round(float(v))) for v in parts if pd.notna(v)]
    if not values:
        return 1
    units = []
    for value in values:
        unit = 1
        while value and value % (unit * 10) == 0 and unit < 10**9:
            unit *= 10
        units.append(unit)
    digits = len(str(abs(sum(values))))
    return max(1, min(max(units), 10 ** max(digits - 2, 0)))


def off_series(ds: Dataset, code: str, definition: dict) -> pd.DataFrame:
    """Participant figures of ``code`` in years its series has no figure for (another month), each over its year's workforce.

    They are shown beside the series (and compared with published figures of the same month), never
    joined to it: a different month, and often a different source or definition. Computed for every
    region at once, once per dataset (as :func:`coverage_table`).
    """
    found = _memo(ds, "off_series", definition, lambda: _all_off_series(ds, definition)).get(code)
    return pd.DataFrame(columns=OFF_SERIES_COLUMNS) if found is None else found.copy()


def _summed_parts(row: pd.Series, segments: list[str]) -> tuple[int, ...]:
    """The published figures :func:`numerator` adds for one row (a TOTAL alone where it stands for all)."""
    if set(segments) == set(SEGMENTS) and pd.notna(row[TOTAL]):
        return (int(row[TOTAL]),)
    return tuple(int(row[s]) for s in segments if pd.notna(row[s]))


def _all_off_series(ds: Dataset, definition: dict) -> dict[str, pd.DataFrame]:
    df = ds.participants
    inside = _in_series(df)
    # Only years the series has no figure for (other months of a year the series covers add nothing
    # to it), and of those the latest figure of the year.
    covered = pd.MultiIndex.from_frame(df.loc[inside, ["kode", "tahun"]])
    rows = df[~inside & ~pd.MultiIndex.from_frame(df[["kode", "tahun"]]).isin(covered)]
    rows = rows[rows["bulan"] == rows.groupby(["kode", "tahun"])["bulan"].transform("max")]
    if rows.empty:
        return {}
    wide = rows.pivot_table(index=["kode", "periode", "tahun"], columns="segmen", values="peserta_aktif", aggfunc="sum")
    wide = wide.reindex(columns=[*SEGMENTS, TOTAL]).astype("float64")
    grouped = rows.groupby(["kode", "periode", "tahun"])
    found = pd.DataFrame({"peserta": numerator(wide, definition["segments"]), "sumber": grouped["sumber"].agg(_join_sources),
                          "sintetis": grouped["sintetis"].any(),
                          "bagian": wide.apply(lambda row: _summed_parts(row, definition["segments"]), axis=1)}).reset_index()
    found["presisi"] = found["bagian"].map(rounding_unit)
    found = found.dropna(subset=["peserta"])
    work = annual_workforce(ds.workforce, sorted(set(found["kode"])))
    found = found.merge(work, on=["kode", "tahun"], how="left", indicator="_pekerja")
    chosen = pd.Series(np.nan, index=found.index)
    measure = pd.Series(None, index=found.index, dtype=object)
    for name in reversed(definition["denominator"]):  # the first measure present wins
        present = found[name].notna()
        chosen[present], measure[present] = found.loc[present, name].astype(float), name
    found["penyebut"], found["ukuran_penyebut"] = chosen, measure
    found["sintetis_pekerja"] = (found["_pekerja"] == "both") & found["sintetis_pekerja"].astype("boolean").fillna(False).astype(bool)
    found["cakupan"] = found["peserta"] / found["penyebut"]
    found["cakupan_tren"] = found["peserta"] / found[definition["trend_denominator"]].astype(float)
    found = found[["kode", "periode", "tahun", "peserta", "sumber", "sintetis", "penyebut", "ukuran_penyebut", "sintetis_pekerja",
                   "cakupan", "cakupan_tren", "presisi", "bagian"]]
    out = {}
    for code, rows in found.groupby("kode", sort=False).indices.items():
        part = found.iloc[rows].drop(columns="kode").reset_index(drop=True)
        part["ukuran_penyebut"] = part["ukuran_penyebut"].tolist()  # the type a region's own names give (text, or none at all)
        out[code] = part
    return out


def gap_to_target(participants: float, denominator: float, target_share: float) -> dict[str, float]:
    """People still to enrol at today's workforce, and the gap in percentage points."""
    coverage = participants / denominator
    return {
        "people": float(max(0.0, target_share * denominator - participants)),
        "points": float((target_share - coverage) * 100),
        "reached": bool(coverage >= target_share),
    }


def segment_shares(row: pd.Series) -> dict[str, float]:
    """Share of each segment among the participants with a known segment (formal = PU, informal = BPU)."""
    known = {s: row[s] for s in SEGMENTS if pd.notna(row[s])}
    total = sum(known.values())
    return {s: v / total for s, v in known.items()} if total else {}


# --- change over time -----------------------------------------------------------------------------

def year_on_year(table: pd.DataFrame) -> pd.DataFrame:
    """Change from the year before in participants (people) and trend coverage (percentage points).

    Only consecutive years are compared (a missing year gives no change rather than a two-year
    jump read as one), and coverage changes use ``cakupan_tren`` so the denominator never changes.
    """
    rows = table.dropna(subset=["peserta"]).set_index("tahun").sort_index()
    previous = rows.reindex(rows.index - 1)
    return pd.DataFrame({
        "tahun": rows.index,
        "perubahan_peserta": rows["peserta"].to_numpy() - previous["peserta"].to_numpy(),
        "perubahan_poin": (rows["cakupan_tren"].to_numpy() - previous["cakupan_tren"].to_numpy()) * 100,
    })


def cagr(series: pd.Series, start: int | None = None, end: int | None = None) -> float:
    """Compound annual growth rate of a yearly series between two of its years (first/last by default).

    NaN when a value is missing or not positive, or the window is empty: a rate from zero is undefined.
    """
    values = series.dropna()
    if values.empty:
        return float("nan")
    start = int(values.index.min()) if start is None else start
    end = int(values.index.max()) if end is None else end
    if end <= start or start not in values.index or end not in values.index:
        return float("nan")
    first, last = float(values.loc[start]), float(values.loc[end])
    if first <= 0 or last < 0:
        return float("nan")
    return (last / first) ** (1.0 / (end - start)) - 1.0


def decompose_change(p0: float, w0: float, p1: float, w1: float) -> dict[str, float]:
    """Split a coverage change (in percentage points) into a participant part and a workforce part.

    Coverage is P x (1/W). The midpoint (Shapley) decomposition values each factor's change at the
    average of the other factor:

        participants = (P1 - P0) x (1/W0 + 1/W1) / 2
        workforce    = (1/W1 - 1/W0) x (P0 + P1) / 2

    The two parts sum exactly to P1/W1 - P0/W0, need no logarithm (so they stay defined when a
    region starts from zero participants), and do not depend on which factor is taken first. A
    growing workforce gives a negative workforce part: more workers to cover at the same enrolment.
    """
    participants = (p1 - p0) * (1.0 / w0 + 1.0 / w1) / 2.0 * 100
    workforce = (1.0 / w1 - 1.0 / w0) * (p0 + p1) / 2.0 * 100
    return {"total": (p1 / w1 - p0 / w0) * 100, "participants": participants, "workforce": workforce}


# --- pace -----------------------------------------------------------------------------------------

def recent_pace(table: pd.DataFrame, measure: str, window: int, end_year: int | None = None) -> dict | None:
    """Average yearly change over the last ``window`` years of the trend series (one denominator).

    The window ends at the latest year with participants and ``measure`` (at most ``end_year``)
    and starts at the earliest such year within ``window`` years before it, so one missing year
    shortens the window instead of voiding it. ``None`` when no earlier year is in reach.
    """
    rows = table.dropna(subset=["peserta", measure]).set_index("tahun").sort_index()
    rows = rows[rows[measure] > 0]
    if end_year is not None:
        rows = rows[rows.index <= end_year]
    if rows.empty:
        return None
    end = int(rows.index.max())
    earlier = rows.index[(rows.index >= end - window) & (rows.index < end)]
    if earlier.empty:
        return None
    start = int(earlier.min())
    span = end - start
    p0, p1 = float(rows.at[start, "peserta"]), float(rows.at[end, "peserta"])
    w0, w1 = float(rows.at[start, measure]), float(rows.at[end, measure])
    return {
        "start": start, "end": end, "years": span,
        "participants": p1, "workforce": w1, "coverage": p1 / w1,
        "people_per_year": (p1 - p0) / span,
        "points_per_year": (p1 / w1 - p0 / w0) * 100 / span,
        "workforce_growth": cagr(pd.Series([w0, w1], index=[start, end])),
        "change": decompose_change(p0, w0, p1, w1),
    }


def required_pace(participants: float, workforce: float, target_share: float, from_year: int, to_year: int,
                  workforce_growth: float = 0.0) -> dict:
    """People and percentage points per year needed to reach ``target_share`` by ``to_year``.

    People per year count the workforce growing at ``workforce_growth`` a year (0: today's
    workforce, as in :func:`gap_to_target`), because a target share of a bigger workforce needs
    more people; points per year do not depend on it. A passed deadline gives NaN rates.
    """
    years = to_year - from_year
    coverage = participants / workforce
    reached = bool(coverage >= target_share)
    if years <= 0:
        return {"years": years, "people_per_year": float("nan"), "points_per_year": float("nan"),
                "reached": reached, "deadline_passed": True}
    needed = target_share * workforce * (1.0 + workforce_growth) ** years
    return {
        "years": years,
        "people_per_year": max(0.0, needed - participants) / years,
        "points_per_year": max(0.0, (target_share - coverage) * 100) / years,
        "reached": reached,
        "deadline_passed": False,
    }


def pace_ratio(required: float, recent: float) -> float:
    """How many times the recent pace the target needs ("needs 3.4x the pace").

    0 when nothing more is needed, infinite when more is needed but the recent pace is zero or
    negative (at that pace the target is never reached), NaN when either side is unknown.
    """
    if math.isnan(required) or math.isnan(recent):
        return float("nan")
    if required <= 0:
        return 0.0
    return required / recent if recent > 0 else math.inf


# --- aggregation up the region tree ---------------------------------------------------------------

WORKFORCE_MEASURES = ("penduduk_bekerja", "pekerja_berhak")
MATCH = "match"
DIFFERS = "differs"
INCOMPLETE = "incomplete"
SAMPLE = "sample"  # a side rests on sample rows: the sample panel adds up by construction, so nothing is checked


def subregions(regions: RegionTree, parent: str, level: str | None = None) -> list[str]:
    """The regions summed for ``parent``: its children, or all its descendants at ``level``.

    Either way they are one level of the tree, so every worker is in exactly one of them.
    """
    if level is None:
        return regions.children(parent)
    return [c for c in regions.codes(level, within=parent) if c != parent]


def _month_key(periods: pd.Series) -> pd.Series:
    """'2018' and '2018-12' are the same moment: a bare year is that year's final figure."""
    return periods.where(periods.str.len() > 4, periods + "-12")


def _sum_over(long: pd.DataFrame, codes: list[str], item: str, value: str) -> pd.DataFrame:
    """Per (month, item): sum over ``codes``, how many of them report it, provenance.

    ``anak_total`` counts the subregions expected in that year: all of them, except those whose
    figures only start in a later year (a province created later, counted inside its parent area
    until then). A subregion with no figure at all is expected, so it makes the sum incomplete.
    """
    rows = long[long["kode"].isin(codes)].dropna(subset=[value])
    rows = rows.assign(periode=_month_key(rows["periode"]))
    grouped = rows.groupby(["periode", item])
    out = grouped.agg(jumlah=(value, "sum"), anak_ada=("kode", "nunique"), sintetis=("sintetis", "any"))
    out["sumber"] = grouped["sumber"].agg(_join_sources)
    first_year = rows.groupby("kode")["periode"].min().str[:4].to_numpy()
    years = out.index.get_level_values("periode").str[:4].to_numpy()
    out["anak_total"] = len(codes) - (first_year[None, :] > years[:, None]).sum(axis=1)
    return out


def _workforce_long(workforce: pd.DataFrame) -> pd.DataFrame:
    long = workforce.melt(id_vars=["kode", "periode", "sumber", "sintetis"], value_vars=list(WORKFORCE_MEASURES),
                          var_name="ukuran", value_name="nilai")
    return long.dropna(subset=["nilai"])


def _with_time(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(tahun=df["periode"].str[:4].astype("int64"), bulan=df["periode"].str[5:7].astype("int64"))


def aggregate_panel(ds: Dataset, parent: str, level: str | None = None) -> Dataset:
    """A dataset holding ``parent`` built only from the sum of its subregions.

    A figure (period x segment, period x workforce measure) is summed only when every subregion
    reports it: a partial sum is never passed off as the parent's total, and nothing is imputed.
    The parent's own published rows and rows of other levels are never added in, so no worker is
    counted twice; :func:`reconcile` compares the two instead.
    """
    codes = subregions(ds.regions, parent, level)
    parts = _sum_over(ds.participants, codes, "segmen", "peserta_aktif").reset_index()
    parts = parts[parts["anak_ada"] == parts["anak_total"]]
    participants = _with_time(parts.rename(columns={"jumlah": "peserta_aktif"}).assign(kode=parent))
    work = _sum_over(_workforce_long(ds.workforce), codes, "ukuran", "nilai").reset_index()
    work = work[work["anak_ada"] == work["anak_total"]]
    wide = work.pivot(index="periode", columns="ukuran", values="jumlah").reindex(columns=list(WORKFORCE_MEASURES))
    grouped = work.groupby("periode")
    wide["sintetis"] = grouped["sintetis"].any()
    wide["sumber"] = grouped["sumber"].agg(_join_sources)
    workforce = _with_time(wide.reset_index().assign(kode=parent))
    columns = ["kode", "periode", "tahun", "bulan", "sintetis", "sumber"]
    return replace(
        ds,
        participants=participants[[*columns, "segmen", "peserta_aktif"]],
        workforce=workforce[[*columns, *WORKFORCE_MEASURES]],
    )


def aggregate_coverage(ds: Dataset, parent: str, definition: dict, level: str | None = None) -> pd.DataFrame:
    """:func:`coverage_table` of ``parent`` computed from the sum of its subregions."""
    return coverage_table(aggregate_panel(ds, parent, level), [parent], definition)


def _numerators(participants: pd.DataFrame, segments: list[str]) -> pd.DataFrame:
    """Long (kode, periode, 'peserta', value): the chosen-segment count of every region and month."""
    df = participants.assign(periode=_month_key(participants["periode"]))
    wide = df.pivot_table(index=["kode", "periode"], columns="segmen", values="peserta_aktif", aggfunc="sum")
    wide = wide.reindex(columns=[*SEGMENTS, TOTAL]).astype("float64")
    grouped = df.groupby(["kode", "periode"])
    out = pd.DataFrame({"nilai": numerator(wide, segments), "sintetis": grouped["sintetis"].any(),
                        "sumber": grouped["sumber"].agg(_join_sources)}).reset_index()
    return out.assign(ukuran="peserta").dropna(subset=["nilai"])


def reconcile(ds: Dataset, parent: str, definition: dict, level: str | None = None) -> pd.DataFrame:
    """The parent's own published figures against the sum of its subregions, month by month.

    One row per figure the parent publishes itself (the chosen-segment participants as ``peserta``,
    each segment, each workforce measure). ``status`` is ``match`` (equal to the person),
    ``differs`` (``selisih`` = parent minus sum, also as a share of the parent), ``incomplete``
    (not every subregion reports that month: the partial sum is shown, no difference is computed)
    or ``sample`` (the parent's figure or a child's rests on sample rows: the sample panel is built
    to add up, so a match would prove nothing and no difference is computed).
    """
    codes = subregions(ds.regions, parent, level)
    segments = list(definition["segments"])
    participants = ds.participants[ds.participants["kode"].isin([parent, *codes])]
    parts = participants.rename(columns={"segmen": "ukuran", "peserta_aktif": "nilai"})
    long = pd.concat([_numerators(participants, segments), parts[["kode", "periode", "ukuran", "nilai", "sintetis", "sumber"]],
                      _workforce_long(ds.workforce[ds.workforce["kode"].isin([parent, *codes])])], ignore_index=True)
    own = long[long["kode"] == parent].assign(periode=lambda d: _month_key(d["periode"]))
    own = own.set_index(["periode", "ukuran"])[["nilai", "sintetis"]].rename(columns={"nilai": "nilai_induk", "sintetis": "sintetis_induk"})
    own["nilai_induk"] = own["nilai_induk"].astype("float64")
    sums = _sum_over(long, codes, "ukuran", "nilai").rename(columns={"sintetis": "sintetis_anak"})
    out = own.join(sums[["jumlah", "anak_ada", "anak_total", "sintetis_anak"]], how="left").reset_index()
    out["anak_ada"] = out["anak_ada"].fillna(0).astype(int)
    out["anak_total"] = out["anak_total"].fillna(len(codes)).astype(int)
    out["jumlah"] = out["jumlah"].astype("float64")
    out["sintetis"] = out["sintetis_induk"].astype("boolean").fillna(False).astype(bool) | out["sintetis_anak"].astype("boolean").fillna(False).astype(bool)
    complete = out["anak_ada"] == out["anak_total"]
    checked = complete & ~out["sintetis"]
    out["selisih"] = (out["nilai_induk"] - out["jumlah"]).where(checked)
    out["selisih_relatif"] = out["selisih"] / out["nilai_induk"]
    out["status"] = np.select([~complete, out["sintetis"], out["selisih"].abs() < 0.5], [INCOMPLETE, SAMPLE, MATCH], DIFFERS)
    order = {m: i for i, m in enumerate(["peserta", *SEGMENTS, TOTAL, *WORKFORCE_MEASURES])}
    out = out[out["anak_total"] > 0].sort_values(["periode", "ukuran"], key=lambda s: s.map(order) if s.name == "ukuran" else s)
    return out.reset_index(drop=True)
