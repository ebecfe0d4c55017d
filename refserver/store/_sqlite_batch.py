"""Group commit: the writes of every request that is ready at once share one SQLite commit.

A commit is the expensive part of a SQLite write (it appends pages to the log and takes and
releases file locks), and under load many requests want to write in the same turn of the
event loop. Each `write` queues its work; one flusher runs the whole queue in a single
`BEGIN IMMEDIATE` transaction, commits once, then answers every caller. When one piece of
work fails, the transaction is rolled back and run again with each piece in its own
savepoint, so one failure rolls back only itself. Nobody is answered before
the commit that holds its work, so the durability promise is unchanged.

Every batch first takes the store's own lock (`_sqlite_lock.WriteLock`), which all writers
of the file share. The flusher runs inline on the event loop through a connection that never
waits; when another store or process holds the lock (or, for a writer that does not take it,
SQLite's), the batch moves to the store's thread, which waits for it, and the next batch
comes back inline.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from refserver.store._sqlite_lock import WriteLock

__all__ = ["BUSY", "GroupWriter", "run_transaction"]

_T = TypeVar("_T")
BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_Entry = tuple[Callable[[sqlite3.Connection], Any], "asyncio.Future[Any]"]
_Outcome = tuple["asyncio.Future[Any]", bool, Any]


def run_transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], _T]) -> _T:
    """Run `work` alone in one BEGIN IMMEDIATE transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return result


def _run_batch(conn: sqlite3.Connection, batch: list[_Entry]) -> list[_Outcome]:
    """Every entry in one transaction; if one fails, again with each isolated by a savepoint.

    Work almost never fails, and two statements per entry (SAVEPOINT, RELEASE) are a fifth of
    a batch's cost, so the batch first runs bare. Work is a function of its arguments and the
    database, so running it again after the rollback gives what the first run would have.
    A failure of a lone entry, or a busy lock, goes to the caller as it is.
    """
    try:
        return _run_bare(conn, batch)
    except Exception as exc:
        busy = isinstance(exc, sqlite3.OperationalError) and exc.sqlite_errorcode in BUSY
        if busy or len(batch) == 1:
            raise
    return _run_isolated(conn, batch)


def _run_locked(lock: WriteLock, conn: sqlite3.Connection, batch: list[_Entry]) -> list[_Outcome]:
    """On the store's thread: wait for the store's lock, then run the batch."""
    lock.acquire()
    try:
        return _run_batch(conn, batch)
    finally:
        lock.release()


def _run_bare(conn: sqlite3.Connection, batch: list[_Entry]) -> list[_Outcome]:
    def work(c: sqlite3.Connection) -> list[_Outcome]:
        return [(future, True, run(c)) for run, future in batch]

    return run_transaction(conn, work)


def _run_isolated(conn: sqlite3.Connection, batch: list[_Entry]) -> list[_Outcome]:
    conn.execute("BEGIN IMMEDIATE")
    outcomes: list[_Outcome] = []
    try:
        for work, future in batch:
            conn.execute("SAVEPOINT one")
            try:
                value = work(conn)
            except Exception as exc:
                conn.execute("ROLLBACK TO one")
                outcomes.append((future, False, exc))
            else:
                outcomes.append((future, True, value))
            conn.execute("RELEASE one")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


class GroupWriter:
    """Queues write work and commits it in shared transactions."""

    def __init__(
        self,
        inline: sqlite3.Connection,
        waiting: sqlite3.Connection,
        executor: ThreadPoolExecutor,
        lock: WriteLock,
        on_commit: Callable[[], None],
    ) -> None:
        self._lock = lock
        self._inline = inline
        self._waiting = waiting
        self._executor = executor
        self._on_commit = on_commit
        self._pending: list[_Entry] = []
        self._scheduled = False  # a flush is due in this turn of the loop
        self._on_thread: asyncio.Task[None] | None = None  # batches waiting for another writer

    async def write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run `work` in the next shared transaction and return its result once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_T] = loop.create_future()
        self._pending.append((work, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)  # after every coroutine ready now has queued its work
        return await future

    async def drain(self) -> None:
        """Wait until every queued write is committed (or has failed)."""
        while self._pending or self._scheduled or self._on_thread is not None:
            if self._on_thread is not None:
                await asyncio.shield(self._on_thread)
            else:
                await asyncio.sleep(0)

    def _flush(self) -> None:
        self._scheduled = False
        if self._on_thread is not None or not self._pending:
            return  # the batch on the thread flushes what is queued once it is done
        batch, self._pending = self._pending, []
        if not self._lock.try_acquire():
            self._wait_on_thread(batch)
            return
        try:
            outcomes = _run_batch(self._inline, batch)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode in BUSY:
                self._wait_on_thread(batch)
                return
            outcomes = [(future, False, exc) for _, future in batch]
        except Exception as exc:  # the commit itself failed: nothing of the batch is stored
            outcomes = [(future, False, exc) for _, future in batch]
        else:
            self._on_commit()
        finally:
            self._lock.release()
        _resolve(outcomes)

    def _wait_on_thread(self, batch: list[_Entry]) -> None:
        loop = asyncio.get_running_loop()
        self._on_thread = loop.create_task(self._commit_on_thread(batch))

    async def _commit_on_thread(self, batch: list[_Entry]) -> None:
        """Commit one batch on the thread, which waits for the other writer; then go back inline."""
        loop = asyncio.get_running_loop()
        try:
            outcomes = await loop.run_in_executor(
                self._executor, _run_locked, self._lock, self._waiting, batch
            )
        except Exception as exc:
            outcomes = [(future, False, exc) for _, future in batch]
        else:
            self._on_commit()
        finally:
            self._on_thread = None
        _resolve(outcomes)
        if self._pending and not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)


def _resolve(outcomes: list[_Outcome]) -> None:
    for future, ok, value in outcomes:
        if future.done():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
