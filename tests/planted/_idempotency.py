"""Broken idempotency engines: the bugs real implementations of Idempotency-Key ship with.

Each wraps the reference engine (`StoreIdempotency`) and changes one decision, except
`CheckThenInsert`, which is the classic hand-rolled design: look the key up, process, then
write the answer, with nothing reserved in between.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from typing import Any

from refserver import IdempotencyEngine, Problem, Tenant
from refserver.parts import BUSINESS_RULE, LOCKING, Headers, Ticket, fingerprint
from refserver.store import Effects, Reservation, ScopedKey, Store, StoredResponse

__all__ = [
    "CheckThenInsert",
    "ConflictWithoutRetryAfter",
    "DuplicateAnsweredConflict",
    "FailuresNotStored",
    "FailuresReplayedAsOk",
    "FingerprintIgnored",
    "FingerprintKeepsKeyOrder",
    "KeysIgnored",
    "ReplayAsOctetStream",
    "ReplayKeysReordered",
    "ReplayNewRequestId",
    "ReplayReserialised",
    "TenantInFingerprint",
    "TenantlessKeys",
    "Wrapped",
]

_EVERYONE = "all-tenants"  # the one scope of an engine that forgets the tenant


class Wrapped:
    """The reference engine, unchanged; each bug overrides one step."""

    def __init__(self, inner: IdempotencyEngine) -> None:
        self.inner = inner

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        return await self.inner.begin(tenant, headers, document, now)

    async def finish(
        self, ticket: Ticket, response: StoredResponse, effects: Effects, now: float
    ) -> bool:
        return await self.inner.finish(ticket, response, effects, now)

    async def abort(self, ticket: Ticket) -> None:
        await self.inner.abort(ticket)


def _with_header(response: StoredResponse, name: str, value: str) -> StoredResponse:
    headers = tuple((n, value if n.lower() == name.lower() else v) for n, v in response.headers)
    return dataclasses.replace(response, headers=headers)


class KeysIgnored(Wrapped):
    """Never looks at Idempotency-Key: every retry is processed anew."""

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        return Ticket(None)


class TenantlessKeys(Wrapped):
    """Scopes keys by method, path and key only: tenants share one key space."""

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        everyone = dataclasses.replace(tenant, id=_EVERYONE)
        return await self.inner.begin(everyone, headers, document, now)


class TenantInFingerprint(Wrapped):
    """Keys unique across tenants, the tenant hashed into the fingerprint: reuse gets 422."""

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        everyone = dataclasses.replace(tenant, id=_EVERYONE)
        signed = {"tenant": tenant.id, "request": document}
        return await self.inner.begin(everyone, headers, signed, now)


class ReplayNewRequestId(Wrapped):
    """Replays the stored body under a newly generated Zuora-Request-Id."""

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        found = await self.inner.begin(tenant, headers, document, now)
        if isinstance(found, StoredResponse):
            return _with_header(found, "Zuora-Request-Id", str(uuid.uuid4()))
        return found


class ReplayAsOctetStream(Wrapped):
    """Replays the stored bytes as application/octet-stream (the cache kept no media type)."""

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        found = await self.inner.begin(tenant, headers, document, now)
        if isinstance(found, StoredResponse):
            return _with_header(found, "Content-Type", "application/octet-stream")
        return found


class ReplayReserialised(Wrapped):
    """Replays the stored answer re-serialised from parsed JSON, so its bytes differ."""

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        found = await self.inner.begin(tenant, headers, document, now)
        if isinstance(found, StoredResponse):
            body = json.dumps(json.loads(found.body)).encode("utf-8")
            return dataclasses.replace(found, body=body)
        return found


class DuplicateAnsweredConflict(Wrapped):
    """Answers a completed key with 409 "already processed" instead of the stored answer."""

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        found = await self.inner.begin(tenant, headers, document, now)
        if isinstance(found, StoredResponse):
            raise Problem.of(
                409, LOCKING, "This request was already processed", headers=(("Retry-After", "1"),)
            )
        return found


class FingerprintIgnored(Wrapped):
    """Never compares bodies: a key reused with another body replays the first answer."""

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        return await self.inner.begin(tenant, headers, None, now)


class FingerprintKeepsKeyOrder(Wrapped):
    """Hashes the body in the order its keys arrived, so a reordered retry gets 422."""

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        return await self.inner.begin(tenant, headers, json.dumps(document), now)


class FailuresNotStored(Wrapped):
    """Stores only successes: a retry of a refused request is processed again."""

    async def finish(
        self, ticket: Ticket, response: StoredResponse, effects: Effects, now: float
    ) -> bool:
        if response.status >= 400:
            await self.inner.abort(ticket)
            return True
        return await self.inner.finish(ticket, response, effects, now)


class FailuresReplayedAsOk(Wrapped):
    """Replays a stored failure with status 200 (only the body was kept)."""

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        found = await self.inner.begin(tenant, headers, document, now)
        if isinstance(found, StoredResponse):
            return dataclasses.replace(found, status=200)
        return found


class ConflictWithoutRetryAfter(Wrapped):
    """Answers a key still in progress with 409 but no Retry-After.

    Its store write waits for a replica, so a key stays in progress long enough for racing
    retries to meet it, as they would on a server whose writes cross a network.
    """

    REPLICA_WAIT_SECONDS = 0.1  # a synchronous replica in another zone

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        try:
            return await self.inner.begin(tenant, headers, document, now)
        except Problem as problem:
            if problem.status == 409:
                raise Problem(problem.status, problem.reasons, (), problem.shape) from None
            raise

    async def finish(
        self, ticket: Ticket, response: StoredResponse, effects: Effects, now: float
    ) -> bool:
        await asyncio.sleep(self.REPLICA_WAIT_SECONDS)
        return await self.inner.finish(ticket, response, effects, now)


class CheckThenInsert:
    """Looks the key up in a cache, processes, then writes the answer: nothing is reserved.

    The cache is a remote one, so each read and write is a round trip; two retries that
    arrive within one request's processing time both miss and both create.
    """

    ROUND_TRIP_SECONDS = 0.02  # a cache on another host, as Redis or Memcached would be

    def __init__(self, store: Store, *, header: str) -> None:
        self._store = store
        self._header = header.lower()
        self._cache: dict[ScopedKey, tuple[str, StoredResponse]] = {}

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        key = headers.get(self._header)
        if key is None:
            return Ticket(None)
        scoped = ScopedKey(tenant.id, "POST", "/v1/fulfillments", key)
        mine = fingerprint(document)
        await asyncio.sleep(self.ROUND_TRIP_SECONDS)
        found = self._cache.get(scoped)
        if found is None:
            return Ticket(Reservation(scoped, mine, owner="", lease_until=0.0))
        if found[0] != mine:
            raise Problem.of(422, BUSINESS_RULE, "This key was used with another request body")
        return found[1]

    async def finish(
        self, ticket: Ticket, response: StoredResponse, effects: Effects, now: float
    ) -> bool:
        if effects.fulfillments:
            await self._store.save(effects)
        if ticket.reservation is not None:
            await asyncio.sleep(self.ROUND_TRIP_SECONDS)
            self._cache[ticket.reservation.key] = (ticket.reservation.fingerprint, response)
        return True

    async def abort(self, ticket: Ticket) -> None:
        """Nothing was reserved, so there is nothing to release."""


class ReplayKeysReordered(Wrapped):
    """Replays the stored answer with its top-level JSON keys in reverse order: the same JSON
    document, other bytes (a store that keeps the answer as a parsed object)."""

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        found = await self.inner.begin(tenant, headers, document, now)
        if isinstance(found, StoredResponse):
            parsed = json.loads(found.body)
            if isinstance(parsed, dict):
                reordered = dict(reversed(list(parsed.items())))
                body = json.dumps(reordered, separators=(",", ":")).encode("utf-8")
                return dataclasses.replace(found, body=body)
        return found
