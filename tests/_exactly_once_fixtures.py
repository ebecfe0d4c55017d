"""Helpers for the exactly-once tests: keyed requests, and a look straight into the database.

The tests judge the server by what the database holds, not by what the server says: a `Ledger`
reads the stored fulfillments and idempotency keys with plain SQL, for SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
import psycopg

from tests._server_fixtures import ServerProcess, serve
from tests._wire import Reply, request_bytes

__all__ = [
    "TENANT",
    "Fleet",
    "Ledger",
    "PostgresLedger",
    "SqliteLedger",
    "Stored",
    "created_ids",
    "keyed_request",
    "line_item",
    "port_of",
    "soak",
    "wait_for_log",
]

TENANT = "1"  # the development tenant behind `dev-token`
_PATH = "/v1/fulfillments"
_HEADERS = {"Authorization": "Bearer dev-token", "Content-Type": "application/json"}
_PARALLEL_STARTS = 4  # more servers starting at once on two cores miss their start timeout


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


def wait_for_log(server: ServerProcess, line: str, count: int, *, timeout: float = 20.0) -> None:
    """Wait until the server's log holds `line` `count` times (for example, every worker up)."""
    deadline = time.monotonic() + timeout
    while server.output().count(line) < count:
        assert time.monotonic() < deadline, f"{count} x {line!r} not logged:\n{server.output()}"
        time.sleep(0.05)


def _started(args: tuple[str, ...], folder: Path) -> tuple[contextlib.ExitStack, ServerProcess]:
    stack = contextlib.ExitStack()
    return stack, stack.enter_context(serve(*args, folder=folder))


class Fleet:
    """Server processes on one store: one serving, the others started ahead to replace it.

    Why spares: starting a server takes seconds, longer than a short lease; a replacement that
    is already up lets a key stranded in progress by a crash be seen while its lease still runs,
    and starting them all at once, before any traffic, keeps the test short.
    """

    def __init__(self, *args: str, folder: Path, spares: int) -> None:
        self._stack = contextlib.ExitStack()
        with ThreadPoolExecutor(max_workers=_PARALLEL_STARTS) as pool:
            starts = [pool.submit(_started, args, folder) for _ in range(spares + 1)]
        failures = [error for error in (start.exception() for start in starts) if error]
        for start in starts:
            if start.exception() is None:
                self._stack.enter_context(start.result()[0])
        if failures:
            self._stack.close()
            raise failures[0]
        self._servers = [start.result()[1] for start in starts]
        self.server = self._servers.pop(0)
        self.port = port_of(self.server)

    def kill(self) -> None:
        """SIGKILL the serving process: no shutdown, no flush, open transactions cut off."""
        self.server.process.kill()
        self.server.process.wait(timeout=10)

    def promote(self) -> None:
        """Send traffic to the next spare from now on."""
        self.server = self._servers.pop(0)
        self.port = port_of(self.server)

    def close(self) -> None:
        """Stop every running server gracefully."""
        self._stack.close()


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
