"""Short sentences from the statistical tests, never from untested differences.

A sentence exists only where the analysis layer compared the value with its benchmark (the benchmark-in-CI
rule of :mod:`boligmonitor.analysis.benchmark_comparison`): higher or lower (neutral indicators), better or
worse (value-laden ones) give "… er høyere enn i landet"; similar gives "ingen sikker forskjell"; not compared (a
count, no interval, no benchmark value) and a missing value give no sentence at all. The direction of a better or worse
difference is read from the two values, which the test has already found to differ.
"""

from __future__ import annotations

from dataclasses import dataclass

from boligmonitor.analysis.benchmark_comparison import Comparison
from boligmonitor.analysis.indicator_tables import IndicatorRow
from boligmonitor.web.i18n import Translator
from boligmonitor.web.present.formatting import value_text

TESTED = frozenset({Comparison.BETTER, Comparison.WORSE, Comparison.HIGHER, Comparison.LOWER, Comparison.SIMILAR})
DIFFERENT = frozenset({Comparison.BETTER, Comparison.WORSE, Comparison.HIGHER, Comparison.LOWER})
# The order findings are listed in: value-laden differences first (worse before better), then neutral ones.
FINDING_ORDER = (Comparison.WORSE, Comparison.BETTER, Comparison.HIGHER, Comparison.LOWER, Comparison.SIMILAR)


# A finding from a value more than this many years before the sheet's year says that it is old.
OLD_FINDING_YEARS = 5


@dataclass(frozen=True)
class Finding:
    """One sentence and the tested row it was made from."""

    indicator_id: str
    comparison: Comparison
    text: str
    year: int
    old: bool = False  # the value is more than OLD_FINDING_YEARS older than the sheet: the sentence says so


def finding(row: IndicatorRow, benchmark: str, t: Translator, *, current_year: int) -> Finding | None:
    """The sentence for ``row``'s comparison with its benchmark (named ``benchmark``: "landet", "Vestland"), or
    None when nothing was tested. It names the year of the value and, when that is more than
    :data:`OLD_FINDING_YEARS` before ``current_year`` (the sheet's), says the figure is old."""
    m = row.measure
    reference = row.benchmark.value if row.benchmark is not None else None
    if m.value is None or m.year is None or reference is None or row.comparison not in TESTED:
        return None
    indicator = row.indicator
    values = {
        "name": indicator.name.get(t.language),
        "subject": t(f"factsheet.subject.{'share' if indicator.multiplier == 100 else 'rate'}"),
        "benchmark": benchmark,
        "value": value_text(indicator, m.value, t),
        "reference": value_text(indicator, reference, t),
        "year": m.year,
    }
    old = current_year - m.year > OLD_FINDING_YEARS
    if row.comparison is Comparison.SIMILAR:
        key = "factsheet.sentence.similar"
    elif row.comparison in (Comparison.HIGHER, Comparison.LOWER):
        key = f"factsheet.sentence.{row.comparison.value}"
    else:
        direction = "higher" if m.value > reference else "lower"
        key = f"factsheet.sentence.{row.comparison.value}_{direction}"
    text = t(key, **values)
    if old:
        text = f"{text} {t('factsheet.sentence.old', year=m.year, years=current_year - m.year)}"
    return Finding(indicator.id, row.comparison, text, m.year, old)


def ordered(findings: list[Finding]) -> list[Finding]:
    """Recent findings before old ones; then differences first (worse, better, higher, lower), then similar;
    catalogue order within each."""
    rank = {comparison: index for index, comparison in enumerate(FINDING_ORDER)}
    return sorted(findings, key=lambda item: (item.old, rank[item.comparison]))


__all__ = ["DIFFERENT", "OLD_FINDING_YEARS", "TESTED", "Finding", "finding", "ordered"]
