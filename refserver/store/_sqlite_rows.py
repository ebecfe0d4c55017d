"""Converting between SQLite rows and the store's records."""

from __future__ import annotations

import sqlite3

import orjson

from refserver.store import _sqlite_sql as sql
from refserver.store._records import Effects, IdempotencyRecord, ScopedKey, State, StoredResponse

__all__ = ["insert_effects", "record_from_row"]


def record_from_row(key: ScopedKey, row: tuple[object, ...]) -> IdempotencyRecord:
    """The record a SELECT_KEY row describes."""
    fingerprint, state, owner, status, headers, body, created, expires, lease = row
    response = None
    if state == State.COMPLETED.value:
        pairs = orjson.loads(headers) if isinstance(headers, bytes | str) else []
        response = StoredResponse(
            status=int(str(status)),
            headers=tuple((str(k), str(v)) for k, v in pairs),
            body=bytes(body) if isinstance(body, bytes | bytearray | memoryview) else b"",
        )
    return IdempotencyRecord(
        key=key,
        fingerprint=str(fingerprint),
        state=State(state),
        owner=str(owner),
        response=response,
        created_at=float(str(created)),
        expires_at=float(str(expires)),
        lease_until=float(str(lease)),
    )


def insert_effects(conn: sqlite3.Connection, effects: Effects) -> None:
    """Insert the fulfillments and billing documents of one request.

    With a line-item limit the counts are read first, in the same `BEGIN IMMEDIATE`
    transaction, which holds the database's write lock: no other process can add fulfillments
    between the count and the insert. `LineItemFull` rolls back the caller's work.
    """
    if effects.line_item_limit is not None:
        tenant = effects.tenant
        effects.check_line_items(
            {
                line_id: int(conn.execute(sql.COUNT_LINE_ITEM, (tenant, line_id)).fetchone()[0])
                for line_id in effects.per_line_item()
            }
        )
    conn.executemany(
        sql.INSERT_FULFILLMENT,
        [
            (
                f.tenant,
                f.id,
                f.number,
                f.order_line_item_id,
                f.fulfillment_type,
                f.state,
                f.quantity,
                f.body,
                ",".join(f.item_ids),
                f.created_at,
            )
            for f in effects.fulfillments
        ],
    )
    conn.executemany(
        sql.INSERT_DOCUMENT,
        [(effects.tenant, kind, number) for kind, number in effects.documents()],
    )
