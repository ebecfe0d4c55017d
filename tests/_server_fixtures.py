"""Shared helpers for the reference server's tests: clocks, stores, clients, real servers.

`STORE_BACKENDS` lists the store backends every store-contract test runs against; a backend
is a function of the pytest request returning a factory of fresh, empty stores, so a backend
that needs a fixture (a database DSN) can ask for it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from refserver import (
    Parts,
    ServerConfig,
    Tenant,
    create_app,
    default_parts,
)
from refserver._types import Created
from refserver.store import Store
from refserver.store.memory import MemoryStore
from refserver.store.sqlite import SqliteStore
from tests._postgres import postgres_backend
from tests._server_conformance import assert_conforms, contract
from tests._server_process import ROOT, ServerProcess, free_port, serve

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

LINE_ITEM = "4028828c82819b74018286e02e041bd6"  # the line item of Zuora's documentation sample


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
