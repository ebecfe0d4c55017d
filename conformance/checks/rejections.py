"""Input at and beyond the documented limits, and the answer the contract promises for it.

| check                      | guards    | zuora profile                                      |
|----------------------------|-----------|----------------------------------------------------|
| longest_track_id_accepted  | Zuora     | strict                                             |
| invalid_track_id_rejected  | published | relaxed: any answer but a 5xx (not documented)     |
| invalid_body_rejected      | Zuora     | relaxed: 400, or 200 with success: false           |
"""

from __future__ import annotations

from conformance.checks._read import shown
from conformance.client import Exchange, header_of
from conformance.context import active
from conformance.failures import ErrorBodyViolation, HeaderViolation
from conformance.open_points import invalid_track_id_answer_fits, refusal_fits
from conformance.profiles import Guard, relaxed
from conformance.registry import judge

__all__ = ["invalid_body_rejected", "invalid_track_id_rejected", "longest_track_id_accepted"]


def _summary(exchange: Exchange) -> str:
    return f"{exchange.status_code} {shown(exchange.json_or_none())}"


@judge(guards=Guard.ZUORA, area="headers")
def longest_track_id_accepted(exchange: Exchange) -> None:
    """Catches a valid 64-character Zuora-Track-Id (Zuora's limit) refused with a valid body."""
    if exchange.status_code >= 300:
        sent = header_of(exchange.request.headers, "Zuora-Track-Id")
        raise HeaderViolation(
            f"Zuora-Track-Id of {len(str(sent))} characters refused",
            expected="2xx for a valid body and a track id within Zuora's limits",
            received=_summary(exchange),
            requests=(exchange.request,),
        )


@judge(
    guards=Guard.PUBLISHED,
    area="headers",
    zuora=relaxed("Zuora documents the limits but not its answer, so anything but a 5xx passes"),
)
def invalid_track_id_rejected(exchange: Exchange) -> None:
    """Catches a Zuora-Track-Id over 64 characters or with forbidden characters being accepted."""
    check = "invalid_track_id_rejected"
    if not invalid_track_id_answer_fits(check, exchange.status_code, published=400):
        relaxed_now = active().relaxed(check)
        sent = header_of(exchange.request.headers, "Zuora-Track-Id")
        wanted = "an answer that is not a 5xx" if relaxed_now else "400"
        raise HeaderViolation(
            "Invalid Zuora-Track-Id answered with a server error"
            if relaxed_now
            else "Invalid Zuora-Track-Id not rejected",
            expected=f"{wanted} for the track id {shown(sent)}",
            received=_summary(exchange),
            requests=(exchange.request,),
        )


@judge(
    guards=Guard.ZUORA,
    area="errors",
    zuora=relaxed("Zuora may report a failure as 200 with success: false"),
)
def invalid_body_rejected(exchange: Exchange, problem: str) -> None:
    """Catches a body that breaks the request schema being answered with anything but 400."""
    check = "invalid_body_rejected"
    if refusal_fits(check, exchange.status_code, exchange.json_or_none(), published=400):
        return
    raise ErrorBodyViolation(
        f"Body with {problem} not rejected with 400",
        expected="400 with Zuora's error body",
        received=_summary(exchange),
        requests=(exchange.request,),
    )
