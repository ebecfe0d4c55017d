"""A value outside an enum of the request body, and the answer the contract promises for it.

| check                 | guards | zuora profile                              |
|-----------------------|--------|--------------------------------------------|
| invalid_enum_rejected | Zuora  | relaxed: 400, or 200 with success: false   |
"""

from __future__ import annotations

from conformance.checks._judged import NotJudged, not_judged
from conformance.checks._read import shown
from conformance.client import Exchange
from conformance.context import active
from conformance.failures import ErrorBodyViolation
from conformance.profiles import Guard, relaxed
from conformance.registry import judge

__all__ = ["UNREAD", "invalid_enum_rejected"]

UNREAD = frozenset({429, 503})  # limits and unavailability: answered without reading the body


def _zuora_error(body: object) -> bool:
    """Whether `body` has Zuora's 400 shape: `success: false` and a list of reasons."""
    if not isinstance(body, dict) or body.get("success") is not False:
        return False
    reasons = body.get("reasons")
    return isinstance(reasons, list) and bool(reasons)


@judge(
    guards=Guard.ZUORA,
    area="errors",
    zuora=relaxed("Zuora may report a failure as 200 with success: false"),
)
def invalid_enum_rejected(exchange: Exchange, field: str) -> NotJudged | None:
    """Catches a value outside an enum of the request body accepted instead of refused with 400."""
    if exchange.status_code in UNREAD:
        return not_judged(f"{exchange.status_code} was answered before the body was read")
    body = exchange.json_or_none()
    soft = exchange.status_code == 200 and active().relaxed("invalid_enum_rejected")
    if (exchange.status_code == 400 or soft) and _zuora_error(body):
        return None
    raise ErrorBodyViolation(
        f"Value outside the enum of {field} not rejected with 400",
        expected="400 with success: false and reasons"
        + (", or 200 with the same body" if active().relaxed("invalid_enum_rejected") else ""),
        received=f"{exchange.status_code} {shown(body)}",
        requests=(exchange.request,),
    )
