"""What only the SQLite store promises: a file that survives, shared safely, indexed lookups."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from refserver.store import (
    Effects,
    Fulfillment,
    IdempotencyRecord,
    Reservation,
    ScopedKey,
    State,
    StoredResponse,
    open_store,
)
from refserver.store import _sqlite_sql as sql
from refserver.store._sqlite_checkpoint import Checkpointer
from refserver.store.memory import MemoryStore
from refserver.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

NOW = 1_700_000_000.0
KEY = ScopedKey("1", "POST", "/v1/fulfillments", "k")


async def test_completed_key_survives_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    store = await SqliteStore.open(url)
    reservation = await store.reserve(KEY, "fp", now=NOW, ttl=100, lease=10)
    assert isinstance(reservation, Reservation)
    stored = StoredResponse(200, (("Zuora-Request-Id", "r"),), b"\x00body\xff")
    assert await store.complete(reservation, stored, Effects(), now=NOW)
    await store.close()
    reopened = await SqliteStore.open(url)
    try:
        found = await reopened.reserve(KEY, "fp", now=NOW + 1, ttl=100, lease=10)
        assert isinstance(found, IdempotencyRecord)
        assert found.state is State.COMPLETED
        assert found.response == stored
    finally:
        await reopened.close()


async def test_two_connections_to_one_file_reserve_exactly_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    stores = [await SqliteStore.open(url) for _ in range(4)]
    try:
        results = await asyncio.gather(
            *(stores[i % 4].reserve(KEY, "fp", now=NOW, ttl=100, lease=10) for i in range(64))
        )
        assert sum(isinstance(r, Reservation) for r in results) == 1
        firsts = await asyncio.gather(*(stores[i % 4].allocate("1", "f", 1) for i in range(40)))
        assert sorted(firsts) == list(range(1, 41))
    finally:
        for store in stores:
            await store.close()


def test_every_lookup_uses_an_index(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "plan.db")
    for statement in sql.SCHEMA.split(";"):
        conn.execute(statement)
    plans = {
        "key": conn.execute(
            "EXPLAIN QUERY PLAN " + sql.SELECT_KEY, ("t", "m", "p", "k")
        ).fetchall(),
        "count": conn.execute("EXPLAIN QUERY PLAN " + sql.COUNT_LINE_ITEM, ("t", "l")).fetchall(),
        "get": conn.execute("EXPLAIN QUERY PLAN " + sql.GET_FULFILLMENT, ("t", "f")).fetchall(),
        "purge": conn.execute("EXPLAIN QUERY PLAN " + sql.PURGE, (1.0, 10)).fetchall(),
    }
    conn.close()
    for name, rows in plans.items():
        details = [str(row[-1]) for row in rows]
        assert details, name
        assert not any(d.startswith("SCAN") for d in details), (name, details)


async def test_the_file_is_in_wal_mode(tmp_path: Path) -> None:
    store = await SqliteStore.open(f"sqlite:///{tmp_path / 'd.db'}")
    await store.close()
    conn = sqlite3.connect(tmp_path / "d.db")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


@pytest.mark.parametrize(
    "url",
    ["sqlite://host/x.db", "sqlite:///", "sqlite:///x.db?synchronous=off", "mysql://x"],
)
async def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"SQLite|synchronous|scheme|names no file"):
        await open_store(url)


async def test_open_store_dispatches_on_the_scheme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = await open_store("memory://")
    assert isinstance(memory, MemoryStore)
    await memory.close()
    monkeypatch.chdir(tmp_path)
    relative = await open_store("sqlite:///data/a.db?synchronous=full")
    assert isinstance(relative, SqliteStore)
    await relative.close()
    assert (tmp_path / "data" / "a.db").exists()
    absolute = await open_store(f"sqlite:///{tmp_path / 'b.db'}")
    await absolute.close()
    assert str(tmp_path).startswith("/")
    assert (tmp_path / "b.db").exists()


async def test_writes_ready_together_share_a_commit_and_fail_alone(tmp_path: Path) -> None:
    store = await SqliteStore.open(f"sqlite:///{tmp_path / 'group.db'}")
    try:
        fid = "a" * 32
        row = Fulfillment("1", fid, "F-1", "l" * 32, "Delivery", "Executing", 1.0, b"{}")
        results = await asyncio.gather(
            store.allocate("1", "n", 1),
            store.save(Effects((row,))),
            store.save(Effects((row,))),  # the same primary key: only this write fails
            store.allocate("1", "n", 1),
            return_exceptions=True,
        )
        assert results[0] == 1
        assert results[1] is None
        assert isinstance(results[2], sqlite3.IntegrityError)
        assert results[3] == 2
        assert await store.count_fulfillments("1", "l" * 32) == 1
    finally:
        await store.close()


async def test_a_batch_without_failures_runs_bare_in_one_commit(tmp_path: Path) -> None:
    store = await SqliteStore.open(f"sqlite:///{tmp_path / 'bare.db'}")
    statements: list[str] = []
    store._inline.set_trace_callback(statements.append)
    try:
        await asyncio.gather(*(store.allocate("1", "n", 1) for _ in range(8)))
        commands = [s.split()[0].upper() for s in statements]
        assert commands.count("BEGIN") == 1
        assert commands.count("COMMIT") == 1
        assert "SAVEPOINT" not in commands  # savepoints only once a piece of work has failed
    finally:
        store._inline.set_trace_callback(None)
        await store.close()


async def test_a_write_waits_for_another_writer_without_blocking_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    store = await SqliteStore.open(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        writing = asyncio.create_task(store.allocate("1", "n", 1))
        ticks = 0
        for _ in range(20):
            await asyncio.sleep(0.01)
            ticks += 1
        assert not writing.done()
        assert ticks == 20  # the loop kept running while the write waited
        other.execute("COMMIT")
        assert await asyncio.wait_for(writing, 10) == 1
        assert await store.allocate("1", "n", 1) == 2  # and the inline path is back
    finally:
        other.close()
        await store.close()


async def test_a_write_queues_on_the_store_lock_of_another_store_on_the_file(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'two.db'}"
    holder, waiter = await SqliteStore.open(url), await SqliteStore.open(url)
    try:
        assert holder._lock.try_acquire()  # another worker is committing a batch
        writing = asyncio.create_task(waiter.allocate("1", "n", 1))
        for _ in range(20):
            await asyncio.sleep(0.01)
        assert not writing.done()  # it waits on the thread; the loop keeps running
        holder._lock.release()
        assert await asyncio.wait_for(writing, 10) == 1
        assert await waiter.allocate("1", "n", 1) == 2  # and the next batch runs inline again
        assert await holder.allocate("1", "n", 1) == 3
    finally:
        await holder.close()
        await waiter.close()


def test_checkpoints_run_on_their_own_thread_every_n_commits(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE t (n INTEGER)")
    ran: list[tuple[str, str]] = []
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.set_trace_callback(lambda s: ran.append((s, threading.current_thread().name)))
    checkpointer = Checkpointer(conn, every=3)

    def commit(n: int) -> None:
        writer.execute("INSERT INTO t VALUES (?)", (n,))
        checkpointer.committed()
        if checkpointer._running is not None:
            checkpointer._running.result(timeout=10)

    try:
        for n in range(2):
            commit(n)
        assert ran == []
        for n in range(2, 7):
            commit(n)
        assert [statement for statement, _ in ran] == ["PRAGMA wal_checkpoint(PASSIVE)"] * 2
        assert {thread for _, thread in ran} == {"sqlite-checkpoint_0"}
        log_frames = writer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert log_frames[1] == log_frames[2]  # the log is copied back up to its last frame
    finally:
        asyncio.run(checkpointer.close())
        writer.close()
    assert len(ran) == 3  # close runs a last one
