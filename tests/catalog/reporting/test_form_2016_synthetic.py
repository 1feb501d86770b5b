"""2016's larger form (33 variables, all filled in by the municipalities, and 65 open questions; avsnitt 2 and
2.2 of the evaluation) fits the same schema. The report does not give the 2016 questions, so both forms here are
SYNTHETIC: made up in its shape, and labelled so."""

from __future__ import annotations

from collections import Counter
from typing import Any

import yaml

from boligmonitor.catalog import Catalog
from boligmonitor.catalog.reporting import (
    MultipleChoiceQuestion,
    OwnNumberQuestion,
    Programme,
    check_number,
    parse_form,
)

SYNTHETIC_2016_FRAGMENT = """\
# SYNTHETIC: made up in the shape of the 2016 form; these are not its questions.
schema_version: 1
version: 2026.1.0
programme: bolig_for_velferd
year: 2016
synthetic: true
title:
  nb: SYNTHETIC – rapportering 2016 (utdrag)
  nn: SYNTHETIC – rapportering 2016 (utdrag)
  en: SYNTHETIC – reporting 2016 (fragment)
sections:
  - goals: [mal_05_variert_boligtilbud]
    questions:
      # In 2016 the municipalities filled in the KOSTRA figures themselves: an own number tied to the indicator.
      - id: kommunalt_disponerte_boliger
        type: own_number
        unit: count
        indicator: KB01
        required: true
        result_indicator: quantitative
        text: {nb: SYNTHETIC antall kommunalt disponerte boliger, nn: SYNTHETIC talet på kommunale bustader}
        help: {nb: SYNTHETIC hjelpetekst, nn: SYNTHETIC hjelpetekst}
      - id: andel_rullestoltilgjengelige
        type: own_number
        unit: percent
        indicator: NF01
        decimals: 1
        result_indicator: quantitative
        text: {nb: SYNTHETIC andel tilgjengelige for rullestol, nn: SYNTHETIC del tilgjengelege for rullestol}
      - id: virkemidler_brukt
        type: multiple_choice
        max_choices: 2
        result_indicator: quantitative
        text: {nb: SYNTHETIC hvilke virkemidler, nn: SYNTHETIC kva verkemiddel}
        categories:
          - {id: startlan, label: {nb: Startlån, nn: Startlån}}
          - {id: tilskudd_utleieboliger, label: {nb: Tilskudd til utleieboliger, nn: Tilskot til utleigebustader}}
          - {id: ingen, label: {nb: Ingen, nn: Ingen}}
      - id: viktigste_utfordring
        type: single_choice
        result_indicator: qualitative
        text: {nb: SYNTHETIC viktigste utfordring, nn: SYNTHETIC viktigaste utfordring}
        categories:
          - {id: for_faa_boliger, label: {nb: For få boliger, nn: For få bustader}}
          - {id: uegnede_boliger, label: {nb: Uegnede boliger, nn: Ueigna bustader}}
      - id: aktiviteter_nye_boliger
        type: open_text
        kind: activities_and_organisation
        result_indicator: qualitative
        text: {nb: SYNTHETIC aktiviteter nye boliger, nn: SYNTHETIC aktivitetar nye bustader}
      - id: aktiviteter_utleie
        type: open_text
        kind: activities_and_organisation
        result_indicator: qualitative
        text: {nb: SYNTHETIC aktiviteter utleie, nn: SYNTHETIC aktivitetar utleige}
      - id: vurdering_boligtilbud
        type: open_text
        kind: assessment_of_results
        max_length: 4000
        result_indicator: qualitative
        text: {nb: SYNTHETIC vurdering, nn: SYNTHETIC vurdering}
"""


def test_a_synthetic_2016_fragment_fits_the_schema(programme: Programme, catalog: Catalog) -> None:
    form = parse_form(SYNTHETIC_2016_FRAGMENT, "SYNTHETIC-2016-fragment.yaml", programme, catalog)
    assert form.synthetic and all("SYNTHETIC" in text for text in (form.title.nb, form.title.nn, form.title.get("en")))
    types = Counter(entry.question.type for entry in form.entries())
    assert types == {"own_number": 2, "multiple_choice": 1, "single_choice": 1, "open_text": 3}
    chosen = form.question("virkemidler_brukt")
    assert isinstance(chosen, MultipleChoiceQuestion) and chosen.max_choices == 2
    # The 2016 municipalities' own figures get the catalogue's domain rules of the indicator they stand for.
    dwellings = form.question("kommunalt_disponerte_boliger")
    share = form.question("andel_rullestoltilgjengelige")
    assert isinstance(dwellings, OwnNumberQuestion) and isinstance(share, OwnNumberQuestion)
    assert check_number(dwellings, 412, year=2016, catalog=catalog) == []
    assert [v.field for v in check_number(dwellings, 412.5, year=2016, catalog=catalog)] == ["value"]
    assert check_number(share, 55.5, year=2016, catalog=catalog) == []
    assert check_number(share, 101, year=2016, catalog=catalog) != []


def _synthetic_full_2016(programme: Programme) -> dict[str, Any]:
    """SYNTHETIC: a form as large as 2016's, 33 own numbers and 65 open questions spread over the 15 goals."""
    goals = [goal.id for goal in programme.goals]
    sections: list[dict[str, Any]] = [{"goals": [goal], "questions": []} for goal in goals]
    for n in range(33):
        sections[n % 15]["questions"].append(
            {
                "id": f"variabel_{n + 1:02d}",
                "type": "own_number",
                "unit": "count",
                "result_indicator": "quantitative",
                "text": {"nb": f"SYNTHETIC variabel {n + 1}", "nn": f"SYNTHETIC variabel {n + 1}"},
            }
        )
    for n in range(65):
        sections[n % 15]["questions"].append(
            {
                "id": f"apent_sporsmal_{n + 1:02d}",
                "type": "open_text",
                "kind": "activities_and_organisation" if n % 3 else "assessment_of_results",
                "result_indicator": "qualitative",
                "text": {"nb": f"SYNTHETIC åpent spørsmål {n + 1}", "nn": f"SYNTHETIC ope spørsmål {n + 1}"},
            }
        )
    return {
        "schema_version": 1,
        "version": "2026.1.0",
        "programme": "bolig_for_velferd",
        "year": 2016,
        "synthetic": True,
        "title": {"nb": "SYNTHETIC 2016 i full størrelse", "nn": "SYNTHETIC 2016 i full storleik"},
        "sections": sections,
    }


def test_a_synthetic_form_the_size_of_2016s_fits_the_schema(programme: Programme, catalog: Catalog) -> None:
    text = yaml.safe_dump(_synthetic_full_2016(programme), allow_unicode=True, sort_keys=False)
    form = parse_form(text, "SYNTHETIC-2016-full.yaml", programme, catalog)
    kinds = Counter(entry.question.result_indicator for entry in form.entries())
    assert kinds == {"quantitative": 33, "qualitative": 65}
    assert len(form.sections) == 15
