"""A bare HTTP/1.1 client over asyncio sockets, for tests that send thousands of requests at once.

Why not httpx: its connection pool costs more CPU per request than the server under test once
a hundred requests run at once, so a contention test would measure the client. One connection
per request (`Connection: close`) keeps the client trivially correct while servers are killed
under it: a reply is either complete, with the `Content-Length` it announced, or an error.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["BrokenReply", "Reply", "parse_reply", "post", "post_together", "request_bytes"]

_HOST = "127.0.0.1"
_TIMEOUT = 30.0  # seconds for one exchange; a healthy server answers in milliseconds


class BrokenReply(ConnectionError):
    """The connection ended before a whole response arrived (for example, the server died)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One response as it came off the socket."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of header `name` (any case), or None."""
        lower = name.lower()
        return next((value for key, value in self.headers if key.lower() == lower), None)


def request_bytes(path: str, headers: Mapping[str, str], body: bytes) -> bytes:
    """A complete POST request with `Content-Length` and `Connection: close`."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {_HOST}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def parse_reply(raw: bytes) -> Reply:
    """Split a whole response; raise BrokenReply when it was cut short."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise BrokenReply(f"no complete header block in {raw[:200]!r}")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = tuple(
        (name.strip(), value.strip())
        for name, _, value in (line.partition(":") for line in header_lines)
    )
    reply = Reply(status=int(status_line.split(" ", 2)[1]), headers=headers, body=body)
    length = reply.header("content-length")
    if length is None or int(length) != len(body):
        raise BrokenReply(f"body of {len(body)} bytes, Content-Length {length}")
    return reply


async def post(port: int, request: bytes, *, timeout: float = _TIMEOUT) -> Reply:
    """Send one request to the loopback `port` and read its reply."""
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(_HOST, port)
        try:
            writer.write(request)
            await writer.drain()
            raw = await reader.read()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
    return parse_reply(raw)


async def post_together(
    targets: Sequence[tuple[int, bytes]], *, timeout: float = _TIMEOUT
) -> list[Reply]:
    """Open every connection first, then send every request at once, then read every reply.

    Why: requests started one after another as a loop reaches them are not concurrent; with
    every connection open before the first byte goes out, they reach the servers together.
    """
    async with asyncio.timeout(timeout):
        opened = await asyncio.gather(
            *(asyncio.open_connection(_HOST, port) for port, _ in targets), return_exceptions=True
        )
        streams = [s for s in opened if not isinstance(s, BaseException)]
        try:
            failed = next((s for s in opened if isinstance(s, BaseException)), None)
            if failed is not None:
                raise failed
            for (_, request), (_, writer) in zip(targets, streams, strict=True):
                writer.write(request)
            await asyncio.gather(*(writer.drain() for _, writer in streams))
            raws = await asyncio.gather(*(reader.read() for reader, _ in streams))
        finally:
            for _, writer in streams:
                writer.close()
    return [parse_reply(raw) for raw in raws]
