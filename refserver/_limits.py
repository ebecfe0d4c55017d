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
        # tenant -> [minute index, count, hour index, count, day index, count]
        self._state: dict[str, list[int]] = {}

    def hit(self, tenant: Tenant, now: float) -> RateStatus:
        """Count this request if every window has room; describe the tightest window."""
        quotas = (tenant.quotas.per_minute, tenant.quotas.per_hour, tenant.quotas.per_day)
        state = self._state.get(tenant.id)
        if state is None:
            state = self._state[tenant.id] = [-1, 0, -1, 0, -1, 0]
        for i, (_, seconds) in enumerate(_WINDOWS):
            index = int(now // seconds)
            if state[2 * i] != index:
                state[2 * i], state[2 * i + 1] = index, 0
        allowed = state[1] < quotas[0] and state[3] < quotas[1] and state[5] < quotas[2]
        if allowed:
            state[1] += 1
            state[3] += 1
            state[5] += 1
        chosen, best = 0, None
        for i, (_, seconds) in enumerate(_WINDOWS):
            left = quotas[i] - state[2 * i + 1]
            if allowed:
                key = left / quotas[i] if quotas[i] > 0 else 0.0  # the smallest share left
            elif left <= 0:
                key = -((state[2 * i] + 1) * seconds - now)  # the exhausted window freed last
            else:
                continue
            if best is None or key < best:
                chosen, best = i, key
        name, seconds = _WINDOWS[chosen]
        return RateStatus(
            limit=quotas[chosen],
            remaining=max(0, quotas[chosen] - state[2 * chosen + 1]),
            reset=max(0, math.ceil((state[2 * chosen] + 1) * seconds - now)),
            allowed=allowed,
            window=name,
        )


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
