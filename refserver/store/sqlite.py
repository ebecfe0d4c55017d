"""The embedded default store: one SQLite file that survives restarts and is shared by workers.

Durability: the database runs in WAL mode with `synchronous=NORMAL`. A COMMIT returns once
the transaction is appended to the write-ahead log through the operating system, so a process
that is killed (SIGKILL, OOM, a crash) loses nothing it committed: the kernel still holds the
log and the next open replays it. Only an operating-system crash or a power cut can lose the
last few commits, and even then the file stays consistent. `?synchronous=full` in the URL adds
an fsync per commit for that case, at the cost of a disk flush per write.

Atomicity: every write runs in `BEGIN IMMEDIATE`, which takes the database's write lock before
reading, so two requests (or two processes) can never both reserve one key.

Speed without stalling the event loop: a transaction here costs less than handing it to a
thread and back, and most of it is the commit (bench/FINDINGS.md, section 2, "Group commit
inline"). So writes are group-committed
(`_sqlite_batch`): the work of every request ready in the same turn of the loop shares one
transaction, run inline through a connection that never waits (`busy_timeout=0`); only when
another store or process holds the write lock does the batch move to the store's own thread.
Writers queue on a `flock` of `<file>.lock` (`_sqlite_lock`), which wakes a waiter the moment
the holder is done, rather than on SQLite's lock, whose waiters poll with sleeps of up to
100 ms; the thread's connection still waits up to `_BUSY_TIMEOUT_MS` for a writer outside the
server. Checkpoints, which copy the log back into the file, run every `_CHECKPOINT_EVERY`
commits on a thread and connection of their own (`_sqlite_checkpoint`), so no write waits
behind one.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Self, TypeVar
from urllib.parse import parse_qs, urlsplit

import orjson

from refserver.store import _sqlite_sql as sql
from refserver.store._records import (
    Effects,
    IdempotencyRecord,
    Reservation,
    ScopedKey,
    State,
    StoredResponse,
)
from refserver.store._sqlite_batch import BUSY, GroupWriter, run_transaction
from refserver.store._sqlite_checkpoint import Checkpointer
from refserver.store._sqlite_lock import WriteLock
from refserver.store._sqlite_rows import insert_effects, record_from_row

__all__ = ["SqliteStore"]

_T = TypeVar("_T")
_BUSY_TIMEOUT_MS = 10_000  # how long the store's thread waits for another process's write lock
_CHECKPOINT_EVERY = 30  # commits between checkpoints: faster than 100 or 1,000 (FINDINGS 9)
_SYNCHRONOUS = {"normal": "NORMAL", "full": "FULL"}
Work = Callable[[sqlite3.Connection], _T]


def _path_of(url: str) -> tuple[Path, str]:
    """`sqlite:///relative.db` or `sqlite:////absolute.db`, optionally `?synchronous=full`."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc or not parts.path.startswith("/"):
        raise ValueError(f"not a SQLite store URL: {url!r}")
    raw = parts.path[1:]
    if not raw:
        raise ValueError(f"the SQLite store URL names no file: {url!r}")
    level = parse_qs(parts.query).get("synchronous", ["normal"])[-1].lower()
    if level not in _SYNCHRONOUS:
        raise ValueError(f"synchronous must be normal or full, not {level!r}")
    return Path(raw), _SYNCHRONOUS[level]


def _connect(path: Path, synchronous: str, busy_ms: int) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # checkpoints run on their own thread

    def schema(c: sqlite3.Connection) -> None:
        for statement in sql.SCHEMA.split(";"):
            if statement.strip():
                c.execute(statement)

    run_transaction(conn, schema)
    conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
    return conn


class SqliteStore:
    """Keys, fulfillments and counters in one WAL-mode SQLite file."""

    def __init__(
        self,
        inline: sqlite3.Connection,
        waiting: sqlite3.Connection,
        executor: ThreadPoolExecutor,
        lock: WriteLock,
        checkpointer: Checkpointer,
    ) -> None:
        self._inline = inline  # used on the event loop; never waits for a lock
        self._waiting = waiting  # used on the store's thread; waits for other writers
        self._executor = executor
        self._lock = lock
        self._checkpointer = checkpointer
        self._writer = GroupWriter(inline, waiting, executor, lock, checkpointer.committed)

    @classmethod
    async def open(cls, url: str) -> Self:
        """Open (creating if needed) the file the URL names, with the schema in place."""
        path, synchronous = _path_of(url)
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")
        loop = asyncio.get_running_loop()
        try:
            waiting = await loop.run_in_executor(
                executor, _connect, path, synchronous, _BUSY_TIMEOUT_MS
            )
            inline = await loop.run_in_executor(executor, _connect, path, synchronous, 0)
            checkpoints = await loop.run_in_executor(executor, _connect, path, synchronous, 0)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        checkpointer = Checkpointer(checkpoints, _CHECKPOINT_EVERY)
        return cls(inline, waiting, executor, WriteLock(path), checkpointer)

    async def _write(self, work: Work[_T]) -> _T:
        """One piece of write work, committed together with whatever else is ready."""
        return await self._writer.write(work)

    async def _read(self, statement: str, args: tuple[object, ...]) -> tuple[object, ...] | None:
        """One read: inline, or on the waiting thread in the rare case SQLite reports busy."""

        def work(conn: sqlite3.Connection) -> tuple[object, ...] | None:
            row: tuple[object, ...] | None = conn.execute(statement, args).fetchone()
            return row

        try:
            return work(self._inline)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode not in BUSY:
                raise
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, self._waiting)

    async def reserve(
        self, key: ScopedKey, fingerprint: str, *, now: float, ttl: float, lease: float
    ) -> Reservation | IdempotencyRecord:
        """Reserve a missing, expired or abandoned key under the write lock, or return it."""
        ident = (key.tenant, key.method, key.path, key.key)
        owner = secrets.token_hex(16)

        def live(row: tuple[object, ...] | None) -> IdempotencyRecord | None:
            if row is None:
                return None
            record = record_from_row(key, row)
            if record.expires_at <= now:
                return None
            if record.state is State.IN_PROGRESS and record.lease_until <= now:
                return None
            return record

        def claim(conn: sqlite3.Connection) -> Reservation | IdempotencyRecord:
            args = (*ident, fingerprint, owner, now, now + ttl, now + lease)
            if conn.execute(sql.RESERVE, args).rowcount == 1:
                return Reservation(
                    key=key, fingerprint=fingerprint, owner=owner, lease_until=now + lease
                )
            existing = live(conn.execute(sql.SELECT_KEY, ident).fetchone())
            if existing is None:  # RESERVE leaves only live keys alone
                raise RuntimeError(f"key {key.key!r} is neither free nor live")
            return existing

        completed = live(await self._read(sql.SELECT_KEY, ident))  # a replay needs no write lock
        if completed is not None and completed.state is State.COMPLETED:
            return completed
        return await self._write(claim)

    async def complete(
        self, reservation: Reservation, response: StoredResponse, effects: Effects, *, now: float
    ) -> bool:
        """Store response and effects in one transaction, only while the caller owns the key."""
        k = reservation.key
        headers = orjson.dumps([list(pair) for pair in response.headers])
        args = (response.status, headers, response.body, k.tenant, k.method, k.path, k.key)

        def work(conn: sqlite3.Connection) -> bool:
            if conn.execute(sql.COMPLETE, (*args, reservation.owner)).rowcount != 1:
                return False
            insert_effects(conn, effects)
            return True

        return await self._write(work)

    async def release(self, reservation: Reservation) -> None:
        """Delete the in-progress key if the caller still owns it."""
        k = reservation.key
        args = (k.tenant, k.method, k.path, k.key, reservation.owner)
        await self._write(lambda conn: conn.execute(sql.RELEASE, args))

    async def save(self, effects: Effects) -> None:
        """Store the effects of a request without a key in one transaction."""
        await self._write(lambda conn: insert_effects(conn, effects))

    async def allocate(self, tenant: str, counter: str, count: int) -> int:
        """Advance the tenant's counter by `count` under the write lock; return the first."""
        if count < 1:
            raise ValueError("count must be at least 1")

        def work(conn: sqlite3.Connection) -> int:
            (last,) = conn.execute(sql.ALLOCATE, (tenant, counter, count)).fetchone()
            return int(last) - count + 1

        return await self._write(work)

    async def count_fulfillments(self, tenant: str, order_line_item_id: str) -> int:
        """Count through the (tenant, line item) index."""
        row = await self._read(sql.COUNT_LINE_ITEM, (tenant, order_line_item_id))
        return int(str(row[0])) if row is not None else 0

    async def get_fulfillment(self, tenant: str, fulfillment_id: str) -> bytes | None:
        """The stored body through the primary key, scoped to the tenant."""
        row = await self._read(sql.GET_FULFILLMENT, (tenant, fulfillment_id))
        value = None if row is None else row[0]
        return bytes(value) if isinstance(value, bytes | memoryview) else None

    async def purge_expired(self, now: float, *, batch: int = 500) -> int:
        """Delete one small batch, so the write lock is held only briefly."""
        return await self._write(lambda conn: int(conn.execute(sql.PURGE, (now, batch)).rowcount))

    async def close(self) -> None:
        """Commit what is queued, checkpoint and close both connections, stop the thread."""
        await self._writer.drain()
        self._inline.close()
        await self._checkpointer.close()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._waiting.close)
        self._executor.shutdown(wait=True)
        self._lock.close()
