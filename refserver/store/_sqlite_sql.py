"""The SQLite schema and statements, kept apart from the code that runs them.

| table             | holds                                    | looked up by                    |
|-------------------|------------------------------------------|---------------------------------|
| idempotency_keys  | one row per scoped key, state, response  | primary key; expiry (purge)     |
| fulfillments      | created fulfillments                     | primary key; tenant + line item |
| billing_documents | invoice, credit memo and payment numbers | primary key                     |
| counters          | per-tenant number sequences              | primary key                     |

Every lookup goes through a B-tree index, so it stays O(log n) at a million keys.
"""

from __future__ import annotations

__all__ = [
    "ALLOCATE",
    "COMPLETE",
    "COUNT_LINE_ITEM",
    "GET_FULFILLMENT",
    "INSERT_DOCUMENT",
    "INSERT_FULFILLMENT",
    "PURGE",
    "RELEASE",
    "RESERVE",
    "SCHEMA",
    "SELECT_KEY",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    tenant TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    owner TEXT NOT NULL,
    status INTEGER,
    headers BLOB,
    body BLOB,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    lease_until REAL NOT NULL,
    PRIMARY KEY (tenant, method, path, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_expiry ON idempotency_keys (expires_at);
CREATE TABLE IF NOT EXISTS fulfillments (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    number TEXT NOT NULL,
    order_line_item_id TEXT NOT NULL,
    fulfillment_type TEXT NOT NULL,
    state TEXT NOT NULL,
    quantity REAL NOT NULL,
    body BLOB NOT NULL,
    item_ids TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX IF NOT EXISTS fulfillments_line_item ON fulfillments (tenant, order_line_item_id);
CREATE TABLE IF NOT EXISTS billing_documents (
    tenant TEXT NOT NULL,
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    PRIMARY KEY (tenant, kind, number)
);
CREATE TABLE IF NOT EXISTS counters (
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (tenant, name)
);
"""

_KEY = "tenant = ? AND method = ? AND path = ? AND key = ?"

SELECT_KEY = (
    "SELECT fingerprint, state, owner, status, headers, body, created_at, expires_at, lease_until"
    f" FROM idempotency_keys WHERE {_KEY}"
)

# Takes a missing key, an expired one or an in-progress one whose lease ran out, in one
# statement; a live key is left alone (no row changes), and only then is it read.
RESERVE = """
INSERT INTO idempotency_keys
    (tenant, method, path, key, fingerprint, state, owner, status, headers, body,
     created_at, expires_at, lease_until)
VALUES (?, ?, ?, ?, ?, 'in_progress', ?, NULL, NULL, NULL, ?, ?, ?)
ON CONFLICT (tenant, method, path, key) DO UPDATE SET
    fingerprint = excluded.fingerprint, state = 'in_progress', owner = excluded.owner,
    status = NULL, headers = NULL, body = NULL, created_at = excluded.created_at,
    expires_at = excluded.expires_at, lease_until = excluded.lease_until
WHERE idempotency_keys.expires_at <= excluded.created_at
    OR (idempotency_keys.state = 'in_progress'
        AND idempotency_keys.lease_until <= excluded.created_at)
"""

COMPLETE = (
    "UPDATE idempotency_keys SET state = 'completed', status = ?, headers = ?, body = ?"
    f" WHERE {_KEY} AND owner = ? AND state = 'in_progress'"
)

RELEASE = f"DELETE FROM idempotency_keys WHERE {_KEY} AND owner = ? AND state = 'in_progress'"

INSERT_FULFILLMENT = """
INSERT INTO fulfillments
    (tenant, id, number, order_line_item_id, fulfillment_type, state, quantity, body,
     item_ids, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

INSERT_DOCUMENT = "INSERT INTO billing_documents (tenant, kind, number) VALUES (?, ?, ?)"

ALLOCATE = """
INSERT INTO counters (tenant, name, value) VALUES (?, ?, ?)
ON CONFLICT (tenant, name) DO UPDATE SET value = value + excluded.value
RETURNING value
"""

COUNT_LINE_ITEM = "SELECT count(*) FROM fulfillments WHERE tenant = ? AND order_line_item_id = ?"

GET_FULFILLMENT = "SELECT body FROM fulfillments WHERE tenant = ? AND id = ?"

PURGE = """
DELETE FROM idempotency_keys WHERE rowid IN (
    SELECT rowid FROM idempotency_keys WHERE expires_at <= ? LIMIT ?
)
"""
