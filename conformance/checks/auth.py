"""Authentication checks: bad credentials get 401 with a challenge and never any data.

| check                      | kind     | guards |
|----------------------------|----------|--------|
| unauthorized_has_challenge | response | Zuora  |
| bad_credentials_rejected   | property | Zuora  |
"""

from __future__ import annotations

from conformance.checks._judged import NotJudged, not_judged
from conformance.checks._read import (
    RequestLike,
    ResponseLike,
    body_of,
    is_operation,
    one_header,
    shown,
)
from conformance.client import Exchange
from conformance.failures import AuthViolation
from conformance.profiles import Guard
from conformance.registry import judge, response_check

__all__ = ["bad_credentials_rejected", "unauthorized_has_challenge"]


def _carries_data(response: ResponseLike) -> bool:
    body = body_of(response)
    return isinstance(body, dict) and ("fulfillments" in body or body.get("success") is True)


@response_check(guards=Guard.ZUORA, area="auth")
def unauthorized_has_challenge(
    ctx: object, response: ResponseLike, case: RequestLike
) -> NotJudged | None:
    """Catches a 401 without a WWW-Authenticate challenge for Bearer, or one that carries data."""
    if not is_operation(case):
        return not_judged("not the contract's operation")
    if response.status_code != 401:
        return not_judged("no 401 seen")
    challenge = one_header(response, "WWW-Authenticate")
    if challenge is None or "bearer" not in challenge.lower():
        raise AuthViolation(
            "401 without a Bearer challenge",
            expected="WWW-Authenticate naming the Bearer scheme",
            received=shown(challenge) if challenge is not None else "no WWW-Authenticate header",
        )
    if _carries_data(response):
        raise AuthViolation(
            "401 carries fulfillment data",
            expected="{message} and nothing else",
            received=shown(body_of(response)),
        )
    return None


@judge(guards=Guard.ZUORA, area="auth")
def bad_credentials_rejected(exchange: Exchange, credentials: str) -> None:
    """Catches a missing, malformed or unknown bearer token answered with anything but 401."""
    if exchange.status_code != 401 or _carries_data(exchange):
        raise AuthViolation(
            f"{credentials} not rejected with 401",
            expected="401 with {message} and WWW-Authenticate",
            received=f"{exchange.status_code} {shown(exchange.json_or_none())}",
            requests=(exchange.request,),
        )
