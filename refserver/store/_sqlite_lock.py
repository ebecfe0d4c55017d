"""The store's own write lock: a `flock` on a file beside the database.

SQLite's write lock cannot be waited on: a connection that finds it taken retries on a timer
(1, 2, 5, 10 ... 100 ms sleeps), so two server processes on one file queue for each other in
tens of milliseconds. Every writer of the store takes this lock first, so SQLite's own lock is
never contended between them, and a waiting writer wakes the moment the holder lets go.

`flock` locks belong to an open file: each store holds its own, so two stores in one process
exclude each other as two processes do, and the kernel drops the lock of a killed process.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

__all__ = ["WriteLock"]


class WriteLock:
    """An exclusive lock shared by every store on one database file."""

    def __init__(self, database: Path) -> None:
        self._fd = os.open(f"{database}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; never waits."""
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def acquire(self) -> None:
        """Wait for the lock; for the store's thread, never the event loop."""
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._fd)
