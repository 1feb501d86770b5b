"""Retry policy: back-off, Retry-After, what is retried and what is not."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from boligmonitor.sources.connectors.http.retry import RetryPolicy, TruncatedBody, parse_retry_after


def test_exponential_backoff_without_jitter() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=60.0, jitter=0.0)
    assert [policy.delay(n, None) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_jitter_stretches_within_bounds() -> None:
    low = RetryPolicy(base_delay=2.0, jitter=0.5, random=lambda: 0.0)
    high = RetryPolicy(base_delay=2.0, jitter=0.5, random=lambda: 0.999999)
    assert low.delay(2, None) == 4.0
    assert 4.0 < high.delay(2, None) < 6.0
    assert high.delay(10, None) == 60.0  # jitter never exceeds the cap


def test_retry_after_is_used_exactly_and_capped() -> None:
    policy = RetryPolicy(max_delay=60.0, random=lambda: 0.9)
    assert policy.delay(1, 7.0) == 7.0
    assert policy.delay(3, 0.0) == 0.0
    assert policy.delay(1, 600.0) == 60.0


def test_delay_rejects_zero_based_attempt() -> None:
    with pytest.raises(ValueError, match="1-based"):
        RetryPolicy().delay(0, None)


def test_parse_retry_after_seconds_and_http_date() -> None:
    now = datetime(2026, 4, 25, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("30", now) == 30.0
    assert parse_retry_after(" 2.5 ", now) == 2.5
    assert parse_retry_after("Sat, 25 Apr 2026 12:00:45 GMT", now) == 45.0
    assert parse_retry_after("Sat, 25 Apr 2026 11:00:00 GMT", now) == 0.0  # in the past
    assert parse_retry_after("-5", now) == 0.0
    assert parse_retry_after("whenever", now) is None
    assert parse_retry_after("", now) is None
    assert parse_retry_after(None, now) is None


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_server_trouble_is_retried(status: int) -> None:
    assert RetryPolicy().is_retryable(status, None)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 410, 413, 414, 422, 501])
def test_client_errors_are_not_retried(status: int) -> None:
    assert not RetryPolicy().is_retryable(status, None)


def test_ssb_bad_selection_answers_are_not_retried(api_fixtures: Path) -> None:
    """Real SSB error answers (unknown table, region, ContentsCode...) all came as HTTP 400: asking again is futile."""
    probe = json.loads((api_fixtures / "ssb_api_probe_2026-04-25_requests_and_errors.json").read_text("utf-8"))
    errors = probe["errors"]
    assert errors
    policy = RetryPolicy()
    for error in errors:
        assert error["status"] == 400
        assert not policy.is_retryable(error["status"], None), error["label"]


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectTimeout("slow"),
        httpx.ReadTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        TimeoutError(),
        ConnectionResetError(),
        TruncatedBody("short"),
    ],
)
def test_transfer_failures_are_retried(error: Exception) -> None:
    assert RetryPolicy().is_retryable(None, error)
    assert RetryPolicy().is_retryable(200, error)


@pytest.mark.parametrize("error", [httpx.UnsupportedProtocol("ftp"), ValueError("bug"), KeyError("x")])
def test_other_errors_are_not_retried(error: Exception) -> None:
    assert not RetryPolicy().is_retryable(None, error)


def test_rejects_nonsense_configuration() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(base_delay=-1)
