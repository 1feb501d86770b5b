"""Worker processes of one server load a new data version in turn, never all at once.

Every worker notices a new version within the same couple of seconds. Loading and warming it takes a core for
a few seconds; if all workers did so together they would share the machine's cores with the visitors they are
serving, and a static file could wait hundreds of milliseconds. With the workers taking turns (an advisory
lock on a file the server creates for its workers), one loads while the others serve at full speed; visitors
see the new version from each worker as soon as that worker has swapped it in.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO

TURNS_VARIABLE = "BOLIGMONITOR_LOAD_TURNS"  # the lock file's path, set by the server for its workers


class LoadTurns:
    """An exclusive advisory lock (``flock``) on ``path``, held while a worker loads a data version.

    The lock belongs to the open file, so a worker that dies while loading releases it with its file
    descriptors; no turn is ever stuck."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def __enter__(self) -> LoadTurns:
        import fcntl  # POSIX only: create_load_turns() gives None elsewhere

        handle = self.path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        except BaseException:
            handle.close()
            raise
        self._file = handle
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor releases the lock
            self._file = None


def create_load_turns() -> Path | None:
    """A new lock file for one server's workers (None where ``flock`` does not exist: workers then load
    independently, as before)."""
    if sys.platform == "win32":
        return None
    handle, name = tempfile.mkstemp(prefix="boligmonitor-load-turns-")
    os.close(handle)
    return Path(name)


def load_turns_from_environment() -> LoadTurns | None:
    """The lock the server set up for its workers, if any."""
    path = os.environ.get(TURNS_VARIABLE)
    return LoadTurns(Path(path)) if path else None


__all__ = ["TURNS_VARIABLE", "LoadTurns", "create_load_turns", "load_turns_from_environment"]
