"""Per-tenant rate windows and in-flight counts, kept in the process that serves the request.

Rate limits use fixed windows aligned to the clock (minute, hour, day), Zuora's three quotas.
The `RateLimit-*` headers describe the window nearest to exhaustion: the smallest fraction
of its quota left, the shortest window on a tie.
"""

from __future__ import annotations

import math

from refserver._config import Tenant
from refserver._types import ConcurrencyStatus, RateStatus

__all__ = ["InFlightCounter", "WindowRateLimiter"]

_WINDOWS = (("minute", 60), ("hour", 3600), ("day", 86400))


class WindowRateLimiter:
    """Counts each tenant's accepted requests per fixed window."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[tuple[int, int], ...]] = {}  # tenant -> (window, count)

    def hit(self, tenant: Tenant, now: float) -> RateStatus:
        """Count this request if every window has room; describe the tightest window."""
        quotas = (tenant.quotas.per_minute, tenant.quotas.per_hour, tenant.quotas.per_day)
        current = tuple(int(now // seconds) for _, seconds in _WINDOWS)
        stored = self._counts.get(tenant.id, ((-1, 0), (-1, 0), (-1, 0)))
        counts = [c if w == cur else 0 for (w, c), cur in zip(stored, current, strict=True)]
        allowed = all(c < q for c, q in zip(counts, quotas, strict=True))
        if allowed:
            counts = [c + 1 for c in counts]
        self._counts[tenant.id] = tuple(zip(current, counts, strict=True))
        statuses = [
            RateStatus(
                limit=quota,
                remaining=max(0, quota - count),
                reset=max(0, math.ceil((index + 1) * seconds - now)),
                allowed=allowed,
                window=name,
            )
            for (name, seconds), quota, count, index in zip(
                _WINDOWS, quotas, counts, current, strict=True
            )
        ]
        if not allowed:  # the exhausted window that frees up last decides the wait
            return max((s for s in statuses if s.remaining == 0), key=lambda s: s.reset)
        return min(statuses, key=lambda s: s.remaining / max(s.limit, 1))


class InFlightCounter:
    """Counts each tenant's requests between authentication and the last byte of the answer."""

    def __init__(self) -> None:
        self._in_flight: dict[str, int] = {}

    def acquire(self, tenant: Tenant) -> ConcurrencyStatus:
        """Count this request; allowed while the tenant is within its limit."""
        count = self._in_flight.get(tenant.id, 0) + 1
        self._in_flight[tenant.id] = count
        limit = tenant.concurrency_limit
        return ConcurrencyStatus(
            limit=limit, remaining=max(0, limit - count), allowed=count <= limit
        )

    def release(self, tenant: Tenant) -> None:
        """Stop counting a finished request."""
        count = self._in_flight.get(tenant.id, 0) - 1
        if count > 0:
            self._in_flight[tenant.id] = count
        else:
            self._in_flight.pop(tenant.id, None)
