"""Broken header handling: request-header rules, the track-id echo, identifiers and limit headers.

Rule bugs are planted the way they happen: the reference policy built from a contract whose
rule for one header lost a limit (`with_rule`), as when a hand-copied limit drifts.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from fulfillments_contract import HeaderRule

from refserver import Contract, Problem, Shape, Tenant
from refserver.parts import (
    INTERNAL,
    INVALID_VALUE,
    ConcurrencyStatus,
    ContractHeaderPolicy,
    Headers,
    InFlightCounter,
    RateStatus,
    UuidRequestIds,
    WindowRateLimiter,
)

__all__ = [
    "EmptyPoolName",
    "EverythingEchoed",
    "FractionalReset",
    "InvalidTrackIdCrashes",
    "InventedTrackId",
    "LongHeaders431",
    "MarkerOnKeyedAnswers",
    "MixedRateWindows",
    "NoEcho",
    "ReachAsForbiddenCommonShape",
    "ReachAsUnauthorized",
    "RequestIdOnce",
    "ShortRequestIds",
    "TrackIdProcessedUnechoed",
    "TruncatedEcho",
    "with_rule",
]

TRACK_ID = "zuora-track-id"
TRUNCATED_ECHO = 32  # a track-id column half the width Zuora allows
AUTHENTICATION_FAILED = 11  # Zuora's reason category for failed authentication


def with_rule(contract: Contract, header: str, **changes: Any) -> Contract:
    """`contract` with the rule of `header` changed; `drop=True` removes the rule."""
    rules = dict(contract.header_rules)
    if changes.pop("drop", False):
        del rules[header]
    else:
        rules[header] = dataclasses.replace(rules[header], **changes)
    return dataclasses.replace(contract, header_rules=rules)


class MarkerOnKeyedAnswers(ContractHeaderPolicy):
    """Sets `Idempotent-Replayed: true` on every answer to a request that carries a key."""

    def echo(self, headers: Headers) -> tuple[tuple[str, str], ...]:
        marker = (("Idempotent-Replayed", "true"),) if "idempotency-key" in headers else ()
        return (*super().echo(headers), *marker)


class NoEcho(ContractHeaderPolicy):
    """Never returns Zuora-Track-Id."""

    def echo(self, headers: Headers) -> tuple[tuple[str, str], ...]:
        return ()


class TruncatedEcho(ContractHeaderPolicy):
    """Returns Zuora-Track-Id cut to 32 characters."""

    def echo(self, headers: Headers) -> tuple[tuple[str, str], ...]:
        return tuple((name, value[:TRUNCATED_ECHO]) for name, value in super().echo(headers))


class EverythingEchoed(ContractHeaderPolicy):
    """Returns Zuora-Track-Id as sent, valid or not (the 400 for an invalid one echoes it)."""

    def echo(self, headers: Headers) -> tuple[tuple[str, str], ...]:
        value = headers.get(TRACK_ID)
        return () if value is None else (("Zuora-Track-Id", value),)


class InventedTrackId(ContractHeaderPolicy):
    """Returns a made-up Zuora-Track-Id when the request sent none, for the logs' sake."""

    def echo(self, headers: Headers) -> tuple[tuple[str, str], ...]:
        return super().echo(headers) or (("Zuora-Track-Id", f"auto-{uuid.uuid4().hex[:12]}"),)


class LongHeaders431(ContractHeaderPolicy):
    """Answers a header over its declared length with 431 instead of 400."""

    def __init__(self, contract: Contract) -> None:
        super().__init__(contract)
        self._limits: tuple[HeaderRule, ...] = tuple(
            rule for rule in contract.header_rules.values() if rule.max_length is not None
        )

    def check(self, headers: Headers, tenant: Tenant) -> None:
        for rule in self._limits:
            value = headers.get(rule.key)
            if value is not None and rule.max_length is not None and len(value) > rule.max_length:
                raise Problem.of(431, INVALID_VALUE, f"Header {rule.key} is too large")
        super().check(headers, tenant)


class ReachAsUnauthorized(ContractHeaderPolicy):
    """Answers entities or orgs out of the token's reach with 401 and no challenge."""

    def check(self, headers: Headers, tenant: Tenant) -> None:
        try:
            super().check(headers, tenant)
        except Problem as problem:
            if problem.status != 403:
                raise
            raise Problem.of(
                401, AUTHENTICATION_FAILED, "Authentication error", shape=Shape.UNAUTHORIZED
            ) from None


class ReachAsForbiddenCommonShape(ContractHeaderPolicy):
    """Answers entities or orgs out of reach with 403 in the 400 body shape."""

    def check(self, headers: Headers, tenant: Tenant) -> None:
        try:
            super().check(headers, tenant)
        except Problem as problem:
            if problem.status != 403:
                raise
            raise Problem(403, problem.reasons, problem.headers, Shape.COMMON) from None


class ShortRequestIds(UuidRequestIds):
    """A Zuora-Request-Id of 32 hex digits, the UUID without its hyphens."""

    def request_id(self) -> str:
        return uuid.uuid4().hex


class RequestIdOnce(UuidRequestIds):
    """One Zuora-Request-Id made at start and sent with every answer."""

    def __init__(self) -> None:
        self._id = str(uuid.uuid4())

    def request_id(self) -> str:
        return self._id


class MixedRateWindows(WindowRateLimiter):
    """Reports the minute window's quota with the day window's remaining requests."""

    def hit(self, tenant: Tenant, now: float) -> RateStatus:
        status = super().hit(tenant, now)
        used = status.limit - status.remaining
        return dataclasses.replace(status, remaining=tenant.quotas.per_day - used)


@dataclasses.dataclass(frozen=True, slots=True)
class _PreciseRate(RateStatus):
    seconds: float = 0.0

    def headers(self) -> tuple[tuple[str, str], ...]:
        limit, remaining, _ = RateStatus.headers(self)
        return (limit, remaining, ("RateLimit-Reset", f"{self.seconds:.3f}"))


class FractionalReset(WindowRateLimiter):
    """Sends RateLimit-Reset as fractional seconds (`42.318`), not an integer."""

    def hit(self, tenant: Tenant, now: float) -> RateStatus:
        status = super().hit(tenant, now)
        precise = status.reset - (now % 1.0)
        return _PreciseRate(**{f.name: getattr(status, f.name) for f in _FIELDS}, seconds=precise)


_FIELDS = dataclasses.fields(RateStatus)


class EmptyPoolName(InFlightCounter):
    """Sends an empty Concurrency-Limit-Type (the pool name is read from an unset setting)."""

    def acquire(self, tenant: Tenant) -> ConcurrencyStatus:
        return dataclasses.replace(super().acquire(tenant), kind="")


class TrackIdProcessedUnechoed(ContractHeaderPolicy):
    """Processes a request whatever its Zuora-Track-Id, and echoes only a valid one."""

    def __init__(self, contract: Contract) -> None:
        super().__init__(with_rule(contract, TRACK_ID, drop=True))
        self._reference = ContractHeaderPolicy(contract)

    def echo(self, headers: Headers) -> tuple[tuple[str, str], ...]:
        return self._reference.echo(headers)


class InvalidTrackIdCrashes(ContractHeaderPolicy):
    """An invalid Zuora-Track-Id makes the server fail with 500 instead of refusing it."""

    def check(self, headers: Headers, tenant: Tenant) -> None:
        try:
            super().check(headers, tenant)
        except Problem as problem:
            if TRACK_ID in headers and TRACK_ID in str(problem.reasons).lower():
                raise Problem.of(500, INTERNAL, "track id could not be stored") from None
            raise
