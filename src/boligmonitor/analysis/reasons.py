"""Reasons and caveats as data: a stable key and its parameters, so that a page can write them in its own language.

The analyses (goal attainment, and the programme analyses in :mod:`boligmonitor.analysis.reporting`) explain their
results in sentences: why a colour, why no figure, what to beware of. Each such sentence is a :class:`Reason`,
whose ``key`` is one of :data:`REASONS` and whose ``params`` are the numbers and years it names. The English
sentence (:attr:`Reason.text`) is what the analyses have always written and what their ``reason`` fields keep;
the web writes the same key in bokmål, nynorsk or English from its locale files, formatting each parameter by
its :data:`ParamKind`.

A sentence that comes from elsewhere as text only (the trend-break test's own wording, when it no longer matches
what is known here) is kept as an :func:`untranslated` reason: shown in English, and marked so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

from boligmonitor.analysis.breaks import CONCURRENT_EVENTS

ParamValue = str | int | float

ParamKind = Literal["year", "count", "number", "value", "signed", "percent_0", "percent_1", "decimal_2", "text"]
"""How a parameter is written: ``year`` as is (2019, never "2 019"); ``count`` a whole number with thousands
separators; ``number`` as short as it is exact (:g); ``value`` an indicator's value (a page writes it with the
indicator's decimals and unit); ``signed`` a number with its sign (+10, −30); ``percent_0`` / ``percent_1`` a
fraction (0.5) as a per cent with 0 or 1 decimals; ``decimal_2`` two decimals; ``text`` a code or a list of years,
written as given."""

UNTRANSLATED: Final = "untranslated"


@dataclass(frozen=True, slots=True)
class ReasonSpec:
    """What a key says in English (a :meth:`str.format` template) and the kind of each of its parameters."""

    english: str
    params: Mapping[str, ParamKind] = field(default_factory=dict)


_GAP: Final = "{value:g} against a target of {target:g}"
_PROGRESS: Final = "{progress:.0%} of the way from {baseline_year} ({baseline_value:g})"
_NO_PROGRESS: Final = "progress from a baseline unknown"
_GAP_PARAMS: Final[Mapping[str, ParamKind]] = {"value": "value", "target": "value"}
_PROGRESS_PARAMS: Final[Mapping[str, ParamKind]] = {
    **_GAP_PARAMS,
    "progress": "percent_0",
    "baseline_year": "year",
    "baseline_value": "value",
}
_RELATIVE: Final = "target: {target:+g} % from {baseline_year} (the goal gives no baseline year: "
_RELATIVE_PARAMS: Final[Mapping[str, ParamKind]] = {"target": "signed", "baseline_year": "year"}
_KIND_UNIT: Final[Mapping[str, ParamKind]] = {"kind": "text", "unit": "text"}
_BREAK_WINDOW: Final[Mapping[str, ParamKind]] = {"first": "year", "last": "year"}
_AUTOCORRELATION: Final = "Autocorrelation: "
_DURBIN_WATSON: Final = "Durbin–Watson of the residuals is {dw:.2f} (about 2 means none). "
_HAC: Final = (
    "Newey–West (HAC) standard errors are used; with few years they are too small (in simulations with 20 "
    "independent years about 13 % of tests were significant at 5 % without any break), so compare with hac=False "
    "and read p-values near 0.05 as inconclusive."
)
_MODEL_BASED: Final = "Model-based standard errors assume independent years."

REASONS: Final[Mapping[str, ReasonSpec]] = MappingProxyType(
    {
        # Goal attainment (boligmonitor.analysis.goals.attainment): the status's reason.
        "goal.no_value": ReasonSpec("no value for {year}", {"year": "year"}),
        "goal.no_baseline_year": ReasonSpec("the baseline year of this relative goal is not set"),
        "goal.no_baseline_value": ReasonSpec(
            "no value for the baseline year {baseline_year}", {"baseline_year": "year"}
        ),
        "goal.zero_baseline": ReasonSpec("a relative change from a baseline of 0 is undefined"),
        "goal.reached": ReasonSpec("goal reached: " + _GAP, _GAP_PARAMS),
        "goal.away.progress": ReasonSpec(
            f"not reached ({_GAP}) and moving away from the goal; {_PROGRESS}", _PROGRESS_PARAMS
        ),
        "goal.away.no_progress": ReasonSpec(
            f"not reached ({_GAP}) and moving away from the goal; {_NO_PROGRESS}", _GAP_PARAMS
        ),
        "goal.towards.progress": ReasonSpec(
            f"not reached ({_GAP}) but moving towards the goal; {_PROGRESS}", _PROGRESS_PARAMS
        ),
        "goal.towards.no_progress": ReasonSpec(
            f"not reached ({_GAP}) but moving towards the goal; {_NO_PROGRESS}", _GAP_PARAMS
        ),
        "goal.half_way": ReasonSpec(f"not reached ({_GAP}) but at least half-way: {_PROGRESS}", _PROGRESS_PARAMS),
        "goal.too_few_years": ReasonSpec(
            f"not reached ({_GAP}); too few years to judge progress or direction", _GAP_PARAMS
        ),
        "goal.less_than_half.flat.progress": ReasonSpec(
            f"not reached ({_GAP}), less than half-way ({_PROGRESS}), not moving towards the goal", _PROGRESS_PARAMS
        ),
        "goal.less_than_half.flat.no_progress": ReasonSpec(
            f"not reached ({_GAP}), less than half-way ({_NO_PROGRESS}), not moving towards the goal", _GAP_PARAMS
        ),
        "goal.less_than_half.unknown.progress": ReasonSpec(
            f"not reached ({_GAP}), less than half-way ({_PROGRESS}), direction unknown", _PROGRESS_PARAMS
        ),
        # How a catalogue goal's ambition was read (reporting.attainment.ambition_for): a grey status's reason,
        # or the note beside a colour.
        "ambition.none": ReasonSpec("the goal has no quantitative ambition level"),
        "ambition.reach_share": ReasonSpec(
            "a share of the programme's municipalities answering yes: needs their reported answers"
        ),
        "ambition.at_least": ReasonSpec("target: at least {target:g} ({unit})", {"target": "value", "unit": "text"}),
        "ambition.at_most": ReasonSpec("target: at most {target:g} ({unit})", {"target": "value", "unit": "text"}),
        "ambition.neutral_zero": ReasonSpec("a change of 0 % on a neutral indicator has no direction to judge"),
        "ambition.relative.no_baseline": ReasonSpec(
            "target: {target:+g} %, but no baseline year is given or known", {"target": "signed"}
        ),
        "ambition.relative": ReasonSpec("target: {target:+g} % from {baseline_year}", _RELATIVE_PARAMS),
        "ambition.relative.programme_start": ReasonSpec(_RELATIVE + "the programme's first year)", _RELATIVE_PARAMS),
        "ambition.relative.member_joined": ReasonSpec(_RELATIVE + "the year the member joined)", _RELATIVE_PARAMS),
        "ambition.relative.default_given": ReasonSpec(_RELATIVE + "the default given)", _RELATIVE_PARAMS),
        # The programme's goal attainment (reporting.attainment.goal_attainment).
        "attainment.no_catalogue_goal": ReasonSpec(
            "no catalogue goal (ambition level and indicators) is linked to this goal"
        ),
        "attainment.no_indicator": ReasonSpec("no indicator measures this goal"),
        "attainment.no_members": ReasonSpec("the programme has no members in the source"),
        "attainment.not_additive": ReasonSpec(
            "cannot be added up over the members (kind {kind}, unit {unit})", _KIND_UNIT
        ),
        "attainment.coverage": ReasonSpec(
            "{with_value} of {n} members have a value in {year}: the programme's value needs every member's",
            {"with_value": "count", "n": "count", "year": "year"},
        ),
        # Indicators an analysis could not use (reporting.common.SkippedIndicator).
        "skipped.not_additive": ReasonSpec(
            "cannot be added up over municipalities (kind {kind}, unit {unit})", _KIND_UNIT
        ),
        "skipped.no_value_in_year": ReasonSpec("no municipality has a value in {year}", {"year": "year"}),
        "skipped.no_value_in_years": ReasonSpec(
            "no municipality has a value in {first} and {second}", {"first": "year", "second": "year"}
        ),
        "skipped.no_value_in_listed_years": ReasonSpec("no municipality has a value in {years}", {"years": "text"}),
        "skipped.no_value_in_window": ReasonSpec("no municipality has a value in the window"),
        "skipped.count_model.proportion": ReasonSpec("a count has no denominator for the proportion model"),
        "skipped.count_model.count": ReasonSpec("a count has no denominator for the count model"),
        # Members against non-members (reporting.group_comparison): why a group has no figure, and caveats.
        "comparison.withheld.none": ReasonSpec("no municipality in the group has a value in both years"),
        "comparison.withheld.small": ReasonSpec(
            "only {n} municipalities with values in both years: figures are given for groups of at least {min}, "
            "as fewer are too few to compare",
            {"n": "count", "min": "count"},
        ),
        "comparison.withheld.zero_denominator": ReasonSpec("the pooled denominator is 0"),
        "comparison.series_break": ReasonSpec(
            "series break flagged in {year} for {count} municipalities: the change from {start} to {end} includes a "
            "change of definition there",
            {"year": "year", "count": "count", "start": "year", "end": "year"},
        ),
        # The members' share of the national total (reporting.national_share).
        "share.no_count": ReasonSpec("no municipality has a count in {year}", {"year": "year"}),
        "share.zero_total": ReasonSpec("the national total is 0, so a share of it is undefined"),
        "share.no_member_count": ReasonSpec("no member has a count in {year}", {"year": "year"}),
        "share.complete": ReasonSpec("complete"),
        "share.partial": ReasonSpec(
            "partial: the total over {with_count} of {n} municipalities; the {without} without a count hold "
            "{missing_share:.1%} of the population",
            {"with_count": "count", "n": "count", "without": "count", "missing_share": "percent_1"},
        ),
        "share.too_many_missing.known": ReasonSpec(
            "{without} of {n} municipalities have no count and hold {missing_share:.1%} of the population: a share "
            "needs them to hold less than {max_share:.0%}",
            {"without": "count", "n": "count", "missing_share": "percent_1", "max_share": "percent_0"},
        ),
        "share.too_many_missing.unknown": ReasonSpec(
            "{without} of {n} municipalities have no count and hold an unknown share of the population: a share "
            "needs them to hold less than {max_share:.0%}",
            {"without": "count", "n": "count", "max_share": "percent_0"},
        ),
        # Trend breaks of the programme's groups (reporting.trend_breaks): why untested, and caveats.
        "breaks.too_small": ReasonSpec(
            "only {n} municipalities with a value in every year {first}–{last}: a group series is tested when it "
            "rests on at least {min}",
            {"n": "count", **_BREAK_WINDOW, "min": "count"},
        ),
        "breaks.left_out": ReasonSpec(
            "The series rests on the {panel} of the group's {group} municipalities with a value in every year "
            "{first}–{last}; the other {left_out} are left out.",
            {"panel": "count", "group": "count", **_BREAK_WINDOW, "left_out": "count"},
        ),
        "breaks.selection": ReasonSpec(
            "Programme municipalities were chosen, not drawn at random: they differ from the others (more of them "
            "are large, and they were chosen for their challenges), so a difference between the two groups' breaks "
            "is not an effect of the programme (seed report, avsnitt 5.4)."
        ),
        "breaks.joined": ReasonSpec(
            "Members joined between {first} and {last}, while the break is tested at {year}: members who joined "
            "later were not yet in the programme then.",
            {**_BREAK_WINDOW, "year": "year"},
        ),
        "breaks.pooled_value": ReasonSpec(
            "The group's series is tested as a value (OLS on the pooled rate or the summed count), which estimates "
            "the year-to-year variation from the series; a binomial or Poisson model of whole-group counts would "
            "give far too narrow intervals."
        ),
        # The trend-break test's own reasons and caveats (boligmonitor.analysis.breaks.trend_break_test).
        "break_test.computed": ReasonSpec("computed"),
        "break_test.too_few_years": ReasonSpec(
            "needs at least {min} years on each side of {year}; has {before} before and {after} from {year} on",
            {"min": "count", "year": "year", "before": "count", "after": "count"},
        ),
        "break_test.other_breaks": ReasonSpec(
            "flagged series break in {years} inside the window: a definitional break must be marked, not estimated "
            "as an effect",
            {"years": "text"},
        ),
        "break_test.few_points": ReasonSpec(
            "Few points: {before} years before and {after} from {year} on; power is low, so read the confidence "
            "intervals, not only the p-values, and prefer national or county series.",
            {"before": "count", "after": "count", "year": "year"},
        ),
        "break_test.autocorrelation.dw.model_based": ReasonSpec(
            _AUTOCORRELATION + _DURBIN_WATSON + _MODEL_BASED, {"dw": "decimal_2"}
        ),
        "break_test.autocorrelation.dw.hac": ReasonSpec(_AUTOCORRELATION + _DURBIN_WATSON + _HAC, {"dw": "decimal_2"}),
        "break_test.autocorrelation.model_based": ReasonSpec(_AUTOCORRELATION + _MODEL_BASED),
        "break_test.autocorrelation.hac": ReasonSpec(_AUTOCORRELATION + _HAC),
        "break_test.concurrent": ReasonSpec(
            f"Concurrent events can mimic a break: {CONCURRENT_EVENTS}. Compare with placebo years and, where data "
            "allow, a control series."
        ),
        "break_test.geography": ReasonSpec(
            "Geography must be harmonised first: a change of municipality codes must never look like a break."
        ),
        "break_test.flagged_at_break": ReasonSpec(
            "The series has a flagged definitional break in {year}: the level change includes that change of "
            "definition and cannot be read as an effect.",
            {"year": "year"},
        ),
        # A sentence known only as English text.
        UNTRANSLATED: ReasonSpec("{text}", {"text": "text"}),
    }
)
"""Every key an analysis can give, with its English sentence and its parameters' kinds."""


@dataclass(frozen=True, slots=True)
class Reason:
    """One sentence as data: ``key`` (one of :data:`REASONS`) and the ``params`` its sentence names."""

    key: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted(self.params.items()))))

    @property
    def spec(self) -> ReasonSpec:
        return REASONS[self.key]

    @property
    def text(self) -> str:
        """The sentence in English."""
        return self.spec.english.format(**self.params)

    @property
    def translated(self) -> bool:
        return self.key != UNTRANSLATED


def reason(key: str, **params: ParamValue) -> Reason:
    """The reason ``key`` with its parameters; KeyError for an unknown key, ValueError for parameters that are not
    exactly the key's (so that every page's sentence gets the numbers it names)."""
    spec = REASONS[key]
    if set(params) != set(spec.params):
        raise ValueError(f"reason {key!r} takes {sorted(spec.params)}, not {sorted(params)}")
    return Reason(key, MappingProxyType(dict(params)))


def untranslated(text: str) -> Reason:
    """A sentence known only in English (shown so, and marked as English on a page)."""
    return reason(UNTRANSLATED, text=text)


__all__ = ["REASONS", "UNTRANSLATED", "ParamKind", "ParamValue", "Reason", "ReasonSpec", "reason", "untranslated"]
