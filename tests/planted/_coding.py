"""Broken content coding: gzip responses that lie or misjudge, gzip requests misread.

Each is the reference `GzipPolicy` with one decision changed; `wants_gzip` is the reference's
reading of Accept-Encoding, so only the planted decision differs.
"""

from __future__ import annotations

import asyncio
import gzip

from refserver import Contract, Problem, Shape
from refserver.parts import GzipPolicy, Headers, Receive, wants_gzip

__all__ = [
    "CorruptGzipCrashes",
    "FirstWriteBufferOnly",
    "GzipRequestHangs",
    "GzipRequestIgnored",
    "IgnoresQuality",
    "LabelsPlainBodies",
    "NeverCompresses",
    "UnknownCodingAsIdentity",
    "UnknownCodingForbiddenShape",
    "UnlabelledGzip",
    "VaryOnlyWhenCompressed",
]

Coded = tuple[bytes, tuple[tuple[str, str], ...]]
VARY = ("Vary", "Accept-Encoding")
WRITE_BUFFER = 1024  # bytes: the first write of a streaming compressor


class _Policy(GzipPolicy):
    def __init__(self, contract: Contract) -> None:
        super().__init__(contract)
        self.threshold = contract.policies.gzip_threshold

    def large_and_asked(self, body: bytes, accept_encoding: str | None) -> bool:
        return len(body) > self.threshold and wants_gzip(accept_encoding)


class VaryOnlyWhenCompressed(_Policy):
    """Sends `Vary: Accept-Encoding` only on compressed answers."""

    def encode(self, body: bytes, accept_encoding: str | None) -> Coded:
        coded, headers = super().encode(body, accept_encoding)
        if not any(name == "Content-Encoding" for name, _ in headers):
            headers = tuple(header for header in headers if header[0] != "Vary")
        return coded, headers


class LabelsPlainBodies(_Policy):
    """Labels large answers `Content-Encoding: gzip` but sends them uncompressed."""

    def encode(self, body: bytes, accept_encoding: str | None) -> Coded:
        if self.large_and_asked(body, accept_encoding):
            return body, (("Content-Encoding", "gzip"), VARY)
        return body, (VARY,)


class UnlabelledGzip(_Policy):
    """Compresses large answers but forgets `Content-Encoding`."""

    def encode(self, body: bytes, accept_encoding: str | None) -> Coded:
        if self.large_and_asked(body, accept_encoding):
            return gzip.compress(body), (VARY,)
        return body, (VARY,)


class NeverCompresses(_Policy):
    """Never compresses, whatever the client accepts."""

    def encode(self, body: bytes, accept_encoding: str | None) -> Coded:
        return body, (VARY,)


class IgnoresQuality(_Policy):
    """Reads `gzip;q=0` as a request for gzip: the q parameter is ignored."""

    def encode(self, body: bytes, accept_encoding: str | None) -> Coded:
        named = "gzip" in (accept_encoding or "").lower() or "*" in (accept_encoding or "")
        if len(body) > self.threshold and named:
            return gzip.compress(body), (("Content-Encoding", "gzip"), VARY)
        return body, (VARY,)


class FirstWriteBufferOnly(_Policy):
    """Compresses only the first 1 KiB write of a large answer (the rest is never flushed)."""

    def encode(self, body: bytes, accept_encoding: str | None) -> Coded:
        if self.large_and_asked(body, accept_encoding):
            return gzip.compress(body[:WRITE_BUFFER]), (("Content-Encoding", "gzip"), VARY)
        return body, (VARY,)


def _without_coding(headers: Headers) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name != "content-encoding"}


def _codings(headers: Headers) -> list[str]:
    value = headers.get("content-encoding") or ""
    return [coding.strip().lower() for coding in value.split(",") if coding.strip()]


class GzipRequestIgnored(_Policy):
    """Reads every request body as plain JSON, whatever its Content-Encoding."""

    async def read_body(self, headers: Headers, receive: Receive) -> bytes:
        return await super().read_body(_without_coding(headers), receive)


class CorruptGzipCrashes(_Policy):
    """Decodes gzip request bodies with `gzip.decompress`, whose errors nobody catches (500)."""

    async def read_body(self, headers: Headers, receive: Receive) -> bytes:
        if _codings(headers) != ["gzip"]:
            return await super().read_body(headers, receive)
        return gzip.decompress(await super().read_body(_without_coding(headers), receive))


class UnknownCodingAsIdentity(_Policy):
    """Reads a body in a coding it does not know (br, deflate, ...) as if it were plain."""

    async def read_body(self, headers: Headers, receive: Receive) -> bytes:
        if any(coding not in ("gzip", "x-gzip", "identity") for coding in _codings(headers)):
            return await super().read_body(_without_coding(headers), receive)
        return await super().read_body(headers, receive)


class UnknownCodingForbiddenShape(_Policy):
    """Answers an unknown coding with 415 in the 403 body shape `{code, message}`."""

    async def read_body(self, headers: Headers, receive: Receive) -> bytes:
        try:
            return await super().read_body(headers, receive)
        except Problem as problem:
            if problem.status != 415:
                raise
            raise Problem(415, problem.reasons, problem.headers, Shape.FORBIDDEN) from None


class GzipRequestHangs(_Policy):
    """Never answers a gzip request body: it waits for an end of stream that never comes."""

    async def read_body(self, headers: Headers, receive: Receive) -> bytes:
        if "gzip" in _codings(headers):
            await asyncio.Event().wait()
        return await super().read_body(headers, receive)
