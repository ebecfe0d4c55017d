"""Helpers for the exactly-once tests: keyed requests, and a look straight into the database.

The tests judge the server by what the database holds, not by what the server says: a `Ledger`
reads the stored fulfillments and idempotency keys with plain SQL, for SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
import psycopg

from tests._server_fixtures import ServerProcess
from tests._wire import Reply, request_bytes

__all__ = [
    "TENANT",
    "Ledger",
    "PostgresLedger",
    "SqliteLedger",
    "Stored",
    "created_ids",
    "keyed_request",
    "line_item",
    "port_of",
    "soak",
]

TENANT = "1"  # the development tenant behind `dev-token`
_PATH = "/v1/fulfillments"
_HEADERS = {"Authorization": "Bearer dev-token", "Content-Type": "application/json"}


def soak() -> bool:
    """True when `REFSERVER_SOAK=1` asks for the long variants of these tests (`make soak`)."""
    return os.environ.get("REFSERVER_SOAK") == "1"


def line_item(index: int) -> str:
    """A distinct 32-character line item per key, so each key's creations can be counted apart."""
    return f"{index:032x}"


def keyed_request(key: str, line: str, *, fulfillments: int = 1) -> bytes:
    """A valid request creating `fulfillments` fulfillments of `line`, under `key`."""
    item = {"orderLineItemId": line, "fulfillmentDate": "2022-01-01", "quantity": 5}
    body = orjson.dumps({"fulfillments": [item] * fulfillments})
    return request_bytes(_PATH, {**_HEADERS, "Idempotency-Key": key}, body)


def created_ids(reply: Reply) -> list[str]:
    """The fulfillment ids a 200 reply reports."""
    document: dict[str, Any] = orjson.loads(reply.body)
    return [item["id"] for item in document["fulfillments"]]


def port_of(server: ServerProcess) -> int:
    return int(server.url.rsplit(":", 1)[1])


@dataclass(frozen=True, slots=True)
class Stored:
    """What the database holds for the development tenant."""

    states: dict[str, str]  # idempotency key -> in_progress | completed
    bodies: dict[str, bytes]  # completed key -> stored response body
    created: dict[str, list[str]]  # line item -> ids of its fulfillments


class Ledger(Protocol):
    """Reads a store's tables directly, bypassing the server and the store code."""

    def read(self) -> Stored: ...


def _stored(keys: list[tuple[Any, ...]], rows: list[tuple[Any, ...]]) -> Stored:
    created: dict[str, list[str]] = defaultdict(list)
    for line, ident in rows:
        created[line].append(ident)
    return Stored(
        states={key: state for key, state, _ in keys},
        bodies={key: bytes(body) for key, state, body in keys if state == "completed"},
        created=dict(created),
    )


@dataclass(frozen=True, slots=True)
class SqliteLedger:
    path: Path

    def read(self) -> Stored:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            keys = conn.execute(
                "SELECT key, state, body FROM idempotency_keys WHERE tenant = ?", (TENANT,)
            ).fetchall()
            rows = conn.execute(
                "SELECT order_line_item_id, id FROM fulfillments WHERE tenant = ?", (TENANT,)
            ).fetchall()
        finally:
            conn.close()
        return _stored(keys, rows)


@dataclass(frozen=True, slots=True)
class PostgresLedger:
    url: str

    def read(self) -> Stored:
        with psycopg.connect(self.url, autocommit=True) as conn:
            keys = conn.execute(
                "SELECT key, state, body FROM refserver_idempotency WHERE tenant = %s", (TENANT,)
            ).fetchall()
            rows = conn.execute(
                "SELECT order_line_item_id, id FROM refserver_fulfillments WHERE tenant = %s",
                (TENANT,),
            ).fetchall()
        return _stored(keys, rows)
