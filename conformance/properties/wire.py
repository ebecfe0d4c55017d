"""One POST over a plain socket, read to EOF, for checks the HTTP client would pre-empt.

The request says `Connection: close`, so the server ends the answer by closing: every byte it
sent after the header block is the body, whatever Content-Length claimed. Over https the
socket is wrapped in the run's `ssl.SSLContext` (or the default one).
"""

from __future__ import annotations

import socket
import ssl
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from conformance.transport import Throttle

__all__ = ["RawRoute", "post_over_socket"]

_CHUNK = 65536
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class RawRoute:
    """How the run's plain-socket requests reach the target, as its HTTP clients do.

    The same TLS trust, the same extra headers, the same pace and patience with throttled
    answers; a target reached through a proxy is not reached at all, since the proxy frames
    the bytes anew and the socket would judge the proxy instead.
    """

    ssl_context: ssl.SSLContext | None = None
    headers: tuple[tuple[str, str], ...] = ()
    throttle: Throttle = field(default_factory=Throttle)

    @staticmethod
    def proxied(url: str) -> bool:
        """Whether the environment sends requests to `url` through a proxy."""
        parts = urlsplit(url)
        proxies = urllib.request.getproxies()
        if parts.scheme not in proxies and "all" not in proxies:
            return False
        return not urllib.request.proxy_bypass(parts.hostname or "")


def post_over_socket(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float,
    ssl_context: ssl.SSLContext | None = None,
) -> bytes:
    """Everything the server sent back for one POST of `body` to `url`, until it closed.

    Raises OSError (a timeout included) when the server does not answer or close in time.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or _DEFAULT_PORTS[parts.scheme]
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    request = "\r\n".join(lines).encode("utf-8") + body
    deadline = time.monotonic() + timeout
    with socket.create_connection((host, port), timeout=timeout) as plain:
        conn: socket.socket = plain
        if parts.scheme == "https":
            context = ssl_context if ssl_context is not None else ssl.create_default_context()
            conn = context.wrap_socket(plain, server_hostname=host)
        with conn:
            conn.sendall(request)
            chunks = []
            while chunk := conn.recv(_CHUNK):
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError("the answer trickled in past the timeout")
            return b"".join(chunks)
