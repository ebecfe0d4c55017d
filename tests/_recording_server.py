"""A real HTTP server on a loopback port that records each request and answers from a queue.

The generated client is tested over a real socket against it: what goes out is read back from
the wire, and every documented response of the contract is served as raw bytes.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["CannedResponse", "RecordedRequest", "RecordingServer", "recording_server"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived on the socket."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class CannedResponse:
    """One response to send: status, headers and body bytes (optionally gzip-coded on the wire)."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    gzip_coded: bool = False


@dataclass
class RecordingServer:
    """The base URL, the requests seen so far, and the responses still to send."""

    base_url: str
    requests: list[RecordedRequest] = field(default_factory=list)
    responses: list[CannedResponse] = field(default_factory=list)


def _handler_for(state: RecordingServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            state.requests.append(RecordedRequest("POST", self.path, headers, body))
            canned = state.responses.pop(0)
            payload = gzip.compress(canned.body) if canned.gzip_coded else canned.body
            self.send_response(canned.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            if canned.gzip_coded:
                self.send_header("Content-Encoding", "gzip")
            for name, value in canned.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    return Handler


@contextmanager
def recording_server() -> Iterator[RecordingServer]:
    """Serve on a free loopback port for the duration of the block."""
    state = RecordingServer(base_url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
