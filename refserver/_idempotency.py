"""The idempotency policy of the contract, on top of the store's atomic `reserve`.

| what the store holds under the key          | answer                                    |
|---------------------------------------------|-------------------------------------------|
| nothing, expired, or an abandoned lease     | reserved: process, then store the result  |
| completed, same fingerprint                 | the stored response, replayed             |
| anything live, different fingerprint        | 422, nothing stored                       |
| in progress, same fingerprint               | 409 with Retry-After, nothing stored      |
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from fulfillments_contract import OPERATION_METHOD, OPERATION_PATH, Policies

from refserver._config import Tenant
from refserver._errors import BUSINESS_RULE, LOCKING, Problem
from refserver._types import Headers, Ticket
from refserver.store import Effects, Reservation, ScopedKey, State, Store, StoredResponse

__all__ = ["StoreIdempotency", "fingerprint"]

_RETRY_AFTER = "1"  # a first request usually finishes within a second


def fingerprint(document: Any) -> str:
    """SHA-256 of the canonical JSON of the decoded body (keys sorted, compact)."""
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


class StoreIdempotency:
    """Reserve, replay, reject and complete keys through a `Store`."""

    def __init__(self, store: Store, policies: Policies, *, lease_seconds: float) -> None:
        self._store = store
        self._header = policies.idempotency_header.lower()
        self._ttl = policies.ttl_seconds
        self._lease = lease_seconds
        self._in_progress = policies.in_progress_status
        self._mismatch = policies.mismatch_status

    async def begin(
        self, tenant: Tenant, headers: Headers, document: Any, now: float
    ) -> Ticket | StoredResponse:
        """A ticket to process the request, the stored response to replay, or 409/422."""
        key = headers.get(self._header)
        if key is None:
            return Ticket(None)
        mine = fingerprint(document)
        scoped = ScopedKey(tenant.id, OPERATION_METHOD, OPERATION_PATH, key)
        found = await self._store.reserve(scoped, mine, now=now, ttl=self._ttl, lease=self._lease)
        if isinstance(found, Reservation):
            return Ticket(found)
        if found.fingerprint != mine:
            raise Problem.of(
                self._mismatch,
                BUSINESS_RULE,
                "This Idempotency-Key was used with a different request body",
            )
        if found.state is State.COMPLETED and found.response is not None:
            return found.response
        raise Problem.of(
            self._in_progress,
            LOCKING,
            "A request with this Idempotency-Key is still in progress; "
            "retry later with the same key",
            headers=(("Retry-After", _RETRY_AFTER),),
        )

    async def finish(
        self, ticket: Ticket, response: StoredResponse, effects: Effects, now: float
    ) -> bool:
        """Store the response with the effects under the key, or just the effects without one."""
        if ticket.reservation is None:
            if effects.fulfillments:
                await self._store.save(effects)
            return True
        return await self._store.complete(ticket.reservation, response, effects, now=now)

    async def abort(self, ticket: Ticket) -> None:
        """Release the key after an unexpected failure, so a retry is processed anew."""
        if ticket.reservation is not None:
            await self._store.release(ticket.reservation)
