"""The PostgreSQL store's schema and statements, in one place so their locking can be read together.

| statement     | rows it locks                     | why it is safe across processes             |
|---------------|-----------------------------------|---------------------------------------------|
| SCHEMA        | an advisory lock, for the DDL     | concurrent CREATE IF NOT EXISTS can fail    |
| RESERVE       | none for a completed, unexpired   | a completed record never changes until it   |
|               | key (a replay); else the key's    | expires; otherwise INSERT ON CONFLICT is    |
|               | row (insert or update)            | one atomic decision                         |
| SELECT_RECORD | none                              | reports what RESERVE left alone; no change  |
| COMPLETE      | the key's row, if we own it       | owner check and effects in one statement    |
| SAVE          | none (inserts only)               | one statement: all rows or none             |
| RELEASE       | the key's row, if we own it       | a row taken over by another owner is kept   |
| ALLOCATE      | the counter's row                 | the increment is read back under the lock   |
| LOCK_LINE_ITEM| an advisory lock per line item,   | a limited COMPLETE or SAVE counts and       |
|               | until the transaction ends        | inserts while no other one can              |
| PURGE         | up to a batch of expired rows     | SKIP LOCKED: two purgers never wait         |

Every statement the store runs per request is a single statement in autocommit mode, so each
costs one round trip and is its own transaction: no BEGIN or COMMIT travels separately. The one
exception is catalogue mode, whose effects carry a line-item limit: there COMPLETE or SAVE runs
in a transaction after LOCK_LINE_ITEM and COUNT_FULFILLMENTS for each of its line items. All
times are seconds on the caller's clock (double precision, exact for what Python sends).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ALLOCATE",
    "COMPLETE",
    "COUNT_FULFILLMENTS",
    "GET_FULFILLMENT",
    "LINE_ITEM_LOCK",
    "LOCK_LINE_ITEM",
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

# The reserving statement, which also answers a replay. `replay` reads the key without a lock
# and keeps it only if it is completed and unexpired: such a record changes only through RESERVE
# and PURGE, and both touch it only once it has expired, so it is answered from as read. The
# INSERT then has no row to insert: it runs only when `replay` is empty, because ON CONFLICT
# locks the conflicting row even when its WHERE is false, and concurrent replays of one key
# would queue behind each other on that lock. Otherwise the INSERT inserts a fresh in-progress
# record, or overwrites one that expired or whose lease ran out; a live record is left alone
# (the WHERE is false) and nothing comes back.
#
# Both parts run on one snapshot, but ON CONFLICT does not decide on it: under READ COMMITTED it
# finds the conflicting row through the unique index, waits for a concurrent writer of the key,
# and locks and judges the row as that writer committed it (retrying the insert if the row was
# deleted meanwhile), whatever the snapshot showed. So the snapshot only chooses between
# "replay" and "try to reserve", and the reservation itself is one atomic decision per caller,
# never a unique violation: of any number of concurrent callers in any number of processes
# exactly one gets the key. A key completed after the snapshot but before the INSERT locked it
# is judged live and left alone, and SELECT_RECORD then reads it as completed: a replay, as it
# should be. (SELECT ... FOR UPDATE in a transaction would lock nothing while the key is still
# missing: two callers would both see no row and both insert, and one would have to catch the
# error.)
#
# At most one row comes back: `won` true when this caller took the key, false with the completed
# record to replay; none when a live record was left alone. The replay branch of the UNION comes
# first so that its columns give the bare NULLs of the other branch their types.
RESERVE: Final = """
    WITH replay AS (
        SELECT fingerprint, state, owner, status, headers, body, created_at, expires_at,
               lease_until
        FROM refserver_idempotency
        WHERE tenant = %(tenant)s AND method = %(method)s AND path = %(path)s AND key = %(key)s
          AND state = 'completed' AND expires_at > %(now)s
    ),
    taken AS (
        INSERT INTO refserver_idempotency AS r
            (tenant, method, path, key, fingerprint, state, owner,
             created_at, expires_at, lease_until)
        SELECT %(tenant)s, %(method)s, %(path)s, %(key)s, %(fingerprint)s, 'in_progress',
               %(owner)s, %(now)s, %(expires_at)s, %(lease_until)s
        WHERE NOT EXISTS (SELECT 1 FROM replay)
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
        RETURNING 1
    )
    SELECT false AS won, fingerprint, state, owner, status, headers, body, created_at,
           expires_at, lease_until
    FROM replay
    UNION ALL
    SELECT true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM taken
"""

# The record RESERVE left alone, read after it: a new statement, so a new snapshot that shows
# the row as committed by whoever made it live (in progress, or completed since RESERVE's
# snapshot). No lock: the caller answers from it (a 409 while it is in progress, a replay or a
# 422 once completed) and changes nothing.
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

# The first key of the line-item advisory locks ("rfs1" in ASCII, a 32-bit number apart from
# SCHEMA_LOCK's 64-bit one); the second is a hash of tenant and line item. Two line items whose
# hashes collide merely wait for each other.
LINE_ITEM_LOCK: Final = 0x7266_7331
LOCK_LINE_ITEM: Final = f"""
    SELECT pg_advisory_xact_lock({LINE_ITEM_LOCK}, hashtext(%s || chr(1) || %s))
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
