"""The store for several server processes or machines: one PostgreSQL database holds every key.

Exactly-once rests on two statements, both atomic in PostgreSQL itself rather than in any one
process: `reserve` takes a key by one `INSERT ... ON CONFLICT DO UPDATE ... WHERE` (see
`_postgres_sql`), and `complete` is one statement that takes the key only if the caller still
owns it and writes the response and the request's effects with it. Round trips are kept few
because each one costs the server process CPU in psycopg and the event loop, and that, not
PostgreSQL, is what limits a busy server: `reserve`, `complete`, `allocate`, `release` and
`save` are one statement each, and the reserving statement answers a replay of a completed key
from a read that takes no lock. Only a key still in progress costs `reserve` a second statement,
the read it is reported from. Connections come from a psycopg pool sized by the URL:

    postgresql://user:password@host:5432/dbname?pool_min=1&pool_max=10&pool_timeout=30

Any other query parameter (`sslmode`, `options`, `application_name`, ...) goes to libpq as is.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from psycopg import AsyncConnection
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from refserver.store import _postgres_sql as q
from refserver.store._records import (
    Effects,
    IdempotencyRecord,
    Reservation,
    ScopedKey,
    State,
    StoredResponse,
)

__all__ = ["PoolOptions", "PostgresStore"]

_SCHEMES = ("postgresql", "postgres")
_POOL_MIN = 1  # one warm connection per process; the pool grows on demand
_POOL_MAX = 10  # per process: 2 workers x 10 stays well under PostgreSQL's default 100
_POOL_TIMEOUT = 30.0  # seconds a request waits for a free connection before it fails
# Each retry needs another caller to delete the key between our two statements; five in a row
# means something is deleting keys in a loop, which is a bug worth an error.
_RESERVE_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class PoolOptions:
    """How many connections one server process keeps, read from the store URL's query."""

    min_size: int = _POOL_MIN
    max_size: int = _POOL_MAX
    timeout: float = _POOL_TIMEOUT

    @classmethod
    def split_url(cls, url: str) -> tuple[str, Self]:
        """Take `pool_min`, `pool_max` and `pool_timeout` out of `url`; libpq gets the rest."""
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES:  # the URL itself is not echoed: it may hold a password
            raise ValueError(f"not a PostgreSQL store URL (scheme {parts.scheme!r})")
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        options = cls(
            min_size=int(query.pop("pool_min", _POOL_MIN)),
            max_size=int(query.pop("pool_max", _POOL_MAX)),
            timeout=float(query.pop("pool_timeout", _POOL_TIMEOUT)),
        )
        if not 0 <= options.min_size <= options.max_size or options.max_size < 1:
            raise ValueError(f"need 0 <= pool_min <= pool_max and pool_max >= 1, not {options}")
        return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote))), options


class PostgresStore:
    """Idempotency keys, fulfillments and counters in PostgreSQL, shared by every process."""

    def __init__(self, pool: AsyncConnectionPool[AsyncConnection[tuple[Any, ...]]]) -> None:
        self._pool = pool

    @classmethod
    async def open(cls, url: str) -> Self:
        """Connect, create the schema if it is missing, and return a ready store."""
        conninfo, options = PoolOptions.split_url(url)
        pool: AsyncConnectionPool[AsyncConnection[tuple[Any, ...]]] = AsyncConnectionPool(
            conninfo,
            min_size=options.min_size,
            max_size=options.max_size,
            timeout=options.timeout,
            kwargs={"autocommit": True},
            open=False,
        )
        await pool.open(wait=True, timeout=options.timeout)
        try:
            await _create_schema(pool)
        except BaseException:
            await pool.close()
            raise
        return cls(pool)

    async def reserve(
        self, key: ScopedKey, fingerprint: str, *, now: float, ttl: float, lease: float
    ) -> Reservation | IdempotencyRecord:
        """Replay a completed, unexpired record as read; else reserve the key or report it."""
        owner = secrets.token_hex(16)
        params = {
            **_key_params(key),
            "fingerprint": fingerprint,
            "owner": owner,
            "now": now,
            "expires_at": now + ttl,
            "lease_until": now + lease,
        }
        async with self._pool.connection() as conn:
            for _ in range(_RESERVE_ATTEMPTS):
                row = await (await conn.execute(q.RESERVE, params, prepare=True)).fetchone()
                if row is not None:
                    if row[0]:  # won: this caller took the key
                        return Reservation(
                            key=key, fingerprint=fingerprint, owner=owner, lease_until=now + lease
                        )
                    return _record(key, row[1:])  # a replay: read without the row's lock
                found = await (await conn.execute(q.SELECT_RECORD, params, prepare=True)).fetchone()
                if found is not None:
                    return _record(key, found)
                # Released or purged between the two statements: decide again.
        raise RuntimeError(f"{key} vanished {_RESERVE_ATTEMPTS} times while being reserved")

    async def complete(
        self, reservation: Reservation, response: StoredResponse, effects: Effects, *, now: float
    ) -> bool:
        """Store the response and the effects together, if the caller still owns the key."""
        params = {
            **_key_params(reservation.key),
            **_effect_params(effects),
            "owner": reservation.owner,
            "status": response.status,
            "headers": Jsonb([list(pair) for pair in response.headers]),
            "body": response.body,
        }
        async with self._pool.connection() as conn:
            if effects.line_item_limit is None:
                row = await (await conn.execute(q.COMPLETE, params, prepare=True)).fetchone()
            else:
                async with conn.transaction():
                    await _check_line_items(conn, effects)
                    row = await (await conn.execute(q.COMPLETE, params, prepare=True)).fetchone()
        assert row is not None  # SELECT EXISTS (...) always returns one row
        owned: bool = row[0]
        return owned

    async def release(self, reservation: Reservation) -> None:
        """Forget the key if the caller still owns it and it is still in progress."""
        params = {**_key_params(reservation.key), "owner": reservation.owner}
        async with self._pool.connection() as conn:
            await conn.execute(q.RELEASE, params, prepare=True)

    async def save(self, effects: Effects) -> None:
        """Store the effects of a request without a key, all or nothing."""
        if not (effects.fulfillments or effects.documents()):
            return  # nothing to store: no round trip
        async with self._pool.connection() as conn:
            if effects.line_item_limit is None:
                await conn.execute(q.SAVE, _effect_params(effects), prepare=True)
                return
            async with conn.transaction():
                await _check_line_items(conn, effects)
                await conn.execute(q.SAVE, _effect_params(effects), prepare=True)

    async def allocate(self, tenant: str, counter: str, count: int) -> int:
        """Hand out `count` consecutive numbers, starting at 1 for a new counter."""
        if count < 1:
            raise ValueError("count must be at least 1")
        params = {"tenant": tenant, "counter": counter, "count": count}
        async with self._pool.connection() as conn:
            row = await (await conn.execute(q.ALLOCATE, params, prepare=True)).fetchone()
        assert row is not None  # INSERT ... ON CONFLICT DO UPDATE always returns its row
        first: int = row[0]
        return first

    async def count_fulfillments(self, tenant: str, order_line_item_id: str) -> int:
        """How many fulfillments the tenant holds for the line item."""
        async with self._pool.connection() as conn:
            cur = await conn.execute(
                q.COUNT_FULFILLMENTS, (tenant, order_line_item_id), prepare=True
            )
            row = await cur.fetchone()
        assert row is not None  # count(*) always returns one row
        count: int = row[0]
        return count

    async def get_fulfillment(self, tenant: str, fulfillment_id: str) -> bytes | None:
        """The tenant's stored fulfillment body, or None."""
        async with self._pool.connection() as conn:
            cur = await conn.execute(q.GET_FULFILLMENT, (tenant, fulfillment_id), prepare=True)
            row = await cur.fetchone()
        return None if row is None else bytes(row[0])

    async def purge_expired(self, now: float, *, batch: int = 500) -> int:
        """Delete up to `batch` expired keys, skipping rows another process holds."""
        async with self._pool.connection() as conn:
            cur = await conn.execute(q.PURGE, {"now": now, "batch": batch}, prepare=True)
        return cur.rowcount

    async def close(self) -> None:
        """Close every pooled connection."""
        await self._pool.close()


async def _create_schema(pool: AsyncConnectionPool[AsyncConnection[tuple[Any, ...]]]) -> None:
    """Create the tables once, even when several processes open the store at the same moment."""
    async with pool.connection() as conn:
        missing = await (await conn.execute(q.MISSING_RELATIONS, (list(q.RELATIONS),))).fetchone()
        if missing is not None and missing[0] == 0:
            return
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (q.SCHEMA_LOCK,))
            for statement in q.SCHEMA:
                await conn.execute(statement)


async def _check_line_items(conn: AsyncConnection[tuple[Any, ...]], effects: Effects) -> None:
    """Lock the effects' line items for this transaction, count them, raise `LineItemFull`.

    The advisory locks (taken in sorted order, so two transactions never wait on each other in
    a cycle) make every other process's limited insert for these line items wait until this
    transaction ends; each count is a new statement under READ COMMITTED, so it sees what the
    previous holder committed.
    """
    tenant, counts = effects.tenant, {}
    for line_id in sorted(effects.per_line_item()):
        await conn.execute(q.LOCK_LINE_ITEM, (tenant, line_id), prepare=True)
        cur = await conn.execute(q.COUNT_FULFILLMENTS, (tenant, line_id), prepare=True)
        row = await cur.fetchone()
        assert row is not None  # count(*) always returns one row
        counts[line_id] = int(row[0])
    effects.check_line_items(counts)


def _effect_params(effects: Effects) -> dict[str, object]:
    """The effects as the parallel arrays `_postgres_sql._INSERT_EFFECTS` unnests, one per column.

    A fulfillment's item ids are the 1-based inclusive slice `items_from..items_to` of one flat
    `item_ids` array; a fulfillment without items gets `items_to = items_from - 1`, an empty slice.
    """
    fulfillments = effects.fulfillments
    item_ids: list[str] = []
    items_from: list[int] = []
    items_to: list[int] = []
    for f in fulfillments:
        items_from.append(len(item_ids) + 1)
        item_ids.extend(f.item_ids)
        items_to.append(len(item_ids))
    documents = effects.documents()
    return {
        "item_ids": item_ids,
        "f_tenant": [f.tenant for f in fulfillments],
        "f_id": [f.id for f in fulfillments],
        "f_number": [f.number for f in fulfillments],
        "f_line_item": [f.order_line_item_id for f in fulfillments],
        "f_type": [f.fulfillment_type for f in fulfillments],
        "f_state": [f.state for f in fulfillments],
        "f_quantity": [f.quantity for f in fulfillments],
        "f_body": [f.body for f in fulfillments],
        "f_items_from": items_from,
        "f_items_to": items_to,
        "f_created_at": [f.created_at for f in fulfillments],
        "d_tenant": effects.tenant,  # no request bills without fulfillments
        "d_kind": [kind for kind, _ in documents],
        "d_number": [number for _, number in documents],
    }


def _key_params(key: ScopedKey) -> Mapping[str, str]:
    return {"tenant": key.tenant, "method": key.method, "path": key.path, "key": key.key}


def _record(key: ScopedKey, row: tuple[Any, ...]) -> IdempotencyRecord:
    """An IdempotencyRecord from a SELECT_RECORD row, or RESERVE's replay row after `won`."""
    fingerprint, state, owner, status, headers, body, created_at, expires_at, lease_until = row
    response = None
    if status is not None:
        response = StoredResponse(
            status=status,
            headers=tuple((name, value) for name, value in headers),
            body=bytes(body),
        )
    return IdempotencyRecord(
        key=key,
        fingerprint=fingerprint,
        state=State(state),
        owner=owner,
        response=response,
        created_at=created_at,
        expires_at=expires_at,
        lease_until=lease_until,
    )
