"""A fault-injecting HTTP proxy between a client and the real reference server.

Each client connection carries one request (the proxy answers with `Connection: close`), and
the proxy applies the next step of its script to it:

| step          | what the proxy does                                          | server saw it? |
|---------------|--------------------------------------------------------------|----------------|
| PASS          | forwards the request and returns the answer                  | yes            |
| DROP          | reads the request and closes the connection                  | no             |
| LOSE_RESPONSE | forwards, reads the answer, closes without sending it        | yes            |
| HOLD          | forwards, then keeps the answer until the client hangs up    | yes            |
| ANSWER        | answers a canned status itself (429 with Retry-After, 503..) | no             |

Every request is recorded with the server's answer, when there was one, so tests compare the
key and the fulfillment ids of every attempt. Loopback only; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import enum
import gzip
import json
import socket
import socketserver
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from refserver.store.sqlite import SqliteStore

__all__ = [
    "Exchange",
    "Fault",
    "FaultProxy",
    "Step",
    "answer",
    "count_created",
    "created_count",
]

_IO_TIMEOUT = 10.0  # seconds any one socket read or write may take before the proxy gives up
_POLL = 0.02  # seconds between shutdown checks of the accept loop (the default 0.5 slows teardown)
_MAX_HEAD = 64 * 1024  # bytes of request or response head the proxy accepts
_END = b"\r\n\r\n"


class Fault(enum.Enum):
    """What the proxy does with one request (see the module's table)."""

    PASS = "pass"
    DROP = "drop"
    LOSE_RESPONSE = "lose-response"
    HOLD = "hold"
    ANSWER = "answer"


@dataclass(frozen=True)
class Step:
    """One step of a proxy script."""

    fault: Fault
    status: int = 0
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


def answer(
    status: int,
    *,
    retry_after: int | None = None,
    body: bytes | None = None,
    content_type: str = "application/json",
) -> Step:
    """A canned answer; the default body is Zuora's CommonResponse for `status`."""
    if body is None:
        reason = {"code": 53600061, "message": f"canned {status} from the fault proxy"}
        body = json.dumps({"success": False, "reasons": [reason]}).encode()
    headers = [("Content-Type", content_type)]
    if retry_after is not None:
        headers.append(("Retry-After", str(retry_after)))
    return Step(Fault.ANSWER, status, tuple(headers), body)


@dataclass
class Exchange:
    """One request the proxy received, and the server's answer if it was forwarded."""

    fault: Fault
    request_line: str
    headers: dict[str, str]
    body: bytes
    upstream_status: int | None = None
    upstream_headers: dict[str, str] = field(default_factory=dict)
    upstream_body: bytes = b""

    def upstream_json(self) -> Any:
        """The server's answer body, decoded from gzip when it was compressed."""
        raw = self.upstream_body
        if self.upstream_headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        return json.loads(raw)


def _read_message(sock: socket.socket, *, until_close: bool) -> tuple[bytes, bytes] | None:
    """One HTTP message: (head, body). Requests by Content-Length; answers until EOF."""
    data = b""
    while _END not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > _MAX_HEAD and _END not in data:
            raise ValueError("head too large")
    head, _, body = data.partition(_END)
    if until_close:
        while chunk := sock.recv(65536):
            body += chunk
        return head, body
    length = int(_headers(head).get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head, body[:length]


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    pairs = (line.split(":", 1) for line in lines if ":" in line)
    return {name.strip().lower(): value.strip() for name, value in pairs}


def _closing(head: bytes) -> bytes:
    """The head with any Connection header replaced by `Connection: close`."""
    lines = head.split(b"\r\n")
    kept = [lines[0]] + [ln for ln in lines[1:] if not ln.lower().startswith(b"connection:")]
    return b"\r\n".join([*kept, b"Connection: close"]) + _END


class FaultProxy:
    """A threaded proxy on a free loopback port in front of `upstream` (host, port)."""

    def __init__(self, upstream: tuple[str, int], script: Sequence[Step] = ()) -> None:
        self.upstream = upstream
        self.script = list(script)
        self.exchanges: list[Exchange] = []
        self.connections = 0
        self._lock = threading.Lock()
        proxy = self

        class _Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": _POLL}, daemon=True
        )

    @property
    def url(self) -> str:
        """The base URL clients use instead of the server's."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=_IO_TIMEOUT)

    def _next_step(self) -> Step:
        with self._lock:
            self.connections += 1
            index = len(self.exchanges)
            return self.script[index] if index < len(self.script) else Step(Fault.PASS)

    def _handle(self, sock: socket.socket) -> None:
        sock.settimeout(_IO_TIMEOUT)
        step = self._next_step()
        message = _read_message(sock, until_close=False)
        if message is None:
            return
        head, body = message
        exchange = Exchange(
            step.fault, head.split(b"\r\n")[0].decode("latin-1"), _headers(head), body
        )
        with self._lock:
            self.exchanges.append(exchange)
        if step.fault is Fault.DROP:
            return
        if step.fault is Fault.ANSWER:
            lines = [f"HTTP/1.1 {step.status} Canned"]
            lines += [f"{name}: {value}" for name, value in step.headers]
            lines += [f"Content-Length: {len(step.body)}", "Connection: close"]
            sock.sendall("\r\n".join(lines).encode("latin-1") + _END + step.body)
            return
        reply = self._forward(_closing(head) + body, exchange)
        if step.fault is Fault.HOLD:
            sock.recv(1)  # returns when the client gives up and closes, or times out
        elif step.fault is Fault.PASS and reply is not None:
            sock.sendall(reply)

    def _forward(self, request: bytes, exchange: Exchange) -> bytes | None:
        with socket.create_connection(self.upstream, timeout=_IO_TIMEOUT) as upstream:
            upstream.sendall(request)
            message = _read_message(upstream, until_close=True)
        if message is None:
            return None
        head, body = message
        exchange.upstream_status = int(head.split(b" ", 2)[1])
        exchange.upstream_headers = _headers(head)
        exchange.upstream_body = body
        return _closing(head) + body


async def count_created(database: Path, order_line_item_id: str, tenant: str = "1") -> int:
    """How many fulfillments the server's SQLite store holds for one line item."""
    store = await SqliteStore.open(f"sqlite:///{database}")
    try:
        return await store.count_fulfillments(tenant, order_line_item_id)
    finally:
        await store.close()


def created_count(database: Path, order_line_item_id: str, tenant: str = "1") -> int:
    """`count_created` for synchronous tests."""
    return asyncio.run(count_created(database, order_line_item_id, tenant))
