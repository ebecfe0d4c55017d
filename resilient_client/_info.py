"""The response headers an integrator acts on, parsed into typed values.

A header that is absent, or present with a value that does not parse, is `None`: the client
reports what the server said and never fails a created fulfillment over a malformed
rate-limit header.
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ConcurrencyLimit", "RateLimit", "ResponseInfo", "retry_after_seconds"]


@dataclass(frozen=True)
class RateLimit:
    """`RateLimit-*`: the quota of the window nearest to exhaustion."""

    limit: str | None  # a string in the contract (Zuora may list several quotas)
    remaining: int | None
    reset_seconds: int | None


@dataclass(frozen=True)
class ConcurrencyLimit:
    """`Concurrency-Limit-*`: the tenant's requests in flight."""

    limit: int | None
    remaining: int | None
    type: str | None


@dataclass(frozen=True)
class ResponseInfo:
    """What one response's headers say, typed."""

    status: int
    request_id: str | None
    track_id: str | None
    replayed: bool
    rate_limit: RateLimit | None
    concurrency_limit: ConcurrencyLimit | None
    retry_after: float | None

    @classmethod
    def from_headers(cls, status: int, headers: Mapping[str, str], now: float) -> ResponseInfo:
        """Parse the headers of a response with `status`; `now` (epoch seconds) for dates."""
        lower = {name.lower(): value for name, value in headers.items()}
        rate = None
        if any(name.startswith("ratelimit-") for name in lower):
            rate = RateLimit(
                lower.get("ratelimit-limit"),
                _integer(lower.get("ratelimit-remaining")),
                _integer(lower.get("ratelimit-reset")),
            )
        concurrency = None
        if any(name.startswith("concurrency-limit-") for name in lower):
            concurrency = ConcurrencyLimit(
                _integer(lower.get("concurrency-limit-limit")),
                _integer(lower.get("concurrency-limit-remaining")),
                lower.get("concurrency-limit-type"),
            )
        return cls(
            status=status,
            request_id=lower.get("zuora-request-id"),
            track_id=lower.get("zuora-track-id"),
            replayed=lower.get("idempotent-replayed", "").strip().lower() == "true",
            rate_limit=rate,
            concurrency_limit=concurrency,
            retry_after=retry_after_seconds(lower.get("retry-after"), now),
        )


def _integer(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds from `now`: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)
