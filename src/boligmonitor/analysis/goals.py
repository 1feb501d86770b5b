"""Goal attainment: ambition levels as data and a traffic-light status with a written reason.

Rules (also in `docs/methods/trends-and-goals.md`), applied to the value observed in the assessed year:

1. **grey**: no value for the assessed year, or the target cannot be set (a relative goal whose baseline
   year is unset, missing, or 0).
2. **green**: the goal is reached — the value is on the good side of the target value *or exactly on it*
   (equal within a relative 1e-9, so that float rounding of a computed target does not decide).
3. **red**: not reached and the recent direction is away from the goal.
4. **yellow**: not reached, not moving away, and either the recent direction is towards the goal or the
   value has come at least half-way from the baseline to the target (progress ≥ 0.5, boundary included).
5. **red**: everything else not reached — less than half-way and not moving towards the goal
   (flat or unknown direction).
6. **grey**: not reached and neither the direction nor the progress can be computed.

Definitions:

* target value: ``target`` itself, or for ``relative_change`` the baseline value · (1 + target / 100);
* baseline: the value in ``baseline_year``; when that is not set (``at_least``/``at_most``/``reach``), the
  earliest value of the series — the reason says which year was used;
* progress = (value − baseline) / (target value − baseline);
* recent direction: the sign of the Theil–Sen slope over the (up to) five most recent years with a value up
  to the assessed year, never across a flagged series break; it needs at least two years. It is a
  direction, not a significance test (see :func:`boligmonitor.analysis.trends.recent_trend` for that).

The Eurostat-style CAGR ratio categories of methods.md §8 are not implemented (their thresholds are
unverified there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from boligmonitor.analysis.reasons import Reason, reason
from boligmonitor.analysis.trends import TrendPoint

AmbitionKind = Literal["relative_change", "at_least", "at_most", "reach"]
Polarity = Literal["higher_is_better", "lower_is_better"]
Colour = Literal["green", "yellow", "red", "grey"]

HALF_WAY = 0.5
DIRECTION_POINTS = 5


@dataclass(frozen=True, slots=True)
class Ambition:
    """A quantitative goal.

    ``relative_change``: ``target`` per cent change from the value in ``baseline_year`` (−30 means −30 %);
    ``at_least`` / ``at_most``: the value must be ≥ / ≤ ``target``; ``reach``: an end-point (e.g. 100 % or
    0) to be reached from the side given by ``polarity``. ``target_year`` is informative (the deadline).
    """

    kind: AmbitionKind
    target: float
    baseline_year: int | None
    target_year: int | None
    polarity: Polarity
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if self.kind == "at_least" and self.polarity != "higher_is_better":
            raise ValueError("an at_least ambition needs polarity higher_is_better")
        if self.kind == "at_most" and self.polarity != "lower_is_better":
            raise ValueError("an at_most ambition needs polarity lower_is_better")
        wrong_sign = (self.target < 0) != (self.polarity == "lower_is_better")
        if self.kind == "relative_change" and self.target != 0 and wrong_sign:
            raise ValueError("the sign of a relative_change target must agree with its polarity")


@dataclass(frozen=True, slots=True)
class GoalStatus:
    """Colour and reason for one ambition in one year, with the numbers the reason rests on.

    ``reason`` is the English sentence; ``why`` the same as a key with its parameters, for a page to write in its
    own language (None only for a status made without one).
    """

    colour: Colour
    reason: str
    year: int
    value: float | None
    target_value: float | None
    baseline_year: int | None
    baseline_value: float | None
    progress: float | None
    direction: Literal["towards", "away", "flat"] | None
    why: Reason | None = field(default=None, compare=False)


_SEED = "indicators.md §1 (seed report: Agenda Kaupang on Husbanken's kommuneprogram) [P]"

BOLIG_FOR_VELFERD_PRESET: dict[str, Ambition] = {
    # −30 % from the 2014 level; indicators.md §1, rows BL05 and BL06.
    "BL05": Ambition("relative_change", -30.0, 2014, None, "lower_is_better", "−30 % fra 2014-nivå", _SEED),
    "BL06": Ambition("relative_change", -30.0, 2014, None, "lower_is_better", "−30 % fra 2014", _SEED),
    # +10 %, kommuneprogrammet; the baseline year (the municipality's programme start) is not given in the
    # source, so it must be set per municipality with dataclasses.replace(..., baseline_year=...).
    "KB01": Ambition("relative_change", 10.0, None, None, "higher_is_better", "+10 % (kommuneprogrammet)", _SEED),
    "KB06": Ambition("relative_change", 10.0, None, None, "higher_is_better", "+10 % (kommuneprogrammet)", _SEED),
    # At least 50 %; indicators.md §1, rows BU08, HB03, HB07.
    "BU08": Ambition("at_least", 50.0, None, None, "higher_is_better", "≥ 50 %", _SEED),
    "HB03": Ambition("at_least", 50.0, None, None, "higher_is_better", "≥ 50 %", _SEED),
    "HB07": Ambition("at_least", 50.0, None, None, "higher_is_better", "≥ 50 %", _SEED),
    # Share of programme municipalities (an aggregate, not a per-municipality goal); rows RU01–RU04.
    "RU01": Ambition("at_least", 85.0, None, None, "higher_is_better", "85 % av kommunene", _SEED),
    "RU02": Ambition("at_least", 85.0, None, None, "higher_is_better", "85 % av kommunene", _SEED),
    "RU03": Ambition("reach", 100.0, None, None, "higher_is_better", "100 %", _SEED),
    "RU04": Ambition("reach", 100.0, None, None, "higher_is_better", "100 %", _SEED),
    # Aggregated programme targets (sum over programme municipalities); rows KB11 and RP03.
    "KB11": Ambition("at_least", 120.0, None, None, "higher_is_better", "≥ 120 boliger (aggregert)", _SEED),
    "RP03": Ambition("reach", 500.0, None, 2020, "higher_is_better", "500 boliger innen 2020 (aggregert)", _SEED),
    # Nobody more than three months in temporary accommodation (Resultatmål 2); rows BU02 and BL02.
    "BU02": Ambition("reach", 0.0, None, None, "lower_is_better", "0 husstander med barn > 3 mnd", _SEED),
    "BL02": Ambition("reach", 0.0, None, None, "lower_is_better", "0 (På vei til egen bolig 2005–07)", _SEED),
}
"""Quantitative ambition levels in `shared/docs/indicators.md` §1. Left out on purpose: NF01 (55 % / 50 %,
two levels whose groups the source does not define), HB01/HB02 (relative to 2017 without a number), and the
goals that only say "reduksjon"/"økning"/nullvisjon without a level (BU01, BU03, BL01, BL07, RU05)."""


def attainment(
    ambition: Ambition, series: Sequence[TrendPoint] | Sequence[tuple[int, float | None]], year: int
) -> GoalStatus:
    """Colour and written reason for ``ambition`` in ``year`` by the rules in the module docstring."""
    points = _normalise(series)
    values = {p.year: p.value for p in points}
    value = values.get(year)
    good = 1.0 if ambition.polarity == "higher_is_better" else -1.0

    def status(
        colour: Colour,
        why: Reason,
        target_value: float | None = None,
        baseline: tuple[int, float] | None = None,
        progress: float | None = None,
        direction: Literal["towards", "away", "flat"] | None = None,
    ) -> GoalStatus:
        return GoalStatus(
            colour,
            why.text,
            year,
            value,
            target_value,
            baseline[0] if baseline else None,
            baseline[1] if baseline else None,
            progress,
            direction,
            why,
        )

    if value is None:
        return status("grey", reason("goal.no_value", year=year))
    baseline = _baseline(ambition, points, year)
    if ambition.kind == "relative_change":
        if ambition.baseline_year is None:
            return status("grey", reason("goal.no_baseline_year"))
        if baseline is None:
            return status("grey", reason("goal.no_baseline_value", baseline_year=ambition.baseline_year))
        if baseline[1] == 0:
            return status("grey", reason("goal.zero_baseline"), baseline=baseline)
        target_value = baseline[1] * (1 + ambition.target / 100)
    else:
        target_value = ambition.target

    # On the target counts as reached; isclose absorbs float noise such as 100 · 1.1 = 110.00000000000001.
    if good * (value - target_value) >= 0 or math.isclose(value, target_value, rel_tol=1e-9, abs_tol=1e-12):
        reached = reason("goal.reached", value=value, target=target_value)
        return status("green", reached, target_value, baseline)

    progress = None
    if baseline is not None and baseline[0] != year and target_value != baseline[1]:
        progress = (value - baseline[1]) / (target_value - baseline[1])
    direction = _direction(points, year, good)

    def judged(colour: Colour, key: str) -> GoalStatus:
        """The status with the reason ``key`` (+ ``.progress`` / ``.no_progress`` where it ends with a ``.``)."""
        if key.endswith("."):
            key += "no_progress" if progress is None or baseline is None else "progress"
        if key.endswith(".progress") or key == "goal.half_way":
            assert progress is not None
            assert baseline is not None
            why = reason(
                key,
                value=value,
                target=target_value,
                progress=progress,
                baseline_year=baseline[0],
                baseline_value=baseline[1],
            )
        else:
            why = reason(key, value=value, target=target_value)
        return status(colour, why, target_value, baseline, progress, direction)

    if direction == "away":
        return judged("red", "goal.away.")
    if direction == "towards":
        return judged("yellow", "goal.towards.")
    if progress is not None and progress >= HALF_WAY - 1e-9:  # exactly half-way, despite float rounding
        return judged("yellow", "goal.half_way")
    if progress is None and direction is None:
        return judged("grey", "goal.too_few_years")
    movement = "flat" if direction == "flat" else "unknown"
    return judged("red", f"goal.less_than_half.{movement}.")


def _normalise(series: Sequence[TrendPoint] | Sequence[tuple[int, float | None]]) -> list[TrendPoint]:
    points = [
        item if isinstance(item, TrendPoint) else TrendPoint(item[0], None, None, item[1], False) for item in series
    ]
    usable = [p for p in points if p.value is None or math.isfinite(p.value)]
    return sorted(usable, key=lambda p: p.year)


def _baseline(ambition: Ambition, points: Sequence[TrendPoint], year: int) -> tuple[int, float] | None:
    if ambition.baseline_year is not None:
        for point in points:
            if point.year == ambition.baseline_year and point.value is not None:
                return point.year, point.value
        return None
    for point in points:
        if point.value is not None and point.year <= year:
            return point.year, point.value
    return None


def _direction(points: Sequence[TrendPoint], year: int, good: float) -> Literal["towards", "away", "flat"] | None:
    """Sign of the Theil–Sen slope of the recent years up to ``year``, never across a series break."""
    recent: list[TrendPoint] = []
    for point in reversed([p for p in points if p.year <= year]):
        if point.value is not None:
            recent.append(point)
            if len(recent) == DIRECTION_POINTS:
                break
        if point.series_break:
            break  # years before a break are not comparable with this one
    if len(recent) < 2:
        return None
    t = np.array([p.year for p in recent], dtype=float)
    y = np.array([p.value for p in recent], dtype=float)
    slope = float(stats.theilslopes(y, t).slope)
    if slope == 0:
        return "flat"
    return "towards" if good * slope > 0 else "away"
