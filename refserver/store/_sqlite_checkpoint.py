"""Checkpoints on a thread of their own, so no write ever queues behind one.

A checkpoint copies the write-ahead log back into the database file and syncs it: tens of
milliseconds for a few thousand pages, hundreds when the log has grown. Run on the thread that
also commits batches for a store waiting on another process, it held those batches back for as
long (bench/FINDINGS.md, section 8). Here it has its own connection and its
own thread, runs PASSIVE (it never blocks a reader or a writer), and runs at most one at a time,
every `every` commits so the log stays short.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor

__all__ = ["Checkpointer"]


class Checkpointer:
    """Checkpoints the log every `every` commits, one at a time, off the event loop."""

    def __init__(self, conn: sqlite3.Connection, every: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-checkpoint")
        self._conn = conn
        self._every = every
        self._since = 0
        self._running: Future[None] | None = None

    def committed(self) -> None:
        """Count one commit; start a checkpoint when enough have passed and none is running."""
        self._since += 1
        if self._since < self._every or (self._running is not None and not self._running.done()):
            return
        self._since = 0
        self._running = self._executor.submit(self.checkpoint)

    def checkpoint(self) -> None:
        """Copy what the log holds back into the database file (on the checkpoint thread)."""
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    async def close(self) -> None:
        """Run a last checkpoint after any in flight, close the connection, stop the thread."""
        await asyncio.wrap_future(self._executor.submit(self.checkpoint))
        await asyncio.wrap_future(self._executor.submit(self._conn.close))
        self._executor.shutdown(wait=True)
