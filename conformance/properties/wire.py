"""One POST over a plain socket, read to EOF, for checks the HTTP client would pre-empt.

The request says `Connection: close`, so the server ends the answer by closing: every byte it
sent after the header block is the body, whatever Content-Length claimed. Over https the
socket is wrapped in the run's `ssl.SSLContext` (or the default one).
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

__all__ = ["post_over_socket"]

_CHUNK = 65536
_DEFAULT_PORTS = {"http": 80, "https": 443}


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
