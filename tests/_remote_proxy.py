"""The remote-like proxy itself, a process of its own: `python -m tests._remote_proxy`.

It runs apart from the suite under test, as a real gateway does, so neither one's busy
interpreter bends the other's timing. `tests._remote_target.Proxy` starts it and reads its counts
from a control port: any connection there gets the counts as JSON and is closed.

Arguments: `--upstream URL --options JSON [--cert PEM --key PEM]`. Once listening, it prints one
line, `URL CONTROL_PORT`, and serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import signal
import ssl
import sys
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

__all__ = ["ProxyCounts", "ProxyOptions", "main"]

_READ_LIMIT = 1 << 20  # a request line or header may be long: the suite sends 8192-char values
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer"}
)


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


class _Proxy:
    """The asyncio proxy, forwarding to `upstream`."""

    def __init__(self, upstream: str, options: ProxyOptions, tls: ssl.SSLContext | None) -> None:
        parts = urlsplit(upstream)
        self._upstream_address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._tasks: set[asyncio.Task[None]] = set()
        self.options = options
        self.counts = ProxyCounts()
        self._quota = _Quota(options.quota) if options.quota else None
        self._ssl = tls

    async def serve(self) -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        server = await asyncio.start_server(
            self._connection, "127.0.0.1", 0, ssl=self._ssl, limit=_READ_LIMIT
        )
        control = await asyncio.start_server(self._report, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        url = f"{'https' if self._ssl else 'http'}://127.0.0.1:{port}"
        print(url, control.sockets[0].getsockname()[1], flush=True)
        async with server, control:
            await stop.wait()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _report(self, _: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        counts = self.counts  # asdict() cannot copy a defaultdict in Python 3.11
        fields = {f.name: getattr(counts, f.name) for f in dataclasses.fields(counts)}
        writer.write(json.dumps(fields).encode())
        await writer.drain()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()

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


def main(argv: list[str] | None = None) -> None:
    """Serve as the arguments say until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m tests._remote_proxy")
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--options", required=True, help="ProxyOptions as JSON")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args(argv)
    fields = json.loads(args.options)
    if fields.get("required") is not None:
        fields["required"] = tuple(fields["required"])
    tls = None
    if args.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)
    asyncio.run(_Proxy(args.upstream, ProxyOptions(**fields), tls).serve())


if __name__ == "__main__":
    main(sys.argv[1:])
