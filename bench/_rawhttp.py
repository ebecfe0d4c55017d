"""A bare asyncio HTTP/1.1 client for bursts of concurrent requests, one connection each.

A burst of 64 requests must arrive at once; a client pool's own bookkeeping would cost more CPU
than the server on a small machine and spread the burst out. This sends prebuilt bytes and
reads a Content-Length-framed answer, which is all the reference server sends.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bench._procs import LOOPBACK
from bench._requests import PATH

__all__ = ["RawAnswer", "request_bytes", "send"]

_TIMEOUT = 30.0  # seconds for one exchange, far above any answer the server should take


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """Status, lower-case headers and body of one answer."""

    status: int
    headers: dict[str, str]
    body: bytes


def request_bytes(body: bytes, headers: dict[str, str]) -> bytes:
    """A complete POST /v1/fulfillments request that closes its connection."""
    lines = [f"POST {PATH} HTTP/1.1", f"Host: {LOOPBACK}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _exchange(port: int, raw: bytes) -> RawAnswer:
    reader, writer = await asyncio.open_connection(LOOPBACK, port)
    try:
        writer.write(raw)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return RawAnswer(int(status_line.split()[1]), headers, body)
    finally:
        writer.close()


async def send(port: int, raw: bytes) -> RawAnswer:
    """One exchange on a new connection, bounded in time."""
    return await asyncio.wait_for(_exchange(port, raw), _TIMEOUT)
