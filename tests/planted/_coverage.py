"""Broken parts for the promises the suite once left untested: the gzip edge, enums, RateLimit-*,
key lifetime and header-name spelling."""

from __future__ import annotations

import dataclasses
from typing import Any

from refserver import Contract, IdempotencyEngine, Tenant
from refserver.parts import (
    ContractValidator,
    GzipPolicy,
    Headers,
    RateStatus,
    Ticket,
    WindowRateLimiter,
)
from refserver.store import Effects, StoredResponse
from tests.planted._idempotency import Wrapped

__all__ = [
    "FORGET_SECONDS",
    "GzipDespiteZeroQuality",
    "KeysForgottenInSeconds",
    "RateLimitHeadersDropped",
    "validator_without_enums",
]

FORGET_SECONDS = 2.0  # how long the forgetful engine keeps a key (the contract says 24 hours)


class KeysForgottenInSeconds(Wrapped):
    """Keeps keys `FORGET_SECONDS` instead of the contract's TTL: a TTL read in the wrong unit.

    Time runs faster for the store by the ratio of the two, so the reference store's own
    expiry does the forgetting.
    """

    def __init__(self, inner: IdempotencyEngine, *, ttl_seconds: float) -> None:
        super().__init__(inner)
        self._speed = ttl_seconds / FORGET_SECONDS
        self._started: float | None = None

    def _now(self, now: float) -> float:
        if self._started is None:
            self._started = now
        return self._started + (now - self._started) * self._speed

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        return await self.inner.begin(tenant, headers, document, self._now(now))

    async def finish(
        self, ticket: Ticket, response: StoredResponse, effects: Effects, now: float
    ) -> bool:
        return await self.inner.finish(ticket, response, effects, self._now(now))


class GzipDespiteZeroQuality(GzipPolicy):
    """Compresses for any Accept-Encoding that names gzip, `gzip;q=0` (refused) included."""

    def encode(
        self, body: bytes, accept_encoding: str | None
    ) -> tuple[bytes, tuple[tuple[str, str], ...]]:
        named = accept_encoding is not None and "gzip" in accept_encoding.lower()
        return super().encode(body, "gzip" if named else accept_encoding)


@dataclasses.dataclass(frozen=True, slots=True)
class _Unreported(RateStatus):
    def headers(self) -> tuple[tuple[str, str], ...]:
        return ()


class RateLimitHeadersDropped(WindowRateLimiter):
    """Counts requests but reports nothing: RateLimit-* left out of every answer."""

    def hit(self, tenant: Tenant, now: float) -> RateStatus:
        status = super().hit(tenant, now)
        fields = {field.name: getattr(status, field.name) for field in dataclasses.fields(status)}
        return _Unreported(**fields)


def _without_enums(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _without_enums(value) for key, value in node.items() if key != "enum"}
    if isinstance(node, list):
        return [_without_enums(item) for item in node]
    return node


def validator_without_enums(contract: Contract) -> ContractValidator:
    """The reference validator, built from a schema copy that lost its enums."""
    schema = _without_enums(dict(contract.request_schema))
    return ContractValidator(dataclasses.replace(contract, request_schema=schema))
