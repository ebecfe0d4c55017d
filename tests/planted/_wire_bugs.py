"""Bugs that live between the application and the socket, planted as ASGI middleware.

Some bugs are not in any one part: a proxy that rewrites statuses, a gzip layer that declares the
length of the plain body. Each class here wraps the whole reference app, holds every answer
until its body is complete, and rewrites status, headers or body the way that bug does.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = [
    "FailuresAs200",
    "FailuresAs200WithoutReasons",
    "PlainLengthOnGzip",
]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]
RawHeaders = list[tuple[bytes, bytes]]


def _header(headers: RawHeaders, name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _with_length(headers: RawHeaders, length: int) -> RawHeaders:
    kept = [(key, value) for key, value in headers if key.lower() != b"content-length"]
    return [*kept, (b"content-length", str(length).encode("ascii"))]


class _Rewriting:
    """The app, with each complete answer passed through `rewrite` before it is sent."""

    def __init__(self, app: App) -> None:
        self.app = app

    def rewrite(
        self, status: int, headers: RawHeaders, body: bytes
    ) -> tuple[int, RawHeaders, bytes]:
        return status, headers, body

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            status, headers, body = self.rewrite(
                int(start["status"]), list(start.get("headers", [])), b"".join(chunks)
            )
            await send({**start, "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, hold)


class FailuresAs200(_Rewriting):
    """Every 400 is sent as 200 with the same `{success: false, processId, reasons}` body."""

    def rewrite(
        self, status: int, headers: RawHeaders, body: bytes
    ) -> tuple[int, RawHeaders, bytes]:
        return (200 if status == 400 else status), headers, body


class FailuresAs200WithoutReasons(_Rewriting):
    """Every 400 is sent as 200 `{success: false}`: a failure that says nothing of why."""

    def rewrite(
        self, status: int, headers: RawHeaders, body: bytes
    ) -> tuple[int, RawHeaders, bytes]:
        if status != 400:
            return status, headers, body
        bare = json.dumps({"success": False}).encode("utf-8")
        return 200, _with_length(headers, len(bare)), bare


class PlainLengthOnGzip(_Rewriting):
    """A gzipped answer declares the Content-Length of the uncompressed body (the server then
    sends the shorter gzip bytes and closes the connection)."""

    def rewrite(
        self, status: int, headers: RawHeaders, body: bytes
    ) -> tuple[int, RawHeaders, bytes]:
        if _header(headers, b"content-encoding") != b"gzip":
            return status, headers, body
        return status, _with_length(headers, len(gzip.decompress(body))), body
