"""SSB status symbols (standardtegn), kept with every value and carried through every computation.

Meanings follow SSB's standard symbols (ssb.no/diverse/standardtegn-i-tabeller) as summarised in
`shared/docs/methods.md` §10.2.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The status of one value. ``OK`` is an ordinary value; every other member is an SSB symbol."""

    OK = ""
    NOT_APPLICABLE = "."
    MISSING = ".."
    CONFIDENTIAL = ":"
    NOT_YET_AVAILABLE = "..."
    NIL = "-"
    PRELIMINARY = "*"

    @property
    def has_value(self) -> bool:
        """Whether a number accompanies this status (nil is a real zero; preliminary is a real number)."""
        return self in _WITH_VALUE

    @classmethod
    def parse(cls, symbol: str | None) -> Status:
        """Read a status symbol as published; raises ValueError for a symbol SSB does not use."""
        if symbol is None:
            return cls.OK
        return cls(symbol.strip())

    def combine(self, other: Status) -> Status:
        """The status of a sum or ratio of two values: the most restrictive one wins.

        A sum containing a confidential cell is confidential (never computed as if it were 0).
        """
        if _SEVERITY[self] == _SEVERITY[other]:
            # Nil ("-", a true zero) added to an ordinary value is an ordinary value.
            return self if self is other else Status.OK
        return self if _SEVERITY[self] > _SEVERITY[other] else other


_WITH_VALUE = frozenset({Status.OK, Status.NIL, Status.PRELIMINARY})

# Order of restrictiveness when values are combined (methods.md §10.3 rule 1).
_SEVERITY: dict[Status, int] = {
    Status.OK: 0,
    Status.NIL: 0,
    Status.PRELIMINARY: 1,
    Status.NOT_YET_AVAILABLE: 2,
    Status.MISSING: 3,
    Status.NOT_APPLICABLE: 4,
    Status.CONFIDENTIAL: 5,
}

STATUS_MEANING: dict[Status, dict[str, str]] = {
    Status.OK: {"nb": "", "nn": "", "en": ""},
    Status.NOT_APPLICABLE: {"nb": "ikke relevant", "nn": "ikkje relevant", "en": "not applicable"},
    Status.MISSING: {"nb": "mangler", "nn": "manglar", "en": "missing"},
    Status.CONFIDENTIAL: {
        "nb": "skjult av personvernhensyn",
        "nn": "skjult av omsyn til personvern",
        "en": "hidden for confidentiality",
    },
    Status.NOT_YET_AVAILABLE: {
        "nb": "ikke tilgjengelig ennå",
        "nn": "ikkje tilgjengeleg enno",
        "en": "not yet available",
    },
    Status.NIL: {"nb": "null", "nn": "null", "en": "nil"},
    Status.PRELIMINARY: {"nb": "foreløpig", "nn": "førebels", "en": "preliminary"},
}
