"""Each content-coding check, called directly on constructed raw exchanges."""

from __future__ import annotations

import gzip
from typing import Any

import pytest

from conformance.checks._judged import NotJudged
from conformance.checks._wire import WireAnswer, parse_answer
from conformance.checks.gzip import (
    accepts_gzip,
    compressed_body_matches_schema,
    content_encoding_honest,
    content_length_matches,
    corrupt_gzip_rejected,
    gzip_large_bodies_compressed,
    gzip_only_when_asked,
    gzip_request_accepted,
    gzip_small_bodies_plain,
    unknown_coding_rejected,
)
from conformance.client import SentRequest
from conformance.failures import GzipViolation
from tests._conformance_fixtures import exchange, json_bytes, zuora_profile

ASK = {"Accept-Encoding": "gzip"}
THRESHOLD = 1000  # the contract's x-policies.gzip.thresholdBytes


def _answer(size: int) -> dict[str, Any]:
    """A 200 body of exactly `size` bytes once encoded."""
    body: dict[str, Any] = {"success": True, "fulfillments": [], "processId": ""}
    body["processId"] = "p" * (size - len(json_bytes(body)))
    assert len(json_bytes(body)) == size
    return body


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("gzip", True),
        ("GZIP", True),
        ("deflate, gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("identity", False),
        ("br, deflate", False),
        ("gzip;q=abc", False),
    ],
)
def test_accepts_gzip_reads_qualities(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_gzip_large_bodies_compressed_fails_on_a_plain_large_body() -> None:
    with pytest.raises(GzipViolation):
        gzip_large_bodies_compressed(exchange(200, _answer(THRESHOLD + 1), request_headers=ASK))
    gzip_large_bodies_compressed(
        exchange(200, _answer(THRESHOLD + 1), request_headers=ASK, gzip_body=True)
    )
    gzip_large_bodies_compressed(exchange(200, _answer(THRESHOLD + 1)))


def test_gzip_small_bodies_plain_fails_on_a_compressed_small_body() -> None:
    with pytest.raises(GzipViolation):
        gzip_small_bodies_plain(
            exchange(200, _answer(THRESHOLD), request_headers=ASK, gzip_body=True)
        )
    gzip_small_bodies_plain(exchange(200, _answer(THRESHOLD), request_headers=ASK))


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br"])
def test_gzip_only_when_asked_fails_on_an_unrequested_compression(accept: str | None) -> None:
    request = {"Accept-Encoding": accept} if accept else {}
    with pytest.raises(GzipViolation):
        gzip_only_when_asked(exchange(200, _answer(2000), request_headers=request, gzip_body=True))
    gzip_only_when_asked(exchange(200, _answer(2000), request_headers=request))


def test_content_encoding_honest_fails_on_a_lying_label() -> None:
    plain = json_bytes(_answer(2000))
    with pytest.raises(GzipViolation):
        content_encoding_honest(
            exchange(200, plain, headers={"Content-Encoding": "gzip"}, request_headers=ASK)
        )
    with pytest.raises(GzipViolation):
        content_encoding_honest(exchange(200, plain, raw=gzip.compress(plain), request_headers=ASK))
    content_encoding_honest(exchange(200, plain, request_headers=ASK, gzip_body=True))
    content_encoding_honest(exchange(200, plain))


def _wire(head: str, body: bytes) -> WireAnswer:
    request = SentRequest("POST", "http://127.0.0.1:1/v1/fulfillments", {}, b"{}")
    return parse_answer(request, head.replace("\n", "\r\n").encode("ascii") + b"\r\n" + body)


def test_content_length_matches_the_bytes_the_socket_carried() -> None:
    coded = gzip.compress(json_bytes(_answer(2000)))
    head = f"HTTP/1.1 200 OK\nContent-Encoding: gzip\nContent-Length: {len(coded)}\n"
    assert content_length_matches(_wire(head, coded)) is None
    with pytest.raises(GzipViolation):
        content_length_matches(_wire("HTTP/1.1 200 OK\nContent-Length: 2000\n", coded))
    with pytest.raises(GzipViolation):
        content_length_matches(_wire(f"HTTP/1.1 200 OK\nContent-Length: {len(coded) + 7}\n", coded))


def test_content_length_matches_judges_nothing_without_a_declared_length() -> None:
    chunked = _wire("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n", b"2\r\n{}\r\n0\r\n\r\n")
    assert isinstance(content_length_matches(chunked), NotJudged)
    assert isinstance(content_length_matches(_wire("HTTP/1.1 200 OK\n", b"{}")), NotJudged)


def test_compressed_body_matches_schema_reads_the_decompressed_json() -> None:
    compressed_body_matches_schema(
        exchange(200, {"success": True, "fulfillments": []}, request_headers=ASK, gzip_body=True)
    )
    with pytest.raises(GzipViolation):
        compressed_body_matches_schema(
            exchange(200, {"success": "yes"}, request_headers=ASK, gzip_body=True)
        )
    with pytest.raises(GzipViolation):
        compressed_body_matches_schema(
            exchange(200, b"not json", request_headers=ASK, gzip_body=True)
        )


def test_gzip_request_accepted_compares_answers_modulo_made_up_ids() -> None:
    def created(fulfillment_id: str) -> dict[str, Any]:
        entry = {"id": fulfillment_id, "fulfillmentNumber": "F-1", "fulfillmentItems": []}
        return {"success": True, "fulfillments": [entry], "invoiceNumbers": None}

    plain = exchange(200, created("a" * 32))
    gzip_request_accepted(
        plain, exchange(200, created("b" * 32), request_headers={"Content-Encoding": "gzip"})
    )
    with pytest.raises(GzipViolation):
        gzip_request_accepted(
            plain, exchange(400, {"success": False}, request_headers={"Content-Encoding": "gzip"})
        )
    with pytest.raises(GzipViolation):
        gzip_request_accepted(plain, exchange(200, {"success": True, "fulfillments": []}))


def test_corrupt_gzip_rejected_wants_400_and_any_4xx_for_zuora() -> None:
    corrupt_gzip_rejected(exchange(400, {"success": False}))
    for status in (200, 415, 500):
        with pytest.raises(GzipViolation):
            corrupt_gzip_rejected(exchange(status, {}))
    with zuora_profile():
        corrupt_gzip_rejected(exchange(415, {}))
        with pytest.raises(GzipViolation):
            corrupt_gzip_rejected(exchange(500, {}))


def test_unknown_coding_rejected_wants_415() -> None:
    unknown_coding_rejected(exchange(415, {"success": False}))
    with pytest.raises(GzipViolation):
        unknown_coding_rejected(
            exchange(400, {"success": False}, request_headers={"Content-Encoding": "br"})
        )
