"""The polite HTTP layer for live connectors: rate limiting, retries, a raw-response archive, one client.

See ``docs/http.md``. Typical use::

    limiter = RateLimiter()  # shared by every client that talks to data.ssb.no
    with PoliteClient(
        "https://data.ssb.no/api/pxwebapi/v2",
        limiter=limiter,
        retry=RetryPolicy(),
        archive=ResponseArchive(Path("archive/ssb")),
    ) as client:
        cube = client.get("tables/12134/data", {"lang": "no", "outputFormat": "json-stat2"}).json()
"""

from boligmonitor.sources.connectors.http.archive import (
    ArchivedRequest,
    ArchivedResponse,
    ResponseArchive,
    request_key,
    table_id_from_url,
)
from boligmonitor.sources.connectors.http.client import DEFAULT_USER_AGENT, FetchError, PoliteClient, Response
from boligmonitor.sources.connectors.http.ratelimit import RateLimiter, WindowLimit, parse_policy
from boligmonitor.sources.connectors.http.retry import RetryPolicy, TruncatedBody, parse_retry_after

__all__ = [
    "DEFAULT_USER_AGENT",
    "ArchivedRequest",
    "ArchivedResponse",
    "FetchError",
    "PoliteClient",
    "RateLimiter",
    "Response",
    "ResponseArchive",
    "RetryPolicy",
    "TruncatedBody",
    "WindowLimit",
    "parse_policy",
    "parse_retry_after",
    "request_key",
    "table_id_from_url",
]
