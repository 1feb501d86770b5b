"""Errors for bad input: each problem names its file, line and field, and nothing is written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with an input file. ``line`` is 1-based as an editor shows it (header = line 1)."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field is not None:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


class InputError(Exception):
    """Raised when input is rejected. Carries every problem found, so a user can fix them all at once."""

    max_listed = 50

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems: tuple[InputProblem, ...] = tuple(problems)
        super().__init__(self._describe())

    @classmethod
    def single(cls, file: str, message: str, line: int | None = None, field: str | None = None) -> InputError:
        return cls([InputProblem(file=file, message=message, line=line, field=field)])

    def _describe(self) -> str:
        listed = [str(p) for p in self.problems[: self.max_listed]]
        rest = len(self.problems) - len(listed)
        if rest > 0:
            listed.append(f"... and {rest} more problems")
        head = "1 problem" if len(self.problems) == 1 else f"{len(self.problems)} problems"
        return f"Input rejected, nothing was written ({head}):\n" + "\n".join(listed)


class UnknownCodesError(InputError):
    """Region (or indicator) codes that are not known; the message lists every one of them."""

    def __init__(self, kind: str, codes: Iterable[str], file: str = "<input>") -> None:
        self.kind = kind
        self.codes: tuple[str, ...] = tuple(sorted(set(codes)))
        listed = ", ".join(self.codes[: self.max_codes_listed])
        if len(self.codes) > self.max_codes_listed:
            listed += f" and {len(self.codes) - self.max_codes_listed} more"
        super().__init__(
            [InputProblem(file=file, message=f"{len(self.codes)} unknown {kind} codes: {listed}", field=kind)]
        )

    max_codes_listed = 40
