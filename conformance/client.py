"""An HTTP client that keeps the bytes exactly as they crossed the wire.

Test clients usually decode gzip silently, which hides whether a server compressed at all or
labelled a plain body as gzip. This one sends only the headers it is told to (no default
`Accept-Encoding`), reads the raw body, and decodes it itself, keeping both.
"""

from __future__ import annotations

import gzip
import json
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from fulfillments_contract import OPERATION_PATH

__all__ = ["Client", "Exchange", "SentRequest", "TransportProblem", "header_of"]

_OMITTED_DEFAULTS = ("accept-encoding", "accept", "user-agent")
_BODY_TIMEOUTS = 3  # a whole answer may take three read timeouts, then it counts as unanswered


class TransportProblem(Exception):
    """The target did not answer a request with an HTTP response."""

    def __init__(self, reason: str, request: SentRequest) -> None:
        super().__init__(reason)
        self.reason = reason
        self.request = request


def header_of(headers: Mapping[str, Any] | None, name: str) -> Any:
    """The value of `name` in a request-header mapping, whatever its case; None when absent."""
    if not headers:
        return None
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


@dataclass(frozen=True, slots=True)
class SentRequest:
    """A request as sent, with what a person needs to reproduce it.

    `identity` names the credential used (`TOKEN`, `TOKEN2`) so a reproduction shows the
    variable, not the secret; `plain_body` is the JSON before gzip when the body was gzipped.
    """

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    identity: str | None = None
    plain_body: bytes | None = None


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and the response to it: raw bytes, decoded bytes and headers."""

    request: SentRequest
    status_code: int
    headers: Mapping[str, list[str]]
    raw: bytes
    content: bytes
    decode_error: str | None = None
    elapsed: float = 0.0
    # Response header names exactly as received, in order: clients that copy headers into a
    # plain dict (Zuora's SDK does) read them case-sensitively.
    header_names: tuple[str, ...] = ()
    _parsed: list[Any] = field(default_factory=list, repr=False, compare=False)

    def header(self, name: str) -> str | None:
        """The first value of a response header, or None."""
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def json(self) -> Any:
        """The decoded body parsed as JSON; raises ValueError when it is not JSON."""
        if not self._parsed:
            self._parsed.append(json.loads(self.content))
        return self._parsed[0]

    def json_or_none(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return self.json()
        except ValueError:
            return None


def _decode(raw: bytes, coding: str | None) -> tuple[bytes, str | None]:
    if coding is None or coding.strip().lower() in ("", "identity"):
        return raw, None
    if coding.strip().lower() != "gzip":
        return raw, f"unknown coding {coding!r}"
    try:
        return gzip.decompress(raw), None
    except (OSError, EOFError, zlib.error) as exc:
        return raw, f"not valid gzip: {exc}"


def _lowered(response: httpx.Response) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in response.headers.multi_items():
        headers.setdefault(name.lower(), []).append(value)
    return headers


class Client:
    """Posts to one target's operation and records every exchange."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        tokens: Mapping[str, str],
        transport: Mapping[str, Any] | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """`tokens` may be a live mapping (renewed OAuth tokens); `transport`: httpx.Client
        keyword arguments (TLS, proxies, pacing); `headers` go on every request unless the
        request sets the same header itself."""
        self._url = base_url.rstrip("/") + OPERATION_PATH
        self._tokens = tokens
        self._extra = headers
        # The timeout bounds each read; a body that keeps trickling is bounded as a whole.
        self._body_seconds = timeout * _BODY_TIMEOUTS
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout), follow_redirects=False, **dict(transport or {})
        )
        for name in _OMITTED_DEFAULTS:
            self._http.headers.pop(name, None)

    @staticmethod
    def _read(response: httpx.Response, request: SentRequest, *, deadline: float) -> bytes:
        """The raw body; a body that trickles in past the deadline counts as no answer."""
        chunks = []
        for chunk in response.iter_raw():
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise TransportProblem("the body trickled in past the timeout", request)
        return b"".join(chunks)

    @property
    def url(self) -> str:
        """The operation's absolute URL."""
        return self._url

    def close(self) -> None:
        """Close every pooled connection."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def post(
        self,
        body: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        identity: str | None = "TOKEN",
        authorization: str | None = None,
        plain_body: bytes | None = None,
    ) -> Exchange:
        """POST `body` with `headers` as the given identity (None: no credentials)."""
        sent: dict[str, str] = {"Content-Type": "application/json"}
        if authorization is not None:
            sent["Authorization"] = authorization
        elif identity is not None:
            sent["Authorization"] = f"Bearer {self._tokens[identity]}"
        own = {name.lower() for name in headers or {}}
        sent.update((name, value) for name, value in self._extra if name.lower() not in own)
        sent.update(headers or {})
        request = SentRequest("POST", self._url, sent, body, identity, plain_body)
        wire = [(name.encode("ascii"), value.encode("utf-8")) for name, value in sent.items()]
        started = time.monotonic()
        try:
            with self._http.stream("POST", self._url, content=body, headers=wire) as response:
                # From the answer's head on: time spent waiting out throttling does not count.
                deadline = time.monotonic() + self._body_seconds
                raw = self._read(response, request, deadline=deadline)
        except httpx.TimeoutException as exc:
            raise TransportProblem(
                f"no answer within the timeout ({type(exc).__name__})", request
            ) from exc
        except httpx.HTTPError as exc:
            raise TransportProblem(f"{type(exc).__name__}: {exc}", request) from exc
        headers_seen = _lowered(response)
        coding = headers_seen.get("content-encoding", [None])[0]
        content, problem = _decode(raw, coding)
        return Exchange(
            request=request,
            status_code=response.status_code,
            headers=headers_seen,
            raw=raw,
            content=content,
            decode_error=problem,
            elapsed=time.monotonic() - started,
            header_names=tuple(name.decode("latin-1") for name, _ in response.headers.raw),
        )
