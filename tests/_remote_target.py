"""A remote-like target on loopback: the reference server behind a small asyncio proxy.

The proxy stands in for what lies between a real user and Zuora (a TLS terminator, a gateway
with a quota, a long network path) and can, each on its own or together:

| option      | what it does                                                                 |
|-------------|------------------------------------------------------------------------------|
| `tls`       | terminates TLS with a certificate from a private `trustme` CA (`ca_file`)     |
| `quota`     | answers 429 + Retry-After + RateLimit-* above N requests a second per token   |
| `latency`   | adds that many seconds before every answer                                   |
| `chunked`   | re-frames every body as chunked and closes the connection after each answer   |
| `required`  | refuses (403) any request without this header and value, as a gateway would  |

The reference server itself runs as `python -m refserver` (`tests._server_process.serve`),
optionally OAuth-only: a tokens file with client credentials, no static token, short tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import trustme

from tests._server_process import serve

__all__ = ["OAUTH_CLIENTS", "Proxy", "ProxyOptions", "oauth_tokens_file", "remote_target"]

OAUTH_CLIENTS = {  # identity -> (client id, client secret) of the OAuth-only tenants
    "TOKEN": ("6f1c2e9a-0000-4000-8000-0000000000a1", "secret-one"),
    "TOKEN2": ("6f1c2e9a-0000-4000-8000-0000000000b2", "secret-two"),
}
TOKEN_LIFETIME = 20  # seconds: a run of the suite outlives several tokens
_READ_LIMIT = 1 << 20  # a request line or header may be long: the suite sends 8192-char values
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer"}
)


def oauth_tokens_file(folder: Path) -> Path:
    """A tokens file with two OAuth-only tenants whose tokens live TOKEN_LIFETIME seconds."""
    (one_id, one_secret), (two_id, two_secret) = OAUTH_CLIENTS.values()
    text = f"""oauth_secret: remote-test-secret
token_ttl: {TOKEN_LIFETIME}
tenants:
  - id: "1"
    clients: [{{client_id: {one_id}, client_secret: {one_secret}}}]
    entity_ids: [8a8aa2f27c4aef03017c4b4a4a8b1f00]
    org_ids: [8a8aa2f27c4aef03017c4b4a4a8b1f01, 8a8aa2f27c4aef03017c4b4a4a8b1f02]
  - id: "2"
    clients: [{{client_id: {two_id}, client_secret: {two_secret}}}]
    entity_ids: [8a8aa2f27c4aef03017c4b4a4a8b2f00]
    org_ids: [8a8aa2f27c4aef03017c4b4a4a8b2f01, 8a8aa2f27c4aef03017c4b4a4a8b2f02]
"""
    path = folder / "tokens.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True, slots=True)
class ProxyOptions:
    """What the proxy does to the traffic (nothing by default)."""

    tls: bool = False
    quota: int | None = None  # requests a second per Authorization value
    latency: float = 0.0
    chunked: bool = False
    required: tuple[str, str] | None = None  # a gateway key every request must carry


@dataclass
class ProxyCounts:
    """What the proxy saw, for tests that judge pacing by counts."""

    forwarded: int = 0
    throttled: int = 0
    refused: int = 0  # requests without the required header
    per_token: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))


class _Quota:
    """A sliding one-second window of admitted requests per token."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._seen: defaultdict[str, deque[float]] = defaultdict(deque)

    def admit(self, token: str) -> bool:
        now = time.monotonic()
        window = self._seen[token]
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self.limit:
            return False
        window.append(now)
        return True


async def _read_chunks(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(parts)
        parts.append((await reader.readexactly(size + 2))[:-2])


async def _read_fields(reader: asyncio.StreamReader) -> list[tuple[str, str]]:
    """The header fields of a request or response head, up to the blank line that ends it."""
    fields: list[tuple[str, str]] = []
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            return fields
        name, _, value = raw.decode("latin-1").partition(":")
        fields.append((name.strip(), value.strip()))


async def _read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, list[tuple[str, str]], bytes] | None:
    line = await reader.readline()
    if not line.strip():
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers = await _read_fields(reader)
    lowered = {name.lower(): value for name, value in headers}
    if "chunked" in lowered.get("transfer-encoding", "").lower():
        body = await _read_chunks(reader)
    else:
        body = await reader.readexactly(int(lowered.get("content-length", "0") or 0))
    return method, target, headers, body


class Proxy:
    """The asyncio proxy in a thread of its own, forwarding to `upstream`."""

    def __init__(self, upstream: str, options: ProxyOptions, folder: Path) -> None:
        self.upstream = upstream
        parts = urlsplit(upstream)
        self._upstream_address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._tasks: set[asyncio.Task[None]] = set()
        self.options = options
        self.counts = ProxyCounts()
        self._quota = _Quota(options.quota) if options.quota else None
        self.ca_file: Path | None = None
        self._ssl: ssl.SSLContext | None = None
        if options.tls:
            ca = trustme.CA(key_type=trustme.KeyType.ECDSA)  # quicker to make than RSA
            self._ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(self._ssl)
            self.ca_file = folder / "ca.pem"
            ca.cert_pem.write_to_path(str(self.ca_file))
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="remote-proxy", daemon=True)
        self._stop: asyncio.Event | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(
            self._connection, "127.0.0.1", 0, ssl=self._ssl, limit=_READ_LIMIT
        )
        port = server.sockets[0].getsockname()[1]
        self.url = f"{'https' if self._ssl else 'http'}://127.0.0.1:{port}"
        self._ready.set()
        async with server:
            await self._stop.wait()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        # Cancelled at shutdown: swallowed, so asyncio's stream callback sees a task that ended.
        with contextlib.suppress(
            ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, asyncio.CancelledError
        ):
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                keep = await self._answer(request, writer)
                if not keep:
                    break
        with contextlib.suppress(ConnectionError, ssl.SSLError, asyncio.CancelledError):
            writer.close()
            await writer.wait_closed()

    async def _answer(
        self, request: tuple[str, str, list[tuple[str, str]], bytes], writer: asyncio.StreamWriter
    ) -> bool:
        method, target, headers, body = request
        lowered = {name.lower(): value for name, value in headers}
        token = lowered.get("authorization", "")
        required = self.options.required
        if required is not None and lowered.get(required[0].lower()) != required[1]:
            self.counts.refused += 1
            status, out, raw = 403, [], b'{"message":"gateway key missing"}'
        elif self._quota is not None and not self._quota.admit(token):
            self.counts.throttled += 1
            status, out, raw = 429, self._throttle_headers(), b'{"message":"Too many requests"}'
        else:
            self.counts.forwarded += 1
            self.counts.per_token[token] += 1
            status, out, raw = await self._forward(method, target, headers, body)
        if self.options.latency:
            await asyncio.sleep(self.options.latency)
        close = self.options.chunked or lowered.get("connection", "").lower() == "close"
        head = [f"HTTP/1.1 {status} {httpx.codes.get_reason_phrase(status)}"]
        head += [f"{name}: {value}" for name, value in out]
        head.append("Connection: close" if close else "Connection: keep-alive")
        if self.options.chunked:
            head.append("Transfer-Encoding: chunked")
            middle = len(raw) // 2
            framed = (
                b"".join(
                    f"{len(part):x}\r\n".encode() + part + b"\r\n"
                    for part in (raw[:middle], raw[middle:])
                    if part
                )
                + b"0\r\n\r\n"
            )
        else:
            head.append(f"Content-Length: {len(raw)}")
            framed = raw
        writer.write(
            ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
            + (b"" if method == "HEAD" else framed)
        )
        await writer.drain()
        return not close

    async def _forward(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send the request as it came (bytes untouched) on a fresh upstream connection."""
        host, port = self._upstream_address
        reader, writer = await asyncio.open_connection(host, port, limit=_READ_LIMIT)
        try:
            lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}"]
            lines += [f"{n}: {v}" for n, v in headers if n.lower() not in _HOP_BY_HOP | {"host"}]
            lines += [f"Content-Length: {len(body)}", "Connection: close"]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            status_line = await reader.readline()
            status = int(status_line.split(b" ", 2)[1])
            out = await _read_fields(reader)
            lowered = {n.lower(): v for n, v in out}
            if method == "HEAD" or status in (204, 304):
                raw = b""
            elif "chunked" in lowered.get("transfer-encoding", "").lower():
                raw = await _read_chunks(reader)
            elif "content-length" in lowered:
                raw = await reader.readexactly(int(lowered["content-length"]))
            else:
                raw = await reader.read()
            return status, [(n, v) for n, v in out if n.lower() not in _HOP_BY_HOP], raw
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def _throttle_headers(self) -> list[tuple[str, str]]:
        limit = str(self._quota.limit if self._quota else 0)
        return [
            ("Content-Type", "application/json"),
            ("Retry-After", "1"),
            ("RateLimit-Limit", limit),
            ("RateLimit-Remaining", "0"),
            ("RateLimit-Reset", "1"),
        ]

    def __enter__(self) -> Proxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the proxy did not start")
        return self

    def __exit__(self, *_: object) -> None:
        stop = self._stop
        if stop is not None:
            self._loop.call_soon_threadsafe(stop.set)
        self._thread.join(10)


@contextlib.contextmanager
def remote_target(
    folder: Path, options: ProxyOptions, *, oauth_only: bool = False
) -> Iterator[Proxy]:
    """The reference server (OAuth-only when asked) behind a proxy doing what `options` say."""
    args = ["--store", f"sqlite:///{folder / 'store.db'}"]
    if oauth_only:
        args += ["--tokens", str(oauth_tokens_file(folder))]
    with serve(*args, folder=folder) as server, Proxy(server.url, options, folder) as proxy:
        yield proxy
