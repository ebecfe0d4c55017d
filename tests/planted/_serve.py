"""Serving the reference server, or one planted-bug variant of it, on a real loopback socket.

uvicorn runs in a thread with its own event loop; the store is opened in that loop (a fresh
in-memory one, or SQLite in a temporary folder) and closed when the server stops, so every
run starts from an empty store and leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from refserver import (
    ServerConfig,
    SpelledHttpToolsProtocol,
    create_app,
    default_parts,
    load_contract,
)
from refserver.store import open_store
from tests.planted._variant import Reference, Variant

__all__ = ["HOST", "loopback_socket", "run_server", "served"]

HOST = "127.0.0.1"
_START_SECONDS = 20.0  # a cold import of the server on a busy machine
_STOP_SECONDS = 10.0
_GRACE_SECONDS = 1  # a variant may hold requests forever; shutdown does not wait for them


def loopback_socket(port: int = 0) -> socket.socket:
    """A listening loopback socket (port 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(128)
    return sock


def _store_url(store: str, folder: Path) -> str:
    if store == "memory":
        return "memory://"
    if store == "sqlite":
        return f"sqlite:///{folder / 'store.db'}"
    raise ValueError(f"unknown store {store!r}: memory or sqlite")


async def run_server(
    variant: Variant | None,
    sock: socket.socket,
    *,
    folder: Path,
    store: str = "memory",
    on_ready: threading.Event | None = None,
    server_box: list[uvicorn.Server] | None = None,
) -> None:
    """Serve until stopped: the reference parts with `variant`'s bug planted (None: none)."""
    config = ServerConfig.development(store_url=_store_url(store, folder))
    contract = load_contract(config.spec_path)
    opened = await open_store(config.store_url)
    try:
        parts = default_parts(config, opened, contract)
        if variant is not None:
            parts = variant.parts(Reference(parts, contract, config))
        app: Any = create_app(config, parts=parts)
        if variant is not None and variant.wrap is not None:
            app = variant.wrap(app)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                http=variant.http
                if variant is not None and variant.http
                else SpelledHttpToolsProtocol,
                log_level="warning",
                ws="none",
                lifespan="on",
                timeout_graceful_shutdown=_GRACE_SECONDS,
            )
        )
        if server_box is not None:
            server_box.append(server)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if on_ready is not None:
            on_ready.set()
        await task
    finally:
        await opened.close()


@contextlib.contextmanager
def served(variant: Variant | None, *, store: str = "memory", port: int = 0) -> Iterator[str]:
    """The base URL of `variant` (None: the reference server) served in a thread."""
    with tempfile.TemporaryDirectory(prefix="planted-") as tmp, loopback_socket(port) as sock:
        ready = threading.Event()
        box: list[uvicorn.Server] = []
        failure: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(
                    run_server(
                        variant,
                        sock,
                        folder=Path(tmp),
                        store=store,
                        on_ready=ready,
                        server_box=box,
                    )
                )
            except BaseException as error:  # reported to the caller below
                failure.append(error)
                ready.set()

        thread = threading.Thread(target=run, name="planted-server", daemon=True)
        thread.start()
        try:
            if not ready.wait(_START_SECONDS) or failure or not box or not box[0].started:
                raise RuntimeError(f"the server did not start: {failure or 'timeout'}")
            yield f"http://{HOST}:{sock.getsockname()[1]}"
        finally:
            if box:
                box[0].should_exit = True
            thread.join(_STOP_SECONDS)
            if thread.is_alive():
                raise RuntimeError("the server thread did not stop")
