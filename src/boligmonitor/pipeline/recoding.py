"""Publishers' codes outside their KLASS validity, recoded only where the area is provably the same.

Publishers do not switch code lists on the day KLASS does. IMDi, for example, keeps Trondheim as 1601 for
2018–2019 although KLASS renumbered it 5001 on 1 January 2018, and labels Halden's whole series with 3001
(from 2020) back to 2006. Such a value is still about one definite area when the code and the code valid in
that year are linked by 1:1 renumberings only: it is then recoded (flag ``recoded``). Anything else — a
merge or split on the way, or a code KLASS never had — is not guessed; see :func:`recode_outside_validity`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from boligmonitor.geo import ChangeHistory, ChangeKind

_SAME_AREA = (ChangeKind.RENUMBER, ChangeKind.RENAME)


@dataclass(frozen=True)
class Recoding:
    code: str | None  # the code valid in the year with the same area, or None
    reason: str  # why (shown to users as a note, or as the reason a value was left out)
    unknown: bool = False  # KLASS never had this code in the years its change history covers
    category: str = ""  # the reason without the code, to group many values left out for one reason


def recode_outside_validity(history: ChangeHistory, code: str, year: int) -> Recoding:
    """The code valid on 1 January ``year`` for the same area as ``code``, which is not valid then."""
    on = date(year, 1, 1)
    intervals = history.validity(code)
    if not intervals:
        first = min((c.changed_on for c in history.changes), default=None)
        if first is not None and on < first:
            category = f"codes not in the KLASS change history, which starts {first}"
            return Recoding(
                None, f"code {code} is not in the KLASS change history, which starts {first}", category=category
            )
        return Recoding(None, f"code {code} is not a known municipality code", unknown=True)
    ended = [end for _, end in intervals if end is not None and end <= on]
    started = [start for start, _ in intervals if start is not None and start > on]
    if ended:
        found = _follow(history, code, max(ended), on, forward=True)
    elif started:
        found = _follow(history, code, min(started), on, forward=False)
    else:
        found = None
    if found is None:
        return Recoding(
            None,
            f"code {code} was not in use in {year} and its area changed (not only its number)",
            category="codes not in use that year whose area changed (not only their number)",
        )
    direction = "after it ended" if ended else "before it started"
    return Recoding(found, f"published under {code} {direction}; same area as {found} (renumbered)")


def _follow(history: ChangeHistory, code: str, when: date, target: date, *, forward: bool) -> str | None:
    """Walk 1:1 renumberings from ``code`` at ``when`` until a code valid on ``target``."""
    current = code
    for _ in range(10):  # a handful of renumberings at most; guards against cycles in bad input
        rows = history.outgoing(current, when) if forward else history.incoming(current, when)
        if len(rows) != 1 or history.kind_of(rows[0]) not in _SAME_AREA:
            return None
        other = rows[0].new_code if forward else rows[0].old_code
        partners = history.incoming(other, when) if forward else history.outgoing(other, when)
        if len(partners) != 1:
            return None  # the other code also took in (or gave away) other areas that day
        if history.is_valid(other, target):
            return other
        intervals = history.validity(other)
        if forward:
            ends = [end for _, end in intervals if end is not None and end > when and end <= target]
            if not ends:
                return None
            when = min(ends)
        else:
            starts = [start for start, _ in intervals if start is not None and start < when and start > target]
            if not starts:
                return None
            when = max(starts)
        current = other
    return None
