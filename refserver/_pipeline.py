"""POST /v1/fulfillments, step by step, each step delegated to one replaceable part.

authenticate -> header rules and reach -> rate and concurrency limits -> media type ->
content coding and size caps -> strict JSON -> idempotency (replay, 409, 422) -> schema ->
business rules -> create and store. Rejections before the idempotency step are never stored;
the 200 and the 400s of the schema and business steps are stored under the key.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fulfillments_contract import Contract

from refserver._config import Tenant
from refserver._errors import (
    BUSINESS_RULE,
    INTERNAL,
    LIMIT_EXCEEDED,
    LOCKING,
    Disconnected,
    Problem,
    Shape,
    render,
)
from refserver._parts import Parts, Receive
from refserver._respond import Send, send_response
from refserver._types import ConcurrencyStatus, Created, Headers, RateStatus, Ticket
from refserver.store import Effects, LineItemFull, StoredResponse

__all__ = ["WWW_AUTHENTICATE", "read_headers", "serve_fulfillments"]

_log = logging.getLogger("refserver")
WWW_AUTHENTICATE = "Basic realm=Zuora API, ZSession realm=Zuora API, Bearer realm=Zuora API"
_CONCURRENCY_RETRY_AFTER = "1"  # a slot frees as soon as any in-flight request ends
_JSON = "application/json"
# Zuora sends RateLimit-* on a 401 too; requests without a tenant share one window, with
# Zuora's default quotas, counted apart from every tenant's (no tenant id can be empty).
_ANONYMOUS = Tenant(id="")


def read_headers(scope: Mapping[str, Any]) -> dict[str, str]:
    """Request headers by lower-case name, repeated ones joined with ", "."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


class _Exchange:
    """One request's identity and the per-exchange headers every answer carries."""

    def __init__(self, parts: Parts, contract: Contract, headers: Headers, send: Send) -> None:
        self.parts = parts
        self.contract = contract
        self.headers = headers
        self.send = send
        self.request_id = parts.request_ids.request_id()
        self.rate: RateStatus | None = None
        self.concurrency: ConcurrencyStatus | None = None

    async def answer(
        self,
        status: int,
        body: bytes,
        *,
        extra: tuple[tuple[str, str], ...] = (),
        stored: tuple[tuple[str, str], ...] | None = None,
    ) -> None:
        declared = self.contract.declared_headers.get(status, frozenset())
        accept = self.headers.get("accept-encoding") if "content-encoding" in declared else None
        body, coding = self.parts.compression.encode(body, accept)
        own = stored if stored is not None else (("Zuora-Request-Id", self.request_id),)
        out = [*own, *self.parts.headers.echo(self.headers), *extra, *coding]
        if self.rate is not None:
            out.extend(self.rate.headers())
        if self.concurrency is not None:
            out.extend(self.concurrency.headers())
        content_type = next((v for n, v in own if n.lower() == "content-type"), _JSON)
        await send_response(
            self.send, status, body, out, declared=declared, content_type=content_type
        )

    def render(self, problem: Problem) -> bytes:
        codes = self.contract.policies
        return render(
            problem,
            resource=codes.resource_code,
            auth_resource=codes.auth_resource_code,
            process_id=self.parts.request_ids.process_id(),
            request_id=self.request_id,
        )

    async def reject(self, problem: Problem) -> None:
        await self.answer(problem.status, self.render(problem), extra=problem.headers)


async def serve_fulfillments(
    parts: Parts, contract: Contract, scope: Mapping[str, Any], receive: Receive, send: Send
) -> None:
    """Answer one POST /v1/fulfillments."""
    headers = read_headers(scope)
    exchange = _Exchange(parts, contract, headers, send)
    now = parts.clock.now()
    tenant = parts.authenticator.authenticate(headers.get("authorization"), now)
    if tenant is None:
        exchange.rate = parts.rate_limiter.hit(_ANONYMOUS, now)
        await exchange.reject(
            Problem.of(
                401,
                11,
                "Authentication error",
                headers=(("WWW-Authenticate", WWW_AUTHENTICATE),),
                shape=Shape.UNAUTHORIZED,
            )
        )
        return
    exchange.rate = parts.rate_limiter.hit(tenant, now)
    exchange.concurrency = parts.concurrency.acquire(tenant)
    try:
        await _admitted(exchange, tenant, receive, now)
    finally:
        parts.concurrency.release(tenant)


async def _admitted(exchange: _Exchange, tenant: Any, receive: Receive, now: float) -> None:
    parts, headers = exchange.parts, exchange.headers
    ticket: Ticket | None = None
    try:
        parts.headers.check(headers, tenant)
        _check_limits(exchange)
        parts.validator.check_media_type(headers.get("content-type"))
        body = await parts.compression.read_body(headers, receive)
        document = parts.validator.parse(body)
        begun = await parts.idempotency.begin(tenant, headers, document, now)
        if isinstance(begun, StoredResponse):
            await _replay(exchange, begun)
            return
        ticket = begun
        status, created = await _process(exchange, tenant, document, now)
        stored = _stored_headers(exchange)
        try:
            status, body, finished = await _finish(exchange, ticket, status, created, stored, now)
        finally:
            created.settle()
        ticket = None  # from here the key is completed (or was taken over): never release it
        if not finished:
            raise Problem.of(
                exchange.contract.policies.in_progress_status,
                LOCKING,
                "Another request with this Idempotency-Key took over; retry with the same key",
                headers=(("Retry-After", "1"),),
            )
        await exchange.answer(status, body, stored=stored)
    except Problem as problem:
        await _release(exchange, ticket)
        await exchange.reject(problem)
    except Disconnected:
        await _release(exchange, ticket)
    except Exception:
        _log.exception("unexpected failure (request %s)", exchange.request_id)
        await _release(exchange, ticket)
        await exchange.reject(
            Problem.of(
                500,
                INTERNAL,
                "An unexpected error occurred; retry with the same Idempotency-Key",
            )
        )


def _check_limits(exchange: _Exchange) -> None:
    rate, concurrency = exchange.rate, exchange.concurrency
    if rate is not None and not rate.allowed:
        raise Problem.of(
            429,
            LIMIT_EXCEEDED,
            f"The rate limit of {rate.limit} requests per {rate.window} is exceeded; "
            f"retry after {rate.reset} seconds",
            headers=(("Retry-After", str(rate.reset)),),
        )
    if concurrency is not None and not concurrency.allowed:
        raise Problem.of(
            429,
            LIMIT_EXCEEDED,
            f"The limit of {concurrency.limit} concurrent requests is exceeded; retry shortly",
            headers=(("Retry-After", _CONCURRENCY_RETRY_AFTER),),
        )


async def _process(
    exchange: _Exchange, tenant: Any, document: Any, now: float
) -> tuple[int, Created]:
    """Validate and create: the 200, or a 400 that is stored like one (creating nothing)."""
    try:
        exchange.parts.validator.validate(document)
        created = await exchange.parts.business.create(tenant, document, now)
    except Problem as problem:
        if problem.status != 400:
            raise
        return 400, Created(body=exchange.render(problem), effects=Effects())
    return 200, created


async def _finish(
    exchange: _Exchange,
    ticket: Ticket,
    status: int,
    created: Created,
    stored: tuple[tuple[str, str], ...],
    now: float,
) -> tuple[int, bytes, bool]:
    """Store the answer with its effects; the store may refuse them for a full line item.

    Then the 400 the catalogue rules give is stored under the key instead, creating nothing:
    another process filled the line item between this one's check and its commit.
    """
    idempotency = exchange.parts.idempotency
    response = StoredResponse(status=status, headers=stored, body=created.body)
    try:
        return (
            status,
            created.body,
            await idempotency.finish(ticket, response, created.effects, now),
        )
    except LineItemFull as full:
        body = exchange.render(Problem.of(400, BUSINESS_RULE, str(full)))
        refused = StoredResponse(status=400, headers=stored, body=body)
        return 400, body, await idempotency.finish(ticket, refused, Effects(), now)


def _stored_headers(exchange: _Exchange) -> tuple[tuple[str, str], ...]:
    values = {"content-type": _JSON, "zuora-request-id": exchange.request_id}
    names = exchange.contract.policies.stored_headers
    return tuple((name, values[name.lower()]) for name in names if name.lower() in values)


async def _replay(exchange: _Exchange, stored: StoredResponse) -> None:
    replay = ((exchange.contract.policies.replay_header, "true"),)
    await exchange.answer(stored.status, stored.body, extra=replay, stored=stored.headers)


async def _release(exchange: _Exchange, ticket: Ticket | None) -> None:
    if ticket is None:
        return
    try:
        await exchange.parts.idempotency.abort(ticket)
    except Exception:
        _log.exception("could not release a key (request %s)", exchange.request_id)
