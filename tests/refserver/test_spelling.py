"""Response header names on the wire, read from a raw socket: spelled as Zuora spells them.

uvicorn's httptools protocol lower-cases every name it is given; the server's protocol writes
Zuora's spelling instead, for its own answers, for replays of records stored with lower-case
names, and for the errors uvicorn writes itself.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from refserver import load_contract
from refserver._idempotency import fingerprint
from refserver._spelling import respell_head, spelled
from refserver.store import Effects, Reservation, ScopedKey, StoredResponse
from refserver.store.sqlite import SqliteStore
from tests._server_fixtures import ServerProcess, body, serve

_OLD_REQUEST_ID = "0f4c2f3e-1111-4222-8333-944455556666"


def _heads(port: int, request: bytes, count: int = 1) -> list[list[str]]:
    """The header lines of the first `count` responses to `request` on one connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        heads: list[list[str]] = []
        while len(heads) < count:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            while b"\r\n\r\n" in data and len(heads) < count:
                head, _, rest = data.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                length = next(
                    (
                        int(x.split(":", 1)[1])
                        for x in lines
                        if x.lower().startswith("content-length")
                    ),
                    0,
                )
                if len(rest) < length:
                    break
                heads.append(lines)
                data = rest[length:]
    return heads


def _names(head: list[str]) -> list[str]:
    return [line.split(":", 1)[0] for line in head[1:]]


def _post(body_bytes: bytes, *headers: str) -> bytes:
    lines = [
        "POST /v1/fulfillments HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Content-Length: {len(body_bytes)}",
        *headers,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body_bytes


async def _store_old_record(path: Path, document: object) -> None:
    """A completed key whose headers were stored in lower case, as older servers stored them."""
    store = await SqliteStore.open(f"sqlite:///{path}")
    try:
        key = ScopedKey("1", "POST", "/v1/fulfillments", "old-record")
        reserved = await store.reserve(key, fingerprint(document), now=0.0, ttl=1e12, lease=30)
        assert isinstance(reserved, Reservation)
        old = StoredResponse(
            status=200,
            headers=(("content-type", "application/json"), ("zuora-request-id", _OLD_REQUEST_ID)),
            body=b'{"success":true,"fulfillments":[]}',
        )
        assert await store.complete(reserved, old, Effects(), now=0.0)
    finally:
        await store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder: Path = tmp_path_factory.mktemp("spelling")
    asyncio.run(_store_old_record(folder / "store.db", body()))
    with serve("--store", f"sqlite:///{folder / 'store.db'}", folder=folder) as running:
        yield running


def _port(server: ServerProcess) -> int:
    return int(server.url.rsplit(":", 1)[1])


def test_a_200_and_a_401_on_one_connection_use_zuoras_names(server: ServerProcess) -> None:
    document = orjson.dumps(body())
    created = _post(document, "Authorization: Bearer dev-token", "Zuora-Track-Id: trace 1/2")
    refused = _post(document, "Authorization: Bearer nobody", "Zuora-Track-Id: t-2")
    ok, unauthorized = _heads(_port(server), created + refused, count=2)
    assert ok[0].startswith("HTTP/1.1 200")
    assert "Zuora-Track-Id: trace 1/2" in ok
    assert {
        "Date",
        "Content-Type",
        "Content-Length",
        "Zuora-Request-Id",
        "Zuora-Track-Id",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "Concurrency-Limit-Limit",
        "Concurrency-Limit-Remaining",
        "Concurrency-Limit-Type",
    } <= set(_names(ok))
    assert unauthorized[0].startswith("HTTP/1.1 401")
    assert {"WWW-Authenticate", "Zuora-Track-Id", "RateLimit-Limit", "RateLimit-Reset"} <= set(
        _names(unauthorized)
    )
    for head in (ok, unauthorized):
        assert all(name == spelled(name) for name in _names(head)), head


def test_a_record_stored_with_lower_case_names_replays_with_zuoras(server: ServerProcess) -> None:
    request = _post(
        orjson.dumps(body()), "Authorization: Bearer dev-token", "Idempotency-Key: old-record"
    )
    (head,) = _heads(_port(server), request)
    assert head[0].startswith("HTTP/1.1 200")
    assert f"Zuora-Request-Id: {_OLD_REQUEST_ID}" in head
    assert "Idempotent-Replayed: true" in head
    assert "Content-Type: application/json" in head
    assert not any(name.islower() for name in _names(head)), head


def test_uvicorns_own_400_uses_capitalised_names(server: ServerProcess) -> None:
    (head,) = _heads(_port(server), b"NOT A REQUEST\r\n\r\n")
    assert head[0].startswith("HTTP/1.1 400")
    assert {"Content-Type", "Content-Length", "Connection"} <= set(_names(head))


def test_respelling_touches_names_only() -> None:
    head = b"HTTP/1.1 200 OK\r\nzuora-track-id: a:b\r\nratelimit-limit: 5\r\nx-thing: 1\r\n\r\nbody"
    assert respell_head(head) == (
        b"HTTP/1.1 200 OK\r\nZuora-Track-Id: a:b\r\nRateLimit-Limit: 5\r\nX-Thing: 1\r\n\r\nbody"
    )
    assert spelled("www-authenticate") == "WWW-Authenticate"
    assert spelled("IDEMPOTENT-REPLAYED") == "Idempotent-Replayed"


def test_names_the_contract_cannot_declare_are_capitalised_as_zuora_writes_them() -> None:
    for name in ("Content-Type", "Content-Length", "Allow", "Cache-Control", "Pragma"):
        assert spelled(name.lower()) == name
        assert spelled(name.upper()) == name


def test_the_server_spells_every_declared_name_as_the_contract_does() -> None:
    names = load_contract().response_header_names
    assert {"RateLimit-Limit", "WWW-Authenticate", "Idempotent-Replayed", "Retry-After"} <= set(
        names
    )
    assert all(spelled(name.lower()) == name for name in names)
