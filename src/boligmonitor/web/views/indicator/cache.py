"""Results computed once per data version (projected map paths, funnel curves, group lists, table rows, charts).

Everything a page shows is fixed by its data version and its URL, so what is costly to compute (357 projected
boundaries, Poisson funnel limits, a chart of 357 bars) is kept beside the version and dropped with it: the
cache holds only a weak reference to the :class:`MonitorData`, so an old version is freed as soon as the
monitor swaps in a new one. :func:`cached` keeps an entry for the version's lifetime (for results with few
possible keys); :func:`lru_cached` keeps the ``maxsize`` most recently used (for results that depend on
filters or a highlighted municipality). Two threads may compute the same entry at once; both get the same
answer and one of them is kept.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from boligmonitor.web.monitor import MonitorData

T = TypeVar("T")

DEFAULT_LRU_SIZE = 32


class _VersionCache:
    def __init__(self) -> None:
        self.entries: dict[Hashable, Any] = {}
        self.recent: dict[str, OrderedDict[Hashable, Any]] = {}  # namespace -> most recently used last
        self.lock = threading.Lock()


_CACHES: dict[int, tuple[weakref.ref[MonitorData], _VersionCache]] = {}


def _cache_of(data: MonitorData) -> _VersionCache:
    key = id(data)
    found = _CACHES.get(key)
    if found is not None and found[0]() is data:
        return found[1]
    cache = _VersionCache()
    _CACHES[key] = (weakref.ref(data), cache)
    weakref.finalize(data, _CACHES.pop, key, None)
    return cache


def cached(data: MonitorData, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per data version and ``key``."""
    entries = _cache_of(data).entries
    if key in entries:
        found: T = entries[key]
        return found
    value = compute()
    entries[key] = value
    return value


def lru_cached(
    data: MonitorData, namespace: str, key: Hashable, compute: Callable[[], T], maxsize: int = DEFAULT_LRU_SIZE
) -> T:
    """``compute()`` for ``key``, remembering the ``maxsize`` most recently used keys of ``namespace`` (each
    kind of result has its own, so many small charts do not push out the tables they are drawn from)."""
    cache = _cache_of(data)
    with cache.lock:
        recent = cache.recent.setdefault(namespace, OrderedDict())
        if key in recent:
            recent.move_to_end(key)
            found: T = recent[key]
            return found
    value = compute()
    with cache.lock:
        recent[key] = value
        recent.move_to_end(key)
        while len(recent) > maxsize:
            recent.popitem(last=False)
    return value


__all__ = ["cached", "lru_cached"]
