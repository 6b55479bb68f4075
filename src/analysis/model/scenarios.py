"""Strategy scenarios: what extra enrolment through named programmes would change.

Levers are named after BPJS Ketenagakerjaan's outreach programmes: ``desa`` (village
programmes), ``pasar`` (traditional markets), ``ukm`` (small businesses), ``ecommerce`` (platform
and online sellers, drivers) and ``pekerja_rentan`` (vulnerable workers whose contributions are
paid by local budgets, CSR or zakat). Their sizes come from the parameters; the defaults are
illustrative assumptions, not official plans.

How a scenario is computed, per simulated path of the baseline forecast and per year:

- baseline participants are the forecast coverage times the projected workforce;
- the informal pool still uncovered is ``informal share x workforce - BPU share x participants``
  (BPU = the informal segment): informal workers minus informal participants. Below 100% it is
  never more than the uncovered workforce as a whole. Above 100% (DKI Jakarta: participants are
  counted where the employer registers them, workers where they live) ``workforce - participants``
  is negative and says nothing about who is uncovered, so only the informal pool counts;
- workers enrolled by levers in earlier years stay with probability ``retention`` and take their
  place in that pool first, so nobody is enrolled twice;
- levers then act one after another in the fixed order of ``LEVERS`` on what is left: a ``share``
  lever reaches that share of the remaining pool, a ``people`` lever adds its number (never more
  than the pool). Shares therefore combine as ``1 - (1 - a)(1 - b)``, not ``a + b``;
- each lever phases in linearly over ``ramp_years`` from ``start_year``.

The scenario coverage is the baseline plus the lever stock over the workforce. Its bands are the
baseline's bands with the same rule applied along each band edge, and its target years and
probabilities come from the adjusted simulated paths, exactly as for the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from analysis.model import forecast as fc

LEVERS = ("desa", "pasar", "ukm", "ecommerce", "pekerja_rentan")
UNITS = ("share", "people")
BASES = ("illustrative", "sourced")


@dataclass(frozen=True)
class Lever:
    """One programme's extra enrolment: ``per_year`` is a percentage of the remaining uncovered
    informal pool (unit ``share``) or a number of workers (unit ``people``) at full strength."""

    id: str
    unit: str
    per_year: float
    start_year: int
    ramp_years: int
    basis: str = "illustrative"
    source: str | None = None

    def strength(self, years: np.ndarray) -> np.ndarray:
        """0 before ``start_year``, rising linearly to 1 over ``ramp_years``."""
        return np.clip((np.asarray(years) - self.start_year + 1) / self.ramp_years, 0.0, 1.0)


def levers_from_params(section: dict) -> dict[str, Lever]:
    return {key: Lever(key, **value) for key, value in section["levers"].items()}


def informal_share(section: dict, code: str, ancestors: list[str]) -> float:
    """Share of workers in informal work for ``code``: its own value, else its nearest ancestor's, else the default."""
    regions = section["informal_share"].get("regions") or {}
    for candidate in (code, *ancestors):
        if candidate in regions:
            return regions[candidate] / 100
    return section["informal_share"]["default"] / 100


@dataclass(frozen=True)
class Setting:
    """What the levers act on: the projected workforce and who is informal and covered."""

    years: np.ndarray
    workforce: np.ndarray  # projected trend denominator per year
    informal_share: float  # informal workers / all workers
    bpu_share: float  # BPU participants / all participants (0 when unknown: the largest pool)
    retention: float  # share of lever enrolments still active a year later


def lever_stock(coverage: np.ndarray, setting: Setting, levers: list[Lever]) -> np.ndarray:
    """Workers enrolled by the levers and still active, per path (rows) and year (columns)."""
    coverage = np.atleast_2d(coverage)
    participants = coverage * setting.workforce
    informal = setting.informal_share * setting.workforce - setting.bpu_share * participants
    uncovered = np.where(participants < setting.workforce, setting.workforce - participants, np.inf)
    pool = np.minimum(informal, uncovered).clip(min=0.0)
    ordered = sorted(levers, key=lambda lever: LEVERS.index(lever.id))
    strengths = {lever.id: lever.strength(setting.years) for lever in ordered}
    stock = np.zeros(coverage.shape[0])
    out = np.empty_like(coverage, dtype=float)
    for j in range(len(setting.years)):
        kept = np.minimum(setting.retention * stock, pool[:, j])
        room = pool[:, j] - kept
        for lever in ordered:
            s = strengths[lever.id][j]
            added = room * (lever.per_year / 100 * s) if lever.unit == "share" else np.minimum(room, lever.per_year * s)
            room = room - added
        stock = pool[:, j] - room
        out[:, j] = stock
    return out


@dataclass(frozen=True, eq=False)
class ScenarioForecast(fc.ForecastResult):
    """A baseline forecast with lever enrolments added; ``paths()`` returns the adjusted paths.

    The paths are drawn again when asked for (from the baseline's fixed seed, so always the same)
    rather than kept: a worker keeps the facts of its last regions, and four scenarios' paths
    made 2 MB of each region's.
    """

    stock: np.ndarray = field(default_factory=lambda: np.array([]))  # lever enrolments along the median
    base: fc.ForecastResult | None = field(default=None, repr=False)
    setting: Setting | None = field(default=None, repr=False)
    levers: tuple[Lever, ...] = field(default=(), repr=False)

    def paths(self, n: int | None = None) -> np.ndarray:
        if self.base is None or self.setting is None:  # not made by apply: no levers to add
            return super().paths(n)
        paths = self.base.paths(n)
        return paths + lever_stock(paths, self.setting, list(self.levers)) / self.setting.workforce


def apply(base: fc.ForecastResult, setting: Setting, levers: list[Lever]) -> ScenarioForecast:
    """The baseline forecast with the levers' enrolments added (see the module notes)."""
    curves = np.vstack([base.median, base.lo80, base.hi80, base.lo95, base.hi95])
    adjusted = curves + lever_stock(curves, setting, levers) / setting.workforce
    values = {f.name: getattr(base, f.name) for f in fields(base)}
    values.update(median=adjusted[0], lo80=adjusted[1], hi80=adjusted[2], lo95=adjusted[3], hi95=adjusted[4],
                  stock=lever_stock(base.median, setting, levers)[0], base=base, setting=setting, levers=tuple(levers))
    return ScenarioForecast(**values)


def target_shift(baseline: fc.TargetYear, scenario: fc.TargetYear) -> int | None:
    """Years earlier the scenario's median path reaches the target (None when either never does)."""
    if baseline.year is None or scenario.year is None:
        return None
    return baseline.year - scenario.year
