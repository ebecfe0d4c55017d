"""Builders and misbehaving servers for the tests of the conformance suite.

Checks are tested on constructed responses: `exchange(...)` builds one of the suite's own
exchanges, `schemathesis_pair(...)` a Schemathesis `Response` and `Case` as the engine passes
them. The servers are real loopback sockets that misbehave on purpose: they answer garbage,
never answer, or answer HTTP that keeps no promise at all.
"""

from __future__ import annotations

import functools
import gzip
import json
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
import schemathesis
from fulfillments_contract import load_contract

from conformance.client import Exchange, SentRequest
from conformance.context import RunContext, activate
from conformance.profiles import Profile

__all__ = [
    "REQUEST_ID",
    "exchange",
    "garbage_server",
    "json_bytes",
    "junk_http_server",
    "schemathesis_pair",
    "sent",
    "silent_server",
    "stalling_server",
    "zuora_profile",
]

REQUEST_ID = "3b9f1c3e-6a55-4b7e-8d07-0e5a1a2f9c11"
URL = "http://127.0.0.1:9/v1/fulfillments"
_SOCKET_SECONDS = 5.0  # no misbehaving server holds a connection longer than this


def json_bytes(document: Any) -> bytes:
    """A JSON document as compact bytes."""
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def sent(headers: Mapping[str, str] | None = None, body: bytes = b"{}") -> SentRequest:
    """A POST the suite sent, with `headers` (Content-Type and a bearer token by default)."""
    merged = {"Content-Type": "application/json", "Authorization": "Bearer dev-token"}
    merged.update(headers or {})
    return SentRequest("POST", URL, merged, body, "TOKEN")


def exchange(
    status: int = 200,
    body: Any = None,
    *,
    headers: Mapping[str, str | None] | None = None,
    request_headers: Mapping[str, str] | None = None,
    gzip_body: bool = False,
    raw: bytes | None = None,
) -> Exchange:
    """A response to `sent(request_headers)`: JSON `body`, optionally gzipped on the wire.

    Unless overridden, the headers are those a conforming server sends: Content-Type, one
    Zuora-Request-Id, Vary and Content-Length of the coded bytes.
    """
    content = (
        body
        if isinstance(body, bytes)
        else json_bytes(body if body is not None else {"success": True})
    )
    wire = raw if raw is not None else (gzip.compress(content) if gzip_body else content)
    merged: dict[str, str | None] = {
        "content-type": "application/json",
        "zuora-request-id": REQUEST_ID,
        "vary": "Accept-Encoding",
        "content-length": str(len(wire)),
    }
    if gzip_body:
        merged["content-encoding"] = "gzip"
    for name, value in (headers or {}).items():
        merged[name.lower()] = value
    listed = {name: [value] for name, value in merged.items() if value is not None}
    coding = merged.get("content-encoding")
    decode_error = None
    decoded = wire
    if coding == "gzip":
        try:
            decoded = gzip.decompress(wire)
        except OSError as exc:
            decode_error = f"not valid gzip: {exc}"
    return Exchange(
        request=sent(request_headers),
        status_code=status,
        headers=listed,
        raw=wire,
        content=decoded,
        decode_error=decode_error,
    )


def schemathesis_pair(
    status: int,
    body: Any,
    *,
    headers: Mapping[str, str] | None = None,
    request_headers: Mapping[str, str] | None = None,
) -> tuple[schemathesis.Response, schemathesis.Case[Any]]:
    """A Schemathesis `Response` and `Case`, as the engine hands them to a check."""
    operation = _operation()
    case = operation.Case(headers=dict(request_headers or {}), body={"fulfillments": []})
    prepared = requests.Request(
        "POST", URL, headers=dict(request_headers or {}), data=b"{}"
    ).prepare()
    response = schemathesis.Response(
        status_code=status,
        headers={name.lower(): [value] for name, value in (headers or {}).items()},
        content=json_bytes(body),
        request=prepared,
        elapsed=0.01,
        verify=True,
    )
    return response, case


@functools.cache
def _operation() -> Any:
    """The contract's operation as Schemathesis loads it (once: loading takes seconds)."""
    schema = schemathesis.openapi.from_path(str(load_contract().path))
    return schema["/v1/fulfillments"]["POST"]


@contextmanager
def zuora_profile() -> Iterator[RunContext]:
    """Run the block as a `PROFILE=zuora` run would."""
    with activate(RunContext(contract=load_contract(), profile=Profile.ZUORA)) as context:
        yield context


@contextmanager
def _tcp_server(handle: Any) -> Iterator[str]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    connections: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(_SOCKET_SECONDS)
            connections.append(connection)
            threading.Thread(target=handle, args=(connection, stop), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
        for connection in connections:
            connection.close()
        thread.join(timeout=_SOCKET_SECONDS)


def _answer_garbage(connection: socket.socket, stop: threading.Event) -> None:
    try:
        connection.recv(65536)
        connection.sendall(b"SSH-2.0-OpenSSH_9.6 not an HTTP server\r\n\x00\xff\xfe")
    except OSError:
        pass
    finally:
        connection.close()


def _never_answer(connection: socket.socket, stop: threading.Event) -> None:
    try:
        connection.recv(65536)
    except OSError:
        return
    stop.wait(_SOCKET_SECONDS)


@contextmanager
def garbage_server() -> Iterator[str]:
    """A loopback server that answers every request with bytes that are not HTTP."""
    with _tcp_server(_answer_garbage) as url:
        yield url


@contextmanager
def silent_server() -> Iterator[str]:
    """A loopback server that reads each request and never answers."""
    with _tcp_server(_never_answer) as url:
        yield url


class _StallingServer(ThreadingHTTPServer):
    """Counts requests; after `answers` of them, every request waits for the server to stop."""

    def __init__(self, answers: int) -> None:
        super().__init__(("127.0.0.1", 0), _StallingHandler)
        self.daemon_threads = True
        self.answers = answers
        self.stopping = threading.Event()
        self.lock = threading.Lock()


class _StallingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _StallingServer

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.answers -= 1
            stall = self.server.answers < 0
        if stall:
            self.server.stopping.wait(_SOCKET_SECONDS)
            return
        body = json_bytes(
            {"success": False, "processId": "P", "reasons": [{"code": 53600020, "message": "m"}]}
        )
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@contextmanager
def stalling_server(*, answers: int) -> Iterator[str]:
    """A loopback HTTP server that answers `answers` requests, then stops answering."""
    server = _StallingServer(answers)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=_SOCKET_SECONDS)


class _JunkHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def _junk(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_TRACE = _junk

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@contextmanager
def junk_http_server() -> Iterator[str]:
    """A loopback HTTP server that answers everything with `200 text/plain ok`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JunkHandler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=_SOCKET_SECONDS)
