"""An answer as the socket carried it: status line and headers parsed by hand, body read to EOF.

The HTTP client enforces Content-Length before a check sees the bytes (it stops at the declared
length, or fails), so a check of Content-Length itself judges what a plain socket read: every
byte the server sent until it closed the connection (the request says `Connection: close`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from conformance.client import SentRequest

__all__ = ["WireAnswer", "parse_answer"]

_HEAD_END = b"\r\n\r\n"


@dataclass(frozen=True, slots=True)
class WireAnswer:
    """One raw answer: status, headers by lower-case name, and every body byte until EOF."""

    request: SentRequest
    status_code: int
    headers: Mapping[str, list[str]]
    body: bytes


def parse_answer(request: SentRequest, data: bytes) -> WireAnswer:
    """Split what the socket carried into status, headers and body; ValueError if not HTTP/1.x."""
    head, found, body = data.partition(_HEAD_END)
    if not found:
        raise ValueError("no end of the header block before the connection closed")
    status_line, *lines = head.decode("iso-8859-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    code = rest.partition(" ")[0]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise ValueError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
    headers: dict[str, list[str]] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise ValueError(f"not a header line: {line[:80]!r}")
        headers.setdefault(name.strip().lower(), []).append(value.strip(" \t"))
    return WireAnswer(request, int(code), headers, body)
