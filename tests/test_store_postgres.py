"""The store contract on PostgreSQL, and what only a shared database adds: several pools at once.

Each test gets its own schema on the session's server, so tests never see each other's keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest

from refserver.store import (
    Effects,
    Fulfillment,
    IdempotencyRecord,
    Reservation,
    ScopedKey,
    State,
    StoredResponse,
)
from refserver.store.postgres import PostgresStore
from tests import _postgres
from tests._postgres import throwaway_schema, with_query

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

postgres_dsn = _postgres.postgres_dsn

TTL = 86_400.0  # the contract's key lifetime
LEASE = 30.0  # long enough that no test's lease runs out unless the test says so
KEY = ScopedKey(tenant="tenant-a", method="POST", path="/v1/fulfillments", key="k-1")
EVERY_BYTE = bytes(range(256))  # a body that only survives as bytea, never as text
CONTENDERS = 64  # concurrent callers of one key, as the exactly-once promise is stated


@pytest.fixture
def store_url(postgres_dsn: str) -> Iterator[str]:
    with throwaway_schema(postgres_dsn) as url:
        yield url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[PostgresStore]:
    opened = await PostgresStore.open(store_url)
    try:
        yield opened
    finally:
        await opened.close()


def _fulfillment(tenant: str, ident: str, *, line: str = "line-1") -> Fulfillment:
    return Fulfillment(
        tenant=tenant,
        id=ident,
        number=f"F-{ident}",
        order_line_item_id=line,
        fulfillment_type="Delivery",
        state="Executing",
        quantity=2.5,
        body=b'{"id":"' + ident.encode() + b'"}',
        item_ids=("item-1", "item-2"),
        created_at=12.25,
    )


def _response(body: bytes = EVERY_BYTE) -> StoredResponse:
    headers = (("Content-Type", "application/json"), ("Zuora-Request-Id", "r-1"), ("X", "1"))
    return StoredResponse(status=200, headers=headers, body=body)


async def _reserved(store: PostgresStore, key: ScopedKey = KEY, *, now: float = 0.0) -> Reservation:
    got = await store.reserve(key, "fp-1", now=now, ttl=TTL, lease=LEASE)
    assert isinstance(got, Reservation), got
    return got


async def test_a_new_key_is_reserved_and_a_second_caller_sees_it_in_progress(
    store: PostgresStore,
) -> None:
    reservation = await _reserved(store, now=10.0)
    again = await store.reserve(KEY, "fp-2", now=11.0, ttl=TTL, lease=LEASE)
    assert again == IdempotencyRecord(
        key=KEY,
        fingerprint="fp-1",
        state=State.IN_PROGRESS,
        owner=reservation.owner,
        response=None,
        created_at=10.0,
        expires_at=10.0 + TTL,
        lease_until=10.0 + LEASE,
    )
    assert reservation.lease_until == 10.0 + LEASE


@pytest.mark.parametrize("body", [EVERY_BYTE, b"", b"\x00" * 5000], ids=["bytes", "empty", "nul"])
async def test_a_completed_key_replays_the_stored_response_byte_for_byte(
    store: PostgresStore, body: bytes
) -> None:
    reservation = await _reserved(store)
    effects = Effects(fulfillments=(_fulfillment("tenant-a", "f-1"),), invoice_numbers=("INV-1",))
    assert await store.complete(reservation, _response(body), effects, now=1.0)
    record = await store.reserve(KEY, "fp-1", now=2.0, ttl=TTL, lease=LEASE)
    assert isinstance(record, IdempotencyRecord)
    assert record.state is State.COMPLETED
    assert record.response == _response(body)
    assert await store.get_fulfillment("tenant-a", "f-1") == b'{"id":"f-1"}'
    assert await store.count_fulfillments("tenant-a", "line-1") == 1


async def test_complete_twice_or_by_a_stranger_stores_nothing(store: PostgresStore) -> None:
    reservation = await _reserved(store)
    stranger = Reservation(key=KEY, fingerprint="fp-1", owner="someone-else", lease_until=LEASE)
    lost = Effects(fulfillments=(_fulfillment("tenant-a", "f-lost"),))
    assert not await store.complete(stranger, _response(), lost, now=1.0)
    assert await store.complete(reservation, _response(), Effects(), now=1.0)
    assert not await store.complete(reservation, _response(), lost, now=2.0)
    assert await store.get_fulfillment("tenant-a", "f-lost") is None


async def test_a_lease_that_ran_out_is_taken_over_and_the_old_owner_cannot_complete(
    store: PostgresStore,
) -> None:
    first = await _reserved(store, now=0.0)
    held = await store.reserve(KEY, "fp-1", now=LEASE - 0.001, ttl=TTL, lease=LEASE)
    assert isinstance(held, IdempotencyRecord)
    assert held.owner == first.owner
    second = await _reserved(store, now=LEASE)
    assert second.owner != first.owner
    late = Effects(fulfillments=(_fulfillment("tenant-a", "f-late"),))
    assert not await store.complete(first, _response(), late, now=LEASE + 1)
    assert await store.count_fulfillments("tenant-a", "line-1") == 0
    assert await store.complete(second, _response(), Effects(), now=LEASE + 1)


async def test_a_completed_key_outlives_its_lease_but_not_its_ttl(store: PostgresStore) -> None:
    reservation = await _reserved(store, now=0.0)
    assert await store.complete(reservation, _response(), Effects(), now=1.0)
    kept = await store.reserve(KEY, "fp-1", now=TTL - 1, ttl=TTL, lease=LEASE)
    assert isinstance(kept, IdempotencyRecord)
    assert kept.state is State.COMPLETED
    renewed = await _reserved(store, now=TTL)
    assert renewed.owner != reservation.owner


async def test_release_frees_only_the_owners_in_progress_key(store: PostgresStore) -> None:
    reservation = await _reserved(store)
    stranger = Reservation(key=KEY, fingerprint="fp-1", owner="someone-else", lease_until=LEASE)
    await store.release(stranger)
    assert isinstance(
        await store.reserve(KEY, "fp-1", now=1.0, ttl=TTL, lease=LEASE), IdempotencyRecord
    )
    await store.release(reservation)
    retry = await _reserved(store, now=2.0)
    assert await store.complete(retry, _response(), Effects(), now=3.0)
    await store.release(retry)
    done = await store.reserve(KEY, "fp-1", now=4.0, ttl=TTL, lease=LEASE)
    assert isinstance(done, IdempotencyRecord)
    assert done.state is State.COMPLETED


async def test_keys_are_scoped_by_tenant_method_and_path(store: PostgresStore) -> None:
    owners = set()
    for key in (
        KEY,
        ScopedKey(tenant="tenant-b", method=KEY.method, path=KEY.path, key=KEY.key),
        ScopedKey(tenant=KEY.tenant, method="PATCH", path=KEY.path, key=KEY.key),
        ScopedKey(tenant=KEY.tenant, method=KEY.method, path="/v1/other", key=KEY.key),
    ):
        owners.add((await _reserved(store, key)).owner)
    assert len(owners) == 4


async def test_reads_never_cross_tenants(store: PostgresStore) -> None:
    await store.save(Effects(fulfillments=(_fulfillment("tenant-a", "f-1"),)))
    assert await store.get_fulfillment("tenant-b", "f-1") is None
    assert await store.count_fulfillments("tenant-b", "line-1") == 0
    assert await store.count_fulfillments("tenant-a", "line-1") == 1


async def test_save_is_all_or_nothing(store: PostgresStore) -> None:
    twice = _fulfillment("tenant-a", "f-dup")
    with pytest.raises(psycopg.errors.UniqueViolation):
        await store.save(Effects(fulfillments=(_fulfillment("tenant-a", "f-ok"), twice, twice)))
    assert await store.get_fulfillment("tenant-a", "f-ok") is None


async def test_counters_start_at_one_and_are_per_tenant_and_name(store: PostgresStore) -> None:
    assert await store.allocate("tenant-a", "fulfillment", 1) == 1
    assert await store.allocate("tenant-a", "fulfillment", 3) == 2
    assert await store.allocate("tenant-a", "fulfillment", 1) == 5
    assert await store.allocate("tenant-a", "invoice", 1) == 1
    assert await store.allocate("tenant-b", "fulfillment", 2) == 1
    with pytest.raises(ValueError, match="at least 1"):
        await store.allocate("tenant-a", "fulfillment", 0)


async def test_purge_deletes_only_expired_keys_in_batches(store: PostgresStore) -> None:
    for index in range(5):
        key = ScopedKey(tenant="t", method="POST", path="/p", key=f"old-{index}")
        await store.reserve(key, "fp", now=float(index), ttl=10.0, lease=1.0)
    live = ScopedKey(tenant="t", method="POST", path="/p", key="live")
    live_owner = (await _reserved(store, live, now=100.0)).owner
    assert await store.purge_expired(14.0, batch=2) == 2
    assert await store.purge_expired(14.0, batch=2) == 2
    assert await store.purge_expired(14.0, batch=2) == 1
    assert await store.purge_expired(14.0, batch=2) == 0
    kept = await store.reserve(live, "fp", now=101.0, ttl=TTL, lease=LEASE)
    assert isinstance(kept, IdempotencyRecord)
    assert kept.owner == live_owner


async def test_opening_the_same_schema_from_many_processes_at_once_creates_it_once(
    store_url: str,
) -> None:
    stores = await asyncio.gather(*(PostgresStore.open(store_url) for _ in range(8)))
    try:
        firsts = await asyncio.gather(*(s.allocate("t", "c", 1) for s in stores))
        assert sorted(firsts) == list(range(1, 9))
    finally:
        await asyncio.gather(*(s.close() for s in stores))


async def test_concurrent_reserves_of_one_key_from_many_connections_reserve_once(
    store_url: str,
) -> None:
    url = with_query(store_url, pool_min="1", pool_max=str(CONTENDERS // 2))
    stores = [await PostgresStore.open(url) for _ in range(2)]
    try:
        results = await asyncio.gather(
            *(
                stores[i % 2].reserve(KEY, "fp-1", now=0.0, ttl=TTL, lease=LEASE)
                for i in range(CONTENDERS)
            )
        )
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    winners = [r for r in results if isinstance(r, Reservation)]
    assert len(winners) == 1
    assert {r.owner for r in results} == {winners[0].owner}


async def test_concurrent_allocations_never_hand_out_a_number_twice(store_url: str) -> None:
    url = with_query(store_url, pool_max="8")
    stores = [await PostgresStore.open(url) for _ in range(2)]
    sizes = [1 + i % 3 for i in range(60)]
    try:
        firsts = await asyncio.gather(
            *(stores[i % 2].allocate("t", "F", size) for i, size in enumerate(sizes))
        )
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    numbers = [
        first + offset for first, size in zip(firsts, sizes, strict=True) for offset in range(size)
    ]
    assert sorted(numbers) == list(range(1, sum(sizes) + 1))


async def test_concurrent_purgers_delete_each_expired_key_once(store_url: str) -> None:
    url = with_query(store_url, pool_max="4")
    stores = [await PostgresStore.open(url) for _ in range(2)]
    try:
        for index in range(40):
            key = ScopedKey(tenant="t", method="POST", path="/p", key=f"k-{index}")
            await stores[0].reserve(key, "fp", now=0.0, ttl=1.0, lease=1.0)
        deleted = await asyncio.gather(
            *(stores[i % 2].purge_expired(5.0, batch=3) for i in range(20))
        )
        assert sum(deleted) == 40
    finally:
        await asyncio.gather(*(s.close() for s in stores))
