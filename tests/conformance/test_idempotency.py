"""Each idempotency and key judge, called directly on constructed exchanges."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.idempotency import (
    concurrent_requests_create_once,
    conflict_has_retry_after,
    failed_response_replayed,
    key_reuse_with_other_body_rejected,
    replay_body_matches,
    replay_headers_match,
    replay_ignores_json_formatting,
    replay_marker_present,
    replay_status_matches,
    request_id_fresh,
)
from conformance.checks.keys import (
    longest_key_accepted,
    longest_key_length,
    malformed_key_rejected,
    other_tenant_never_sees_response,
    other_tenant_not_blocked,
    overlong_key_rejected,
    shortest_key_accepted,
)
from conformance.client import Exchange
from conformance.failures import IdempotencyViolation
from tests._conformance_fixtures import exchange, zuora_profile

OTHER_ID = "0a1b2c3d-0000-4000-8000-000000000001"
REPLAYED = {"Idempotent-Replayed": "true"}
INVALID = {"success": False, "processId": "P1", "reasons": [{"code": 53600022, "message": "m"}]}


def _created(*ids: str) -> dict[str, Any]:
    entries = [
        {"id": i, "fulfillmentNumber": f"F-{n}", "fulfillmentItems": []} for n, i in enumerate(ids)
    ]
    return {"success": True, "fulfillments": entries, "invoiceNumbers": None}


FIRST = _created("a" * 32)


def test_replay_status_matches() -> None:
    replay_status_matches(exchange(200, FIRST), exchange(200, FIRST, headers=REPLAYED))
    with pytest.raises(IdempotencyViolation):
        replay_status_matches(exchange(200, FIRST), exchange(409, INVALID))


def test_replay_body_matches_byte_for_byte_and_json_equal_for_zuora() -> None:
    first = exchange(200, FIRST)
    respaced = exchange(200, b'{"success": true, "fulfillments": ' + b"[]" + b"}")
    replay_body_matches(first, exchange(200, FIRST, headers=REPLAYED))
    with pytest.raises(IdempotencyViolation):
        replay_body_matches(first, exchange(200, _created("b" * 32)))
    compact = exchange(200, {"success": True, "fulfillments": []})
    with pytest.raises(IdempotencyViolation):
        replay_body_matches(compact, respaced)
    with zuora_profile():
        replay_body_matches(compact, respaced)


def test_replay_headers_match_compares_the_stored_headers() -> None:
    first = exchange(200, FIRST)
    replay_headers_match(first, exchange(200, FIRST, headers=REPLAYED))
    new_id = exchange(200, FIRST, headers={"Zuora-Request-Id": OTHER_ID})
    with pytest.raises(IdempotencyViolation):
        replay_headers_match(first, new_id)
    with zuora_profile():
        replay_headers_match(first, new_id)
        with pytest.raises(IdempotencyViolation):
            replay_headers_match(first, exchange(200, FIRST, headers={"Content-Type": "text/json"}))


def test_replay_marker_present() -> None:
    replay_marker_present(exchange(200, FIRST), exchange(200, FIRST, headers=REPLAYED))
    with pytest.raises(IdempotencyViolation):
        replay_marker_present(exchange(200, FIRST), exchange(200, FIRST))
    with pytest.raises(IdempotencyViolation):
        replay_marker_present(
            exchange(200, FIRST, headers=REPLAYED), exchange(200, FIRST, headers=REPLAYED)
        )


def test_replay_ignores_json_formatting() -> None:
    replay_ignores_json_formatting(exchange(200, FIRST), exchange(200, FIRST, headers=REPLAYED))
    with pytest.raises(IdempotencyViolation):
        replay_ignores_json_formatting(exchange(200, FIRST), exchange(422, INVALID))


def test_failed_response_replayed() -> None:
    failed_response_replayed(exchange(400, INVALID), exchange(400, INVALID, headers=REPLAYED))
    with pytest.raises(IdempotencyViolation):
        failed_response_replayed(exchange(400, INVALID), exchange(200, FIRST))
    with pytest.raises(IdempotencyViolation):
        failed_response_replayed(
            exchange(400, INVALID), exchange(400, {**INVALID, "processId": "P2"})
        )
    with pytest.raises(IdempotencyViolation):
        failed_response_replayed(exchange(200, FIRST), exchange(200, FIRST))


def test_key_reuse_with_other_body_rejected_wants_422() -> None:
    key_reuse_with_other_body_rejected(exchange(200, FIRST), exchange(422, INVALID))
    for status, body in ((200, FIRST), (409, INVALID), (400, INVALID)):
        with pytest.raises(IdempotencyViolation):
            key_reuse_with_other_body_rejected(exchange(200, FIRST), exchange(status, body))


def _race(*answers: tuple[int, dict[str, Any]]) -> list[Exchange]:
    return [
        exchange(status, body, headers={"Retry-After": "1"} if status == 409 else {})
        for status, body in answers
    ]


def test_concurrent_requests_create_once() -> None:
    settled = exchange(200, FIRST, headers=REPLAYED)
    concurrent_requests_create_once(_race((200, FIRST), (409, INVALID), (200, FIRST)), settled)
    concurrent_requests_create_once(_race((409, INVALID), (409, INVALID)), settled)
    with pytest.raises(IdempotencyViolation):
        concurrent_requests_create_once(_race((200, FIRST), (200, _created("b" * 32))), settled)
    with pytest.raises(IdempotencyViolation):
        concurrent_requests_create_once(_race((200, FIRST), (500, INVALID)), settled)
    with pytest.raises(IdempotencyViolation):
        concurrent_requests_create_once(_race((200, FIRST)), exchange(200, _created("c" * 32)))
    with pytest.raises(IdempotencyViolation):
        concurrent_requests_create_once(_race((409, INVALID)), exchange(409, INVALID))


def test_conflict_has_retry_after() -> None:
    conflict_has_retry_after(_race((200, FIRST), (409, INVALID)))
    with pytest.raises(IdempotencyViolation):
        conflict_has_retry_after([exchange(200, FIRST), exchange(409, INVALID)])
    with pytest.raises(IdempotencyViolation):
        conflict_has_retry_after([exchange(409, INVALID, headers={"Retry-After": "soon"})])


def test_request_id_fresh() -> None:
    request_id_fresh(
        [exchange(200, FIRST), exchange(200, FIRST, headers={"Zuora-Request-Id": OTHER_ID})]
    )
    with pytest.raises(IdempotencyViolation):
        request_id_fresh([exchange(200, FIRST), exchange(400, INVALID)])


def _keyed(status: int, key: str, body: Any = None) -> Exchange:
    return exchange(status, body or FIRST, request_headers={"Idempotency-Key": key})


def test_overlong_key_rejected_wants_400_and_any_4xx_for_zuora() -> None:
    overlong_key_rejected(_keyed(400, "k" * 256, INVALID))
    with pytest.raises(IdempotencyViolation):
        overlong_key_rejected(_keyed(200, "k" * 256))
    with pytest.raises(IdempotencyViolation):
        overlong_key_rejected(_keyed(422, "k" * 256, INVALID))
    with zuora_profile():
        overlong_key_rejected(_keyed(422, "k" * 256, INVALID))


def test_longest_key_accepted_and_its_length_per_profile() -> None:
    assert longest_key_length() == 255
    longest_key_accepted(_keyed(200, "k" * 255))
    with pytest.raises(IdempotencyViolation):
        longest_key_accepted(_keyed(400, "k" * 255, INVALID))
    with zuora_profile():
        assert longest_key_length() == 254


def test_shortest_key_accepted_counts_a_422_as_recognised() -> None:
    shortest_key_accepted(_keyed(200, "k"))
    shortest_key_accepted(_keyed(422, "k", INVALID))
    with pytest.raises(IdempotencyViolation):
        shortest_key_accepted(_keyed(400, "k", INVALID))


@pytest.mark.parametrize("key", ["", "two words", "café"])
def test_malformed_key_rejected(key: str) -> None:
    malformed_key_rejected(_keyed(400, key, INVALID))
    with pytest.raises(IdempotencyViolation):
        malformed_key_rejected(_keyed(200, key))


def test_other_tenant_never_sees_response() -> None:
    own = exchange(200, FIRST)
    other_tenant_never_sees_response(own, exchange(200, _created("b" * 32)))
    other_tenant_never_sees_response(own, exchange(422, INVALID))
    with pytest.raises(IdempotencyViolation):
        other_tenant_never_sees_response(own, exchange(200, FIRST))
    with pytest.raises(IdempotencyViolation):
        other_tenant_never_sees_response(own, exchange(200, _created("b" * 32), headers=REPLAYED))


def test_other_tenant_not_blocked_compares_with_a_fresh_key() -> None:
    control = exchange(200, _created("b" * 32))
    other_tenant_not_blocked(control, exchange(200, _created("c" * 32)))
    with pytest.raises(IdempotencyViolation):
        other_tenant_not_blocked(control, exchange(422, INVALID))
