"""Error-body checks: Zuora's three shapes, its reason codes, and `success` and nulls on a 200.

| status            | shape                                                    | guards    |
|-------------------|----------------------------------------------------------|-----------|
| 400               | `{success: false, processId, reasons: [{code, message}]}` | Zuora     |
| 401               | `{message}`                                              | Zuora     |
| 403               | `{code, message}`                                        | Zuora     |
| other 4xx and 5xx | the 400 shape                                            | published |

A reason code is 8 digits: a 6-digit resource code (5xxxxx and 6xxxxx for resources, 9xxxxx
for authentication) and a 2-digit category from Zuora's error model, as a number or a string.

A 200 says `success: true`, and reports what was not produced with `null` (never `[]` or `0`),
as Zuora's real responses do: `invoiceNumbers`, `creditMemoNumbers`, and `paidAmount` when no
payment was collected.
"""

from __future__ import annotations

from typing import Any

from conformance.checks._judged import NotJudged, not_judged
from conformance.checks._read import (
    NOT_JSON,
    RequestLike,
    ResponseLike,
    body_of,
    is_operation,
    shown,
)
from conformance.context import active
from conformance.failures import ErrorBodyViolation
from conformance.profiles import Guard, relaxed, skipped
from conformance.registry import response_check

__all__ = [
    "ZUORA_CATEGORIES",
    "documented_error_shape",
    "error_shape",
    "nothing_produced_is_null",
    "reason_codes_well_formed",
    "success_true_on_200",
]

# Zuora's error model: the 2-digit category that ends every reason code.
ZUORA_CATEGORIES = {
    "10": "permission or access denied",
    "11": "authentication failed",
    "20": "invalid format or value",
    "21": "unknown field in request",
    "22": "missing required field",
    "23": "missing required parameter",
    "30": "business-rule restriction",
    "40": "not found",
    "45": "unsupported method",
    "50": "locking contention",
    "60": "internal error",
    "61": "temporary error",
    "70": "concurrent-request limit exceeded",
    "90": "malformed JSON",
    "99": "integration error",
}
_RESOURCE_FIRST_DIGITS = frozenset("569")  # resource codes 500000-679999, auth codes 9xxxxx
_REASON_CODE_DIGITS = 8
_SHAPED_BY_ZUORA = frozenset({400, 401, 403})
_NULL_WHEN_NONE = ("invoiceNumbers", "creditMemoNumbers")  # lists Zuora sends as null, not []


def _common_response_problem(body: Any) -> str | None:
    """What keeps `body` from Zuora's `{success: false, processId, reasons}` shape, or None."""
    if not isinstance(body, dict):
        return "a body that is not a JSON object"
    if body.get("success") is not False:
        return f"success: {shown(body.get('success'))}"
    if not isinstance(body.get("processId"), str):
        return f"processId: {shown(body.get('processId'))}"
    reasons = body.get("reasons")
    if not isinstance(reasons, list) or not reasons:
        return f"reasons: {shown(reasons)}"
    for reason in reasons:
        if not isinstance(reason, dict) or "code" not in reason:
            return f"a reason without a code: {shown(reason)}"
        if not isinstance(reason.get("message"), str):
            return f"a reason without a message: {shown(reason)}"
    return None


def _shape_problem(status: int, body: Any) -> tuple[str, str | None]:
    """The shape expected for `status`, and what is wrong with `body` (None when it fits)."""
    if body is NOT_JSON:
        return "a JSON error body", "a body that is not JSON"
    if status == 401:
        fits = isinstance(body, dict) and isinstance(body.get("message"), str)
        return "{message}", None if fits else shown(body)
    if status == 403:
        fits = (
            isinstance(body, dict)
            and isinstance(body.get("code"), int)
            and not isinstance(body.get("code"), bool)
            and isinstance(body.get("message"), str)
        )
        return "{code: integer, message}", None if fits else shown(body)
    return "{success: false, processId, reasons: [{code, message}]}", _common_response_problem(body)


def _raise_on_shape(status: int, response: ResponseLike) -> None:
    expected, problem = _shape_problem(status, body_of(response))
    if problem is not None:
        raise ErrorBodyViolation(
            f"{status} error body does not have Zuora's shape",
            expected=expected,
            received=problem,
        )


@response_check(guards=Guard.ZUORA, area="errors")
def documented_error_shape(
    ctx: object, response: ResponseLike, case: RequestLike
) -> NotJudged | None:
    """Catches a 400, 401 or 403 whose body is not the shape Zuora documents for that status."""
    if not is_operation(case):
        return not_judged("not the contract's operation")
    if response.status_code not in _SHAPED_BY_ZUORA:
        return not_judged("no 400, 401 or 403 seen")
    _raise_on_shape(response.status_code, response)
    return None


@response_check(
    guards=Guard.PUBLISHED,
    area="errors",
    zuora=skipped("Zuora documents error bodies only for 400, 401 and 403"),
)
def error_shape(ctx: object, response: ResponseLike, case: RequestLike) -> NotJudged | None:
    """Catches another 4xx or 5xx whose body is not `{success: false, processId, reasons}`."""
    status = response.status_code
    if not is_operation(case):
        return not_judged("not the contract's operation")
    if status < 400 or status in _SHAPED_BY_ZUORA:
        return not_judged("no error status other than 400, 401 and 403 seen")
    _raise_on_shape(status, response)
    return None


def _code_problem(code: Any) -> str | None:
    """What is wrong with one reason code, or None."""
    if isinstance(code, bool) or not isinstance(code, int | str):
        return f"a code of type {type(code).__name__}: {shown(code)}"
    text = str(code)
    if len(text) != _REASON_CODE_DIGITS or not text.isdigit():
        return f"code {shown(code)} is not 8 digits"
    if text[0] not in _RESOURCE_FIRST_DIGITS:
        return f"code {text} does not start with a resource code (5, 6 or 9)"
    if text[-2:] not in ZUORA_CATEGORIES:
        return f"code {text} ends in category {text[-2:]}, which Zuora does not document"
    return None


def _codes_of(body: Any) -> list[Any]:
    if not isinstance(body, dict):
        return []
    reasons = body.get("reasons")
    codes = (
        [r["code"] for r in reasons if isinstance(r, dict) and "code" in r]
        if isinstance(reasons, list)
        else []
    )
    if "code" in body:
        codes.append(body["code"])
    return codes


@response_check(
    guards=Guard.ZUORA,
    area="errors",
    zuora=relaxed("only 400 and 403 bodies are read, the statuses whose bodies Zuora documents"),
)
def reason_codes_well_formed(
    ctx: object, response: ResponseLike, case: RequestLike
) -> NotJudged | None:
    """Catches a reason code that is not 8 digits ending in a category of Zuora's error model."""
    status = response.status_code
    if not is_operation(case):
        return not_judged("not the contract's operation")
    if status < 400:
        return not_judged("no error answer seen")
    if active().relaxed("reason_codes_well_formed") and status not in (400, 403):
        return not_judged("no 400 or 403 seen")
    codes = _codes_of(body_of(response))
    if not codes:
        return not_judged("no reason code in an error body")
    for code in codes:
        problem = _code_problem(code)
        if problem is not None:
            raise ErrorBodyViolation(
                "Reason code is not a Zuora reason code",
                expected="8 digits: a resource code and a documented category",
                received=problem,
            )
    return None


@response_check(
    guards=Guard.PUBLISHED,
    area="errors",
    zuora=skipped("Zuora may answer a failure with 200 and success: false"),
)
def success_true_on_200(ctx: object, response: ResponseLike, case: RequestLike) -> NotJudged | None:
    """Catches a 200 whose body does not say `success: true` (failures must use 4xx here)."""
    if not is_operation(case):
        return not_judged("not the contract's operation")
    if response.status_code != 200:
        return not_judged("no 200 seen")
    body = body_of(response)
    if not isinstance(body, dict) or body.get("success") is not True:
        received = (
            shown(body.get("success")) if isinstance(body, dict) else "a body that is not an object"
        )
        raise ErrorBodyViolation(
            "200 without success: true",
            expected="success: true",
            received=f"success: {received}" if isinstance(body, dict) else received,
        )
    return None


@response_check(guards=Guard.ZUORA, area="errors")
def nothing_produced_is_null(
    ctx: object, response: ResponseLike, case: RequestLike
) -> NotJudged | None:
    """Catches a 200 reporting nothing produced with `[]` or `0` where the contract has `null`."""
    if not is_operation(case):
        return not_judged("not the contract's operation")
    if response.status_code != 200:
        return not_judged("no 200 seen")
    body = body_of(response)
    if not isinstance(body, dict) or body.get("success") is False:
        return not_judged("no 200 reporting a creation seen")
    for name in _NULL_WHEN_NONE:
        if body.get(name) == []:
            raise ErrorBodyViolation(
                f"{name} is an empty list",
                expected=f"{name}: null when none was produced",
                received=f"{name}: []",
            )
    if body.get("paymentNumber") is None and body.get("paidAmount") is not None:
        raise ErrorBodyViolation(
            "paidAmount without a payment",
            expected="paidAmount: null when no payment was collected (paymentNumber: null)",
            received=f"paidAmount: {shown(body.get('paidAmount'))}, paymentNumber: null",
        )
    return None
