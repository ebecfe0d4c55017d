"""What PostgreSQL adds to the store contract: stores in several processes share one database.

The contract itself (reserve, replay, release, leases, expiry, scope, counters) runs on PostgreSQL
through `postgres_backend` in the shared backend list. Here two stores with their own pools on one
schema stand in for two server processes; each test gets a schema of its own.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest
from psycopg import sql

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
from tests._postgres import throwaway_schema, with_query

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

TTL = 86_400.0  # the contract's key lifetime
LEASE = 30.0  # long enough that no lease runs out unless a test moves the clock past it
KEY = ScopedKey(tenant="tenant-a", method="POST", path="/v1/fulfillments", key="k-1")
EVERY_BYTE = bytes(range(256))  # a body that survives only as bytea, never as text
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


@pytest.fixture
async def two_stores(store_url: str) -> AsyncIterator[tuple[PostgresStore, PostgresStore]]:
    """Two stores, each with a pool big enough that every contender holds a connection."""
    url = with_query(store_url, pool_max=str(CONTENDERS // 2))
    first, second = await asyncio.gather(PostgresStore.open(url), PostgresStore.open(url))
    try:
        yield first, second
    finally:
        await asyncio.gather(first.close(), second.close())


def _key(name: str) -> ScopedKey:
    return ScopedKey(tenant=KEY.tenant, method=KEY.method, path=KEY.path, key=name)


def _fulfillment(ident: str) -> Fulfillment:
    return Fulfillment(
        tenant=KEY.tenant,
        id=ident,
        number=f"F-{ident}",
        order_line_item_id="line-1",
        fulfillment_type="Delivery",
        state="Executing",
        quantity=2.5,
        body=b'{"id":"' + ident.encode() + b'"}',
        item_ids=("item-1", "item-2"),
        created_at=12.25,
    )


@pytest.mark.parametrize("body", [EVERY_BYTE, b"", b"\x00" * 5000], ids=["bytes", "empty", "nul"])
async def test_a_stored_response_comes_back_byte_for_byte(
    store: PostgresStore, body: bytes
) -> None:
    reservation = await store.reserve(KEY, "fp", now=0.0, ttl=TTL, lease=LEASE)
    assert isinstance(reservation, Reservation)
    headers = (("Content-Type", "application/json"), ("X", "2"), ("X", "1"), ("É", "\x7f"))
    response = StoredResponse(status=400, headers=headers, body=body)
    assert await store.complete(reservation, response, Effects(), now=1.0)
    record = await store.reserve(KEY, "fp", now=2.0, ttl=TTL, lease=LEASE)
    assert isinstance(record, IdempotencyRecord)
    assert record.state is State.COMPLETED
    assert record.response == response


async def test_effects_are_stored_all_or_nothing(store: PostgresStore) -> None:
    reservation = await store.reserve(KEY, "fp", now=0.0, ttl=TTL, lease=LEASE)
    assert isinstance(reservation, Reservation)
    twice = _fulfillment("f-dup")
    broken = Effects(fulfillments=(_fulfillment("f-ok"), twice, twice))
    response = StoredResponse(status=200, headers=(), body=b"{}")
    with pytest.raises(psycopg.errors.UniqueViolation):
        await store.complete(reservation, response, broken, now=1.0)
    with pytest.raises(psycopg.errors.UniqueViolation):
        await store.save(broken)
    assert await store.get_fulfillment(KEY.tenant, "f-ok") is None
    record = await store.reserve(KEY, "fp", now=2.0, ttl=TTL, lease=LEASE)
    assert isinstance(record, IdempotencyRecord)
    assert record.state is State.IN_PROGRESS  # the failed completion left the key as it was


async def test_many_processes_opening_one_schema_at_once_all_succeed(store_url: str) -> None:
    stores = await asyncio.gather(*(PostgresStore.open(store_url) for _ in range(8)))
    try:
        firsts = await asyncio.gather(*(s.allocate("t", "c", 1) for s in stores))
    finally:
        await asyncio.gather(*(s.close() for s in stores))
    assert sorted(firsts) == list(range(1, 9))


async def test_a_user_allowed_only_to_read_and_write_opens_an_existing_store(
    store_url: str, postgres_dsn: str
) -> None:
    await (await PostgresStore.open(store_url)).close()  # the owner creates the tables
    name = f"refserver_dml_{secrets.token_hex(4)}"
    role = sql.Identifier(name)
    with psycopg.connect(store_url, autocommit=True) as owner:
        allowed = owner.execute(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        if not (allowed and allowed[0]):
            pytest.skip("the PG_DSN user may not create roles")
        found = owner.execute("SELECT current_schema()").fetchone()
        assert found is not None
        schema = sql.Identifier(found[0])
        owner.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(role))
        owner.execute(sql.SQL("GRANT {} TO current_user").format(role))
        owner.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role))
        owner.execute(
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
                schema, role
            )
        )
        try:
            options = f"-c search_path={found[0]} -c role={name}"
            url = with_query(store_url, options=options, pool_timeout="5")
            store = await PostgresStore.open(url)
            try:
                got = await store.reserve(KEY, "fp", now=0.0, ttl=TTL, lease=LEASE)
                assert isinstance(got, Reservation)
            finally:
                await store.close()
        finally:
            owner.execute(sql.SQL("DROP OWNED BY {}").format(role))
            owner.execute(sql.SQL("DROP ROLE {}").format(role))


async def test_concurrent_reserves_of_one_key_from_two_pools_reserve_it_once(
    two_stores: tuple[PostgresStore, PostgresStore],
) -> None:
    results = await asyncio.gather(
        *(
            two_stores[i % 2].reserve(KEY, f"fp-{i}", now=0.0, ttl=TTL, lease=LEASE)
            for i in range(CONTENDERS)
        )
    )
    winners = [r for r in results if isinstance(r, Reservation)]
    assert len(winners) == 1
    assert {r.owner for r in results} == {winners[0].owner}
    assert {r.fingerprint for r in results} == {winners[0].fingerprint}


async def test_racing_completion_and_reserves_never_reserve_a_completed_key(
    two_stores: tuple[PostgresStore, PostgresStore],
) -> None:
    first, second = two_stores
    reservation = await first.reserve(KEY, "fp", now=0.0, ttl=TTL, lease=LEASE)
    assert isinstance(reservation, Reservation)
    response = StoredResponse(status=200, headers=(), body=EVERY_BYTE)
    effects = Effects(fulfillments=(_fulfillment("f-1"),))
    done, *seen = await asyncio.gather(
        first.complete(reservation, response, effects, now=1.0),
        *(second.reserve(KEY, "fp", now=1.0, ttl=TTL, lease=LEASE) for _ in range(CONTENDERS)),
    )
    assert done is True
    assert all(isinstance(r, IdempotencyRecord) for r in seen)
    assert await second.count_fulfillments(KEY.tenant, "line-1") == 1


async def test_concurrent_allocations_never_hand_out_a_number_twice(
    two_stores: tuple[PostgresStore, PostgresStore],
) -> None:
    sizes = [1 + i % 3 for i in range(CONTENDERS)]
    firsts = await asyncio.gather(
        *(two_stores[i % 2].allocate("t", "F", size) for i, size in enumerate(sizes))
    )
    numbers = [
        first + offset for first, size in zip(firsts, sizes, strict=True) for offset in range(size)
    ]
    assert sorted(numbers) == list(range(1, sum(sizes) + 1))


async def test_purging_beside_reserves_deletes_only_what_is_still_expired(
    two_stores: tuple[PostgresStore, PostgresStore],
) -> None:
    purger, reserver = two_stores
    keys = [_key(f"k-{index}") for index in range(40)]
    for key in keys:
        await reserver.reserve(key, "fp", now=0.0, ttl=1.0, lease=1.0)
    purging = asyncio.create_task(_purge_all(purger, now=5.0, batch=3))
    renewed = await asyncio.gather(
        *(reserver.reserve(key, "fp", now=5.0, ttl=TTL, lease=LEASE) for key in keys[::2])
    )
    purged = await purging
    assert all(isinstance(r, Reservation) for r in renewed)
    for key, reservation in zip(keys[::2], renewed, strict=True):
        kept = await reserver.reserve(key, "fp", now=6.0, ttl=TTL, lease=LEASE)
        assert isinstance(kept, IdempotencyRecord), f"{key.key} was purged after its renewal"
        assert isinstance(reservation, Reservation)
        assert kept.owner == reservation.owner
    assert 20 <= purged <= 40  # the odd keys, and any even key purged before its renewal
    assert await purger.purge_expired(5.0) == 0


async def test_two_purgers_delete_each_expired_key_once(
    two_stores: tuple[PostgresStore, PostgresStore],
) -> None:
    for index in range(40):
        await two_stores[0].reserve(_key(f"k-{index}"), "fp", now=0.0, ttl=1.0, lease=1.0)
    deleted = await asyncio.gather(
        *(two_stores[i % 2].purge_expired(5.0, batch=3) for i in range(20))
    )
    assert sum(deleted) == 40


async def _purge_all(store: PostgresStore, *, now: float, batch: int) -> int:
    total = 0
    while deleted := await store.purge_expired(now, batch=batch):
        total += deleted
    return total
