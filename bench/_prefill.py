"""Filling a SQLite store file with many keys, fast, in exactly the shape the server writes them.

One real creation through the reference server writes the template rows (its key, its
fulfillments); bulk SQL then copies them a million times with new keys, ids and numbers. The
column lists come from the file's own schema, so a column the store adds is copied as well.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from bench._peers import start_refserver
from bench._requests import post

__all__ = ["KEY_PREFIX", "SEED_KEY", "copy_file", "count_expired", "expire_keys", "fill", "seed"]

SEED_KEY = "seed"
KEY_PREFIX = "scale"  # copies are keyed scale-0 .. scale-(n-1), as the Lua script draws them
_FILL_CACHE_KIB = 1_000_000  # 1 GB page cache while filling: random ids need it, nothing else
_KEYS = "idempotency_keys"
_FULFILLMENTS = "fulfillments"
_OK = 200


def seed(path: Path, tokens: Path, body: bytes, log_dir: Path) -> None:
    """Create the store file through the server and store one creation under `SEED_KEY`."""
    with start_refserver("seed", f"sqlite:///{path}", tokens, log_dir) as service:
        answer = post(service.port, body, key=SEED_KEY)
    if answer.status != _OK:
        raise RuntimeError(f"the seed creation was answered {answer.status}: {answer.raw[:300]!r}")


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _select(columns: Sequence[str], replaced: dict[str, str]) -> str:
    return ", ".join(f"{replaced.get(name, f't.{name}')} AS {name}" for name in columns)


def fill(path: Path, count: int) -> None:
    """Copy the seed key `count` times (scale-0 ..) with its fulfillments, in one transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a bulk load: nothing to roll back to
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(f"PRAGMA cache_size = -{_FILL_CACHE_KIB}")
        numbers = "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        conn.execute("BEGIN")
        keys = _columns(conn, _KEYS)
        new_key = {"key": f"'{KEY_PREFIX}-' || n.i"}
        conn.execute(
            f"{numbers} INSERT INTO {_KEYS} ({', '.join(keys)}) "
            f"SELECT {_select(keys, new_key)} FROM n, {_KEYS} AS t WHERE t.key = ?",
            (count - 1, SEED_KEY),
        )
        rows = _columns(conn, _FULFILLMENTS)
        replaced = {"id": "lower(hex(randomblob(16)))", "number": "'F-S' || n.i"}
        # sorted by id, so the million random ids go into the primary key in one sweep
        conn.execute(
            f"{numbers} INSERT INTO {_FULFILLMENTS} ({', '.join(rows)}) SELECT * FROM ("
            f"SELECT {_select(rows, replaced)} FROM n, {_FULFILLMENTS} AS t) ORDER BY id",
            (count - 1,),
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")  # back to what the store expects
    finally:
        conn.close()


def copy_file(source: Path, target: Path) -> None:
    """A copy of a closed store file."""
    shutil.copyfile(source, target)


def expire_keys(path: Path, *, keep: int, expired_at: float) -> int:
    """Make every copied key but scale-0 .. scale-(keep-1) expired; return how many."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(f"PRAGMA cache_size = -{_FILL_CACHE_KIB}")
        cursor = conn.execute(
            f"UPDATE {_KEYS} SET expires_at = ? "
            f"WHERE key LIKE '{KEY_PREFIX}-%' AND CAST(substr(key, ?) AS INTEGER) >= ?",
            (expired_at, len(KEY_PREFIX) + 2, keep),
        )
        return cursor.rowcount
    finally:
        conn.close()


def count_expired(path: Path, now: float) -> int:
    """Keys whose expiry has passed, read through the expiry index without taking a lock."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (count,) = conn.execute(
            f"SELECT count(*) FROM {_KEYS} WHERE expires_at <= ?", (now,)
        ).fetchone()
        return int(count)
    finally:
        conn.close()
