"""The CLI over a real socket: streaming limits, exactly-once under 50 concurrent retries,
restarts after SIGKILL, graceful SIGTERM, several workers and several processes on one file."""

from __future__ import annotations

import asyncio
import gzip
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from tests._server_fixtures import ServerProcess, assert_conforms, body, serve

LIMIT = 4 * 1024 * 1024
AUTH = {"Authorization": "Bearer dev-token", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("socket")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[ServerProcess]:
    with serve("--store", f"sqlite:///{folder / 'store.db'}", folder=folder) as running:
        yield running


def _post(url: str, payload: bytes, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
    with (
        httpx.Client(timeout=10) as client,
        client.stream(
            "POST", f"{url}/v1/fulfillments", content=payload, headers={**AUTH, **headers}
        ) as response,
    ):
        raw = b"".join(response.iter_raw())
    assert_conforms(response, raw)
    return httpx.Response(response.status_code, headers=response.headers, content=raw), raw


def _count(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM fulfillments").fetchone()[0])
    finally:
        conn.close()


def _read_response(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_create_replay_and_gzip_over_a_socket(server: ServerProcess) -> None:
    payload = orjson.dumps(body(15, runBilling=True))
    first, raw = _post(
        server.url, payload, {"Idempotency-Key": "socket-1", "Accept-Encoding": "gzip"}
    )
    assert first.status_code == 200
    assert first.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == first.content
    again, _ = _post(
        server.url,
        gzip.compress(payload),
        {"Idempotency-Key": "socket-1", "Content-Encoding": "gzip", "Accept-Encoding": "identity"},
    )
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"


def test_413_arrives_before_the_rest_of_a_chunked_body_is_sent(server: ServerProcess) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/fulfillments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dev-token\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b" " * 65536
        for _ in range(LIMIT // len(chunk) + 2):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        answer = _read_response(sock, timeout=5)  # the body never ends: only an early 413 arrives
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_content_length_over_the_limit_is_refused_at_once(server: ServerProcess) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/fulfillments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dev-token\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (LIMIT + 1)
        )
        answer = _read_response(sock, timeout=5)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_50_concurrent_requests_with_one_key_create_once(
    server: ServerProcess, folder: Path
) -> None:
    payload = orjson.dumps(body(3, runBilling=True, collectPayment=True))
    db = folder / "store.db"
    before = _count(db)

    async def burst() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            return list(
                await asyncio.gather(
                    *(
                        client.post(
                            f"{server.url}/v1/fulfillments",
                            content=payload,
                            headers={**AUTH, "Idempotency-Key": "burst"},
                        )
                        for _ in range(50)
                    )
                )
            )

    responses = asyncio.run(burst())
    for response in responses:
        assert_conforms(response)
    statuses = {r.status_code for r in responses}
    assert statuses <= {200, 409}
    successes = [r for r in responses if r.status_code == 200]
    assert successes
    assert len({(r.content, r.headers["zuora-request-id"]) for r in successes}) == 1
    assert _count(db) - before == 3


def test_headers_and_rejections_over_a_socket(server: ServerProcess) -> None:
    payload = orjson.dumps(body())
    echoed, _ = _post(server.url, payload, {"Zuora-Track-Id": "t" * 64})
    assert echoed.headers["zuora-track-id"] == "t" * 64
    assert int(echoed.headers["ratelimit-remaining"]) < int(echoed.headers["ratelimit-limit"])
    spaced, _ = _post(server.url, payload, {"Zuora-Track-Id": "trace 1/2"})
    assert spaced.headers["Zuora-Track-Id"] == "trace 1/2"
    for bad in ("t" * 65, "a:b", "a\tb"):
        rejected, _ = _post(server.url, payload, {"Zuora-Track-Id": bad})
        assert rejected.status_code == 400
        assert "zuora-track-id" not in rejected.headers
    unauthorized, _ = _post(server.url, payload, {"Authorization": "Basic ZGV2"})
    assert unauthorized.status_code == 401
    assert unauthorized.headers["www-authenticate"].startswith("Basic realm=Zuora API")
    forbidden, _ = _post(server.url, payload, {"Zuora-Org-Ids": "elsewhere"})
    assert forbidden.status_code == 403
    media, _ = _post(server.url, payload, {"Content-Type": "text/plain"})
    assert media.status_code == 415
    coding, _ = _post(server.url, payload, {"Content-Encoding": "br"})
    assert coding.headers["accept-encoding"] == "gzip, identity"
    malformed, _ = _post(server.url, b"{", {})
    assert malformed.json()["reasons"][0]["code"] == 53600090
    _post(server.url, payload, {"Idempotency-Key": "socket-h"})
    mismatch, _ = _post(server.url, orjson.dumps(body(2)), {"Idempotency-Key": "socket-h"})
    assert mismatch.status_code == 422
