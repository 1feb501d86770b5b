"""The rate limiter on a fake clock: the window property, header adaptation, pauses."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boligmonitor.sources.connectors.http.ratelimit import RateLimiter, WindowLimit, parse_policy
from tests.sources.http import FakeClock


def assert_never_more_than(starts: list[float], calls: int, per_seconds: float) -> None:
    """No window [t, t + per_seconds) holds more than ``calls`` starts."""
    assert starts == sorted(starts)
    for first, later in zip(starts, starts[calls:], strict=False):
        assert later - first >= per_seconds, f"{calls + 1} starts within {later - first} s"


def simulate(limiter: RateLimiter, clock: FakeClock, gaps: list[float]) -> list[float]:
    """A caller who wants to start a request ``gap`` seconds after the previous one started."""
    starts = []
    for gap in gaps:
        clock.advance(gap)
        limiter.acquire()
        starts.append(clock.now)
    return starts


@settings(max_examples=40, deadline=None)
@given(
    calls=st.integers(min_value=1, max_value=40),
    per_seconds=st.floats(min_value=0.5, max_value=120.0),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    burstiness=st.floats(min_value=0.0, max_value=1.0),
)
def test_never_more_than_n_calls_in_any_window_over_1000_calls(
    calls: int, per_seconds: float, seed: int, burstiness: float
) -> None:
    rng = random.Random(seed)
    # A mix of bursts (no gap) and random pauses up to two windows long.
    gaps = [0.0 if rng.random() < burstiness else rng.uniform(0, 2 * per_seconds) for _ in range(1000)]
    clock = FakeClock()
    limiter = RateLimiter(calls, per_seconds, clock=clock, sleep=clock.sleep)
    starts = simulate(limiter, clock, gaps)
    assert len(starts) == 1000
    assert_never_more_than(starts, calls, per_seconds)


@settings(max_examples=60, deadline=None)
@given(gaps=st.lists(st.floats(min_value=0.0, max_value=30.0), min_size=1, max_size=200))
def test_window_property_on_arbitrary_call_times(gaps: list[float]) -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, 10.0, clock=clock, sleep=clock.sleep)
    assert_never_more_than(simulate(limiter, clock, gaps), 3, 10.0)


def test_waits_only_as_long_as_needed() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(2, 60.0, clock=clock, sleep=clock.sleep)
    assert limiter.acquire() == 0.0
    clock.advance(10)
    assert limiter.acquire() == 0.0
    # Third call must wait until the first start (t=0) leaves the window at t=60.
    assert limiter.acquire() == pytest.approx(50.0)
    assert clock.now == pytest.approx(60.0)


def test_default_is_ssb_documented_30_per_minute() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    for _ in range(30):
        limiter.acquire()
    assert clock.now == 0.0
    limiter.acquire()
    assert clock.now == pytest.approx(60.0)


def test_parse_policy() -> None:
    assert parse_policy("40;w=60s") == [WindowLimit(40, 60.0)]
    assert parse_policy("10;w=1, 40;w=60") == [WindowLimit(10, 1.0), WindowLimit(40, 60.0)]
    assert parse_policy("0;w=60") == []  # SSB's /config uses 0 for "unknown"
    assert parse_policy("garbage") == []
    assert parse_policy("") == []


def test_announced_looser_limit_does_not_loosen_the_default() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(30, 60.0, clock=clock, sleep=clock.sleep)
    limiter.observe({"x-ratelimit-limit": "40", "x-ratelimit-policy": "40;w=60s", "x-ratelimit-remaining": "39"})
    for _ in range(30):
        limiter.acquire()
    assert clock.now == 0.0
    limiter.acquire()
    assert clock.now == pytest.approx(60.0)  # still 30, not 40


def test_announced_stricter_limit_is_obeyed() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(30, 60.0, clock=clock, sleep=clock.sleep)
    limiter.observe({"X-RateLimit-Policy": "5;w=10s"})  # header names are case-insensitive
    assert WindowLimit(5, 10.0) in limiter.limits
    starts = simulate(limiter, clock, [0.0] * 40)
    assert_never_more_than(starts, 5, 10.0)
    assert_never_more_than(starts, 30, 60.0)
    assert starts[5] == pytest.approx(10.0)


def test_limit_header_without_policy_uses_configured_window() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(30, 60.0, clock=clock, sleep=clock.sleep)
    limiter.observe({"x-ratelimit-limit": "20"})
    assert WindowLimit(20, 60.0) in limiter.limits
    limiter.observe({"x-ratelimit-limit": "0"})  # zero means unknown: keep what we had
    assert WindowLimit(20, 60.0) in limiter.limits


def test_remaining_zero_waits_for_reset_seconds() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(30, 60.0, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.observe({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "17"})
    assert limiter.acquire() == pytest.approx(17.0)


def test_remaining_zero_with_epoch_reset() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(30, 60.0, clock=clock, sleep=clock.sleep, wall_clock=lambda: 1_800_000_000.0)
    limiter.observe({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1800000025"})
    assert limiter.acquire() == pytest.approx(25.0)


def test_remaining_zero_without_reset_waits_a_whole_window() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(30, 60.0, clock=clock, sleep=clock.sleep)
    limiter.observe({"x-ratelimit-remaining": "0"})
    assert limiter.acquire() == pytest.approx(60.0)


def test_remaining_above_zero_and_unreadable_headers_do_not_pause() -> None:
    clock = FakeClock(start=0.0)
    limiter = RateLimiter(30, 60.0, clock=clock, sleep=clock.sleep)
    limiter.observe({"x-ratelimit-remaining": "3", "x-ratelimit-reset": "soon", "x-ratelimit-limit": "many"})
    assert limiter.acquire() == 0.0
    assert limiter.limits == (WindowLimit(30, 60.0),)


def test_pause_until_and_note_rejected() -> None:
    clock = FakeClock(start=100.0)
    limiter = RateLimiter(30, 60.0, clock=clock, sleep=clock.sleep)
    limiter.pause_until(112.5)
    assert limiter.acquire() == pytest.approx(12.5)
    limiter.pause_until(50.0)  # a pause in the past changes nothing
    assert limiter.acquire() == 0.0
    limiter.note_rejected()
    assert limiter.acquire() == pytest.approx(60.0)


def test_rejects_nonsense_configuration() -> None:
    with pytest.raises(ValueError, match="calls"):
        RateLimiter(0)
    with pytest.raises(ValueError, match="per_seconds"):
        RateLimiter(30, 0.0)
