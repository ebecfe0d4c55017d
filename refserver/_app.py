"""The ASGI application: a small router in front of the fulfillments pipeline and OAuth.

No framework middleware sits in the request path; the app is a plain ASGI callable, so a
request costs little more than the pipeline's own work.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Mapping, MutableMapping
from typing import Any

import orjson
from fulfillments_contract import OPERATION_METHOD, OPERATION_PATH, Contract, load_contract

from refserver._build import build_parts
from refserver._config import ServerConfig
from refserver._errors import NOT_FOUND
from refserver._faults import FaultInjector
from refserver._oauth import serve_token
from refserver._parts import Parts, Receive
from refserver._pipeline import serve_fulfillments
from refserver._purge import run_purger
from refserver._respond import Send, send_response

__all__ = ["ReferenceServer", "create_app"]

_log = logging.getLogger("refserver")
_FULFILLMENTS = OPERATION_PATH
_TOKEN = "/oauth/token"
# The one method each path takes: the contract's for its operation, POST for the token endpoint
# (RFC 6749 section 3.2).
_METHODS = {_FULFILLMENTS: OPERATION_METHOD, _TOKEN: "POST"}


class ReferenceServer:
    """The ASGI app; `parts` are built at startup (or on first use) unless given."""

    def __init__(self, config: ServerConfig, contract: Contract, parts: Parts | None) -> None:
        self.config = config
        self.contract = contract
        self._parts = parts
        self._owns_store = parts is None
        self._lock = asyncio.Lock()
        self._purger: asyncio.Task[None] | None = None
        self._faults = FaultInjector(config.faults, contract)

    async def parts(self) -> Parts:
        """The parts, opening the configured store the first time."""
        if self._parts is None:
            async with self._lock:
                if self._parts is None:
                    self._parts = await build_parts(self.config, self.contract)
        return self._parts

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _http(self, scope: Mapping[str, Any], receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        if (allowed := _METHODS.get(path)) is not None:
            if method != allowed:
                body = self._not_found(f"Method {method} is not supported on {path}")
                await send_response(send, 405, body, (("Allow", allowed),), declared=None)
                return
            parts = await self.parts()
            if path == _FULFILLMENTS:
                await self._faults.serve(
                    parts,
                    scope,
                    send,
                    lambda chosen, out: serve_fulfillments(
                        chosen, self.contract, scope, receive, out
                    ),
                )
            else:
                await serve_token(parts, scope, receive, send)
            return
        body = self._not_found(f"No resource at {path}")
        await send_response(send, 404, body, (), declared=None)

    def _not_found(self, message: str) -> bytes:
        """Zuora's common error body for a path or method outside the contract (category 40).

        No resource claims such a request, so its reason code carries the contract's
        `unattributedResource`, not this operation's.
        """
        code = self.contract.policies.unattributed_resource_code * 100 + NOT_FOUND
        return orjson.dumps({"success": False, "reasons": [{"code": code, "message": message}]})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    _log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def startup(self) -> None:
        """Open the store, start purging expired keys, and freeze the heap when configured."""
        parts = await self.parts()
        if self.config.freeze_heap:
            gc.collect()
            gc.freeze()
        self._purger = asyncio.create_task(
            run_purger(
                parts.store,
                parts.clock,
                interval=self.config.purge_interval_seconds,
                batch=self.config.purge_batch,
            )
        )

    async def shutdown(self) -> None:
        """Stop purging and close the store this app opened."""
        if self._purger is not None:
            self._purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._purger
            self._purger = None
        if self._owns_store and self._parts is not None:
            await self._parts.store.close()
            self._parts = None


def create_app(config: ServerConfig, *, parts: Parts | None = None) -> ReferenceServer:
    """The reference server as an ASGI app; pass `parts` to replace any component."""
    return ReferenceServer(config, load_contract(config.spec_path), parts)
