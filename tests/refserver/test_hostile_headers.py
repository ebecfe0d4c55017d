"""Hostile request headers over a real socket, written byte for byte where httpx would refuse.

| header bytes                                   | who answers     | answer                   |
|------------------------------------------------|-----------------|--------------------------|
| outside the contract's limits (length, charset) | the app         | 400, category 20, no echo|
| control characters, NUL, bare CR or LF, folding | the HTTP layer  | 400, connection closed   |
| a CR LF that starts a well-formed new header    | the HTTP layer  | two headers, each judged |
| a malformed or unknown `Authorization`          | the app         | 401 + WWW-Authenticate   |

Messages that are not valid HTTP never reach the operation, so their 400 is the HTTP layer's
own (plain text, `Connection: close`); everything that parses as HTTP gets Zuora's shapes.
"""

from __future__ import annotations

import base64
import uuid

import pytest

from tests._hostile_fixtures import (
    GOOD_BODY,
    LiveServer,
    RawResponse,
    assert_http_layer_rejection,
    assert_zuora_error,
    module_server,
)
from tests._server_fixtures import assert_conforms

server = module_server()

LIMIT = 8192  # the contract's x-policies maxHeaderValueLength
TRACK = b"Zuora-Track-Id"
KEY = b"Idempotency-Key"
WWW = "Basic realm=Zuora API, ZSession realm=Zuora API, Bearer realm=Zuora API"


def _marked(middle: bytes) -> bytes:
    """A header value with a unique marker, so an echo anywhere in the answer is found."""
    return b"mk" + uuid.uuid4().hex[:8].encode("ascii") + middle


def _echoes(response: RawResponse, value: bytes) -> bool:
    marker = value[:10].decode("latin-1")
    return marker in response.body.decode("latin-1") or any(
        marker in v for _, v in response.headers
    )


APP_REJECTED = [
    pytest.param(TRACK, b"t" * 65, id="track-65-chars"),
    pytest.param(TRACK, b" \tspace", id="track-space-and-tab"),
    pytest.param(TRACK, b":colon", id="track-colon"),
    pytest.param(TRACK, b";semicolon", id="track-semicolon"),
    pytest.param(TRACK, b'"quote', id="track-double-quote"),
    pytest.param(TRACK, b"'apostrophe", id="track-apostrophe"),
    pytest.param(TRACK, b"\ttab", id="track-tab"),
    pytest.param(TRACK, b"\xe9t\xe9", id="track-obs-text"),
    pytest.param(TRACK, b"\xc3\xa9t\xc3\xa9", id="track-utf8"),
    pytest.param(TRACK, b"t" * 16_384, id="track-16k"),
    pytest.param(KEY, b"k" * 256, id="key-256-chars"),
    pytest.param(KEY, b"k" * 9000, id="key-9000-chars"),
    pytest.param(KEY, b"k" * 16_384, id="key-16k"),
    pytest.param(KEY, b" space", id="key-space"),
    pytest.param(KEY, b"\ttab", id="key-tab"),
    pytest.param(KEY, b"\xe9t\xe9", id="key-obs-text"),
    pytest.param(b"X-Big", b"x" * 16_384, id="other-16k"),
    pytest.param(b"X-Big", b"x" * (1 << 20), id="other-1mb"),
    pytest.param(b"Zuora-Version", b"v" * 65, id="version-65"),
    pytest.param(b"Zuora-Entity-Ids", b"e" * 1025, id="entities-1025"),
]


@pytest.mark.parametrize(("name", "middle"), APP_REJECTED)
def test_values_outside_the_contract_get_400_and_are_never_echoed(
    server: LiveServer, name: bytes, middle: bytes
) -> None:
    value = _marked(middle)
    response = server.post(GOOD_BODY, (name, value))
    assert_zuora_error(response, 400, 20)
    assert response.header("zuora-track-id") is None
    assert not _echoes(response, value)
    server.assert_healthy()


@pytest.mark.parametrize("name", [TRACK, KEY])
def test_an_empty_value_gets_400(server: LiveServer, name: bytes) -> None:
    assert_zuora_error(server.post(GOOD_BODY, (name, b"")), 400, 20)
    server.assert_healthy()


def test_a_repeated_track_id_is_one_value_joined_by_a_comma(server: LiveServer) -> None:
    """RFC 9110 joins repeated fields with ", "; inner spaces are allowed, so it is echoed."""
    response = server.post(GOOD_BODY, (TRACK, b"first"), (TRACK, b"second"))
    assert response.status == 200
    assert response.header("zuora-track-id") == "first, second"
    overlong = server.post(GOOD_BODY, (TRACK, b"a" * 40), (TRACK, b"b" * 40))
    assert_zuora_error(overlong, 400, 20)  # joined, it is longer than 64 characters
    assert overlong.header("zuora-track-id") is None


def test_a_key_split_by_crlf_is_refused_and_stores_nothing(server: LiveServer) -> None:
    first, second = uuid.uuid4().hex.encode(), uuid.uuid4().hex.encode()
    smuggled = first + b"\r\nIdempotency-Key: " + second
    assert_zuora_error(server.post(GOOD_BODY, (KEY, smuggled)), 400, 20)
    for key in (first, second):
        fresh = server.post(GOOD_BODY, (KEY, key))
        assert fresh.status == 200
        assert fresh.header("idempotent-replayed") is None


def test_crlf_in_a_track_id_cannot_inject_a_response_header(server: LiveServer) -> None:
    response = server.post(GOOD_BODY, (TRACK, b"trk-ok\r\nX-Injected: yes"))
    assert response.status == 200
    assert response.header("zuora-track-id") == "trk-ok"
    assert response.header("x-injected") is None
    assert_conforms(response.as_httpx())


HTTP_LAYER = [
    pytest.param((TRACK, b"a\x01b"), id="track-ctl-01"),
    pytest.param((TRACK, b"a\x00b"), id="track-nul"),
    pytest.param((TRACK, b"a\x7fb"), id="track-del"),
    pytest.param((TRACK, b"a\rb"), id="track-bare-cr"),
    pytest.param((TRACK, b"a\nb"), id="track-bare-lf"),
    pytest.param((TRACK, b"a\r\n b"), id="track-obs-fold"),
    pytest.param((KEY, b"k\x01k"), id="key-ctl-01"),
    pytest.param((KEY, b"k\x00k"), id="key-nul"),
    pytest.param((KEY, b"k\rk"), id="key-bare-cr"),
    pytest.param((b"X-\xe9", b"v"), id="name-obs-text"),
    pytest.param((b"X Y", b"v"), id="name-space"),
    pytest.param((b"Content-Length", b"5"), id="second-content-length"),
    pytest.param((b"Transfer-Encoding", b"chunked"), id="length-and-chunked"),
]


@pytest.mark.parametrize("header", HTTP_LAYER)
def test_bytes_that_break_http_are_refused_by_the_http_layer(
    server: LiveServer, header: tuple[bytes, bytes]
) -> None:
    response = server.post(GOOD_BODY, header)
    assert_http_layer_rejection(response)
    assert response.header("zuora-track-id") is None
    server.assert_healthy()


@pytest.mark.parametrize(
    "length", [pytest.param(b"-1", id="negative"), pytest.param(b"1x", id="not-a-number")]
)
def test_a_malformed_content_length_is_refused_by_the_http_layer(
    server: LiveServer, length: bytes
) -> None:
    request = (
        b"POST /v1/fulfillments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dev-token\r\n"
        b"Content-Type: application/json\r\nContent-Length: " + length + b"\r\n\r\n" + GOOD_BODY
    )
    assert_http_layer_rejection(server.send(request))
    server.assert_healthy()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param([(b"X-H%d" % i, b"v") for i in range(1000)], id="1000-headers"),
        pytest.param([(b"X-H%d" % i, b"v") for i in range(10_000)], id="10000-headers"),
        pytest.param([(b"X-H%d" % i, b"v" * 8000) for i in range(100)], id="100-of-8k"),
        pytest.param([(b"X-" + b"n" * 16_384, b"v")], id="16k-name"),
    ],
)
def test_many_or_large_headers_within_the_limits_are_served(
    server: LiveServer, headers: list[tuple[bytes, bytes]]
) -> None:
    response = server.post(GOOD_BODY, *headers)
    assert response.status == 200
    assert_conforms(response.as_httpx())


def test_an_over_long_value_under_a_huge_name_gets_a_small_answer(server: LiveServer) -> None:
    response = server.post(GOOD_BODY, (b"X-" + b"n" * 100_000, b"v" * (LIMIT + 1)))
    assert_zuora_error(response, 400, 20)  # checks the size against MAX_ERROR_BODY
    server.assert_healthy()


TOKEN_10K = b"t" * 10_240
BAD_AUTHORIZATION = [
    pytest.param(b"Bearer", id="scheme-only"),
    pytest.param(b"Bearer ", id="scheme-and-space"),
    pytest.param(b"Bearer  x", id="two-spaces-unknown"),
    pytest.param(b"Bearer\tdev-token", id="tab-separator"),
    pytest.param(b"Basic " + base64.b64encode(b"dev-token:"), id="basic"),
    pytest.param(b"Token dev-token", id="other-scheme"),
    pytest.param(b"dev-token", id="no-scheme"),
    pytest.param(b"Bearer DEV-TOKEN", id="token-case-changed"),
    pytest.param(b"Bearer dev-toke", id="prefix-of-a-token"),
    pytest.param(b"Bearer dev-token-2x", id="token-with-suffix"),
    pytest.param(b"Bearer dev-token\xe9", id="obs-text"),
    pytest.param(b"Bearer " + TOKEN_10K, id="10k-token"),
    pytest.param(b"Bearer zr1.e30.AAAA", id="forged-signed-token"),
    pytest.param(b"Bearer zr1.." + b"." * 5000, id="signed-token-of-dots"),
]


@pytest.mark.parametrize("authorization", BAD_AUTHORIZATION)
def test_malformed_or_unknown_credentials_get_401(server: LiveServer, authorization: bytes) -> None:
    response = server.post(GOOD_BODY, authorization=authorization)
    assert_zuora_error(response, 401, 11)
    assert response.header("www-authenticate") == WWW
    assert b"dev-token" not in response.body
    server.assert_healthy()


def test_two_authorization_headers_are_one_unknown_credential(server: LiveServer) -> None:
    response = server.post(GOOD_BODY, (b"Authorization", b"Bearer dev-token-2"))
    assert_zuora_error(response, 401, 11)


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(b"bearer dev-token", id="lower-case-scheme"),
        pytest.param(b"BEARER dev-token", id="upper-case-scheme"),
        pytest.param(b"Bearer  dev-token", id="two-spaces"),
        pytest.param(b"Bearer dev-token ", id="trailing-space"),
    ],
)
def test_the_scheme_is_case_insensitive_and_spaces_are_optional_white_space(
    server: LiveServer, authorization: bytes
) -> None:
    """RFC 9110 11.1: the scheme is case-insensitive (the contract's scheme is `bearer`)."""
    response = server.post(GOOD_BODY, authorization=authorization)
    assert response.status == 200
    assert_conforms(response.as_httpx())
