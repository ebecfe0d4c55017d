"""Hostile request bodies over a real socket: each gets Zuora's error, and the server stays well.

| body                                   | status | category                   |
|----------------------------------------|--------|----------------------------|
| not JSON, invalid UTF-8, NaN, 1e400    | 400    | 90 malformed JSON          |
| nesting deeper than the server handles | 400    | 90 (never a recursion 500) |
| JSON that is not an object             | 400    | 20 invalid value           |
| an over-long value, unknown fields     | 400    | 20 / 21, answer stays small|
| gzip label on plain or truncated bytes | 400    | 20                         |
| a content coding other than gzip       | 415    | 20, with Accept-Encoding   |
| a media type other than JSON           | 415    | 20                         |
"""

from __future__ import annotations

import gzip
import math

import orjson
import pytest

from tests._hostile_fixtures import GOOD_BODY, LiveServer, assert_zuora_error, module_server
from tests._server_fixtures import assert_conforms, body, fulfillment

server = module_server()

DEEP = 100_000  # levels: far past any parser's stack, where a recursive parser would crash
BIG_VALUE = 3_000_000  # bytes: a value most of the 4 MiB limit long


def _nested_custom_fields(levels: int) -> bytes:
    """A valid request whose customFields nest `levels` objects deep."""
    inner = b'{"a":' * levels + b"1" + b"}" * levels
    return GOOD_BODY.replace(b'"quantity"', b'"customFields":' + inner + b',"quantity"')


MALFORMED = [
    pytest.param(b'{"fulfillments":', id="unterminated"),
    pytest.param(GOOD_BODY + b"x", id="trailing-garbage"),
    pytest.param(GOOD_BODY + GOOD_BODY, id="two-documents"),
    pytest.param(b"", id="empty"),
    pytest.param(b"  \r\n\t ", id="white-space-only"),
    pytest.param(GOOD_BODY.replace(b"2022-01-01", b"2022-\xff\xfe-01"), id="invalid-utf8"),
    pytest.param(b"\xef\xbb\xbf" + GOOD_BODY, id="byte-order-mark"),
    pytest.param(GOOD_BODY.decode().encode("utf-16"), id="utf16"),
    pytest.param(GOOD_BODY.replace(b'"2022-01-01"', b'"\\ud800"'), id="lone-surrogate"),
    pytest.param(GOOD_BODY.replace(b"2022-01-01", b"2022\x01-01-01"), id="raw-control-char"),
    pytest.param(GOOD_BODY.replace(b":5}", b":1e400}"), id="1e400"),
    pytest.param(GOOD_BODY.replace(b":5}", b":-1e400}"), id="minus-1e400"),
    pytest.param(GOOD_BODY.replace(b":5}", b":" + b"9" * 5000 + b"}"), id="5000-digits"),
    pytest.param(GOOD_BODY.replace(b":5}", b":NaN}"), id="NaN"),
    pytest.param(GOOD_BODY.replace(b":5}", b":Infinity}"), id="Infinity"),
    pytest.param(GOOD_BODY.replace(b":5}", b":-Infinity}"), id="minus-Infinity"),
    pytest.param(b"[" * DEEP + b"]" * DEEP, id="100k-arrays"),
    pytest.param(b'{"a":' * DEEP + b"1" + b"}" * DEEP, id="100k-objects"),
    pytest.param(_nested_custom_fields(DEEP), id="100k-in-customFields"),
    pytest.param(_nested_custom_fields(300), id="300-in-customFields"),
    pytest.param(_nested_custom_fields(1000), id="1000-in-customFields"),
]


@pytest.mark.parametrize("payload", MALFORMED)
def test_malformed_json_gets_400_category_90(server: LiveServer, payload: bytes) -> None:
    assert_zuora_error(server.post(payload), 400, 90)
    server.assert_healthy()


@pytest.mark.parametrize(
    ("payload", "category"),
    [
        pytest.param(b"[]", 20, id="array"),
        pytest.param(b'"fulfillments"', 20, id="string"),
        pytest.param(b"42", 20, id="number"),
        pytest.param(b"null", 20, id="null"),
        pytest.param(b"true", 20, id="boolean"),
        pytest.param(b"{}", 22, id="empty-object"),
        pytest.param(b'{"fulfillments":[]}', 22, id="no-fulfillments"),
    ],
)
def test_json_that_is_not_a_request_gets_400(
    server: LiveServer, payload: bytes, category: int
) -> None:
    assert_zuora_error(server.post(payload), 400, category)
    server.assert_healthy()


@pytest.mark.parametrize(
    ("document", "category"),
    [
        pytest.param([["x" * BIG_VALUE]], 20, id="root-array-of-a-huge-string"),
        pytest.param(
            {"fulfillments": [fulfillment(description="d" * BIG_VALUE)]}, 20, id="huge-description"
        ),
        pytest.param(
            {"fulfillments": [fulfillment(quantity="q" * 100_000)] * 30}, 20, id="30-huge-errors"
        ),
        pytest.param({**body(), **{f"k{i}": 1 for i in range(200_000)}}, 21, id="200k-unknown"),
        pytest.param({**body(), "k" * BIG_VALUE: 1}, 21, id="huge-unknown-name"),
    ],
)
def test_error_answers_stay_small_whatever_the_request(
    server: LiveServer, document: object, category: int
) -> None:
    payload = orjson.dumps(document)
    response = server.post(payload)
    assert_zuora_error(response, 400, category)  # checks the size against MAX_ERROR_BODY
    server.assert_healthy()


def test_duplicate_keys_mean_the_last_value_as_in_common_json_parsers(
    server: LiveServer,
) -> None:
    """RFC 8259 leaves duplicate names to the parser; the server reads the last, consistently."""
    item = orjson.dumps(fulfillment())
    last_valid = b'{"fulfillments":[],"fulfillments":[' + item + b"]}"
    last_empty = b'{"fulfillments":[' + item + b'],"fulfillments":[]}'
    created = server.post(last_valid)
    assert created.status == 200
    assert_conforms(created.as_httpx())
    assert_zuora_error(server.post(last_empty), 400, 22)
    server.assert_healthy()


def test_quantities_whose_bill_overflows_a_double_are_still_billed(server: LiveServer) -> None:
    """Each quantity is a valid double and the contract accepts them; only their sum is not."""
    document = {
        "fulfillments": [fulfillment(quantity=1.7e308)] * 2,
        "processingOptions": {"runBilling": True, "collectPayment": True},
    }
    response = server.post(orjson.dumps(document))
    assert response.status == 200, response.body[:300]
    assert_conforms(response.as_httpx())
    paid = response.json()["paidAmount"]
    assert isinstance(paid, float)
    assert math.isfinite(paid)
    server.assert_healthy()


def test_nul_escapes_inside_strings_are_ordinary_text(server: LiveServer) -> None:
    payload = orjson.dumps(
        {"fulfillments": [fulfillment(description="a\u0000b", externalId="\u0000")]}
    )
    response = server.post(payload)
    assert response.status == 200
    assert_conforms(response.as_httpx())


@pytest.mark.parametrize(
    ("payload", "coding", "status"),
    [
        pytest.param(GOOD_BODY, b"gzip", 400, id="gzip-label-on-plain-bytes"),
        pytest.param(gzip.compress(GOOD_BODY)[:-12], b"gzip", 400, id="truncated-gzip"),
        pytest.param(gzip.compress(GOOD_BODY)[:10], b"gzip", 400, id="gzip-header-only"),
        pytest.param(gzip.compress(GOOD_BODY) + b"junk", b"gzip", 400, id="gzip-then-junk"),
        pytest.param(GOOD_BODY, b"br", 415, id="br"),
        pytest.param(GOOD_BODY, b"deflate", 415, id="deflate"),
        pytest.param(GOOD_BODY, b"compress", 415, id="compress"),
        pytest.param(gzip.compress(GOOD_BODY), b"gzip, br", 415, id="gzip-then-br"),
        pytest.param(GOOD_BODY, b"\xe9t\xe9", 415, id="obs-text-coding"),
        pytest.param(GOOD_BODY, b"", 415, id="empty-coding"),
    ],
)
def test_bad_content_codings(
    server: LiveServer, payload: bytes, coding: bytes, status: int
) -> None:
    response = server.post(payload, (b"Content-Encoding", coding))
    assert_zuora_error(response, status, 20)
    if status == 415:
        assert response.header("accept-encoding") == "gzip, identity"
    server.assert_healthy()


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param(None, id="missing"),
        pytest.param(b"", id="empty"),
        pytest.param(b"text/plain", id="text-plain"),
        pytest.param(b"application/x-www-form-urlencoded", id="form"),
        pytest.param(b"multipart/form-data; boundary=x", id="multipart"),
        pytest.param(b"application/jsonx", id="jsonx"),
        pytest.param(b"application/json; charset=latin-1", id="latin-1-charset"),
        pytest.param(b"application/json; charset=utf-8; charset=latin1", id="two-charsets"),
        pytest.param(b"application/json; charset=\xff", id="obs-text-charset"),
        pytest.param(b"application/json; q=" + b"1" * 4000, id="long-parameter"),
    ],
)
def test_other_media_types_get_415(server: LiveServer, content_type: bytes | None) -> None:
    assert_zuora_error(server.post(GOOD_BODY, content_type=content_type), 415, 20)
    server.assert_healthy()


def test_media_type_names_are_case_insensitive(server: LiveServer) -> None:
    response = server.post(GOOD_BODY, content_type=b"APPLICATION/JSON; Charset=UTF-8")
    assert response.status == 200
