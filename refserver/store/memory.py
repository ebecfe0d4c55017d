"""An in-process store for unit tests and single-process runs: nothing survives a restart.

An asyncio lock makes every operation atomic with respect to the others, which is all the
exactly-once promise needs inside one event loop; several processes never share it.

Everything stored is text and bytes: dictionaries keyed by text (a key's parts, length-prefixed)
holding pickled rows, not the frozen records the protocol hands out, which are built on the way
out. The garbage collector never tracks such dictionaries, so stored creations cost a collection
nothing, where the records themselves (or flat tuples, whose dictionaries the collector still
walked) made full collections take a large part of a second. The price is pickling, a few
microseconds per creation and per replay, lost in the noise end to end. The measurements are in
bench/FINDINGS.md, section 5.
This is done here rather than with `gc.freeze()`, which acts on the whole process (every test,
every other part) and would have to be repeated as records keep arriving.

Expired keys are found through a heap of (expires_at, key): a purge with nothing expired looks
at one entry instead of every key, for O(log n) per reservation. Insertion order would not do:
it is not expiry order, since a request reads the clock before its body arrives (concurrent
requests reserve out of clock order), and the clock, like `ttl`, is the caller's.
"""

from __future__ import annotations

import asyncio
import heapq
import pickle
import secrets
from typing import Final, Self, cast

from refserver.store._records import (
    Effects,
    Fulfillment,
    IdempotencyRecord,
    Reservation,
    ScopedKey,
    State,
    StoredResponse,
)

__all__ = ["MemoryStore"]

_Headers = tuple[tuple[str, str], ...]
# fingerprint, owner, created_at, expires_at, lease_until, then the response's status, headers
# and body, None while the key is in progress
_Row = tuple[str, str, float, float, float, int | None, _Headers | None, bytes | None]
_OWNER: Final = 1  # where these sit in a _Row
_EXPIRES_AT: Final = 3
_LEASE_UNTIL: Final = 4
_STATUS: Final = 5
# number, order line item, type, state, quantity, body, item ids, created_at
_FulfillmentRow = tuple[str, str, str, str, float, bytes, tuple[str, ...], float]
_BODY: Final = 5  # where the body sits in a _FulfillmentRow
_SLACK = 1024  # stale heap entries allowed beyond one per key, so a small store rarely rebuilds


class MemoryStore:
    """Dictionaries behind one asyncio lock; the reference for how every backend behaves."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._keys: dict[str, bytes] = {}  # _key_text(key) -> pickled _Row
        # (expires_at, key) for every reservation made, earliest first; an entry whose key has
        # since been released or reserved anew (so holds another expires_at) is skipped.
        self._expiries: list[tuple[float, str]] = []
        self._fulfillments: dict[str, bytes] = {}  # _pair_text(tenant, id) -> pickled row
        self._per_line_item: dict[str, int] = {}  # (tenant, line item) -> count
        self._documents: dict[str, None] = {}  # (tenant, (kind, number))
        self._counters: dict[str, int] = {}  # (tenant, counter) -> last number

    @classmethod
    async def open(cls, url: str) -> Self:
        """Open an empty store; `url` is `memory://` and carries nothing else."""
        if not url.startswith("memory:"):
            raise ValueError(f"not a memory store URL: {url!r}")
        return cls()

    async def reserve(
        self, key: ScopedKey, fingerprint: str, *, now: float, ttl: float, lease: float
    ) -> Reservation | IdempotencyRecord:
        """Reserve a missing, expired or abandoned key, or return the live record."""
        async with self._lock:
            k = _key_text(key)
            row = self._row(k)
            if row is not None and row[_EXPIRES_AT] > now:
                abandoned = row[_STATUS] is None and row[_LEASE_UNTIL] <= now
                if not abandoned:
                    return _record(key, row)
            owner = secrets.token_hex(16)
            expires_at = now + ttl
            row = (fingerprint, owner, now, expires_at, now + lease, None, None, None)
            self._keys[k] = _pack(row)
            self._index_expiry(expires_at, k)
            return Reservation(
                key=key, fingerprint=fingerprint, owner=owner, lease_until=now + lease
            )

    async def complete(
        self, reservation: Reservation, response: StoredResponse, effects: Effects, *, now: float
    ) -> bool:
        """Store the response and the effects together, if the caller still owns the key."""
        async with self._lock:
            k = _key_text(reservation.key)
            row = self._row(k)
            if row is None or row[_OWNER] != reservation.owner or row[_STATUS] is not None:
                return False
            self._check_line_items(effects)
            done = (*row[:_STATUS], response.status, response.headers, response.body)
            self._keys[k] = _pack(done)
            self._store_effects(effects)
            return True

    async def release(self, reservation: Reservation) -> None:
        """Forget the key if the caller still owns it and it is still in progress."""
        async with self._lock:
            k = _key_text(reservation.key)
            row = self._row(k)
            if row is not None and row[_OWNER] == reservation.owner and row[_STATUS] is None:
                del self._keys[k]

    async def save(self, effects: Effects) -> None:
        """Store the effects of a request without a key."""
        async with self._lock:
            self._check_line_items(effects)
            self._store_effects(effects)

    async def allocate(self, tenant: str, counter: str, count: int) -> int:
        """Hand out `count` consecutive numbers, starting at 1 for a new counter."""
        if count < 1:
            raise ValueError("count must be at least 1")
        async with self._lock:
            name = _pair_text(tenant, counter)
            first = self._counters.get(name, 0) + 1
            self._counters[name] = first + count - 1
            return first

    async def count_fulfillments(self, tenant: str, order_line_item_id: str) -> int:
        """How many fulfillments the tenant holds for the line item."""
        return self._per_line_item.get(_pair_text(tenant, order_line_item_id), 0)

    async def get_fulfillment(self, tenant: str, fulfillment_id: str) -> bytes | None:
        """The tenant's stored fulfillment body, or None."""
        found = self._fulfillments.get(_pair_text(tenant, fulfillment_id))
        return None if found is None else cast(_FulfillmentRow, pickle.loads(found))[_BODY]

    async def purge_expired(self, now: float, *, batch: int = 500) -> int:
        """Delete up to `batch` expired keys, earliest expiry first, never looking at live ones."""
        async with self._lock:
            expiries, deleted = self._expiries, 0
            while expiries and deleted < batch and expiries[0][0] <= now:
                expires_at, k = heapq.heappop(expiries)
                row = self._row(k)
                if row is not None and row[_EXPIRES_AT] == expires_at:
                    del self._keys[k]
                    deleted += 1
            return deleted

    async def close(self) -> None:
        """Nothing to release."""

    def _row(self, k: str) -> _Row | None:
        raw = self._keys.get(k)
        return None if raw is None else cast(_Row, pickle.loads(raw))

    def _index_expiry(self, expires_at: float, k: str) -> None:
        """Remember when `k` expires; rebuild the heap once stale entries outnumber live keys.

        Entries go stale when a key is released or reserved anew before it expires; the rebuild
        keeps the heap within twice the stored keys, at a cost spread over as many reservations.
        """
        expiries = self._expiries
        heapq.heappush(expiries, (expires_at, k))
        if len(expiries) > 2 * len(self._keys) + _SLACK:
            expiries[:] = [
                (cast(_Row, pickle.loads(raw))[_EXPIRES_AT], key) for key, raw in self._keys.items()
            ]
            heapq.heapify(expiries)

    def _check_line_items(self, effects: Effects) -> None:
        if effects.line_item_limit is None:
            return
        tenant = effects.tenant
        effects.check_line_items(
            {
                line_id: self._per_line_item.get(_pair_text(tenant, line_id), 0)
                for line_id in effects.per_line_item()
            }
        )

    def _store_effects(self, effects: Effects) -> None:
        for item in effects.fulfillments:
            self._fulfillments[_pair_text(item.tenant, item.id)] = _pack(_fulfillment_row(item))
            line = _pair_text(item.tenant, item.order_line_item_id)
            self._per_line_item[line] = self._per_line_item.get(line, 0) + 1
        for kind, number in effects.documents():
            self._documents[_pair_text(effects.tenant, _pair_text(kind, number))] = None


def _key_text(key: ScopedKey) -> str:
    """A scoped key as one dictionary key: each part but the last prefixed with its length, so
    no two different keys give the same text whatever characters they hold."""
    tenant, method, path = key.tenant, key.method, key.path
    return f"{len(tenant)}:{tenant}{len(method)}:{method}{len(path)}:{path}{key.key}"


def _pair_text(first: str, second: str) -> str:
    """Two strings as one dictionary key, unambiguous in the same way."""
    return f"{len(first)}:{first}{second}"


def _pack(row: _Row | _FulfillmentRow) -> bytes:
    """A row as bytes: only this store writes what it later unpickles."""
    return pickle.dumps(row, pickle.HIGHEST_PROTOCOL)


def _record(key: ScopedKey, row: _Row) -> IdempotencyRecord:
    """The protocol's record for a stored row: in progress until it holds a response."""
    fingerprint, owner, created_at, expires_at, lease_until, status, headers, body = row
    response = None
    if status is not None and headers is not None and body is not None:
        response = StoredResponse(status, headers, body)
    return IdempotencyRecord(
        key=key,
        fingerprint=fingerprint,
        state=State.IN_PROGRESS if response is None else State.COMPLETED,
        owner=owner,
        response=response,
        created_at=created_at,
        expires_at=expires_at,
        lease_until=lease_until,
    )


def _fulfillment_row(item: Fulfillment) -> _FulfillmentRow:
    return (
        item.number,
        item.order_line_item_id,
        item.fulfillment_type,
        item.state,
        item.quantity,
        item.body,
        item.item_ids,
        item.created_at,
    )
