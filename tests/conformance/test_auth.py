"""The auth, transport and rejection checks, called directly on constructed exchanges."""

from __future__ import annotations

import pytest

from conformance.checks.auth import bad_credentials_rejected, unauthorized_has_challenge
from conformance.checks.rejections import (
    invalid_body_rejected,
    invalid_track_id_rejected,
    longest_track_id_accepted,
)
from conformance.checks.transport import answers_every_request, no_server_error
from conformance.client import TransportProblem
from conformance.failures import (
    AuthViolation,
    ContractViolation,
    ErrorBodyViolation,
    HeaderViolation,
    NoAnswer,
)
from tests._conformance_fixtures import exchange, schemathesis_pair, sent, zuora_profile

CHALLENGE = {
    "WWW-Authenticate": "Basic realm=Zuora API, ZSession realm=Zuora API, Bearer realm=Zuora API"
}
UNAUTHORIZED = {"message": "Authentication error"}
INVALID = {"success": False, "processId": "P1", "reasons": [{"code": 53600022, "message": "m"}]}


def test_unauthorized_has_challenge() -> None:
    good = exchange(401, UNAUTHORIZED, headers=CHALLENGE)
    unauthorized_has_challenge(None, good, good.request)
    for answer in (
        exchange(401, UNAUTHORIZED),
        exchange(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Basic realm=x"}),
        exchange(401, {"message": "no", "fulfillments": []}, headers=CHALLENGE),
    ):
        with pytest.raises(AuthViolation):
            unauthorized_has_challenge(None, answer, answer.request)


def test_unauthorized_has_challenge_on_schemathesis_responses() -> None:
    response, case = schemathesis_pair(401, UNAUTHORIZED)
    with pytest.raises(AuthViolation):
        unauthorized_has_challenge(None, response, case)
    response, case = schemathesis_pair(200, {"success": True})
    unauthorized_has_challenge(None, response, case)


def test_bad_credentials_rejected() -> None:
    bad_credentials_rejected(exchange(401, UNAUTHORIZED, headers=CHALLENGE), "an unknown token")
    for status, body in (
        (200, {"success": True, "fulfillments": []}),
        (400, INVALID),
        (403, {"code": 1}),
    ):
        with pytest.raises(AuthViolation) as failure:
            bad_credentials_rejected(exchange(status, body), "an unknown token")
        assert failure.value.title == "an unknown token not rejected with 401"
    with pytest.raises(AuthViolation):
        bad_credentials_rejected(
            exchange(401, {"success": True, "fulfillments": []}), "Basic credentials"
        )


def test_answers_every_request() -> None:
    answers_every_request(None)
    with pytest.raises(NoAnswer) as failure:
        answers_every_request(TransportProblem("no answer within the timeout", sent()))
    assert failure.value.requests == (sent(),)


def test_no_server_error() -> None:
    no_server_error(exchange(400, INVALID))
    with pytest.raises(ContractViolation):
        no_server_error(exchange(502, b"Bad Gateway"))


def test_invalid_track_id_rejected_wants_400_and_any_4xx_for_zuora() -> None:
    invalid_track_id_rejected(exchange(400, INVALID, request_headers={"Zuora-Track-Id": "a:b"}))
    with pytest.raises(HeaderViolation):
        invalid_track_id_rejected(
            exchange(200, {"success": True}, request_headers={"Zuora-Track-Id": "a:b"})
        )
    with pytest.raises(HeaderViolation):
        invalid_track_id_rejected(exchange(422, INVALID))
    with zuora_profile():
        invalid_track_id_rejected(exchange(422, INVALID))


def test_invalid_body_rejected_wants_400_and_allows_zuoras_soft_failure() -> None:
    invalid_body_rejected(exchange(400, INVALID), "missing quantity")
    soft = exchange(200, INVALID)
    with pytest.raises(ErrorBodyViolation) as failure:
        invalid_body_rejected(soft, "missing quantity")
    assert failure.value.title == "Body with missing quantity not rejected with 400"
    with pytest.raises(ErrorBodyViolation):
        invalid_body_rejected(
            exchange(200, {"success": True, "fulfillments": []}), "missing quantity"
        )
    with zuora_profile():
        invalid_body_rejected(soft, "missing quantity")
        with pytest.raises(ErrorBodyViolation):
            invalid_body_rejected(exchange(422, INVALID), "missing quantity")


def test_longest_track_id_accepted() -> None:
    longest = {"Zuora-Track-Id": "t" * 64}
    longest_track_id_accepted(exchange(200, {"success": True}, request_headers=longest))
    with pytest.raises(HeaderViolation):
        longest_track_id_accepted(exchange(400, INVALID, request_headers=longest))
