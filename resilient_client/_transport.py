"""An httpx transport that makes a request body's bytes match its `Content-Encoding`.

The generated client's `content_encoding=GZIP` only sets the header: the body stays plain JSON,
which the server rejects as invalid gzip (`400`). This transport sits under the generated
client and compresses the body itself when the request is labelled gzip or is larger than
`compress_over` bytes, so the label and the bytes always agree. It also remembers the last raw
response in a context variable, so the caller can still read the status and headers when the
generated parser raises on a body that is not JSON (a gateway's HTML 502, say).
"""

from __future__ import annotations

import gzip
from contextvars import ContextVar

import httpx

__all__ = ["GZIP_MAGIC", "AsyncGzipTransport", "GzipTransport", "last_response"]

GZIP_MAGIC = b"\x1f\x8b"  # the first two bytes of every gzip member (RFC 1952)
last_response: ContextVar[httpx.Response | None] = ContextVar("last_response", default=None)


def _encoded(request: httpx.Request, compress_over: int | None) -> httpx.Request:
    body = request.content
    labelled = request.headers.get("content-encoding", "").strip().lower() == "gzip"
    large = compress_over is not None and len(body) > compress_over
    if body.startswith(GZIP_MAGIC) or not (labelled or large):
        return request
    headers = request.headers.copy()
    headers["Content-Encoding"] = "gzip"
    del headers["Content-Length"]  # recomputed for the compressed bytes
    return httpx.Request(
        request.method,
        request.url,
        headers=headers,
        content=gzip.compress(body, mtime=0),
        extensions=request.extensions,
    )


class GzipTransport(httpx.BaseTransport):
    """Compresses request bodies as described above, then sends them with `inner`."""

    def __init__(self, inner: httpx.BaseTransport, compress_over: int | None) -> None:
        self._inner = inner
        self._compress_over = compress_over

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self._inner.handle_request(_encoded(request, self._compress_over))
        last_response.set(response)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncGzipTransport(httpx.AsyncBaseTransport):
    """The asyncio twin of GzipTransport."""

    def __init__(self, inner: httpx.AsyncBaseTransport, compress_over: int | None) -> None:
        self._inner = inner
        self._compress_over = compress_over

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await self._inner.handle_async_request(_encoded(request, self._compress_over))
        last_response.set(response)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
