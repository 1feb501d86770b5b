"""No test starts an event loop on the main thread (tests/event_loops.py says why): it passes alone and fails in
the full suite, after the browser tests have started Playwright's loop there. Checked on the test files' text."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
STARTS_A_LOOP = re.compile(r"\basyncio\.run\(|\.run_until_complete\(|\banyio\.run\(")


def test_no_test_starts_an_event_loop_on_the_main_thread() -> None:
    found = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name not in {"event_loops.py", Path(__file__).name}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if STARTS_A_LOOP.search(line)
    ]
    assert found == [], f"use tests.event_loops.run_in_own_thread instead of starting a loop at: {found}"
