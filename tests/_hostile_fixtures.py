"""A real `python -m refserver` on a loopback port, and a raw-socket client that sends any bytes.

HTTP clients refuse or repair what hostile traffic sends (control characters, wrong lengths,
half-sent bodies), so the hostile battery writes its requests byte for byte onto a socket and
reads the answer under a deadline: a server that hangs fails the test instead of stalling it.
`module_server` gives each test module its own server.
"""

from __future__ import annotations

import contextlib
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests._server_fixtures import assert_conforms, body, contract, serve

__all__ = [
    "ANSWER_SECONDS",
    "GOOD_BODY",
    "MAX_ERROR_BODY",
    "LiveServer",
    "RawResponse",
    "assert_http_layer_rejection",
    "assert_zuora_error",
    "build_request",
    "live_server",
    "module_server",
    "read_response",
]

ANSWER_SECONDS = 10.0  # a healthy server answers every case in milliseconds; this only stops hangs
MAX_ERROR_BODY = (
    65_536  # 20 reasons of a few hundred bytes: an error names the fault, never the data
)
GOOD_BODY = orjson.dumps(body())
_CRLF = b"\r\n"
_HEAD_END = b"\r\n\r\n"
_MAX_HEAD = 1 << 20  # a response head larger than this is itself a failure


@dataclass(frozen=True, slots=True)
class RawResponse:
    """One answer as it came off the wire: status, headers in order, body, and timing."""

    status: int
    headers: tuple[tuple[str, str], ...]  # names lower case, values decoded as latin-1
    body: bytes
    elapsed: float

    def header(self, name: str) -> str | None:
        """The first value of header `name`, or None."""
        return next((v for n, v in self.headers if n == name.lower()), None)

    def json(self) -> Any:
        """The body as JSON."""
        return orjson.loads(self.body)

    def as_httpx(self) -> httpx.Response:
        """The same answer as an httpx response, for the contract's conformance assertion."""
        return httpx.Response(self.status, headers=list(self.headers), content=self.body)


def build_request(
    payload: bytes = GOOD_BODY,
    *headers: tuple[bytes, bytes],
    authorization: bytes | None = b"Bearer dev-token",
    content_type: bytes | None = b"application/json",
    content_length: int | None = None,
    path: bytes = b"/v1/fulfillments",
) -> bytes:
    """A POST written byte for byte; `content_length` overrides the true length."""
    lines = [b"POST " + path + b" HTTP/1.1", b"Host: 127.0.0.1"]
    if authorization is not None:
        lines.append(b"Authorization: " + authorization)
    if content_type is not None:
        lines.append(b"Content-Type: " + content_type)
    lines.extend(name + b": " + value for name, value in headers)
    length = len(payload) if content_length is None else content_length
    lines.append(b"Content-Length: " + str(length).encode("ascii"))
    return _CRLF.join(lines) + _HEAD_END + payload


def _parse_head(head: bytes) -> tuple[int, tuple[tuple[str, str], ...]]:
    status_line, *lines = head.split(_CRLF)
    status = int(status_line.split(b" ")[1])
    headers = []
    for line in lines:
        name, _, value = line.partition(b":")
        headers.append((name.decode("latin-1").strip().lower(), value.decode("latin-1").strip()))
    return status, tuple(headers)


def read_response(sock: socket.socket, *, started: float, timeout: float) -> RawResponse:
    """Read one response under a deadline; raise AssertionError when the server hangs."""
    deadline = started + timeout
    data = b""
    head_size = -1
    wanted = -1
    while head_size < 0 or len(data) - head_size < wanted:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no complete answer within {timeout} s (got {data[:200]!r})"
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(1 << 16)
        except TimeoutError:
            continue
        if not chunk:
            break
        data += chunk
        if head_size < 0 and _HEAD_END in data:
            head_size = data.index(_HEAD_END) + len(_HEAD_END)
            _, headers = _parse_head(data[: head_size - len(_HEAD_END)])
            length = next((v for n, v in headers if n == "content-length"), None)
            wanted = int(length) if length is not None else 1 << 62
        assert len(data) < _MAX_HEAD or head_size >= 0, "response head too large"
    assert head_size >= 0, f"the connection closed without an answer (got {data[:200]!r})"
    status, headers = _parse_head(data[: head_size - len(_HEAD_END)])
    return RawResponse(status, headers, data[head_size:], time.monotonic() - started)


def assert_zuora_error(response: RawResponse, status: int, category: int) -> dict[str, Any]:
    """The answer has `status`, Zuora's error shape for it and a reason code of `category`."""
    assert response.status == status, f"{response.status}: {response.body[:300]!r}"
    assert_conforms(response.as_httpx())
    assert len(response.body) <= MAX_ERROR_BODY, f"error body of {len(response.body)} bytes"
    document: dict[str, Any] = response.json()
    policies = contract().policies
    if status == 401:
        assert document == {"message": "Authentication error"}
        return document
    if status == 403:
        assert divmod(document["code"], 100) == (policies.auth_resource_code, category)
        return document
    assert document["success"] is False
    assert isinstance(document["processId"], str)
    assert document["processId"]
    codes = [reason["code"] for reason in document["reasons"]]
    assert all(isinstance(code, int) and len(str(code)) == 8 for code in codes), codes
    assert divmod(codes[0], 100) == (policies.resource_code, category), codes
    return document


def assert_http_layer_rejection(response: RawResponse) -> None:
    """A message that is not valid HTTP is refused by the HTTP layer: 400 and a closed line."""
    assert response.status == 400, response
    assert response.header("connection") == "close"


@dataclass
class LiveServer:
    """A running `python -m refserver` child and what the battery asks of it."""

    pid: int
    port: int
    log: Path
    store_url: str

    def memory_kib(self) -> tuple[int, int]:
        """The server's resident and peak resident memory in KiB (VmRSS, VmHWM from /proc)."""
        fields = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            fields[name] = value.split()
        return int(fields["VmRSS"][0]), int(fields["VmHWM"][0])

    def output(self) -> str:
        """Everything the server has printed so far."""
        return self.log.read_text(errors="replace")

    def connect(self) -> socket.socket:
        """A new connection to the server."""
        return socket.create_connection(("127.0.0.1", self.port), timeout=ANSWER_SECONDS)

    def send(self, request: bytes, *, timeout: float = ANSWER_SECONDS) -> RawResponse:
        """Send raw bytes on a new connection and read the one answer."""
        with self.connect() as sock:
            started = time.monotonic()
            sock.sendall(request)
            return read_response(sock, started=started, timeout=timeout)

    def post(
        self, payload: bytes = GOOD_BODY, *headers: tuple[bytes, bytes], **kw: Any
    ) -> RawResponse:
        """`build_request` and `send` in one step."""
        return self.send(build_request(payload, *headers, **kw))

    def assert_healthy(self, token: bytes = b"dev-token") -> RawResponse:
        """A normal request still gets a conforming 200 that created a fulfillment."""
        key = uuid.uuid4().hex.encode("ascii")
        response = self.post(GOOD_BODY, (b"Idempotency-Key", key), authorization=b"Bearer " + token)
        assert response.status == 200, f"{response.status}: {response.body[:300]!r}"
        assert_conforms(response.as_httpx())
        assert response.json()["fulfillments"][0]["fulfillmentNumber"].startswith("F-")
        return response


@contextlib.contextmanager
def live_server(folder: Path, *args: str) -> Iterator[LiveServer]:
    """`python -m refserver` on a free loopback port with a new SQLite store in `folder`."""
    store = f"sqlite:///{(folder / 'hostile.db').resolve()}"
    with serve("--store", store, *args, folder=folder) as server:
        port = int(server.url.rsplit(":", 1)[1])
        yield LiveServer(server.process.pid, port, server.log, store)
        assert server.process.poll() is None, f"the server died:\n{server.output()}"


def module_server(*args: str) -> Any:
    """A module-scoped `server` fixture: `python -m refserver *args` on a temporary store.

    A test module assigns it (`server = module_server()`) and its tests ask for `server`.
    """

    @pytest.fixture(scope="module", name="server")
    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
        with live_server(tmp_path_factory.mktemp("hostile"), *args) as live:
            yield live

    return fixture
