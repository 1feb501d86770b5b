"""The shared analysis content (web/views/programme/content.py) and its presentation on a tiny SYNTHETIC source
(made-up municipalities 9xxx and numbers, tests/analysis/reporting/synthetic.py): the colours the rules give, an
analyst's override beside the rule's colour, and members outside the viewer's region left out one by one."""

from __future__ import annotations

from datetime import date

import pytest

from boligmonitor.analysis.reasons import reason
from boligmonitor.analysis.reporting import PROGRAMME_SCOPE, AttainmentKey, AttainmentOverride, SkippedIndicator
from boligmonitor.catalog import load_catalog
from boligmonitor.catalog.reporting import load_programme
from boligmonitor.web.context import PageContext
from boligmonitor.web.views.programme.content import AnalysisPart, ProgrammeAnalysis, programme_analysis
from boligmonitor.web.views.programme.present import attainment_sections
from boligmonitor.web.views.programme.tables import (
    ATTAINMENT_COLUMNS,
    REASON_KEY_COLUMNS,
    attainment_rows,
    skipped_rows,
)
from tests.analysis.reporting.synthetic import SyntheticSource, member, share, with_members
from tests.web.programme.conftest import AnalysisSite

# BU08 (start loans to families with children, per cent; at least 50): SYNTHETIC numerators of 100, 2016–2019.
BU08 = {"9101": [60, 60, 60, 60], "9102": [30, 35, 38, 40], "9103": [45, 44, 42, 40]}
GOAL = ("mal_08_hjelp_til_kjop", "kp_startlan_barnefamilier", "BU08")


def _key(scope: str) -> AttainmentKey:
    return AttainmentKey(*GOAL, scope, 2019)


@pytest.fixture(scope="module")
def analysis() -> ProgrammeAnalysis:
    observations = [
        share("BU08", code, year, x, 100)
        for code, numerators in BU08.items()
        for year, x in zip(range(2016, 2020), numerators, strict=True)
    ]
    source = SyntheticSource(list(BU08), observations, version_id=7)
    programme = with_members(load_programme("bolig_for_velferd"), [member(code, 2014) for code in BU08])
    override = AttainmentOverride(_key("9102"), "red", "SYNTHETIC: judged by the answers", "siri", date(2026, 1, 2))
    return programme_analysis(
        source,
        load_catalog(),
        programme,
        2019,
        overrides=[override],
        visible_members={"9101", "9102"},
        parts={AnalysisPart.ATTAINMENT},
    )


def test_members_outside_the_viewers_reach_are_left_out_one_by_one(analysis: ProgrammeAnalysis) -> None:
    assert analysis.hidden_members == 1
    assert [m.municipality for m in analysis.members] == ["9101", "9102"]
    assert analysis.comparison is None and analysis.shares is None and analysis.breaks is None
    assert analysis.data_version == 7
    assert analysis.attainment is not None
    scopes = {a.result.key.scope for a in analysis.attainment.assessments()}
    assert scopes == {PROGRAMME_SCOPE, "9101", "9102"}
    whole = next(a for a in analysis.attainment.assessments() if a.result.key == _key(PROGRAMME_SCOPE))
    assert whole.result.n_municipalities == 3  # the programme as a whole still counts every member


def test_the_rules_colours_and_the_analysts_override_are_shown_with_words(
    analysis: ProgrammeAnalysis, analysis_site: AnalysisSite
) -> None:
    ctx = PageContext(language="nb", data=analysis_site.app.state.monitor.data, path="/program/x/maloppnaelse")
    (goal,) = [g for g in attainment_sections(ctx, analysis) if g.id == GOAL[0]]
    (indicator,) = [i for i in goal.indicators if "BU08" in i.heading]
    rows = {row.scope: row for row in indicator.rows}
    assert rows["9101"].colour_label == "Grønn (nådd eller i rute)" and rows["9101"].tag == "success"
    overridden = rows["9102"]
    assert overridden.overridden and overridden.colour_label == "Rød (ikke framgang)"
    assert overridden.reason == "SYNTHETIC: judged by the answers" and overridden.analyst == "siri"
    assert overridden.rule_colour_label == "Gul (framgang, ikke i rute)" and overridden.rule_reason
    assert "Medlemmer (2): 1 grønne, 0 gule, 1 røde, 0 grå." in indicator.summary
    assert analysis.attainment is not None
    (row,) = [r for r in attainment_rows(analysis.attainment) if r["scope"] == "9102" and r["indicator"] == "BU08"]
    assert (row["colour"], row["decided_by"], row["rule_colour"], row["data_version"]) == (
        "red",
        "analyst",
        "yellow",
        7,
    )


def test_rows_can_carry_each_reason_as_a_key_with_parameters(analysis: ProgrammeAnalysis) -> None:
    assert analysis.attainment is not None
    plain = attainment_rows(analysis.attainment)
    keyed = attainment_rows(analysis.attainment, reason_keys=True)
    assert set(keyed[0]) == set(ATTAINMENT_COLUMNS) | set(REASON_KEY_COLUMNS["attainment"])
    assert set(plain[0]) == set(ATTAINMENT_COLUMNS)  # the downloads keep their columns
    rows = {(row["scope"], row["indicator"]): row for row in keyed}
    green = rows[("9101", "BU08")]
    assert (green["reason_key"], green["reason_params"]) == ("goal.reached", {"value": 60.0, "target": 50.0})
    assert green["reason"] == "goal reached: 60 against a target of 50"  # the English sentence stays
    assert green["notes"] == [{"key": "ambition.at_least", "params": {"target": 50.0, "unit": "percent"}}]
    overridden = rows[("9102", "BU08")]
    assert overridden["reason_key"] is None and overridden["reason"] == "SYNTHETIC: judged by the answers"
    assert overridden["rule_reason_key"] == "goal.towards.progress"
    skipped = skipped_rows([SkippedIndicator.because("BEF16", reason("skipped.no_value_in_window"))], reason_keys=True)
    assert skipped == [
        {
            "indicator": "BEF16",
            "reason": "no municipality has a value in the window",
            "reason_key": "skipped.no_value_in_window",
            "reason_params": {},
        }
    ]
