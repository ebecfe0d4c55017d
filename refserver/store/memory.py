"""An in-process store for unit tests and single-process runs: nothing survives a restart.

An asyncio lock makes every operation atomic with respect to the others, which is all the
exactly-once promise needs inside one event loop; several processes never share it.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Self

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


class MemoryStore:
    """Dictionaries behind one asyncio lock; the reference for how every backend behaves."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._keys: dict[ScopedKey, IdempotencyRecord] = {}
        self._fulfillments: dict[tuple[str, str], Fulfillment] = {}
        self._per_line_item: dict[tuple[str, str], int] = {}
        self._documents: list[tuple[str, str, str]] = []
        self._counters: dict[tuple[str, str], int] = {}

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
            record = self._keys.get(key)
            if record is not None and record.expires_at > now:
                abandoned = record.state is State.IN_PROGRESS and record.lease_until <= now
                if not abandoned:
                    return record
            owner = secrets.token_hex(16)
            self._keys[key] = IdempotencyRecord(
                key=key,
                fingerprint=fingerprint,
                state=State.IN_PROGRESS,
                owner=owner,
                response=None,
                created_at=now,
                expires_at=now + ttl,
                lease_until=now + lease,
            )
            return Reservation(
                key=key, fingerprint=fingerprint, owner=owner, lease_until=now + lease
            )

    async def complete(
        self, reservation: Reservation, response: StoredResponse, effects: Effects, *, now: float
    ) -> bool:
        """Store the response and the effects together, if the caller still owns the key."""
        async with self._lock:
            record = self._keys.get(reservation.key)
            if (
                record is None
                or record.owner != reservation.owner
                or record.state is not State.IN_PROGRESS
            ):
                return False
            self._keys[reservation.key] = IdempotencyRecord(
                key=record.key,
                fingerprint=record.fingerprint,
                state=State.COMPLETED,
                owner=record.owner,
                response=response,
                created_at=record.created_at,
                expires_at=record.expires_at,
                lease_until=record.lease_until,
            )
            self._store_effects(effects)
            return True

    async def release(self, reservation: Reservation) -> None:
        """Forget the key if the caller still owns it and it is still in progress."""
        async with self._lock:
            record = self._keys.get(reservation.key)
            if (
                record is not None
                and record.owner == reservation.owner
                and record.state is State.IN_PROGRESS
            ):
                del self._keys[reservation.key]

    async def save(self, effects: Effects) -> None:
        """Store the effects of a request without a key."""
        async with self._lock:
            self._store_effects(effects)

    async def allocate(self, tenant: str, counter: str, count: int) -> int:
        """Hand out `count` consecutive numbers, starting at 1 for a new counter."""
        if count < 1:
            raise ValueError("count must be at least 1")
        async with self._lock:
            first = self._counters.get((tenant, counter), 0) + 1
            self._counters[(tenant, counter)] = first + count - 1
            return first

    async def count_fulfillments(self, tenant: str, order_line_item_id: str) -> int:
        """How many fulfillments the tenant holds for the line item."""
        return self._per_line_item.get((tenant, order_line_item_id), 0)

    async def get_fulfillment(self, tenant: str, fulfillment_id: str) -> bytes | None:
        """The tenant's stored fulfillment body, or None."""
        found = self._fulfillments.get((tenant, fulfillment_id))
        return None if found is None else found.body

    async def purge_expired(self, now: float, *, batch: int = 500) -> int:
        """Delete up to `batch` expired keys."""
        async with self._lock:
            expired = [k for k, r in self._keys.items() if r.expires_at <= now][:batch]
            for key in expired:
                del self._keys[key]
            return len(expired)

    async def close(self) -> None:
        """Nothing to release."""

    def _store_effects(self, effects: Effects) -> None:
        for item in effects.fulfillments:
            self._fulfillments[(item.tenant, item.id)] = item
            line = (item.tenant, item.order_line_item_id)
            self._per_line_item[line] = self._per_line_item.get(line, 0) + 1
        tenant = effects.fulfillments[0].tenant if effects.fulfillments else ""
        for kind, numbers in (
            ("invoice", effects.invoice_numbers),
            ("credit_memo", effects.credit_memo_numbers),
            ("payment", effects.payment_numbers),
        ):
            self._documents.extend((tenant, kind, number) for number in numbers)
