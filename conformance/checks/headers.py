"""Response-header checks, run on every response of the operation.

| check                                  | guards    | zuora profile                         |
|----------------------------------------|-----------|---------------------------------------|
| track_id_echoed                        | Zuora     | strict                                |
| invalid_track_id_not_echoed            | published | skipped (reaction not documented)     |
| request_id_present                     | Zuora     | strict                                |
| rate_limit_headers_well_formed         | Zuora     | relaxed (RateLimit-Limit syntax open) |
| concurrency_limit_headers_well_formed  | published | skipped (Zuora does not describe them)|
| content_type_json                      | Zuora     | strict                                |
| vary_accept_encoding                   | published | skipped (not documented)              |
"""

from __future__ import annotations

from fulfillments_contract import HeaderRule

from conformance.checks._judged import NotJudged, not_judged
from conformance.checks._read import (
    RequestLike,
    ResponseLike,
    header_values,
    is_operation,
    one_header,
    sent_header,
    shown,
)
from conformance.context import active
from conformance.failures import HeaderViolation
from conformance.open_points import RATELIMIT_SYNTAX
from conformance.profiles import Guard, relaxed, skipped
from conformance.registry import response_check

__all__ = [
    "concurrency_limit_headers_well_formed",
    "content_type_json",
    "invalid_track_id_not_echoed",
    "rate_limit_headers_well_formed",
    "request_id_present",
    "track_id_echoed",
    "vary_accept_encoding",
]

TRACK_ID = "Zuora-Track-Id"
REQUEST_ID = (
    "Zuora-Request-Id"  # its length (36, Zuora's minLength and maxLength) is the contract's
)


def _track_id_sent(case: RequestLike) -> tuple[str | None, bool]:
    """The track id a request sent, and whether it keeps the contract's limits."""
    sent = sent_header(case, TRACK_ID)
    if sent is None:
        return None, True
    return sent, active().contract.header_rule(TRACK_ID).accepts(sent)


@response_check(guards=Guard.ZUORA, area="headers")
def track_id_echoed(ctx: object, response: ResponseLike, case: RequestLike) -> NotJudged | None:
    """Catches a valid Zuora-Track-Id not echoed unchanged, or one returned though none was sent."""
    if not is_operation(case):
        return not_judged("not the contract's operation")
    sent, valid = _track_id_sent(case)
    received = header_values(response, TRACK_ID)
    if sent is None and received:
        raise HeaderViolation(
            "Zuora-Track-Id returned though the request sent none",
            expected="no Zuora-Track-Id header",
            received=shown(received),
        )
    if sent is not None and not valid:
        return not_judged("only invalid track ids sent")
    if sent is not None and received != [sent]:
        raise HeaderViolation(
            "Zuora-Track-Id not echoed unchanged",
            expected=f"Zuora-Track-Id: {sent}",
            received=shown(received) if received else "no Zuora-Track-Id header",
        )
    return None


@response_check(
    guards=Guard.PUBLISHED,
    area="headers",
    zuora=skipped("Zuora does not document how it answers an invalid Zuora-Track-Id"),
)
def invalid_track_id_not_echoed(
    ctx: object, response: ResponseLike, case: RequestLike
) -> NotJudged | None:
    """Catches an invalid Zuora-Track-Id (too long, forbidden or non-ASCII characters) echoed."""
    if not is_operation(case):
        return not_judged("not the contract's operation")
    sent, valid = _track_id_sent(case)
    received = header_values(response, TRACK_ID)
    if sent is None or valid:
        return not_judged("no invalid track id sent")
    if received:
        raise HeaderViolation(
            "Invalid Zuora-Track-Id echoed",
            expected="no Zuora-Track-Id header for an invalid track id",
            received=shown(received),
        )
    return None


def _length(rule: HeaderRule) -> str:
    """The length a rule allows, in words: `36`, `1 to 64`, `at most 64`, `any number of`."""
    low, high = rule.min_length, rule.max_length
    if low is not None and low == high:
        return str(low)
    if high is None:
        return f"at least {low}" if low else "any number of"
    return f"{low} to {high}" if low else f"at most {high}"


@response_check(guards=Guard.ZUORA, area="headers")
def request_id_present(ctx: object, response: ResponseLike, case: RequestLike) -> NotJudged | None:
    """Catches a response without exactly one 36-character Zuora-Request-Id."""
    if not is_operation(case):
        return not_judged("not the contract's operation")
    values = header_values(response, REQUEST_ID)
    rule = active().contract.response_header_rule(REQUEST_ID)
    if len(values) != 1 or not rule.accepts(values[0]):
        raise HeaderViolation(
            "Zuora-Request-Id missing or malformed",
            expected=f"one Zuora-Request-Id of {_length(rule)} characters",
            received=shown(values) if values else "no Zuora-Request-Id header",
        )
    return None


def _integer(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def _leading_integer(value: str) -> int | None:
    """The quota at the start of a RateLimit-Limit value (`50000` or `50000, 50000;w=60`)."""
    return _integer(value.replace(";", ",").split(",", 1)[0])


def _non_negative(response: ResponseLike, name: str) -> int | None:
    value = one_header(response, name)
    number = _integer(value)
    if value is not None and number is None:
        raise HeaderViolation(
            f"{name} is not a non-negative integer",
            expected=f"{name}: a non-negative integer",
            received=shown(value),
        )
    return number


@response_check(
    guards=Guard.ZUORA,
    area="headers",
    zuora=relaxed(
        "the syntax of RateLimit-Limit is not documented, so it is compared only when numeric"
    ),
)
def rate_limit_headers_well_formed(
    ctx: object, response: ResponseLike, case: RequestLike
) -> NotJudged | None:
    """Catches RateLimit-* headers that are not numbers or report more remaining than the limit."""
    if not is_operation(case):
        return not_judged("not the contract's operation")
    names = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
    if all(one_header(response, name) is None for name in names):
        return not_judged("no RateLimit-* headers seen")
    remaining = _non_negative(response, "RateLimit-Remaining")
    _non_negative(response, "RateLimit-Reset")
    raw_limit = one_header(response, "RateLimit-Limit")
    if raw_limit is None:
        return None
    limit = _leading_integer(raw_limit)
    if limit is None:
        if RATELIMIT_SYNTAX.applies("rate_limit_headers_well_formed"):
            return None
        raise HeaderViolation(
            "RateLimit-Limit does not start with a quota",
            expected="RateLimit-Limit: an integer quota",
            received=shown(raw_limit),
        )
    if remaining is not None and remaining > limit:
        raise HeaderViolation(
            "RateLimit-Remaining exceeds RateLimit-Limit",
            expected=f"RateLimit-Remaining <= {limit}",
            received=f"RateLimit-Remaining: {remaining}",
        )
    return None


@response_check(
    guards=Guard.PUBLISHED,
    area="headers",
    zuora=skipped("Zuora does not describe the Concurrency-Limit-* headers"),
)
def concurrency_limit_headers_well_formed(
    ctx: object, response: ResponseLike, case: RequestLike
) -> NotJudged | None:
    """Catches Concurrency-Limit-* headers that are not integers or exceed their limit."""
    if not is_operation(case):
        return not_judged("not the contract's operation")
    names = ("Concurrency-Limit-Limit", "Concurrency-Limit-Remaining", "Concurrency-Limit-Type")
    if all(one_header(response, name) is None for name in names):
        return not_judged("no Concurrency-Limit-* headers seen")
    limit = _non_negative(response, "Concurrency-Limit-Limit")
    remaining = _non_negative(response, "Concurrency-Limit-Remaining")
    if limit is not None and remaining is not None and remaining > limit:
        raise HeaderViolation(
            "Concurrency-Limit-Remaining exceeds Concurrency-Limit-Limit",
            expected=f"Concurrency-Limit-Remaining <= {limit}",
            received=f"Concurrency-Limit-Remaining: {remaining}",
        )
    kind = one_header(response, "Concurrency-Limit-Type")
    if kind is not None and not kind.strip():
        raise HeaderViolation(
            "Concurrency-Limit-Type is empty",
            expected="Concurrency-Limit-Type: the name of a pool",
            received=shown(kind),
        )
    return None


@response_check(guards=Guard.ZUORA, area="headers")
def content_type_json(ctx: object, response: ResponseLike, case: RequestLike) -> NotJudged | None:
    """Catches a response whose Content-Type is not application/json."""
    if not is_operation(case):
        return not_judged("not the contract's operation")
    value = one_header(response, "Content-Type")
    media = (value or "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise HeaderViolation(
            "Content-Type is not application/json",
            expected="Content-Type: application/json",
            received=shown(value) if value is not None else "no Content-Type header",
        )
    return None


@response_check(
    guards=Guard.PUBLISHED,
    area="headers",
    zuora=skipped("Zuora does not document a Vary header"),
)
def vary_accept_encoding(
    ctx: object, response: ResponseLike, case: RequestLike
) -> NotJudged | None:
    """Catches a response that does not say it varies on Accept-Encoding, which breaks caches."""
    if not is_operation(case):
        return not_judged("not the contract's operation")
    values = header_values(response, "Vary")
    tokens = {token.strip().lower() for value in values for token in value.split(",")}
    if "accept-encoding" not in tokens and "*" not in tokens:
        raise HeaderViolation(
            "Vary does not name Accept-Encoding",
            expected="Vary: Accept-Encoding",
            received=shown(values) if values else "no Vary header",
        )
    return None
