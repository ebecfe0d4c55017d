"""Shared helpers for the reference server's tests: clocks, stores, clients, real servers.

`STORE_BACKENDS` lists the store backends every store-contract test runs against; a backend
is a function of the pytest request returning a factory of fresh, empty stores, so a backend
that needs a fixture (a database DSN) can ask for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gzip
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import orjson
import pytest

from refserver import (
    Contract,
    Parts,
    ServerConfig,
    Tenant,
    create_app,
    default_parts,
    load_contract,
)
from refserver._types import Created
from refserver.store import Store
from refserver.store.memory import MemoryStore
from refserver.store.sqlite import SqliteStore
from tests._postgres import postgres_backend

__all__ = [
    "LINE_ITEM",
    "ROOT",
    "STORE_BACKENDS",
    "FailingOnceBusiness",
    "FakeClock",
    "GatedBusiness",
    "InProcess",
    "ServerProcess",
    "StoreFactory",
    "assert_conforms",
    "body",
    "contract",
    "free_port",
    "fresh_memory_store",
    "fresh_sqlite_store",
    "fulfillment",
    "in_process",
    "serve",
]

ROOT = Path(__file__).resolve().parent.parent
LINE_ITEM = "4028828c82819b74018286e02e041bd6"  # the line item of Zuora's documentation sample
_TRANSPORT = frozenset(
    {
        "content-type",
        "content-length",
        "date",
        "server",
        "connection",
        "keep-alive",
        "transfer-encoding",
    }
)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.value = start

    def now(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


class GatedBusiness:
    """A business engine that waits for `release` before creating, holding its request in flight."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def create(self, tenant: Tenant, document: Mapping[str, Any], now: float) -> Created:
        self.entered.set()
        await self.release.wait()
        created: Created = await self.inner.create(tenant, document, now)
        return created


class FailingOnceBusiness:
    """A business engine whose first call fails unexpectedly."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.failed = False

    async def create(self, tenant: Tenant, document: Mapping[str, Any], now: float) -> Created:
        if not self.failed:
            self.failed = True
            raise RuntimeError("an unexpected failure")
        created: Created = await self.inner.create(tenant, document, now)
        return created


StoreFactory = Callable[[], AbstractAsyncContextManager[Store]]


@asynccontextmanager
async def fresh_memory_store() -> AsyncIterator[Store]:
    """An empty in-memory store."""
    store = await MemoryStore.open("memory://")
    try:
        yield store
    finally:
        await store.close()


@asynccontextmanager
async def fresh_sqlite_store(folder: Path | None = None) -> AsyncIterator[Store]:
    """An empty SQLite store in a new file."""
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        store = await SqliteStore.open(f"sqlite:///{Path(tmp).resolve() / 'store.db'}")
        try:
            yield store
        finally:
            await store.close()


def _memory_backend(request: pytest.FixtureRequest) -> StoreFactory:
    return fresh_memory_store


def _sqlite_backend(request: pytest.FixtureRequest) -> StoreFactory:
    return partial(fresh_sqlite_store, request.getfixturevalue("tmp_path"))


STORE_BACKENDS: list[Any] = [
    pytest.param(_memory_backend, id="memory"),
    pytest.param(_sqlite_backend, id="sqlite"),
    pytest.param(postgres_backend, id="postgres", marks=pytest.mark.postgres),
]


@cache
def contract() -> Contract:
    """The contract as the server reads it (responses with `$ref`s inlined)."""
    return load_contract()


def fulfillment(**fields: Any) -> dict[str, Any]:
    """One valid fulfillment, with `fields` replacing or adding properties."""
    item: dict[str, Any] = {
        "orderLineItemId": LINE_ITEM,
        "fulfillmentDate": "2022-01-01",
        "quantity": 5,
    }
    item.update(fields)
    return item


def body(count: int = 1, **options: Any) -> dict[str, Any]:
    """A valid request with `count` fulfillments and the given `processingOptions`."""
    request: dict[str, Any] = {"fulfillments": [fulfillment() for _ in range(count)]}
    if options:
        request["processingOptions"] = options
    return request


def _header_problems(status: int, headers: httpx.Headers) -> list[str]:
    declared = contract().responses[status].get("headers", {})
    lower = {name.lower(): spec for name, spec in declared.items()}
    problems = [
        f"undeclared header {n}" for n in headers if n.lower() not in lower.keys() | _TRANSPORT
    ]
    for name, spec in lower.items():
        value = headers.get(name)
        if value is None:
            if spec.get("required"):
                problems.append(f"missing required header {name}")
            continue
        schema = spec["schema"]
        instance: Any = value
        if schema.get("type") == "integer":
            if not value.isdigit():
                problems.append(f"header {name}={value!r} is not an integer")
                continue
            instance = int(value)
        if not jsonschema_rs.is_valid(schema, instance):
            problems.append(f"header {name}={value!r} breaks its schema")
    return problems


def assert_conforms(response: httpx.Response, raw: bytes | None = None) -> bytes:
    """The status, headers and body are what the contract declares; returns the decoded body.

    With `raw` (the body bytes as they came off the wire) the coding is checked too: a body
    labelled gzip must be gzip, an unlabelled one must not be, and Content-Length must match.
    """
    status = response.status_code
    assert status in contract().responses, f"undeclared status {status}"
    problems = _header_problems(status, response.headers)
    assert response.headers.get("content-type", "").startswith("application/json"), "content type"
    decoded = response.content if raw is None else raw
    if raw is not None:
        coded = response.headers.get("content-encoding") == "gzip"
        assert (raw[:2] == b"\x1f\x8b") is coded, "Content-Encoding does not match the bytes"
        assert response.headers.get("content-length") == str(len(raw)), "content-length"
        decoded = gzip.decompress(raw) if coded else raw
    schema = contract().response_schemas[status]
    document = orjson.loads(decoded)
    problems += [e.message for e in jsonschema_rs.validator_for(dict(schema)).iter_errors(document)]
    assert not problems, f"{status}: {problems}"
    return decoded


@dataclass
class InProcess:
    """An in-process app with its parts and an httpx client bound to it."""

    client: httpx.AsyncClient
    parts: Parts
    clock: FakeClock

    async def post(
        self, payload: Any = None, *, token: str = "dev-token", **kw: Any
    ) -> httpx.Response:
        """POST /v1/fulfillments with JSON `payload` (or raw `content`), checked for conformance."""
        headers = {"Content-Type": "application/json", **kw.pop("headers", {})}
        if token:
            headers.setdefault("Authorization", f"Bearer {token}")
        content = kw.pop("content", None)
        if content is None:
            content = orjson.dumps(payload)
        response = await self.client.post(
            "/v1/fulfillments", content=content, headers=headers, **kw
        )
        assert_conforms(response)
        return response


@asynccontextmanager
async def in_process(
    config: ServerConfig | None = None,
    *,
    store: Store | None = None,
    replace: Mapping[str, Any] | None = None,
) -> AsyncIterator[InProcess]:
    """The reference app on a memory store (or `store`) with a fake clock, parts replaceable."""
    config = config if config is not None else ServerConfig.development()
    own = store is None
    store = store if store is not None else await MemoryStore.open("memory://")
    clock = FakeClock()
    parts = dataclasses.replace(default_parts(config, store), clock=clock, **(replace or {}))
    app = create_app(config, parts=parts)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://refserver") as client:
            yield InProcess(client, parts, clock)
    finally:
        if own:
            await store.close()


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """A `python -m refserver` child process on a loopback port."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _wait_ready(server: ServerProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{server.output()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/ready", timeout=0.5).status_code == 404:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the server did not start in {timeout} s:\n{server.output()}")


@contextlib.contextmanager
def serve(
    *args: str, folder: Path, env: Mapping[str, str] | None = None
) -> Iterator[ServerProcess]:
    """Run the CLI with `args` on a free port until the block ends (SIGTERM, then SIGKILL)."""
    port = free_port()
    log = folder / f"server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "refserver", "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_ready(server, timeout=20)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
