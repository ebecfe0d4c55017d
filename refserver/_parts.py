"""The replaceable parts of the server: each behaviour lives in exactly one of them.

A test builds a planted-bug server by handing `create_app` a `Parts` with one part swapped
(`dataclasses.replace(parts, headers=NoEcho(...))`); everything else stays the reference.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from refserver._config import Tenant
from refserver._types import ConcurrencyStatus, Created, Headers, IssuedToken, RateStatus, Ticket
from refserver.store import Effects, Store, StoredResponse

__all__ = [
    "Authenticator",
    "BusinessEngine",
    "Clock",
    "CompressionPolicy",
    "ConcurrencyCounter",
    "FulfillmentIds",
    "HeaderPolicy",
    "IdempotencyEngine",
    "Parts",
    "RateLimiter",
    "Receive",
    "RequestIds",
    "RequestValidator",
]

Receive = Callable[[], Awaitable[Mapping[str, Any]]]


class Clock(Protocol):
    """Wall-clock seconds; injected so tests can move time."""

    def now(self) -> float: ...


class RequestIds(Protocol):
    """Identifiers of one call: `Zuora-Request-Id` (36 chars) and the error `processId`."""

    def request_id(self) -> str: ...

    def process_id(self) -> str: ...


class FulfillmentIds(Protocol):
    """32 lowercase hex characters per created fulfillment or fulfillment item."""

    def new_id(self) -> str: ...


class Authenticator(Protocol):
    """Bearer token -> tenant, and OAuth client credentials -> token."""

    def authenticate(self, authorization: str | None, now: float) -> Tenant | None: ...

    def issue(self, client_id: str, client_secret: str, now: float) -> IssuedToken | None: ...


class HeaderPolicy(Protocol):
    """Request-header limits (400), reach (403) and the `Zuora-Track-Id` echo."""

    def check(self, headers: Headers, tenant: Tenant) -> None: ...

    def echo(self, headers: Headers) -> tuple[tuple[str, str], ...]: ...


class CompressionPolicy(Protocol):
    """Request decoding (codings, size caps) and response encoding (gzip, `Vary`)."""

    async def read_body(self, headers: Headers, receive: Receive) -> bytes: ...

    def encode(
        self, body: bytes, accept_encoding: str | None
    ) -> tuple[bytes, tuple[tuple[str, str], ...]]: ...


class RequestValidator(Protocol):
    """Media type (415), JSON syntax (400, category 90) and the contract's schema (400)."""

    def check_media_type(self, content_type: str | None) -> None: ...

    def parse(self, body: bytes) -> Any: ...

    def validate(self, document: Any) -> None: ...


class IdempotencyEngine(Protocol):
    """Keys: reserve, replay, 409/422, and storing the processed response with its effects."""

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse: ...

    async def finish(
        self, ticket: Ticket, response: StoredResponse, effects: Effects, now: float
    ) -> bool: ...

    async def abort(self, ticket: Ticket) -> None: ...


class BusinessEngine(Protocol):
    """Business rules, fulfillment creation and billing side effects."""

    async def create(self, tenant: Tenant, document: Mapping[str, Any], now: float) -> Created: ...


class RateLimiter(Protocol):
    """Per-tenant minute, hour and day windows."""

    def hit(self, tenant: Tenant, now: float) -> RateStatus: ...


class ConcurrencyCounter(Protocol):
    """Per-tenant in-flight requests."""

    def acquire(self, tenant: Tenant) -> ConcurrencyStatus: ...

    def release(self, tenant: Tenant) -> None: ...


@dataclass(frozen=True, slots=True)
class Parts:
    """Every replaceable component of the server."""

    store: Store
    clock: Clock
    request_ids: RequestIds
    fulfillment_ids: FulfillmentIds
    authenticator: Authenticator
    headers: HeaderPolicy
    compression: CompressionPolicy
    validator: RequestValidator
    idempotency: IdempotencyEngine
    business: BusinessEngine
    rate_limiter: RateLimiter
    concurrency: ConcurrencyCounter
