"""Size limits under hostile uploads, over a real socket: early 413s, gzip bombs, cut-off bodies.

| upload                                  | expected                                            |
|-----------------------------------------|-----------------------------------------------------|
| 20 MB, with Content-Length or chunked   | 413 before the client has sent it all               |
| exactly 4 MiB / one byte more           | processed / 413                                     |
| gzip inflating to 2 GiB (one or two     | 413, and the server's memory grows by under 50 MB   |
| codings deep)                           |                                                     |
| body shorter than its Content-Length,   | the server lets go of the request: its concurrency  |
| then the client closes or half-closes   | slot is free again, nothing hangs                   |
"""

from __future__ import annotations

import asyncio
import gzip
import select
import socket
import time
from collections.abc import Mapping
from typing import Any

import pytest

from refserver._compression import GzipPolicy
from refserver._errors import Problem
from tests._hostile_fixtures import (
    ANSWER_SECONDS,
    GOOD_BODY,
    LiveServer,
    RawResponse,
    assert_http_layer_rejection,
    assert_zuora_error,
    build_request,
    module_server,
    read_response,
)
from tests._server_fixtures import assert_conforms, contract

server = module_server()

LIMIT = contract().policies.max_request_bytes
HUGE = 20 * 1024 * 1024  # bytes the client means to send, five times the limit
CHUNK = 64 * 1024
RSS_GROWTH_KIB = 50 * 1024  # the server may grow by less than 50 MB while refusing a bomb
CONCURRENCY = 200  # the development tenant's concurrent-request limit


def _head(*, chunked: bool, coding: bytes | None = None, length: int = HUGE) -> bytes:
    lines = [
        b"POST /v1/fulfillments HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Authorization: Bearer dev-token",
        b"Content-Type: application/json",
    ]
    if coding is not None:
        lines.append(b"Content-Encoding: " + coding)
    lines.append(b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % length)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _upload(server: LiveServer, head: bytes, pieces: list[bytes]) -> tuple[int, RawResponse | None]:
    """Send `head` then `pieces` until the server answers or closes; bytes sent and the answer."""
    sent = 0
    with server.connect() as sock:
        started = time.monotonic()
        sock.sendall(head)
        for piece in pieces:
            if select.select([sock], [], [], 0)[0]:
                break  # the answer (or the close) is already here
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                return sent, None
            sent += len(piece)
        try:
            return sent, read_response(sock, started=started, timeout=ANSWER_SECONDS)
        except ConnectionResetError:
            return sent, None


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_20_mb_gets_413_before_the_client_has_sent_it(server: LiveServer, chunked: bool) -> None:
    blank = b" " * CHUNK
    piece = b"%x\r\n" % CHUNK + blank + b"\r\n" if chunked else blank
    sent, response = _upload(server, _head(chunked=chunked), [piece] * (HUGE // CHUNK))
    assert sent < HUGE, "the server read the whole 20 MB before refusing it"
    if response is not None:  # a server may also just close the line early
        assert_zuora_error(response, 413, 20)
    server.assert_healthy()


def test_exactly_the_limit_is_served_and_one_byte_more_is_413(server: LiveServer) -> None:
    at_limit = GOOD_BODY + b" " * (LIMIT - len(GOOD_BODY))
    response = server.send(build_request(at_limit))
    assert response.status == 200
    assert_conforms(response.as_httpx())
    assert_zuora_error(server.send(build_request(at_limit + b" ")), 413, 20)


def test_the_limit_holds_after_gzip_decoding(server: LiveServer) -> None:
    at_limit = GOOD_BODY + b" " * (LIMIT - len(GOOD_BODY))
    coding = (b"Content-Encoding", b"gzip")
    assert server.post(gzip.compress(at_limit), coding).status == 200
    assert_zuora_error(server.post(gzip.compress(at_limit + b" "), coding), 413, 20)


def _bombs() -> list[object]:
    member = gzip.compress(b"\0" * (1 << 20), 9)  # 1 MiB of zeros in about 1 KB
    single = member * 2048  # 2 GiB once inflated, about 2 MB on the wire
    double = gzip.compress(single, 9)  # the same 2 GiB behind two gzip codings, about 5 KB
    return [
        pytest.param(single, b"gzip", id="2GiB-in-2MB"),
        pytest.param(double, b"gzip, gzip", id="2GiB-in-5KB-two-codings"),
    ]


@pytest.mark.parametrize(("bomb", "coding"), _bombs())
def test_gzip_bombs_get_413_in_bounded_memory(
    server: LiveServer, bomb: bytes, coding: bytes
) -> None:
    server.assert_healthy()  # warm: the first request loads what every request needs
    rss_before, peak_before = server.memory_kib()
    head = _head(chunked=False, coding=coding, length=len(bomb))
    pieces = [bomb[i : i + CHUNK] for i in range(0, len(bomb), CHUNK)]
    _, response = _upload(server, head, pieces)
    assert response is not None, "the server closed without answering"
    assert_zuora_error(response, 413, 20)
    rss_after, peak_after = server.memory_kib()
    assert rss_after - rss_before < RSS_GROWTH_KIB, (rss_before, rss_after)
    assert peak_after - max(peak_before, rss_before) < RSS_GROWTH_KIB, (peak_before, peak_after)
    server.assert_healthy()


def _remaining_slots(server: LiveServer) -> int:
    """The tenant's free concurrency slots seen by a normal request (itself excluded)."""
    remaining = server.assert_healthy().header("concurrency-limit-remaining")
    assert remaining is not None
    return int(remaining) + 1


def _slots_free_again(server: LiveServer) -> bool:
    deadline = time.monotonic() + ANSWER_SECONDS
    while time.monotonic() < deadline:
        if _remaining_slots(server) == CONCURRENCY:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("how", ["close", "half-close"])
def test_a_body_cut_short_is_let_go_when_the_client_gives_up(server: LiveServer, how: str) -> None:
    sock = server.connect()
    try:
        sock.sendall(_head(chunked=False, length=1000) + b'{"fulfillments":')
        deadline = time.monotonic() + ANSWER_SECONDS
        while _remaining_slots(server) != CONCURRENCY - 1:  # the cut request holds a slot
            assert time.monotonic() < deadline, "the cut-short request never took a slot"
            time.sleep(0.05)
        if how == "half-close":
            sock.shutdown(socket.SHUT_WR)
            sock.settimeout(ANSWER_SECONDS)
            answer = sock.recv(1 << 16)  # b"" is a close; anything else must be an answer
            assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:200]
    finally:
        sock.close()
    assert _slots_free_again(server), "the abandoned request still holds its slot"


def test_a_body_that_stops_arriving_is_refused_in_bounded_time() -> None:
    """A client gone silent mid-body (a partition sends no FIN) must not hold its request forever.

    In process with a short deadline, so the test is quick; the soak checks the real default
    over a socket (`--silent-client`).
    """
    policy = GzipPolicy(contract(), body_seconds=0.2)
    sent = [{"type": "http.request", "body": b'{"fulfillments":', "more_body": True}]

    async def receive() -> Mapping[str, Any]:
        if sent:
            return sent.pop()
        await asyncio.Event().wait()  # nothing more ever comes
        raise AssertionError("unreachable")

    started = time.monotonic()
    with pytest.raises(Problem) as raised:
        asyncio.run(policy.read_body({"content-length": "1000"}, receive))
    assert raised.value.status == 400
    assert [category for category, _ in raised.value.reasons] == [20]
    assert time.monotonic() - started < ANSWER_SECONDS


def test_malformed_chunk_sizes_are_refused_by_the_http_layer(server: LiveServer) -> None:
    request = _head(chunked=True) + b"zz\r\n" + GOOD_BODY + b"\r\n0\r\n\r\n"
    assert_http_layer_rejection(server.send(request))
    server.assert_healthy()
