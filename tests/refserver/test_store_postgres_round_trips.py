"""How many times the PostgreSQL store waits for the server, and where it takes no row lock.

A round trip costs the server process more CPU than PostgreSQL spends on these statements, so
the count per operation is what the store's throughput follows. It is counted on the wire:
libpq's own protocol trace of the store's one pooled connection, where the server sends one
ReadyForQuery per Sync or simple query. The store uses no pipeline mode, so the client waits
for each of them: their number is the number of round trips, BEGIN and COMMIT included.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qsl, urlsplit

import psycopg
import pytest
from psycopg import pq

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

_T = TypeVar("_T")
TTL = 86_400.0  # the contract's key lifetime
LEASE = 30.0  # long enough that no lease runs out unless a test moves the clock past it
# How long a statement of the locking test's store may wait for a row lock before it fails. A
# replay waits for none, so this bounds only the one statement that is meant to fail on the lock.
LOCK_TIMEOUT_MS = 200
# How long the race tests wait for the store's reserving statement to queue on a row lock that
# another transaction holds: seconds, generous for a loaded machine; it normally takes a few ms.
LOCK_WAIT_TIMEOUT = 10.0
LOCK_WAIT_POLL = 0.005  # seconds between looks at pg_stat_activity
TENANT = "tenant-a"
# psycopg attaches libpq's trace only on Linux, where CI runs.
traced = pytest.mark.skipif(sys.platform != "linux", reason="libpq tracing needs Linux")
RESPONSE = StoredResponse(status=200, headers=(("Content-Type", "application/json"),), body=b"{}")


@pytest.fixture
def store_url(postgres_dsn: str) -> Iterator[str]:
    with throwaway_schema(postgres_dsn) as url:
        yield url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[PostgresStore]:
    """A store with exactly one connection, so the traced connection is the one it uses."""
    opened = await PostgresStore.open(with_query(store_url, pool_min="1", pool_max="1"))
    try:
        yield opened
    finally:
        await opened.close()


def _key(name: str) -> ScopedKey:
    return ScopedKey(tenant=TENANT, method="POST", path="/v1/fulfillments", key=name)


def _fulfillment(ident: str, item_ids: tuple[str, ...] = ("item-1",)) -> Fulfillment:
    return Fulfillment(
        tenant=TENANT,
        id=ident,
        number=f"F-{ident}",
        order_line_item_id="line-1",
        fulfillment_type="Delivery",
        state="Executing",
        quantity=1.0,
        body=b'{"id":"' + ident.encode() + b'"}',
        item_ids=item_ids,
        created_at=1.0,
    )


def _billed(ident: str) -> Effects:
    """What a billed creation commits: one fulfillment and its invoice, as the engine makes it."""
    return Effects(fulfillments=(_fulfillment(ident),), invoice_numbers=(f"INV-{ident}",))


async def _round_trips(
    store: PostgresStore, trace: Path, operation: Awaitable[_T]
) -> tuple[_T, int]:
    """Run `operation` with the store's connection traced; return its result and round trips."""
    # The pool is private, but a trace must be attached to the very connection the store uses.
    async with store._pool.connection() as conn:
        pgconn = conn.pgconn
    with trace.open("wb") as sink:
        pgconn.trace(sink.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            result = await operation
        finally:
            pgconn.untrace()  # flushes libpq's buffer into the file before it is closed
    lines = trace.read_text(errors="replace").splitlines()
    fields = [line.split("\t") for line in lines]
    return result, sum(1 for f in fields if f[0] == "B" and f[2:3] == ["ReadyForQuery"])


async def _warm(store: PostgresStore) -> None:
    """Prepare every statement once: a statement's first use parses it in a round trip of its own.

    The effects have the shape the measured calls use, because psycopg prepares a statement per
    set of parameter types.
    """
    first = await store.reserve(_key("warm-1"), "fp", now=0.0, ttl=TTL, lease=LEASE)
    assert isinstance(first, Reservation)
    await store.allocate(TENANT, "warm", 1)
    assert await store.complete(first, RESPONSE, _billed("warm-1"), now=0.0)
    await store.reserve(_key("warm-1"), "fp", now=0.0, ttl=TTL, lease=LEASE)
    second = await store.reserve(_key("warm-2"), "fp", now=0.0, ttl=TTL, lease=LEASE)
    assert isinstance(second, Reservation)
    in_progress = await store.reserve(_key("warm-2"), "fp", now=0.0, ttl=TTL, lease=LEASE)
    assert isinstance(in_progress, IdempotencyRecord)  # read by SELECT_RECORD, which is prepared
    await store.release(second)
    await store.save(_billed("warm-3"))


@traced
async def test_each_operation_of_a_billed_creation_and_its_replay_is_one_round_trip(
    store: PostgresStore, tmp_path: Path
) -> None:
    await _warm(store)
    trace = tmp_path / "wire.trace"
    key = _key("k-1")
    trips: dict[str, int] = {}

    reservation, trips["reserve a new key"] = await _round_trips(
        store, trace, store.reserve(key, "fp", now=1.0, ttl=TTL, lease=LEASE)
    )
    assert isinstance(reservation, Reservation)
    for counter in ("fulfillment", "invoice"):
        _, trips[f"allocate {counter}"] = await _round_trips(
            store, trace, store.allocate(TENANT, counter, 1)
        )
    done, trips["complete"] = await _round_trips(
        store, trace, store.complete(reservation, RESPONSE, _billed("f-1"), now=1.0)
    )
    assert done is True
    replay, trips["replay"] = await _round_trips(
        store, trace, store.reserve(key, "fp", now=2.0, ttl=TTL, lease=LEASE)
    )
    assert isinstance(replay, IdempotencyRecord)
    assert replay.response == RESPONSE
    _, trips["save"] = await _round_trips(store, trace, store.save(_billed("f-2")))
    _, trips["save nothing"] = await _round_trips(store, trace, store.save(Effects()))
    assert await store.get_fulfillment(TENANT, "f-2") is not None
    assert trips == {
        "reserve a new key": 1,  # was 2 (a read, then the reserving statement): one WITH now
        "allocate fulfillment": 1,
        "allocate invoice": 1,
        "complete": 1,  # was 5: BEGIN, UPDATE, the fulfillments, the documents, COMMIT
        "replay": 1,  # the reserving statement's lock-free read; its INSERT does nothing
        "save": 1,  # was 4: BEGIN, the fulfillments, the documents, COMMIT
        "save nothing": 0,  # was 2: BEGIN, COMMIT
    }


@traced
async def test_a_key_still_in_progress_is_declined_then_read_and_reported(
    store: PostgresStore, tmp_path: Path
) -> None:
    await _warm(store)
    trace = tmp_path / "wire.trace"
    first = await store.reserve(_key("k-1"), "fp", now=1.0, ttl=TTL, lease=LEASE)
    assert isinstance(first, Reservation)
    seen, trips = await _round_trips(
        store, trace, store.reserve(_key("k-1"), "fp", now=2.0, ttl=TTL, lease=LEASE)
    )
    assert isinstance(seen, IdempotencyRecord)
    assert seen.state is State.IN_PROGRESS
    assert trips == 2  # was 3: the reserving statement that declines, the read it reports
    _, trips = await _round_trips(store, trace, store.release(first))
    assert trips == 1


@traced
async def test_an_expired_key_or_a_lapsed_lease_is_taken_in_one_round_trip(
    store: PostgresStore, tmp_path: Path
) -> None:
    await _warm(store)
    trace = tmp_path / "wire.trace"
    completed = await store.reserve(_key("k-1"), "fp", now=1.0, ttl=TTL, lease=LEASE)
    assert isinstance(completed, Reservation)
    assert await store.complete(completed, RESPONSE, Effects(), now=1.0)
    lapsed = await store.reserve(_key("k-2"), "fp", now=1.0, ttl=TTL, lease=LEASE)
    assert isinstance(lapsed, Reservation)

    expired, trips = await _round_trips(
        store, trace, store.reserve(_key("k-1"), "fp", now=1.0 + TTL, ttl=TTL, lease=LEASE)
    )
    assert isinstance(expired, Reservation)
    assert trips == 1  # the read finds no live completed record; the INSERT overwrites the row
    taken_over, trips = await _round_trips(
        store, trace, store.reserve(_key("k-2"), "fp", now=1.0 + LEASE, ttl=TTL, lease=LEASE)
    )
    assert isinstance(taken_over, Reservation)
    assert taken_over.owner != lapsed.owner
    assert trips == 1


async def _backend_pid(store: PostgresStore) -> int:
    async with store._pool.connection() as conn:
        return conn.info.backend_pid


async def _until_waiting_for_a_lock(monitor: psycopg.AsyncConnection[tuple[int]], pid: int) -> None:
    """Return once the backend `pid` is queued on a lock, so the race is set up as intended."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LOCK_WAIT_TIMEOUT
    while True:
        cur = await monitor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
            (pid,),
        )
        row = await cur.fetchone()
        if row is not None and row[0] == 1:
            return
        assert loop.time() < deadline, f"backend {pid} never waited for the row lock"
        await asyncio.sleep(LOCK_WAIT_POLL)


@traced
@pytest.mark.parametrize(
    ("meanwhile", "outcome", "expected_trips"),
    [
        pytest.param(
            "UPDATE refserver_idempotency SET state = 'completed', status = 200,"
            " headers = '[]', body = '{}' WHERE key = %s",
            State.COMPLETED,
            2,  # the reserving statement declines the completed row; the read reports it
            id="completed",
        ),
        pytest.param(
            "DELETE FROM refserver_idempotency WHERE key = %s",
            None,
            1,  # ON CONFLICT finds the row gone and inserts after all
            id="released",
        ),
    ],
)
async def test_the_reserving_statement_judges_the_row_as_committed_not_as_its_snapshot_saw_it(
    store: PostgresStore,
    store_url: str,
    tmp_path: Path,
    meanwhile: str,
    outcome: State | None,
    expected_trips: int,
) -> None:
    """The read and the INSERT share one snapshot, taken while the key was in progress.

    Another transaction completes or deletes the row and commits only once the store's statement
    is queued on its lock. ON CONFLICT must then decide on the row as committed: a completed key
    is replayed, never reserved again; a deleted one is reserved.
    """
    await _warm(store)
    trace = tmp_path / "wire.trace"
    key = _key("k-1")
    first = await store.reserve(key, "fp", now=1.0, ttl=TTL, lease=LEASE)
    assert isinstance(first, Reservation)
    pid = await _backend_pid(store)
    async with (
        await psycopg.AsyncConnection.connect(store_url) as holder,
        await psycopg.AsyncConnection.connect(store_url, autocommit=True) as monitor,
    ):
        await holder.execute(meanwhile, (key.key,))  # in an open transaction, holding the lock

        async def reserve_across_the_commit() -> Reservation | IdempotencyRecord:
            reserving = asyncio.create_task(store.reserve(key, "fp", now=2.0, ttl=TTL, lease=LEASE))
            await _until_waiting_for_a_lock(monitor, pid)
            await holder.commit()
            return await reserving

        seen, trips = await _round_trips(store, trace, reserve_across_the_commit())
    if outcome is None:
        assert isinstance(seen, Reservation)
        assert seen.owner != first.owner
    else:
        assert isinstance(seen, IdempotencyRecord)
        assert seen.state is outcome
        assert seen.response == StoredResponse(status=200, headers=(), body=b"{}")
    assert trips == expected_trips


async def test_a_replay_takes_no_row_lock_and_anything_else_still_does(store_url: str) -> None:
    options = dict(parse_qsl(urlsplit(store_url).query))["options"]
    url = with_query(store_url, options=f"{options} -c lock_timeout={LOCK_TIMEOUT_MS}")
    store = await PostgresStore.open(url)
    try:
        key = _key("k-1")
        reservation = await store.reserve(key, "fp", now=0.0, ttl=TTL, lease=LEASE)
        assert isinstance(reservation, Reservation)
        assert await store.complete(reservation, RESPONSE, _billed("f-1"), now=0.0)
        async with await psycopg.AsyncConnection.connect(store_url) as holder:
            await holder.execute(
                "SELECT 1 FROM refserver_idempotency WHERE tenant = %s AND key = %s FOR UPDATE",
                (key.tenant, key.key),
            )  # the transaction stays open, holding the row's lock, until the block ends
            replays = await asyncio.gather(
                *(store.reserve(key, "fp", now=1.0, ttl=TTL, lease=LEASE) for _ in range(8))
            )
            assert all(isinstance(r, IdempotencyRecord) for r in replays)
            assert {r.response for r in replays if isinstance(r, IdempotencyRecord)} == {RESPONSE}
            # Expired, the same key goes to the reserving statement, which waits for the lock.
            with pytest.raises(psycopg.errors.LockNotAvailable):
                await store.reserve(key, "fp", now=TTL, ttl=TTL, lease=LEASE)
    finally:
        await store.close()


async def test_several_fulfillments_and_documents_are_stored_row_for_row(
    store: PostgresStore, store_url: str
) -> None:
    fulfillments = (
        _fulfillment("f-1", ("a", "b")),
        _fulfillment("f-2", ()),
        _fulfillment("f-3", ("NULL", 'q"{,}')),
    )
    effects = Effects(fulfillments, ("INV-1", "INV-2"), ("CM-1",), ("P-1",))
    reservation = await store.reserve(_key("k-1"), "fp", now=0.0, ttl=TTL, lease=LEASE)
    assert isinstance(reservation, Reservation)
    assert await store.complete(reservation, RESPONSE, effects, now=0.0)
    await store.save(Effects((_fulfillment("f-4", ("c",)),), ("INV-3",)))
    async with await psycopg.AsyncConnection.connect(store_url) as conn:
        cur = await conn.execute("SELECT id, item_ids FROM refserver_fulfillments ORDER BY id")
        items = await cur.fetchall()
        cur = await conn.execute("SELECT tenant, kind, number FROM refserver_documents")
        documents = await cur.fetchall()
    assert items == [
        ("f-1", ["a", "b"]),
        ("f-2", []),
        ("f-3", ["NULL", 'q"{,}']),
        ("f-4", ["c"]),
    ]
    assert sorted(documents) == [
        (TENANT, "credit_memo", "CM-1"),
        (TENANT, "invoice", "INV-1"),
        (TENANT, "invoice", "INV-2"),
        (TENANT, "invoice", "INV-3"),
        (TENANT, "payment", "P-1"),
    ]
