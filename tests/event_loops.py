"""Running a coroutine from a test: never ``asyncio.run`` on the main thread, because the browser tests'
Playwright (sync API) keeps an event loop running there for the whole session once it has started, and
``asyncio.run`` refuses to start inside a running loop — a test that passes alone fails in the full suite."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_in_own_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end on a new event loop in a thread of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
