"""When to retry, and how long to wait: bounded exponential backoff with full jitter.

| outcome                                    | retried? | wait                                  |
|--------------------------------------------|----------|---------------------------------------|
| network error, timeout, dropped connection | yes      | backoff                               |
| 409 (same key in progress), 429, 5xx       | yes      | the larger of backoff and Retry-After |
| 400, 401, 403, 413, 415, 422               | never    | (CorrectionNeeded says what to fix)   |
| any other status                           | never    | (UnexpectedResponse)                  |

Every retry sends the same Idempotency-Key and the same body, so the server creates the
fulfillments at most once, whichever attempt it actually processed.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

__all__ = ["RETRIED_ERRORS", "RetryPolicy", "is_retried_status"]

# Failures after which the request may or may not have reached the server: safe to retry
# because the key makes a repeat harmless.
RETRIED_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


def is_retried_status(status: int) -> bool:
    """409 (the same key is still in progress), 429 (rate or concurrency limit) and 5xx."""
    return status in (409, 429) or 500 <= status <= 599


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one logical call tries before it gives up."""

    max_attempts: int = 5  # the first attempt and up to four retries
    max_total_seconds: float = 60.0  # no attempt starts later than this after the first
    base_delay: float = 0.5  # the backoff ceiling after the first failure; doubles each time
    max_delay: float = 20.0  # the ceiling of any one backoff
    attempt_timeout: float = 30.0  # connect, write and read timeout of one attempt

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.max_total_seconds, self.base_delay, self.max_delay) < 0:
            raise ValueError("times must not be negative")
        if self.attempt_timeout <= 0:
            raise ValueError("attempt_timeout must be positive")

    def backoff(self, failures: int, jitter: float) -> float:
        """Full jitter: a uniform wait in [0, min(max_delay, base_delay * 2**(failures-1)))."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** max(0, failures - 1))
        return jitter * ceiling

    def wait(self, failures: int, jitter: float, retry_after: float | None) -> float:
        """The wait before the next attempt: never shorter than the server's Retry-After."""
        return max(self.backoff(failures, jitter), retry_after or 0.0)
