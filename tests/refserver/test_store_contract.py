"""The store contract, the same for every backend in `STORE_BACKENDS`."""

from __future__ import annotations

import asyncio

import pytest

from refserver.store import (
    Effects,
    Fulfillment,
    IdempotencyRecord,
    LineItemFull,
    Reservation,
    ScopedKey,
    State,
    StoredResponse,
)
from tests._server_fixtures import STORE_BACKENDS, StoreFactory

pytestmark = pytest.mark.anyio

TTL = 100.0
LEASE = 10.0
NOW = 1_700_000_000.0


@pytest.fixture(params=STORE_BACKENDS)
def store_factory(request: pytest.FixtureRequest) -> StoreFactory:
    factory: StoreFactory = request.param(request)
    return factory


def key(name: str = "k", tenant: str = "1") -> ScopedKey:
    return ScopedKey(tenant, "POST", "/v1/fulfillments", name)


def response(tag: str) -> StoredResponse:
    body = b'{"tag":"' + tag.encode() + b'"}\x00\xff'  # bytes that are not UTF-8 survive too
    return StoredResponse(
        200, (("Content-Type", "application/json"), ("Zuora-Request-Id", tag)), body
    )


def effects(tenant: str, fid: str, line: str = "a" * 32) -> Effects:
    item = Fulfillment(tenant, fid, "F-1", line, "Delivery", "Executing", 1.0, b'{"x":1}', ("i1",))
    return Effects((item,), ("INV00000001",), (), ())


async def test_reserve_complete_replay(store_factory: StoreFactory) -> None:
    async with store_factory() as store:
        first = await store.reserve(key(), "fp", now=NOW, ttl=TTL, lease=LEASE)
        assert isinstance(first, Reservation)
        again = await store.reserve(key(), "fp", now=NOW + 1, ttl=TTL, lease=LEASE)
        assert isinstance(again, IdempotencyRecord)
        assert again.state is State.IN_PROGRESS
        assert again.response is None
        assert await store.complete(first, response("a"), effects("1", "f" * 32), now=NOW + 1)
        done = await store.reserve(key(), "other", now=NOW + 2, ttl=TTL, lease=LEASE)
        assert isinstance(done, IdempotencyRecord)
        assert done.state is State.COMPLETED
        assert done.fingerprint == "fp"
        assert done.response == response("a")
        assert done.expires_at == NOW + TTL
        assert await store.get_fulfillment("1", "f" * 32) == b'{"x":1}'
        assert await store.get_fulfillment("2", "f" * 32) is None
        assert await store.count_fulfillments("1", "a" * 32) == 1
        assert await store.count_fulfillments("2", "a" * 32) == 0


async def test_release_frees_the_key_only_for_its_owner(store_factory: StoreFactory) -> None:
    async with store_factory() as store:
        first = await store.reserve(key(), "fp", now=NOW, ttl=TTL, lease=LEASE)
        assert isinstance(first, Reservation)
        stranger = Reservation(first.key, "fp", "not-the-owner", first.lease_until)
        await store.release(stranger)
        assert isinstance(
            await store.reserve(key(), "fp", now=NOW, ttl=TTL, lease=LEASE), IdempotencyRecord
        )
        await store.release(first)
        assert isinstance(
            await store.reserve(key(), "fp", now=NOW, ttl=TTL, lease=LEASE), Reservation
        )


async def test_lapsed_lease_is_taken_over_and_the_old_owner_loses(
    store_factory: StoreFactory,
) -> None:
    async with store_factory() as store:
        first = await store.reserve(key(), "fp", now=NOW, ttl=TTL, lease=LEASE)
        held = await store.reserve(key(), "fp", now=NOW + LEASE - 0.5, ttl=TTL, lease=LEASE)
        assert isinstance(held, IdempotencyRecord)
        second = await store.reserve(key(), "fp2", now=NOW + LEASE, ttl=TTL, lease=LEASE)
        assert isinstance(first, Reservation)
        assert isinstance(second, Reservation)
        assert second.owner != first.owner
        assert not await store.complete(
            first, response("a"), effects("1", "1" * 32), now=NOW + LEASE
        )
        assert await store.get_fulfillment("1", "1" * 32) is None  # no effects without the key
        assert await store.complete(second, response("b"), Effects(), now=NOW + LEASE)
        await store.release(first)  # too late: the completed record stays
        found = await store.reserve(key(), "fp2", now=NOW + LEASE, ttl=TTL, lease=LEASE)
        assert isinstance(found, IdempotencyRecord)
        assert found.response == response("b")


async def test_expired_key_is_reserved_anew_and_purged(store_factory: StoreFactory) -> None:
    async with store_factory() as store:
        first = await store.reserve(key(), "fp", now=NOW, ttl=TTL, lease=LEASE)
        assert isinstance(first, Reservation)
        assert await store.complete(first, response("a"), Effects(), now=NOW)
        assert await store.purge_expired(NOW + TTL - 1) == 0
        renewed = await store.reserve(key(), "fp", now=NOW + TTL, ttl=TTL, lease=LEASE)
        assert isinstance(renewed, Reservation)
        for i in range(5):
            await store.reserve(key(f"other-{i}"), "fp", now=NOW, ttl=TTL, lease=LEASE)
        counts = [await store.purge_expired(NOW + TTL, batch=2) for _ in range(4)]
        assert counts == [2, 2, 1, 0]
        still = await store.reserve(key(), "fp", now=NOW + TTL, ttl=TTL, lease=LEASE)
        assert isinstance(still, IdempotencyRecord)  # the renewed key expires later


async def test_keys_are_scoped_by_tenant_method_and_path(store_factory: StoreFactory) -> None:
    async with store_factory() as store:
        base = key()
        variants = [
            base,
            key(tenant="2"),
            ScopedKey("1", "PATCH", base.path, base.key),
            ScopedKey("1", "POST", "/v1/other", base.key),
        ]
        results = [await store.reserve(k, "fp", now=NOW, ttl=TTL, lease=LEASE) for k in variants]
        assert all(isinstance(r, Reservation) for r in results)


async def test_counters_are_consecutive_and_per_tenant(store_factory: StoreFactory) -> None:
    async with store_factory() as store:
        assert await store.allocate("1", "fulfillment", 3) == 1
        assert await store.allocate("1", "fulfillment", 1) == 4
        assert await store.allocate("1", "invoice", 1) == 1
        assert await store.allocate("2", "fulfillment", 2) == 1
        with pytest.raises(ValueError, match="count"):
            await store.allocate("1", "fulfillment", 0)


async def test_save_stores_effects_without_a_key(store_factory: StoreFactory) -> None:
    async with store_factory() as store:
        await store.save(effects("1", "2" * 32, line="b" * 32))
        assert await store.get_fulfillment("1", "2" * 32) == b'{"x":1}'
        assert await store.count_fulfillments("1", "b" * 32) == 1


async def test_concurrent_reserves_give_exactly_one_reservation(
    store_factory: StoreFactory,
) -> None:
    async with store_factory() as store:
        results = await asyncio.gather(
            *(store.reserve(key(), "fp", now=NOW, ttl=TTL, lease=LEASE) for _ in range(50))
        )
        assert sum(isinstance(r, Reservation) for r in results) == 1
        numbers = await asyncio.gather(*(store.allocate("1", "n", 2) for _ in range(20)))
        assert sorted(numbers) == list(range(1, 41, 2))


def limited(tenant: str, prefix: str, count: int, line: str = "b" * 32) -> Effects:
    """`count` fulfillments for one line item, under a limit of 5 per line item."""
    items = tuple(
        Fulfillment(
            tenant, f"{prefix}{i:031d}", f"F-{i}", line, "Delivery", "Executing", 1.0, b"{}"
        )
        for i in range(count)
    )
    return Effects(items, line_item_limit=5)


async def test_the_line_item_limit_is_kept_by_save_and_complete(
    store_factory: StoreFactory,
) -> None:
    async with store_factory() as store:
        await store.save(limited("1", "a", 3))
        with pytest.raises(LineItemFull, match="would have 6 fulfillments; at most 5"):
            await store.save(limited("1", "b", 3))
        assert await store.count_fulfillments("1", "b" * 32) == 3
        first = await store.reserve(key("full"), "fp", now=NOW, ttl=TTL, lease=LEASE)
        assert isinstance(first, Reservation)
        with pytest.raises(LineItemFull):
            await store.complete(first, response("x"), limited("1", "c", 3), now=NOW)
        assert await store.count_fulfillments("1", "b" * 32) == 3  # nothing of it stored
        # the key is still the caller's, in progress: it can store the refusal instead
        assert await store.complete(first, response("refused"), Effects(), now=NOW)
        second = await store.reserve(key("fits"), "fp", now=NOW, ttl=TTL, lease=LEASE)
        assert isinstance(second, Reservation)
        assert await store.complete(second, response("y"), limited("1", "d", 2), now=NOW)
        assert await store.count_fulfillments("1", "b" * 32) == 5
        await store.save(limited("2", "e", 5))  # another tenant's line item is counted apart
        await store.save(limited("1", "f", 5, line="c" * 32))


async def test_concurrent_limited_saves_never_pass_the_limit(store_factory: StoreFactory) -> None:
    async with store_factory() as store:
        results = await asyncio.gather(
            *(store.save(limited("1", f"{i:x}", 2)) for i in range(6)), return_exceptions=True
        )
        refused = [r for r in results if isinstance(r, LineItemFull)]
        assert all(r is None or isinstance(r, LineItemFull) for r in results), results
        assert len(refused) == 4
        assert await store.count_fulfillments("1", "b" * 32) == 4
