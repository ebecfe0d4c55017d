"""The PostgreSQL store's schema and statements, in one place so their locking can be read together.

| statement     | rows it locks                     | why it is safe across processes             |
|---------------|-----------------------------------|---------------------------------------------|
| SCHEMA        | an advisory lock, for the DDL     | concurrent CREATE IF NOT EXISTS can fail    |
| SELECT_RECORD | none                              | a completed record never changes until it   |
|               |                                   | expires; otherwise RESERVE decides          |
| RESERVE       | the key's row (insert or update)  | INSERT ON CONFLICT is one atomic decision   |
| COMPLETE      | the key's row, if we own it       | owner check and effects in one statement    |
| SAVE          | none (inserts only)               | one statement: all rows or none             |
| RELEASE       | the key's row, if we own it       | a row taken over by another owner is kept   |
| ALLOCATE      | the counter's row                 | the increment is read back under the lock   |
| PURGE         | up to a batch of expired rows     | SKIP LOCKED: two purgers never wait         |

Every statement the store runs per request is a single statement in autocommit mode, so each
costs one round trip and is its own transaction: no BEGIN or COMMIT travels separately. All
times are seconds on the caller's clock (double precision, exact for what Python sends).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ALLOCATE",
    "COMPLETE",
    "COUNT_FULFILLMENTS",
    "GET_FULFILLMENT",
    "MISSING_RELATIONS",
    "PURGE",
    "RELATIONS",
    "RELEASE",
    "RESERVE",
    "SAVE",
    "SCHEMA",
    "SCHEMA_LOCK",
    "SELECT_RECORD",
    "TABLES",
]

# Any fixed 64-bit number works; this one spells "refsrvpg" in ASCII, so it is easy to spot in
# pg_locks and unlikely to collide with another application's advisory locks.
SCHEMA_LOCK: Final = 0x7265_6673_7276_7067

SCHEMA: Final = (
    """
    CREATE TABLE IF NOT EXISTS refserver_idempotency (
        tenant      text NOT NULL,
        method      text NOT NULL,
        path        text NOT NULL,
        key         text NOT NULL,
        fingerprint text NOT NULL,
        state       text NOT NULL CHECK (state IN ('in_progress', 'completed')),
        owner       text NOT NULL,
        status      integer,
        headers     jsonb,
        body        bytea,
        created_at  double precision NOT NULL,
        expires_at  double precision NOT NULL,
        lease_until double precision NOT NULL,
        PRIMARY KEY (tenant, method, path, key),
        CHECK ((state = 'completed') = (status IS NOT NULL AND body IS NOT NULL))
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS refserver_idempotency_expires_at
        ON refserver_idempotency (expires_at)
    """,
    """
    CREATE TABLE IF NOT EXISTS refserver_fulfillments (
        tenant             text NOT NULL,
        id                 text NOT NULL,
        number             text NOT NULL,
        order_line_item_id text NOT NULL,
        fulfillment_type   text NOT NULL,
        state              text NOT NULL,
        quantity           double precision NOT NULL,
        body               bytea NOT NULL,
        item_ids           text[] NOT NULL,
        created_at         double precision NOT NULL,
        PRIMARY KEY (tenant, id)
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS refserver_fulfillments_line_item
        ON refserver_fulfillments (tenant, order_line_item_id)
    """,
    """
    CREATE TABLE IF NOT EXISTS refserver_documents (
        tenant text NOT NULL,
        kind   text NOT NULL,
        number text NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS refserver_counters (
        tenant  text NOT NULL,
        counter text NOT NULL,
        last    bigint NOT NULL,
        PRIMARY KEY (tenant, counter)
    )
    """,
)

# Every table and index SCHEMA creates: when none is missing, opening the store runs no DDL, so
# a database user allowed only to read and write the tables can open it.
TABLES: Final = (
    "refserver_idempotency",
    "refserver_fulfillments",
    "refserver_documents",
    "refserver_counters",
)
RELATIONS: Final = (
    *TABLES,
    "refserver_idempotency_expires_at",
    "refserver_fulfillments_line_item",
)
MISSING_RELATIONS: Final = """
    SELECT count(*) FROM unnest(%s::text[]) AS r(name) WHERE to_regclass(r.name) IS NULL
"""

# Inserts a fresh in-progress record, or overwrites one that expired or whose lease ran out; a
# live record is left alone (the WHERE is false) and RETURNING yields nothing. Under READ
# COMMITTED, ON CONFLICT waits for a concurrent writer of the same key and then decides on the
# row as that writer committed it: one atomic decision per caller, never a unique violation, so
# of any number of concurrent callers in any number of processes exactly one gets a row back.
# (SELECT ... FOR UPDATE in a transaction would lock nothing while the key is still missing: two
# callers would both see no row and both insert, and one would have to catch the error.)
RESERVE: Final = """
    INSERT INTO refserver_idempotency AS r
        (tenant, method, path, key, fingerprint, state, owner,
         created_at, expires_at, lease_until)
    VALUES (%(tenant)s, %(method)s, %(path)s, %(key)s, %(fingerprint)s, 'in_progress', %(owner)s,
            %(now)s, %(expires_at)s, %(lease_until)s)
    ON CONFLICT (tenant, method, path, key) DO UPDATE SET
        fingerprint = EXCLUDED.fingerprint,
        state = EXCLUDED.state,
        owner = EXCLUDED.owner,
        status = NULL,
        headers = NULL,
        body = NULL,
        created_at = EXCLUDED.created_at,
        expires_at = EXCLUDED.expires_at,
        lease_until = EXCLUDED.lease_until
    WHERE r.expires_at <= EXCLUDED.created_at
       OR (r.state = 'in_progress' AND r.lease_until <= EXCLUDED.created_at)
    RETURNING r.owner
"""

# Read first, before RESERVE: a plain read takes no row lock, so a replay of a completed key is
# one round trip, and concurrent replays of one key do not queue behind each other on the lock
# RESERVE's ON CONFLICT takes even when its WHERE is false. It also reports the record RESERVE
# left alone. A completed record that has not expired can be answered from without a lock: the
# only statements that change it are RESERVE and PURGE, and both act only once it has expired.
SELECT_RECORD: Final = """
    SELECT fingerprint, state, owner, status, headers, body, created_at, expires_at, lease_until
    FROM refserver_idempotency
    WHERE tenant = %(tenant)s AND method = %(method)s AND path = %(path)s AND key = %(key)s
"""

# The effects of one request, as parallel arrays (one element per row) so that any number of
# fulfillments and documents is still one statement; the documents share the request's tenant.
# A fulfillment's item ids are a slice of one flat array, `item_ids[items_from:items_to]`
# (1-based, inclusive; empty when `items_to < items_from`), because PostgreSQL arrays cannot be
# ragged. `{gate}` is the condition under which the rows go in: COMPLETE inserts them only if it
# took the key.
_INSERT_EFFECTS = """
    fulfillments AS (
        INSERT INTO refserver_fulfillments
            (tenant, id, number, order_line_item_id, fulfillment_type, state, quantity, body,
             item_ids, created_at)
        SELECT f.tenant, f.id, f.number, f.order_line_item_id, f.fulfillment_type, f.state,
               f.quantity, f.body, (%(item_ids)s::text[])[f.items_from:f.items_to], f.created_at
        FROM unnest(%(f_tenant)s::text[], %(f_id)s::text[], %(f_number)s::text[],
                    %(f_line_item)s::text[], %(f_type)s::text[], %(f_state)s::text[],
                    %(f_quantity)s::double precision[], %(f_body)s::bytea[],
                    %(f_items_from)s::integer[], %(f_items_to)s::integer[],
                    %(f_created_at)s::double precision[])
            AS f(tenant, id, number, order_line_item_id, fulfillment_type, state, quantity, body,
                 items_from, items_to, created_at)
        WHERE {gate}
    ),
    documents AS (
        INSERT INTO refserver_documents (tenant, kind, number)
        SELECT %(d_tenant)s::text, d.kind, d.number
        FROM unnest(%(d_kind)s::text[], %(d_number)s::text[]) AS d(kind, number)
        WHERE {gate}
    )
"""

# One statement, so one round trip and one transaction (autocommit): the UPDATE takes the key
# only if the caller still owns it in progress, and the effects are inserted only if it did.
# Every sub-statement of a WITH runs to completion whether or not the final SELECT reads it, and
# all of them commit or fail together (a duplicate fulfillment id undoes the UPDATE too). Under
# READ COMMITTED the UPDATE waits for a concurrent writer of the key and re-checks the owner and
# state on the row as that writer committed it, so a lease taken over meanwhile is seen.
COMPLETE: Final = (
    """
    WITH completed AS (
        UPDATE refserver_idempotency
        SET state = 'completed', status = %(status)s, headers = %(headers)s, body = %(body)s
        WHERE tenant = %(tenant)s AND method = %(method)s AND path = %(path)s AND key = %(key)s
          AND owner = %(owner)s AND state = 'in_progress'
        RETURNING 1
    ),"""
    + _INSERT_EFFECTS.format(gate="EXISTS (SELECT 1 FROM completed)")
    + """
    SELECT EXISTS (SELECT 1 FROM completed)
"""
)

# The effects of a request that carried no key: the same inserts, unconditionally, all or none.
SAVE: Final = "WITH" + _INSERT_EFFECTS.format(gate="true") + "SELECT 1"

RELEASE: Final = """
    DELETE FROM refserver_idempotency
    WHERE tenant = %(tenant)s AND method = %(method)s AND path = %(path)s AND key = %(key)s
      AND owner = %(owner)s AND state = 'in_progress'
"""

# The first number of a new counter is 1; `last` is the highest number handed out so far.
ALLOCATE: Final = """
    INSERT INTO refserver_counters AS c (tenant, counter, last)
    VALUES (%(tenant)s, %(counter)s, %(count)s)
    ON CONFLICT (tenant, counter) DO UPDATE SET last = c.last + EXCLUDED.last
    RETURNING c.last - %(count)s + 1
"""

COUNT_FULFILLMENTS: Final = """
    SELECT count(*) FROM refserver_fulfillments
    WHERE tenant = %s AND order_line_item_id = %s
"""

GET_FULFILLMENT: Final = "SELECT body FROM refserver_fulfillments WHERE tenant = %s AND id = %s"

# The batch is chosen through the expiry index and locked with SKIP LOCKED, so two processes
# purging at once take different rows and a row being re-reserved right now is left alone; the
# outer condition re-checks expiry on the row as it is when deleted.
PURGE: Final = """
    DELETE FROM refserver_idempotency
    WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM refserver_idempotency
        WHERE expires_at <= %(now)s
        LIMIT %(batch)s
        FOR UPDATE SKIP LOCKED
    ))
      AND expires_at <= %(now)s
"""
