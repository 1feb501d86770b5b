"""Programme reporting as data: programmes (period, levels, goals, members), the municipalities' own goals, and
a reporting form per programme year, validated like the catalogue (docs/reporting-forms.md). Typical use::

    from boligmonitor.catalog.reporting import load_form, load_programme

    programme = load_programme("bolig_for_velferd")
    form = load_form("bolig_for_velferd", 2018)
    [entry.question.id for entry in form.entries()]
"""

from boligmonitor.catalog.reporting.base import Citation, Document, ReportingText
from boligmonitor.catalog.reporting.cross_checks import form_problems, own_goal_problems, programme_problems
from boligmonitor.catalog.reporting.forms import (
    QUESTION_TYPES,
    Category,
    FigureOrigin,
    Form,
    FormEntry,
    MultipleChoiceQuestion,
    OpenTextQuestion,
    OwnNumberQuestion,
    PrefilledStatisticQuestion,
    Question,
    QuestionSource,
    ScaleLabel,
    ScaleQuestion,
    Section,
    SingleChoiceQuestion,
    YesNoQuestion,
)
from boligmonitor.catalog.reporting.loader import (
    form_years,
    load_form,
    load_form_file,
    load_programme,
    load_programme_file,
    parse_form,
    parse_programme,
    programme_ids,
)
from boligmonitor.catalog.reporting.members import read_members
from boligmonitor.catalog.reporting.numbers import check_number, number_rules
from boligmonitor.catalog.reporting.own_goals import OwnGoal, OwnTarget
from boligmonitor.catalog.reporting.programme import (
    MainGoal,
    Member,
    MemberStatus,
    Period,
    Programme,
    ProgrammeGoal,
    ProgrammeLevel,
)

__all__ = [
    "QUESTION_TYPES",
    "Category",
    "Citation",
    "Document",
    "FigureOrigin",
    "Form",
    "FormEntry",
    "MainGoal",
    "Member",
    "MemberStatus",
    "MultipleChoiceQuestion",
    "OpenTextQuestion",
    "OwnGoal",
    "OwnNumberQuestion",
    "OwnTarget",
    "Period",
    "PrefilledStatisticQuestion",
    "Programme",
    "ProgrammeGoal",
    "ProgrammeLevel",
    "Question",
    "QuestionSource",
    "ReportingText",
    "ScaleLabel",
    "ScaleQuestion",
    "Section",
    "SingleChoiceQuestion",
    "YesNoQuestion",
    "check_number",
    "form_problems",
    "form_years",
    "load_form",
    "load_form_file",
    "load_programme",
    "load_programme_file",
    "number_rules",
    "own_goal_problems",
    "parse_form",
    "parse_programme",
    "programme_ids",
    "programme_problems",
    "read_members",
]
