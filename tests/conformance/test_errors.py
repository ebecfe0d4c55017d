"""Each error-body check, called directly on constructed responses."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks.errors import (
    documented_error_shape,
    error_shape,
    nothing_produced_is_null,
    reason_codes_well_formed,
    success_true_on_200,
)
from conformance.client import Exchange
from conformance.failures import ErrorBodyViolation
from tests._conformance_fixtures import exchange, schemathesis_pair, zuora_profile

ZUORA_400 = {
    "success": False,
    "processId": "CBCFED6580B4E076",
    "reasons": [{"code": 53600022, "message": "'quantity' is required"}],
}


def _judge(check: object, answer: Exchange) -> None:
    check(None, answer, answer.request)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, ZUORA_400),
        (400, {**ZUORA_400, "reasons": [{"code": "53600022", "message": "as a string"}]}),
        (401, {"message": "Authentication error"}),
        (403, {"code": 90000010, "message": "Zuora-Org-Ids names orgs the token cannot reach"}),
        (200, {"success": True, "fulfillments": []}),
    ],
)
def test_documented_error_shape_passes_on_zuora_bodies(status: int, body: Any) -> None:
    _judge(documented_error_shape, exchange(status, body))


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"error": "bad request"}),
        (400, {**ZUORA_400, "success": True}),
        (400, {**ZUORA_400, "processId": None}),
        (400, {**ZUORA_400, "reasons": []}),
        (400, {**ZUORA_400, "reasons": [{"message": "no code"}]}),
        (400, b"<html>bad request</html>"),
        (401, {"error": "unauthorized"}),
        (403, {"code": "90000010", "message": "code must be an integer"}),
        (403, {"message": "no code"}),
    ],
)
def test_documented_error_shape_fails_on_other_bodies(status: int, body: Any) -> None:
    with pytest.raises(ErrorBodyViolation):
        _judge(documented_error_shape, exchange(status, body))


def test_documented_error_shape_works_on_schemathesis_responses() -> None:
    response, case = schemathesis_pair(401, {"detail": "no"})
    with pytest.raises(ErrorBodyViolation):
        documented_error_shape(None, response, case)


@pytest.mark.parametrize("status", [404, 409, 413, 415, 422, 429, 500])
def test_error_shape_holds_every_other_error_to_the_400_shape(status: int) -> None:
    _judge(error_shape, exchange(status, ZUORA_400))
    with pytest.raises(ErrorBodyViolation):
        _judge(error_shape, exchange(status, {"detail": "problem+json style"}))


def test_error_shape_leaves_the_documented_statuses_alone() -> None:
    _judge(error_shape, exchange(401, {"message": "Authentication error"}))


@pytest.mark.parametrize(
    "code",
    [53600022, "53600022", 90000011, 61000060, 53600099],
)
def test_reason_codes_well_formed_passes_on_zuora_codes(code: object) -> None:
    _judge(
        reason_codes_well_formed,
        exchange(400, {**ZUORA_400, "reasons": [{"code": code, "message": "m"}]}),
    )


@pytest.mark.parametrize(
    "code",
    [5360002, "5360002x", 153600022, 13600022, 53600012, True, None, 5.36e7],
    ids=["7-digits", "letters", "9-digits", "resource-1", "category-12", "bool", "null", "float"],
)
def test_reason_codes_well_formed_fails_on_other_codes(code: object) -> None:
    with pytest.raises(ErrorBodyViolation):
        _judge(
            reason_codes_well_formed,
            exchange(400, {**ZUORA_400, "reasons": [{"code": code, "message": "m"}]}),
        )


def test_reason_codes_well_formed_reads_the_403_code() -> None:
    with pytest.raises(ErrorBodyViolation):
        _judge(reason_codes_well_formed, exchange(403, {"code": 403, "message": "forbidden"}))


def test_reason_codes_well_formed_reads_only_documented_bodies_for_zuora() -> None:
    odd = exchange(409, {**ZUORA_400, "reasons": [{"code": 1, "message": "m"}]})
    with pytest.raises(ErrorBodyViolation):
        _judge(reason_codes_well_formed, odd)
    with zuora_profile():
        _judge(reason_codes_well_formed, odd)


@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "reasons": [{"code": 53600022, "message": "m"}]},
        {"fulfillments": []},
        b"[]",
    ],
)
def test_success_true_on_200_fails_without_success_true(body: Any) -> None:
    with pytest.raises(ErrorBodyViolation):
        _judge(success_true_on_200, exchange(200, body))


def test_success_true_on_200_passes_on_success_and_ignores_errors() -> None:
    _judge(success_true_on_200, exchange(200, {"success": True, "fulfillments": []}))
    _judge(success_true_on_200, exchange(400, ZUORA_400))


@pytest.mark.parametrize(
    "changes",
    [
        {"invoiceNumbers": []},
        {"creditMemoNumbers": []},
        {"paidAmount": 0},
        {"paidAmount": 12.5, "paymentNumber": None},
    ],
)
def test_nothing_produced_is_null_fails_on_empty_lists_and_unpaid_amounts(
    changes: dict[str, Any],
) -> None:
    body = {"success": True, "fulfillments": [], "paymentNumber": None, **changes}
    with pytest.raises(ErrorBodyViolation):
        _judge(nothing_produced_is_null, exchange(200, body))


def test_nothing_produced_is_null_passes_on_zuoras_nulls_and_real_documents() -> None:
    nothing = {
        "success": True,
        "fulfillments": [],
        "invoiceNumbers": None,
        "creditMemoNumbers": None,
        "paymentNumber": None,
        "paidAmount": None,
    }
    billed = {
        **nothing,
        "invoiceNumbers": ["INV00000001"],
        "paymentNumber": "P-00000001",
        "paidAmount": 0,
    }
    for body in (nothing, billed, {"success": True, "fulfillments": []}):
        _judge(nothing_produced_is_null, exchange(200, body))
    _judge(nothing_produced_is_null, exchange(400, {**ZUORA_400, "invoiceNumbers": []}))
