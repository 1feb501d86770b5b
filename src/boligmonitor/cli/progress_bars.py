"""Rich progress bars for long CLI work (hidden when output is not a terminal)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class RichProgress:
    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
            disable=not console.is_terminal,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._finish_task()
        self._progress.stop()

    def _finish_task(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[self._task]
            if task.total is None:
                self._progress.update(self._task, total=1, completed=1)
            else:
                self._progress.update(self._task, completed=task.total)

    def stage(self, description: str, total: int | None = None) -> None:
        self._finish_task()
        self._task = self._progress.add_task(description, total=total)

    def advance(self, steps: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, steps)
