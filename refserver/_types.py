"""Small values that pass between the pipeline and its parts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from refserver.store import Effects, Reservation

__all__ = ["ConcurrencyStatus", "Created", "Headers", "IssuedToken", "RateStatus", "Ticket"]

Headers = Mapping[str, str]
"""Request headers by lower-case name; repeated headers are joined with ", " (RFC 9110)."""


@dataclass(frozen=True, slots=True)
class RateStatus:
    """The tenant's rate window nearest to exhaustion, after counting this request."""

    limit: int
    remaining: int
    reset: int
    allowed: bool
    window: str

    def headers(self) -> tuple[tuple[str, str], ...]:
        """The `RateLimit-*` response headers."""
        return (
            ("RateLimit-Limit", str(self.limit)),
            ("RateLimit-Remaining", str(self.remaining)),
            ("RateLimit-Reset", str(self.reset)),
        )


@dataclass(frozen=True, slots=True)
class ConcurrencyStatus:
    """The tenant's in-flight count, this request included."""

    limit: int
    remaining: int
    allowed: bool
    kind: str = "Default"

    def headers(self) -> tuple[tuple[str, str], ...]:
        """The `Concurrency-Limit-*` response headers."""
        return (
            ("Concurrency-Limit-Limit", str(self.limit)),
            ("Concurrency-Limit-Remaining", str(self.remaining)),
            ("Concurrency-Limit-Type", self.kind),
        )


@dataclass(frozen=True, slots=True)
class Ticket:
    """What the idempotency engine hands the pipeline: the reservation, or None without a key."""

    reservation: Reservation | None


def _nothing_to_settle() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Created:
    """The business engine's result: the 200 body and what it created.

    `settle` is called once the effects are stored or given up (whichever happens), so an engine
    can count what is being created until the store counts it.
    """

    body: bytes
    effects: Effects
    settle: Callable[[], None] = _nothing_to_settle


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An OAuth access token and its lifetime."""

    access_token: str
    expires_in: int
    jti: str
    scope: str
