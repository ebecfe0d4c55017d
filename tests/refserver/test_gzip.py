"""Content codings both ways and the 4 MiB limits, in process."""

from __future__ import annotations

import gzip
import random
import zlib

import httpx
import orjson
import pytest

from refserver._compression import _SMALL_BODY, GzipPolicy, wants_gzip
from tests._server_fixtures import InProcess, assert_conforms, body, contract, in_process

pytestmark = pytest.mark.anyio

LIMIT = 4 * 1024 * 1024
BIG = 15  # fulfillments whose 200 body is well over 1000 bytes


async def _raw(
    app: InProcess, payload: bytes, headers: dict[str, str]
) -> tuple[httpx.Response, bytes]:
    """POST and return the response with its raw (still coded) body bytes."""
    sent = {"Authorization": "Bearer dev-token", "Content-Type": "application/json", **headers}
    async with app.client.stream(
        "POST", "/v1/fulfillments", content=payload, headers=sent
    ) as streamed:
        raw = b"".join([chunk async for chunk in streamed.aiter_raw()])
    assert_conforms(streamed, raw)
    return httpx.Response(streamed.status_code, headers=streamed.headers, content=raw), raw


@pytest.mark.parametrize(
    ("accept", "coded"),
    [
        ("gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("*", True),
        ("br;q=1, *;q=0.1", True),
        ("GZIP", True),
        ("identity", False),
        ("gzip;q=0", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("deflate, br", False),
    ],
)
async def test_large_bodies_are_gzipped_only_when_asked(accept: str, coded: bool) -> None:
    async with in_process() as app:
        response, raw = await _raw(app, orjson.dumps(body(BIG)), {"Accept-Encoding": accept})
        assert response.status_code == 200
        assert len(response.content) > 1000
        assert (response.headers.get("content-encoding") == "gzip") is coded
        assert response.headers["vary"] == "Accept-Encoding"
        if coded:
            assert gzip.decompress(raw) == response.content


async def test_small_bodies_are_never_gzipped() -> None:
    async with in_process() as app:
        response, raw = await _raw(app, orjson.dumps(body()), {"Accept-Encoding": "gzip"})
        assert len(raw) <= 1000
        assert "content-encoding" not in response.headers


def test_threshold_is_over_1000_bytes() -> None:
    policy = GzipPolicy(contract())
    plain, headers = policy.encode(b"x" * 1000, "gzip")
    assert plain == b"x" * 1000
    assert headers == (("Vary", "Accept-Encoding"),)
    coded, headers = policy.encode(b"x" * 1001, "gzip")
    assert gzip.decompress(coded) == b"x" * 1001
    assert ("Content-Encoding", "gzip") in headers
    assert not wants_gzip(None)
    assert wants_gzip("x-gzip")
    assert not wants_gzip("gzip;q=oops")


def _gzip_with(payload: bytes, mem_level: int) -> bytes:
    packer = zlib.compressobj(5, zlib.DEFLATED, 16 + zlib.MAX_WBITS, mem_level)
    return packer.compress(payload) + packer.flush()


@pytest.mark.parametrize(
    ("size", "mem_level"),
    [(1_700, 4), (_SMALL_BODY, 4), (_SMALL_BODY + 1, 8), (100_000, 8)],
)
def test_small_and_large_bodies_round_trip_with_their_own_zlib_state(
    size: int, mem_level: int
) -> None:
    payload = bytes(random.Random(size).choices(b"0123456789abcdef", k=size))  # like ids
    coded, headers = GzipPolicy(contract()).encode(payload, "gzip")
    assert ("Content-Encoding", "gzip") in headers
    assert gzip.decompress(coded) == payload
    other = 12 - mem_level  # 4 <-> 8: the two settings give different bytes for this payload
    assert _gzip_with(payload, mem_level) != _gzip_with(payload, other)
    assert coded == _gzip_with(payload, mem_level)


async def test_replays_are_coded_per_request() -> None:
    async with in_process() as app:
        payload = orjson.dumps(body(BIG))
        first, _ = await _raw(app, payload, {"Accept-Encoding": "gzip", "Idempotency-Key": "k"})
        again, raw = await _raw(
            app, payload, {"Accept-Encoding": "identity", "Idempotency-Key": "k"}
        )
        assert first.headers["content-encoding"] == "gzip"
        assert "content-encoding" not in again.headers
        assert raw == first.content


async def test_gzip_request_bodies_count_as_the_plain_body() -> None:
    async with in_process() as app:
        payload = orjson.dumps(body(2))
        coded, _ = await _raw(
            app, gzip.compress(payload), {"Content-Encoding": "gzip", "Idempotency-Key": "k"}
        )
        plain, _ = await _raw(
            app, payload, {"Content-Encoding": "identity", "Idempotency-Key": "k"}
        )
        assert coded.status_code == 200
        assert plain.headers["idempotent-replayed"] == "true"
        assert plain.content == coded.content
        members = gzip.compress(payload[:10]) + gzip.compress(payload[10:])
        several, _ = await _raw(app, members, {"Content-Encoding": "gzip", "Idempotency-Key": "k"})
        assert several.headers["idempotent-replayed"] == "true"
        twice, _ = await _raw(
            app,
            gzip.compress(gzip.compress(payload)),
            {"Content-Encoding": "gzip, gzip", "Idempotency-Key": "k"},
        )
        assert twice.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize(
    "coded",
    [
        b"not gzip at all",
        b"",
        gzip.compress(b'{"fulfillments": []}')[:-6],
        gzip.compress(b'{"fulfillments": []}') + b"garbage",
        b"\x1f\x8b\x08\x00" + b"\x00" * 20,
    ],
)
async def test_corrupt_gzip_gets_400_and_is_not_stored(coded: bytes) -> None:
    async with in_process() as app:
        response, _ = await _raw(app, coded, {"Content-Encoding": "gzip", "Idempotency-Key": "k"})
        assert response.status_code == 400
        assert "gzip" in response.json()["reasons"][0]["message"]
        retry, _ = await _raw(app, orjson.dumps(body()), {"Idempotency-Key": "k"})
        assert retry.status_code == 200


@pytest.mark.parametrize("coding", ["br", "deflate", "compress", "gzip, br", "zstd"])
async def test_other_codings_get_415_with_accept_encoding(coding: str) -> None:
    async with in_process() as app:
        response, _ = await _raw(app, orjson.dumps(body()), {"Content-Encoding": coding})
        assert response.status_code == 415
        assert response.headers["accept-encoding"] == "gzip, identity"


async def test_bodies_up_to_4_mib_are_read_and_larger_ones_get_413() -> None:
    async with in_process() as app:
        document = orjson.dumps(body())
        exact = document[:-1] + b" " * (LIMIT - len(document)) + b"}"
        assert len(exact) == LIMIT
        ok, _ = await _raw(app, exact, {})
        assert ok.status_code == 200
        over, _ = await _raw(app, exact + b" ", {})
        assert over.status_code == 413
        inflated, _ = await _raw(app, gzip.compress(exact), {"Content-Encoding": "gzip"})
        assert inflated.status_code == 200


async def test_gzip_bombs_get_413() -> None:
    async with in_process() as app:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        bomb = packer.compress(b"{" + b" " * (8 * LIMIT)) + packer.flush()
        assert len(bomb) < LIMIT // 100
        response, _ = await _raw(app, bomb, {"Content-Encoding": "gzip"})
        assert response.status_code == 413
        assert "decompressed" in response.json()["reasons"][0]["message"]
