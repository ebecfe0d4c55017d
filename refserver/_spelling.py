"""Zuora's spelling of response header names, on the wire whatever the ASGI server does with them.

HTTP names are case-insensitive, but the clients integrators run are not always so: Zuora's
Python SDK copies urllib3's case-insensitive map into a plain `dict`, where
`headers["Zuora-Track-Id"]` finds only that exact spelling. So every response spells its names
as Zuora does, in two places:

| where                                 | what it spells                                        |
|---------------------------------------|-------------------------------------------------------|
| `spelled` (the app's own header list) | ASGI servers that keep names as given (h11, hypercorn)|
| `SpelledHttpToolsProtocol`            | uvicorn's httptools protocol, which lower-cases every |
|                                       | name it is given, and the errors it writes itself     |

The spellings are the response header names the bundled contract declares (`RateLimit-Limit`,
`WWW-Authenticate`, `Zuora-Track-Id`...): it declares every header the server sends with
Zuora's spelling. The names it cannot declare (`Content-Type`, which OpenAPI ignores as a
response header; `Content-Length`; `Allow` on a 405) are spelled by the capitalising rule below,
which writes them as Zuora does.

The protocol wraps its transport and rewrites the name of each header line of a response head,
which uvicorn writes in one `write` call before the body; it expects a head at the start of a
connection and again after each response completes, so body bytes are never touched. A name
the contract does not declare is written with each dash-separated part capitalised (`Date`,
`Content-Length`, `Connection`), as Zuora's own servers write them. Stored responses whose
names were stored in lower case therefore come out in Zuora's spelling too.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any, cast

from fulfillments_contract import DEFAULT_SPEC, load_contract
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["SpelledHttpToolsProtocol", "respell_head", "spelled"]

_HEAD_START = b"HTTP/1."
_INTERIM = b"HTTP/1.1 1"  # 100 Continue: the real head follows it
_END = b"\r\n\r\n"


@functools.cache
def _by_lower() -> dict[str, str]:
    """The contract's response header names, keyed by their lower-case form."""
    return {name.lower(): name for name in load_contract(DEFAULT_SPEC).response_header_names}


@functools.lru_cache(maxsize=256)
def spelled(name: str) -> str:
    """`name` as Zuora spells it; unknown names with each dash-separated part capitalised."""
    known = _by_lower().get(name.lower())
    if known is not None:
        return known
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


@functools.lru_cache(maxsize=256)
def _spelled_bytes(name: bytes) -> bytes:
    return spelled(name.decode("latin-1")).encode("latin-1")


def respell_head(data: bytes) -> bytes:
    """A response head (and whatever follows it in the same bytes) with its names respelled."""
    end = data.find(_END)
    if end < 0:
        end = len(data)
    lines = data[:end].split(b"\r\n")
    for i in range(1, len(lines)):
        name, colon, rest = lines[i].partition(b":")
        if colon:
            lines[i] = _spelled_bytes(name) + colon + rest
    return b"\r\n".join(lines) + data[end:]


class _SpellingTransport:
    """A transport that respells the first write of each response, its head."""

    def __init__(self, inner: asyncio.Transport) -> None:
        self._inner = inner
        self.expect_head = True

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.expect_head and bytes(data[: len(_HEAD_START)]) == _HEAD_START:
            raw = bytes(data)
            if not raw.startswith(_INTERIM):
                self.expect_head = False
            data = respell_head(raw)
        self._inner.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class SpelledHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing header names as Zuora spells them."""

    _spelling: _SpellingTransport | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._spelling = _SpellingTransport(transport)
        super().connection_made(cast(asyncio.Transport, self._spelling))

    def on_response_complete(self) -> None:
        if self._spelling is not None:
            self._spelling.expect_head = True
        super().on_response_complete()
