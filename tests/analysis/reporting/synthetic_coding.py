"""SYNTHETIC coded open answers for the pure tests of analysis/reporting (no database): three municipalities'
answers in two years, a small codebook under two goals, passages, one redaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from boligmonitor.analysis.reporting.refi_qda import ExportLabels
from boligmonitor.analysis.reporting.size_groups import SizeGroups
from boligmonitor.geo.groups import SizeGroup
from boligmonitor.store.reporting.coding import Code, OpenAnswer, Passage, Span, locate

AT: Final = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PROGRAMME: Final = "bolig_for_velferd"
PERSON: Final = "Kari Nordmann"
TEXT_A: Final = f"SYNTHETIC: Vi samarbeider med NAV. {PERSON} fikk bolig. =SUM(A1)"
TEXT_B: Final = "SYNTHETIC: Startlån og bostøtte. Samarbeid med NAV om oppfølging."
TEXT_C: Final = "SYNTHETIC: Ingen nye tiltak."


def code(code_id: int, name: str, *, goal: str | None = None, parent: int | None = None) -> Code:
    return Code(
        code_id,
        PROGRAMME,
        f"00000000-0000-4000-8000-{code_id:012d}",
        name,
        f"SYNTHETIC {name}",
        goal,
        parent,
        AT,
        "siri@husbanken.example",
        AT,
        "siri@husbanken.example",
    )


def answer(version_id: int, municipality: str, year: int, text: str, redactions: tuple[Span, ...] = ()) -> OpenAnswer:
    return OpenAnswer(version_id, version_id, 1, PROGRAMME, year, municipality, "aktiviteter", text, redactions, AT)


def passage(
    passage_id: int, answer_: OpenAnswer, quote: str, codes: tuple[int, ...], *, example: bool = False
) -> Passage:
    span = locate(answer_.text, quote)
    assert span is not None, quote
    return Passage(
        passage_id,
        f"00000000-0000-4000-9000-{passage_id:012d}",
        answer_.report_version_id,
        answer_.question_id,
        span.start,
        span.end,
        codes,
        example,
        "SYNTHETIC note" if example else None,
        AT,
        "siri@husbanken.example",
    )


CODES: Final = (
    code(1, "Samarbeid", goal="mal_01_overgangsfase"),
    code(2, "NAV", goal="mal_01_overgangsfase", parent=1),
    code(3, "Økonomiske virkemidler"),
)
_person = locate(TEXT_A, PERSON)
assert _person is not None
ANSWERS: Final = (
    answer(1, "5001", 2018, TEXT_A, (_person,)),
    answer(2, "5006", 2018, TEXT_B),
    answer(3, "0301", 2019, TEXT_C),
    answer(4, "5001", 2019, TEXT_B),
)
PASSAGES: Final = (
    passage(1, ANSWERS[0], "Vi samarbeider med NAV.", (1, 2), example=True),
    passage(2, ANSWERS[0], f"{PERSON} fikk bolig.", (3,)),  # reaches into the redaction
    passage(3, ANSWERS[1], "Samarbeid med NAV om oppfølging.", (1, 2)),
    passage(4, ANSWERS[1], "Startlån og bostøtte.", (3,)),
    passage(5, ANSWERS[3], "Startlån og bostøtte.", (3,)),
    passage(6, ANSWERS[3], "Samarbeid med NAV om oppfølging.", (2,)),
)
GROUPS: Final = {
    2018: SizeGroups(2018, {"5001": SizeGroup.LARGE, "5006": SizeGroup.SMALL}, ("0301",), {}),
    2019: SizeGroups(2019, {"5001": SizeGroup.LARGE, "0301": SizeGroup.LARGE}, (), {}),
}
LABELS: Final = ExportLabels(
    programme_name="Bolig for velferd",
    goal_names={"mal_01_overgangsfase": "Mål 1"},
    municipality_names={"5001": "Trondheim (5001)", "5006": "Steinkjer (5006)"},
    question_texts={"aktiviteter": "SYNTHETIC aktiviteter"},
    redaction_marker="[sladdet]",
    example_quote="Eksempelsitat",
)
