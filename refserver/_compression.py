"""Content codings both ways: gzip request bodies read under a cap, gzip responses over 1000 bytes.

The request body is read as it streams in and refused with 413 as soon as the raw size or the
decoded size passes the contract's limit, so neither a huge upload nor a gzip bomb is ever
held whole in memory. Gzip is decoded with `max_length`, which bounds each step's output.
A body must arrive whole within a deadline, so a client that goes silent mid-body (a network
partition sends no FIN) cannot hold its request, and its tenant's concurrency slot, forever.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable

from fulfillments_contract import Contract, load_contract

from refserver._deadline import Deadline
from refserver._errors import INVALID_VALUE, Disconnected, Problem
from refserver._parts import Receive
from refserver._types import Headers

__all__ = ["GzipPolicy", "wants_gzip"]

_GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib's flag for the gzip container
_LEVEL = 5  # a little faster than zlib's default 6, within a few per cent of its size
# zlib sets up its state anew for every response, sized by memLevel: 8 (the default) allocates
# a 64 KiB hash table and a 64 KiB block buffer whose pages come back from the OS on every call
# (~20 page faults); 4 needs 4 KiB of each, and on answers of this server's shape is several
# times faster with sizes within 2 %. Past ~12 KB the smaller table's collisions cost more than
# its setup saves, so larger bodies keep the default (bench/FINDINGS.md, section 4).
_SMALL_BODY = 8192  # bytes: bodies up to this size are compressed with _SMALL_MEM_LEVEL
_SMALL_MEM_LEVEL = 4
_MEM_LEVEL = 8  # zlib's default, for larger bodies


@functools.cache
def _contract_gzip_names() -> frozenset[str]:
    return load_contract().policies.gzip_names()


def wants_gzip(accept_encoding: str | None, gzip_names: frozenset[str] | None = None) -> bool:
    """Whether `Accept-Encoding` names gzip (or `*`) with a quality above zero.

    `gzip_names` are the lower-case names that mean gzip; by default the contract's (`gzip`
    and its aliases, `x-gzip`).
    """
    if not accept_encoding:
        return False
    names = _contract_gzip_names() if gzip_names is None else gzip_names
    gzip_q: float | None = None
    star_q: float | None = None
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        coding = coding.strip().lower()
        if coding in names:
            gzip_q = q if gzip_q is None else max(gzip_q, q)
        elif coding == "*":
            star_q = q
    if gzip_q is not None:
        return gzip_q > 0
    return star_q is not None and star_q > 0


class _Gunzip:
    """Streaming gzip decoder (several members allowed) with a cap on the decoded size."""

    def __init__(self, limit: int) -> None:
        self._d = zlib.decompressobj(_GZIP_WBITS)
        self._limit = limit
        self._produced = 0

    def feed(self, data: bytes) -> bytes:
        out = []
        while data:
            if self._d.eof:
                self._d = zlib.decompressobj(_GZIP_WBITS)
            try:
                piece = self._d.decompress(data, self._limit - self._produced + 1)
            except zlib.error as exc:
                raise _corrupt() from exc
            self._produced += len(piece)
            if self._produced > self._limit:
                raise _too_large(self._limit, "decompressed ")
            out.append(piece)
            data = self._d.unused_data if self._d.eof else self._d.unconsumed_tail
        return b"".join(out)

    def finish(self) -> bytes:
        if not self._d.eof:
            raise _corrupt()
        return b""


def _corrupt() -> Problem:
    return Problem.of(400, INVALID_VALUE, "The request body is not valid gzip")


def _too_large(limit: int, what: str = "") -> Problem:
    return Problem.of(413, INVALID_VALUE, f"The {what}request body is larger than {limit} bytes")


class GzipPolicy:
    """gzip and identity request codings; gzip responses over the contract's threshold."""

    def __init__(self, contract: Contract, *, body_seconds: float | None = None) -> None:
        policies = contract.policies
        if body_seconds is None:
            body_seconds = policies.body_deadline_seconds
        self._body_seconds = body_seconds
        self._deadline = Deadline(body_seconds)
        self._limit = policies.max_request_bytes
        self._threshold = policies.gzip_threshold
        self._accepted = ", ".join(policies.request_codings)
        self._names = " or ".join(policies.request_codings)
        # The contract's spellings: gzip's aliases, letter case ignored, codings stacked or not.
        self._fold: Callable[[str], str] = str.lower if policies.codings_ignore_case else str
        self._gzip = frozenset(self._fold(n) for n in ("gzip", *policies.gzip_aliases))
        self._codings = frozenset(self._fold(c) for c in policies.request_codings) | self._gzip
        self._stacked = policies.stacked_codings
        self._gzip_names = policies.gzip_names()

    def _unsupported(self, coding: str) -> Problem:
        shown = coding.encode("ascii", "replace").decode("ascii")[:64]
        return Problem.of(
            415,
            INVALID_VALUE,
            f"Content-Encoding '{shown}' is not supported; use {self._names}",
            headers=(("Accept-Encoding", self._accepted),),
        )

    def _decoders(self, content_encoding: str | None) -> list[_Gunzip]:
        """The gzip stages to undo, last applied first; none for identity."""
        if content_encoding is None:
            return []
        codings = [self._fold(c.strip()) for c in content_encoding.split(",") if c.strip()]
        if not codings or (len(codings) > 1 and not self._stacked):
            raise self._unsupported(content_encoding)  # naming no coding, or several
        decoders: list[_Gunzip] = []
        for coding in reversed(codings):  # the last coding applied is the first to undo
            if coding not in self._codings:
                raise self._unsupported(coding)
            if coding in self._gzip:
                decoders.append(_Gunzip(self._limit))
        return decoders

    async def read_body(self, headers: Headers, receive: Receive) -> bytes:
        """The decoded body, or 413/400/415 as soon as it is known to be refused."""
        decoders = self._decoders(headers.get("content-encoding"))
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._limit:
            raise _too_large(self._limit)
        try:
            return await self._deadline.run(self._read(decoders, receive))
        except TimeoutError:
            raise Problem.of(
                400,
                INVALID_VALUE,
                f"The request body did not arrive whole within {self._body_seconds:g} seconds",
            ) from None

    async def _read(self, decoders: list[_Gunzip], receive: Receive) -> bytes:
        received = 0
        out: list[bytes] = []
        while True:
            message = await receive()
            if not out and not decoders and not message.get("more_body", False):
                body = message.get("body", b"")  # the common case: one plain message
                if message["type"] == "http.disconnect":
                    raise Disconnected
                if len(body) > self._limit:
                    raise _too_large(self._limit)
                return bytes(body)
            if message["type"] == "http.disconnect":
                raise Disconnected
            chunk = bytes(message.get("body", b""))
            received += len(chunk)
            if received > self._limit:
                raise _too_large(self._limit)
            for decoder in decoders:
                chunk = decoder.feed(chunk)
            out.append(chunk)
            if not message.get("more_body", False):
                break
        for i, decoder in enumerate(decoders):  # flush each stage into the next
            tail = decoder.finish()
            for later in decoders[i + 1 :]:
                tail = later.feed(tail)
            out.append(tail)
        return b"".join(out)

    def encode(
        self, body: bytes, accept_encoding: str | None
    ) -> tuple[bytes, tuple[tuple[str, str], ...]]:
        """gzip the body when asked and over the threshold; always `Vary: Accept-Encoding`."""
        vary = ("Vary", "Accept-Encoding")
        if len(body) > self._threshold and wants_gzip(accept_encoding, self._gzip_names):
            memory = _SMALL_MEM_LEVEL if len(body) <= _SMALL_BODY else _MEM_LEVEL
            packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, _GZIP_WBITS, memory)
            return packer.compress(body) + packer.flush(), (("Content-Encoding", "gzip"), vary)
        return body, (vary,)
