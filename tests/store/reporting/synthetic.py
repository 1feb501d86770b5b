"""SYNTHETIC test material for programme reporting: a made-up form with one question of every type (its title
says SYNTHETIC), made-up statistics for it, made-up people and answers. Shared by tests/store/reporting and
tests/cli/test_reporting_backup.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Final

from sqlalchemy import Engine

from boligmonitor.catalog.loader import load_catalog
from boligmonitor.catalog.models import AmbitionKind
from boligmonitor.catalog.reporting import (
    Form,
    OwnGoal,
    OwnTarget,
    ReportingText,
    load_form,
    load_programme,
    parse_form,
)
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status
from boligmonitor.store import DatasetRow, Store
from boligmonitor.store.accounts import AccountStore, Actor
from boligmonitor.store.reporting import ReportStore
from tests.store.accounts.synthetic import SYNTHETIC_REGIONS, SYNTHETIC_START, FakeClock, cheap_passwords

PROGRAMME: Final = "bolig_for_velferd"
SYNTHETIC_YEAR: Final = 2019  # the synthetic form's year (the package has a real form for 2018 only)
MUNICIPALITY: Final = "5001"  # in the synthetic region Midt
OTHER_MUNICIPALITY: Final = "5006"
OPENS_AT: Final = SYNTHETIC_START - timedelta(days=1)
CLOSES_AT: Final = SYNTHETIC_START + timedelta(days=30)
CLI: Final = Actor("command line (synthetic)")

SYNTHETIC_FORM_YAML: Final = """
schema_version: 1
version: 2026.1.0
programme: bolig_for_velferd
year: 2019
synthetic: true
title:
  nb: SYNTHETIC testskjema
  nn: SYNTHETIC testskjema
  en: SYNTHETIC test form
sections:
  - goals: [mal_01_overgangsfase]
    questions:
      - id: fig_sosialhjelp
        type: prefilled_statistic
        indicator: BL05
        result_indicator: quantitative
        text: {nb: SYNTHETIC tall, nn: SYNTHETIC tal}
      - id: fig_midlertidig
        type: prefilled_statistic
        indicator: BL02
        result_indicator: quantitative
        text: {nb: SYNTHETIC skjult tall, nn: SYNTHETIC skjult tal}
      - id: fig_barn
        type: prefilled_statistic
        indicator: BU01
        correction: false
        self_report_when_missing: false
        comment: false
        result_indicator: quantitative
        text: {nb: SYNTHETIC manglende tall, nn: SYNTHETIC manglande tal}
      - id: antall_boliger
        type: own_number
        unit: count
        max: 500
        required: true
        result_indicator: quantitative
        text: {nb: SYNTHETIC antall, nn: SYNTHETIC tal}
      - id: har_plan
        type: yes_no
        required: true
        result_indicator: quantitative
        text: {nb: SYNTHETIC plan?, nn: SYNTHETIC plan?}
  - goals: [mal_02_midlertidig_under_tre_maneder]
    questions:
      - id: tiltak
        type: single_choice
        result_indicator: qualitative
        text: {nb: SYNTHETIC tiltak, nn: SYNTHETIC tiltak}
        categories:
          - {id: a, label: {nb: A, nn: A}}
          - {id: b, label: {nb: B, nn: B}}
      - id: samarbeid
        type: multiple_choice
        max_choices: 2
        result_indicator: qualitative
        text: {nb: SYNTHETIC samarbeid, nn: SYNTHETIC samarbeid}
        categories:
          - {id: x, label: {nb: X, nn: X}}
          - {id: y, label: {nb: Y, nn: Y}}
          - {id: z, label: {nb: Z, nn: Z}}
      - id: vurdering
        type: scale
        min: 1
        max: 5
        result_indicator: quantitative
        text: {nb: SYNTHETIC vurdering, nn: SYNTHETIC vurdering}
      - id: aktiviteter
        type: open_text
        kind: activities_and_organisation
        max_length: 200
        result_indicator: qualitative
        text: {nb: SYNTHETIC aktiviteter, nn: SYNTHETIC aktivitetar}
"""


@cache
def synthetic_form() -> Form:
    return parse_form(SYNTHETIC_FORM_YAML, "synthetic_form.yaml", load_programme(PROGRAMME), load_catalog())


def forms(programme_id: str, year: int) -> Form:
    """The synthetic form for 2019, the package's forms otherwise."""
    if (programme_id, year) == (PROGRAMME, SYNTHETIC_YEAR):
        return synthetic_form()
    return load_form(programme_id, year)


SYNTHETIC_DATASET: Final = DatasetRow(
    id="synthetic:reporting",
    publisher="Synthetic publisher",
    title="SYNTHETIC statistics for reporting tests",
    table=None,
    file="synthetic/reporting.json",
    sha256="0" * 64,
    fetched_at=datetime(2025, 3, 1, tzinfo=UTC),
    updated=None,
    code_vintage="as-published",
    licence=None,
    provenance="made up for tests",
)


def put_synthetic_statistics(store: Store) -> int:
    """BL05 published (42) and BL02 hidden (':') for 5001 in 2019; BU01 absent. Returns the data version."""
    with store.write("build", "SYNTHETIC statistics for reporting tests") as writer:
        writer.put_datasets([SYNTHETIC_DATASET])
        writer.put_observations(
            [
                Observation(
                    "BL05", MUNICIPALITY, SYNTHETIC_YEAR, 42.0, None, None, "count", Status.OK, SYNTHETIC_DATASET.id
                ),
                Observation(
                    "BL02",
                    MUNICIPALITY,
                    SYNTHETIC_YEAR,
                    None,
                    None,
                    None,
                    "percent",
                    Status.CONFIDENTIAL,
                    SYNTHETIC_DATASET.id,
                ),
            ]
        )
        return writer.version.id


def synthetic_own_goal(name: str = "SYNTHETIC: ingen barnefamilier i midlertidig bolig", target: float = 0) -> OwnGoal:
    return OwnGoal(
        id="eget_barnefamilier",
        programme=PROGRAMME,
        municipality=MUNICIPALITY,
        programme_goal="mal_03_barnefamilier_unge_midlertidig",
        name=ReportingText(nb=name, nn=name),
        adopted=date(2019, 6, 1),
        targets=(OwnTarget(kind=AmbitionKind.AT_MOST, target=target, target_year=2020, indicator="BU01"),),
    )


def make_accounts(engine: Engine, clock: FakeClock) -> AccountStore:
    """Synthetic regions and people: Kari reports for 5001, Ola reads 5001, Per reports for 5006, Anne advises
    region Midt (county 50), Siri is an analyst."""
    accounts = AccountStore(engine, passwords=cheap_passwords(), clock=clock)
    accounts.replace_regions(SYNTHETIC_REGIONS, actor=CLI, source="synthetic")
    accounts.create_account("kari@kommune.example", "municipal_reporter", municipality=MUNICIPALITY, actor=CLI)
    accounts.create_account("ola@kommune.example", "municipal_reader", municipality=MUNICIPALITY, actor=CLI)
    accounts.create_account("per@kommune.example", "municipal_reporter", municipality=OTHER_MUNICIPALITY, actor=CLI)
    accounts.create_account("anne@husbanken.example", "regional_adviser", region="Midt (synthetic)", actor=CLI)
    accounts.create_account("siri@husbanken.example", "husbanken_analyst", actor=CLI)
    return accounts


def actor(accounts: AccountStore, email: str) -> Actor:
    found = accounts.account(email)
    assert found is not None
    return Actor.signed_in(found.id, found.email, "192.0.2.10")


def report_store(engine: Engine, clock: FakeClock) -> ReportStore:
    return ReportStore(engine, clock=clock, forms=forms)


__all__ = [
    "CLI",
    "CLOSES_AT",
    "MUNICIPALITY",
    "OPENS_AT",
    "OTHER_MUNICIPALITY",
    "PROGRAMME",
    "SYNTHETIC_YEAR",
    "actor",
    "forms",
    "make_accounts",
    "put_synthetic_statistics",
    "report_store",
    "synthetic_form",
    "synthetic_own_goal",
]
