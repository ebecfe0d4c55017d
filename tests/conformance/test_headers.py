"""Each header check, called directly on constructed responses: it fails when it should."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conformance.checks.headers import (
    concurrency_limit_headers_well_formed,
    content_type_json,
    invalid_track_id_not_echoed,
    rate_limit_headers_well_formed,
    request_id_present,
    track_id_echoed,
    vary_accept_encoding,
)
from conformance.client import Exchange
from conformance.failures import ContractViolation, HeaderViolation
from tests._conformance_fixtures import exchange, schemathesis_pair, zuora_profile

TRACK = "order-sync-7f3a"


def _judge(check: object, answer: Exchange) -> None:
    check(None, answer, answer.request)  # type: ignore[operator]


def test_track_id_echoed_passes_when_the_value_comes_back_unchanged() -> None:
    _judge(
        track_id_echoed,
        exchange(headers={"Zuora-Track-Id": TRACK}, request_headers={"Zuora-Track-Id": TRACK}),
    )
    _judge(track_id_echoed, exchange())


@pytest.mark.parametrize(
    ("sent", "returned"),
    [(TRACK, None), (TRACK, TRACK.upper()), (None, TRACK), ("x" * 64, "x" * 63)],
    ids=["dropped", "changed", "invented", "truncated-64"],
)
def test_track_id_echoed_fails_when_not_echoed_exactly(
    sent: str | None, returned: str | None
) -> None:
    answer = exchange(
        headers={"Zuora-Track-Id": returned} if returned else {},
        request_headers={"Zuora-Track-Id": sent} if sent else {},
    )
    with pytest.raises(HeaderViolation) as failure:
        _judge(track_id_echoed, answer)
    assert "\n" not in failure.value.title
    assert failure.value.message.startswith("Expected: ")
    assert "\nReceived: " in failure.value.message


def test_track_id_echoed_leaves_invalid_ids_to_the_invalid_check() -> None:
    _judge(track_id_echoed, exchange(status=400, request_headers={"Zuora-Track-Id": "a:b"}))


def test_track_id_echoed_works_on_schemathesis_responses() -> None:
    response, case = schemathesis_pair(
        200,
        {"success": True},
        headers={"Zuora-Track-Id": "other"},
        request_headers={"Zuora-Track-Id": TRACK},
    )
    with pytest.raises(HeaderViolation):
        track_id_echoed(None, response, case)
    response, case = schemathesis_pair(
        200,
        {"success": True},
        headers={"Zuora-Track-Id": TRACK},
        request_headers={"Zuora-Track-Id": TRACK},
    )
    track_id_echoed(None, response, case)


@pytest.mark.parametrize("invalid", ["x" * 65, "a:b", "a;b", 'a"b', "a'b", "café"])
def test_invalid_track_id_not_echoed_fails_on_an_echo(invalid: str) -> None:
    with pytest.raises(HeaderViolation):
        _judge(
            invalid_track_id_not_echoed,
            exchange(
                400,
                headers={"Zuora-Track-Id": invalid},
                request_headers={"Zuora-Track-Id": invalid},
            ),
        )
    _judge(invalid_track_id_not_echoed, exchange(400, request_headers={"Zuora-Track-Id": invalid}))


def test_invalid_track_id_not_echoed_ignores_valid_ids() -> None:
    _judge(
        invalid_track_id_not_echoed,
        exchange(headers={"Zuora-Track-Id": TRACK}, request_headers={"Zuora-Track-Id": TRACK}),
    )


@pytest.mark.parametrize("value", [None, "short", "x" * 37])
def test_request_id_present_fails_without_one_36_character_id(value: str | None) -> None:
    with pytest.raises(HeaderViolation):
        _judge(request_id_present, exchange(headers={"Zuora-Request-Id": value}))


def test_request_id_present_passes_on_a_uuid() -> None:
    _judge(request_id_present, exchange())


@pytest.mark.parametrize(
    "headers",
    [
        {"RateLimit-Remaining": "-1"},
        {"RateLimit-Reset": "soon"},
        {"RateLimit-Limit": "100", "RateLimit-Remaining": "101"},
        {"RateLimit-Limit": "lots", "RateLimit-Remaining": "1"},
    ],
    ids=["negative", "not-a-number", "remaining-over-limit", "limit-not-a-quota"],
)
def test_rate_limit_headers_well_formed_fails_on_bad_values(headers: dict[str, str]) -> None:
    with pytest.raises(HeaderViolation):
        _judge(rate_limit_headers_well_formed, exchange(headers=headers))


def test_rate_limit_headers_well_formed_passes_on_zuora_values() -> None:
    good = {"RateLimit-Limit": "50000", "RateLimit-Remaining": "49999", "RateLimit-Reset": "42"}
    _judge(rate_limit_headers_well_formed, exchange(headers=good))
    _judge(
        rate_limit_headers_well_formed, exchange(headers={"RateLimit-Limit": "50000, 50000;w=60"})
    )
    _judge(rate_limit_headers_well_formed, exchange())


def test_rate_limit_headers_well_formed_relaxes_the_limit_syntax_for_zuora() -> None:
    answer = exchange(headers={"RateLimit-Limit": "lots", "RateLimit-Remaining": "1"})
    with zuora_profile():
        _judge(rate_limit_headers_well_formed, answer)


@pytest.mark.parametrize(
    "headers",
    [
        {"Concurrency-Limit-Limit": "many"},
        {"Concurrency-Limit-Limit": "10", "Concurrency-Limit-Remaining": "11"},
        {"Concurrency-Limit-Type": " "},
    ],
    ids=["not-a-number", "remaining-over-limit", "empty-type"],
)
def test_concurrency_limit_headers_well_formed_fails_on_bad_values(headers: dict[str, str]) -> None:
    with pytest.raises(HeaderViolation):
        _judge(concurrency_limit_headers_well_formed, exchange(headers=headers))


def test_concurrency_limit_headers_well_formed_passes_on_good_values() -> None:
    good = {
        "Concurrency-Limit-Limit": "200",
        "Concurrency-Limit-Remaining": "199",
        "Concurrency-Limit-Type": "Default",
    }
    _judge(concurrency_limit_headers_well_formed, exchange(headers=good))


@pytest.mark.parametrize("value", [None, "text/plain", "application/problem+json"])
def test_content_type_json_fails_on_other_media_types(value: str | None) -> None:
    with pytest.raises(HeaderViolation):
        _judge(content_type_json, exchange(headers={"Content-Type": value}))


def test_content_type_json_accepts_parameters() -> None:
    _judge(content_type_json, exchange(headers={"Content-Type": "application/json; charset=utf-8"}))


@pytest.mark.parametrize("value", [None, "Accept-Language", "Origin, Accept"])
def test_vary_accept_encoding_fails_when_not_named(value: str | None) -> None:
    with pytest.raises(HeaderViolation):
        _judge(vary_accept_encoding, exchange(headers={"Vary": value}))


@pytest.mark.parametrize("value", ["Accept-Encoding", "origin, accept-encoding", "*"])
def test_vary_accept_encoding_passes_when_named(value: str) -> None:
    _judge(vary_accept_encoding, exchange(headers={"Vary": value}))


@pytest.mark.parametrize(
    "check",
    [track_id_echoed, request_id_present, content_type_json, vary_accept_encoding],
)
def test_header_checks_ignore_methods_outside_the_contract(check: object) -> None:
    bare = exchange(405, headers={"Content-Type": None, "Vary": None, "Zuora-Request-Id": None})
    patch = replace(bare, request=replace(bare.request, method="PATCH"))
    _judge(check, patch)
    with pytest.raises(ContractViolation):
        _judge(check, replace(bare, headers={**bare.headers, "zuora-track-id": ["invented"]}))
