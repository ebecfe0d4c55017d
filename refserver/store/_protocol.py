"""The one store abstraction every backend (memory, SQLite, PostgreSQL) implements.

The protocol is small on purpose: `reserve` atomically returns a Reservation or the existing
record; `complete` stores the response together with the request's effects in one transaction;
`release` frees a key whose handler failed unexpectedly; `purge_expired` deletes expired keys in
small batches so serving never waits on it. Numbers (F-00000001, invoice and memo numbers) are
allocated from per-tenant counters; a crash between allocation and completion leaves a gap,
never a duplicate, as a database sequence does.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from refserver.store._records import (
    Effects,
    IdempotencyRecord,
    Reservation,
    ScopedKey,
    StoredResponse,
)

__all__ = ["Store"]


@runtime_checkable
class Store(Protocol):
    """Durable idempotency keys and the fulfillments created under them."""

    async def reserve(
        self, key: ScopedKey, fingerprint: str, *, now: float, ttl: float, lease: float
    ) -> Reservation | IdempotencyRecord:
        """Reserve `key` for the caller, or return the record that already holds it.

        A missing key, an expired one (`expires_at <= now`) or an in-progress one whose lease has
        run out (`lease_until <= now`) is (re)reserved with a fresh owner; otherwise the live
        record is returned unchanged and the caller decides (replay, 409 or 422).
        """
        ...

    async def complete(
        self, reservation: Reservation, response: StoredResponse, effects: Effects, *, now: float
    ) -> bool:
        """Store the response and the effects atomically; False if the caller lost the lease."""
        ...

    async def release(self, reservation: Reservation) -> None:
        """Forget an in-progress key the caller still owns, so a retry is processed anew."""
        ...

    async def save(self, effects: Effects) -> None:
        """Store the effects of a request that carried no Idempotency-Key."""
        ...

    async def allocate(self, tenant: str, counter: str, count: int) -> int:
        """Reserve `count` consecutive numbers of the tenant's `counter`; return the first."""
        ...

    async def count_fulfillments(self, tenant: str, order_line_item_id: str) -> int:
        """How many fulfillments the tenant has stored for one order line item."""
        ...

    async def get_fulfillment(self, tenant: str, fulfillment_id: str) -> bytes | None:
        """The stored fulfillment's JSON, or None; another tenant's is never returned."""
        ...

    async def purge_expired(self, now: float, *, batch: int = 500) -> int:
        """Delete up to `batch` keys whose `expires_at <= now`; return how many went."""
        ...

    async def close(self) -> None:
        """Release connections and files."""
        ...
