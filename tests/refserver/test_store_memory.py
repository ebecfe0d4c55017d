"""What the memory store adds to the shared store contract: no work for the garbage collector
per stored creation, and exact purges whatever order keys expire in."""

from __future__ import annotations

import asyncio
import gc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refserver.store import (
    Effects,
    Fulfillment,
    IdempotencyRecord,
    Reservation,
    ScopedKey,
    StoredResponse,
)
from refserver.store.memory import _SLACK, MemoryStore

pytestmark = pytest.mark.anyio

NOW = 1_700_000_000.0


def _key(i: int) -> ScopedKey:
    return ScopedKey("1", "POST", "/v1/fulfillments", f"k{i}")


async def _create(store: MemoryStore, i: int) -> None:
    reservation = await store.reserve(_key(i), "fp", now=NOW, ttl=100, lease=10)
    assert isinstance(reservation, Reservation)
    rows = tuple(
        Fulfillment("1", f"{i}-{j}", "F-1", "l" * 32, "Delivery", "Executing", 1.0, b"{}", ("a",))
        for j in range(2)
    )
    response = StoredResponse(200, (("Content-Type", "application/json"),), b"{}")
    assert await store.complete(reservation, response, Effects(rows, (f"INV{i}",)), now=NOW)


async def test_stored_creations_leave_nothing_for_the_collector_to_track() -> None:
    store = MemoryStore()
    await _create(store, -1)  # the store's own first-use allocations
    gc.collect()
    before = len(gc.get_objects())
    for i in range(1000):
        await _create(store, i)
    gc.collect()
    grown = len(gc.get_objects()) - before
    assert grown < 100, grown  # with frozen records as values: five per creation, 5,000
    found = await store.reserve(_key(7), "fp", now=NOW + 1, ttl=100, lease=10)
    assert isinstance(found, IdempotencyRecord)
    assert found.response == StoredResponse(200, (("Content-Type", "application/json"),), b"{}")
    assert await store.get_fulfillment("1", "7-1") == b"{}"


_reserve = st.tuples(
    st.just("reserve"), st.integers(0, 5), st.floats(-50, 50), st.sampled_from([1.0, 10.0, 100.0])
)
_release = st.tuples(st.just("release"), st.integers(0, 5), st.just(0.0), st.just(0.0))
_purge = st.tuples(st.just("purge"), st.integers(1, 4), st.floats(-50, 150), st.just(0.0))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_reserve, _reserve, _release, _purge), max_size=40))
def test_purges_take_the_earliest_expired_keys_whatever_order_they_came_in(
    steps: list[tuple[str, int, float, float]],
) -> None:
    """Reservations made at any time with any TTL: a purge takes min(batch, expired) keys, the
    earliest expiries first, and never a live one."""

    async def scenario() -> None:
        store = MemoryStore()
        expires: dict[int, float] = {}  # the model: key -> expires_at
        owners: dict[int, Reservation] = {}
        for action, i, at, ttl in steps:
            if action == "reserve":
                got = await store.reserve(_key(i), "fp", now=NOW + at, ttl=ttl, lease=ttl)
                assert isinstance(got, Reservation) == (expires.get(i, NOW + at) <= NOW + at)
                if isinstance(got, Reservation):
                    expires[i], owners[i] = NOW + at + ttl, got
            elif action == "release" and i in owners:
                await store.release(owners.pop(i))
                expires.pop(i, None)
            elif action == "purge":
                now = NOW + at
                # earliest expiry first; among equal expiries, in the order of the key's text
                expired = sorted((e, f"k{k}", k) for k, e in expires.items() if e <= now)
                assert await store.purge_expired(now, batch=i) == min(i, len(expired))
                for _, _, k in expired[:i]:
                    del expires[k]
                    owners.pop(k, None)
            for k, e in expires.items():  # every key the model holds is still there
                held = await store.reserve(_key(k), "fp", now=e - 0.5, ttl=1, lease=1)
                assert isinstance(held, IdempotencyRecord)
                assert held.expires_at == e

    asyncio.run(scenario())


async def test_stale_expiry_entries_stay_bounded_and_purges_stay_exact() -> None:
    store = MemoryStore()
    for i in range(50):
        await store.reserve(_key(i), "fp", now=NOW, ttl=100, lease=10)
    for step in range(5000):  # a key reserved and released over and over
        reservation = await store.reserve(_key(999), "fp", now=NOW + step, ttl=100, lease=10)
        assert isinstance(reservation, Reservation)
        await store.release(reservation)
    assert len(store._expiries) <= 2 * 51 + _SLACK  # one per stored key plus as many stale
    assert await store.purge_expired(NOW + 10_000, batch=1000) == 50
    assert await store.purge_expired(NOW + 10_000, batch=1000) == 0
