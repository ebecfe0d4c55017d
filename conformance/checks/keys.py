"""Idempotency-Key limits and scope: which keys are valid, and whose responses a key reaches.

| check                           | guards    | zuora profile                                     |
|---------------------------------|-----------|---------------------------------------------------|
| overlong_key_rejected           | Zuora     | relaxed: any 4xx, or 200 with success: false      |
| longest_key_accepted            | Zuora     | relaxed: 254 characters (the guide says < 255)    |
| shortest_key_accepted           | Zuora     | strict                                            |
| malformed_key_rejected          | published | skipped (the key alphabet is a published choice)  |
| other_tenant_never_sees_response| Zuora     | strict                                            |
| other_tenant_not_blocked        | published | skipped (Zuora may answer 422 to the other tenant)|
"""

from __future__ import annotations

from conformance.checks._compare import created_ids
from conformance.checks._read import shown
from conformance.client import Exchange, header_of
from conformance.context import active
from conformance.failures import IdempotencyViolation
from conformance.open_points import longest_valid_key, refusal_fits
from conformance.profiles import Guard, relaxed, skipped
from conformance.registry import judge

__all__ = [
    "longest_key_accepted",
    "longest_key_length",
    "malformed_key_rejected",
    "other_tenant_never_sees_response",
    "other_tenant_not_blocked",
    "overlong_key_rejected",
    "shortest_key_accepted",
]


def _key_of(exchange: Exchange) -> str:
    header = active().contract.policies.idempotency_header
    return str(header_of(exchange.request.headers, header))


def _summary(exchange: Exchange) -> str:
    return f"{exchange.status_code} {shown(exchange.json_or_none())}"


def longest_key_length() -> int:
    """The longest key the run expects a server to accept."""
    # Zuora's guide asks for keys "less than 255 characters" while its spec allows 255.
    return longest_valid_key("longest_key_accepted", active().contract.policies.max_key_length)


@judge(
    guards=Guard.ZUORA,
    area="idempotency",
    zuora=relaxed(
        "Zuora documents the 255-character limit but not the answer: any 4xx, or 200 with "
        "success: false"
    ),
)
def overlong_key_rejected(exchange: Exchange) -> None:
    """Catches an Idempotency-Key over 255 characters being accepted instead of getting 400."""
    status = active().contract.policies.invalid_key_status
    check = "overlong_key_rejected"
    if not refusal_fits(check, exchange.status_code, exchange.json_or_none(), published=status):
        relaxed_now = active().relaxed(check)
        raise IdempotencyViolation(
            f"Idempotency-Key of {len(_key_of(exchange))} characters not rejected",
            expected="a 4xx, or 200 with success: false" if relaxed_now else str(status),
            received=_summary(exchange),
            requests=(exchange.request,),
        )


@judge(
    guards=Guard.ZUORA,
    area="idempotency",
    zuora=relaxed("Zuora's guide asks for fewer than 255 characters, so 254 is the longest tried"),
)
def longest_key_accepted(exchange: Exchange) -> None:
    """Catches the longest valid Idempotency-Key (255 characters) being rejected."""
    if exchange.status_code >= 300:
        raise IdempotencyViolation(
            f"Idempotency-Key of {len(_key_of(exchange))} characters rejected",
            expected="2xx for a valid body with a fresh key",
            received=_summary(exchange),
            requests=(exchange.request,),
        )


@judge(guards=Guard.ZUORA, area="idempotency")
def shortest_key_accepted(exchange: Exchange) -> None:
    """Catches a one-character Idempotency-Key being rejected as invalid."""
    # A key this short may have been used before on a long-lived server: 422 means it was
    # recognised as a key, which is all this check asks.
    if exchange.status_code == active().contract.policies.invalid_key_status:
        raise IdempotencyViolation(
            "One-character Idempotency-Key rejected",
            expected="any answer but the invalid-key 400",
            received=_summary(exchange),
            requests=(exchange.request,),
        )


@judge(
    guards=Guard.PUBLISHED,
    area="idempotency",
    zuora=skipped("the key alphabet (visible US-ASCII) is a published choice"),
)
def malformed_key_rejected(exchange: Exchange) -> None:
    """Catches an empty Idempotency-Key, or one with blanks or non-ASCII characters, accepted."""
    status = active().contract.policies.invalid_key_status
    if exchange.status_code != status:
        raise IdempotencyViolation(
            "Malformed Idempotency-Key not rejected",
            expected=f"{status} for the key {shown(_key_of(exchange))}",
            received=_summary(exchange),
            requests=(exchange.request,),
        )


@judge(guards=Guard.ZUORA, area="idempotency")
def other_tenant_never_sees_response(own: Exchange, other: Exchange) -> None:
    """Catches a second tenant receiving the first tenant's stored response for the same key."""
    name = active().contract.policies.replay_header
    shared = created_ids(own.json_or_none()) & created_ids(other.json_or_none())
    if shared or (other.header(name) or "").lower() == "true":
        raise IdempotencyViolation(
            "Another tenant received this tenant's stored response",
            expected="a response of its own for the second tenant",
            received=f"{len(shared)} shared fulfillment ids, {name}: {shown(other.header(name))}",
            requests=(own.request, other.request),
        )


@judge(
    guards=Guard.PUBLISHED,
    area="idempotency",
    zuora=skipped("Zuora's guide describes 422 for a key reused by another tenant"),
)
def other_tenant_not_blocked(control: Exchange, other: Exchange) -> None:
    """Catches a tenant refused a key only because another tenant used it first."""
    # `control` is the same tenant and body with a fresh key: what an unused key gets.
    if other.status_code != control.status_code:
        raise IdempotencyViolation(
            "Key already used by another tenant blocks this one",
            expected=f"{control.status_code}, as for a fresh key: keys are scoped per tenant",
            received=_summary(other),
            requests=(control.request, other.request),
        )
