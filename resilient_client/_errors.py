"""The errors a call can end with, each saying why it was or was not retried."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resilient_client._info import ResponseInfo

__all__ = [
    "WHY_NOT_RETRIED",
    "AttemptRecord",
    "CorrectionNeeded",
    "FulfillmentsError",
    "RetriesExhausted",
    "UnexpectedResponse",
]

# Statuses that need a correction before the request can succeed: retrying the same request
# would get the same answer (or replay the stored one), so the client never retries them.
WHY_NOT_RETRIED: dict[int, str] = {
    400: "the request is invalid or breaks a business rule: correct it (see reasons)",
    401: "the bearer token is missing, malformed or unknown: get a new token",
    403: "the token may not act in the requested entities or orgs",
    413: "the body is over 4 MiB: split the fulfillments across several calls",
    415: "the content type or coding is not accepted: send JSON, plain or gzip",
    422: (
        "this Idempotency-Key was first used with a different body: resend the original "
        "body, or use a new key for a new request"
    ),
}


@dataclass(frozen=True)
class AttemptRecord:
    """One attempt of a call: its status (None without a response), error and wait after it."""

    status: int | None
    error: str | None
    waited: float


class FulfillmentsError(Exception):
    """Base of every error the resilient client raises after sending (not header errors)."""


class CorrectionNeeded(FulfillmentsError):
    """The server rejected the request in a way no retry can fix; it was not retried."""

    def __init__(
        self, info: ResponseInfo, body: Any, reasons: list[tuple[str, str]], key: str
    ) -> None:
        self.status = info.status
        self.info = info
        self.body = body
        self.reasons = reasons
        self.idempotency_key = key
        self.why = WHY_NOT_RETRIED[info.status]
        detail = "; ".join(f"{code}: {message}" for code, message in reasons)
        super().__init__(
            f"{info.status}, not retried: {self.why}" + (f" [{detail}]" if detail else "")
        )


class RetriesExhausted(FulfillmentsError):
    """Every allowed attempt failed in a retryable way; retry later with the same key."""

    def __init__(self, why: str, key: str, attempts: tuple[AttemptRecord, ...]) -> None:
        self.why = why
        self.idempotency_key = key
        self.attempts = attempts
        super().__init__(
            f"{why}; retry later with Idempotency-Key {key!r} so the request runs at most once"
        )


class UnexpectedResponse(FulfillmentsError):
    """A status the contract does not describe for this call (or a 200 that does not parse)."""

    def __init__(self, info: ResponseInfo, content: bytes, why: str) -> None:
        self.status = info.status
        self.info = info
        self.content = content
        super().__init__(f"{info.status}: {why}")
