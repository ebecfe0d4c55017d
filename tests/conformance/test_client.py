"""The suite's raw-bytes client on a real socket: what it sends, keeps, and when it gives up."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from conformance.client import Client, TransportProblem

BODY = b'{"success":true,"fulfillments":[]}'
_TRICKLE_SECONDS = 0.3  # between two bytes of a trickling body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    seen: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        _Handler.seen.append({name.lower(): value for name, value in self.headers.items()})
        if self.path.endswith("/trickle/v1/fulfillments"):
            self._trickle()
            return
        payload = gzip.compress(BODY, mtime=0)  # no timestamp: the test compares bytes
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _trickle(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(_TRICKLE_SECONDS)
        except OSError:
            return

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@contextmanager
def _server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_client_sends_only_the_headers_it_is_given_and_keeps_the_raw_bytes() -> None:
    _Handler.seen.clear()
    with _server() as url, Client(url, timeout=5, tokens={"TOKEN": "dev-token"}) as client:
        answer = client.post(b"{}", headers={"Zuora-Track-Id": "t-1"})
    sent = _Handler.seen[-1]
    assert "accept-encoding" not in sent
    assert sent["authorization"] == "Bearer dev-token"
    assert sent["zuora-track-id"] == "t-1"
    assert answer.raw == gzip.compress(BODY, mtime=0)
    assert answer.content == BODY
    assert answer.decode_error is None
    assert answer.json() == {"success": True, "fulfillments": []}
    assert answer.header("Content-Encoding") == "gzip"


def test_client_sends_non_ascii_header_values_as_utf8() -> None:
    _Handler.seen.clear()
    with _server() as url, Client(url, timeout=5, tokens={"TOKEN": "dev-token"}) as client:
        client.post(b"{}", headers={"Zuora-Track-Id": "café"}, identity=None)
    sent = _Handler.seen[-1]
    assert sent["zuora-track-id"].encode("latin-1") == "café".encode()
    assert "authorization" not in sent


def test_a_trickling_body_counts_as_no_answer() -> None:
    with _server() as url, Client(url + "/trickle", timeout=0.5, tokens={}) as client:
        started = time.monotonic()
        with pytest.raises(TransportProblem, match="trickled"):
            client.post(b"{}", identity=None)
    assert time.monotonic() - started < 10 * _TRICKLE_SECONDS + 1.5
