"""Idempotency judges: what a retry, a reuse or a race with one Idempotency-Key must give.

| check                              | guards    | zuora profile                                  |
|------------------------------------|-----------|------------------------------------------------|
| replay_status_matches              | Zuora     | strict                                         |
| replay_body_matches                | Zuora     | relaxed: JSON-equal instead of byte-equal      |
| replay_headers_match               | Zuora     | relaxed: Content-Type only                     |
| replay_marker_present              | published | skipped (no marker documented)                 |
| replay_ignores_json_formatting     | published | skipped (Zuora's fingerprint not documented)   |
| failed_response_replayed           | Zuora     | relaxed: 400, or 200 with success: false       |
| key_reuse_with_other_body_rejected | published | skipped (Zuora may replay, 409 or 422)         |
| concurrent_requests_create_once    | Zuora     | relaxed: JSON-equal instead of byte-equal      |
| conflict_has_retry_after           | published | skipped (409 body and headers not documented)  |
| request_id_fresh                   | Zuora     | strict                                         |
"""

from __future__ import annotations

from collections.abc import Sequence

from conformance.checks._compare import created_ids
from conformance.checks._judged import NotJudged, not_judged
from conformance.checks._read import shown
from conformance.client import Exchange
from conformance.context import active
from conformance.failures import IdempotencyViolation
from conformance.open_points import STORED_HEADERS, refusal_fits, same_answer
from conformance.profiles import Guard, relaxed, skipped
from conformance.registry import judge

__all__ = [
    "concurrent_requests_create_once",
    "conflict_has_retry_after",
    "failed_response_replayed",
    "key_reuse_with_other_body_rejected",
    "replay_body_matches",
    "replay_headers_match",
    "replay_ignores_json_formatting",
    "replay_marker_present",
    "replay_status_matches",
    "request_id_fresh",
]


def _summary(exchange: Exchange) -> str:
    return f"{exchange.status_code} {shown(exchange.content.decode('utf-8', 'replace'))}"


@judge(guards=Guard.ZUORA, area="idempotency")
def replay_status_matches(first: Exchange, replay: Exchange) -> None:
    """Catches a retry with the same key and body that gets another status than the first answer."""
    if first.status_code != replay.status_code:
        raise IdempotencyViolation(
            "Replay has another status",
            expected=f"{first.status_code}, the status of the first answer",
            received=str(replay.status_code),
            requests=(first.request, replay.request),
        )


@judge(
    guards=Guard.ZUORA,
    area="idempotency",
    zuora=relaxed("Zuora promises the stored body, so JSON-equal bodies pass"),
)
def replay_body_matches(first: Exchange, replay: Exchange) -> None:
    """Catches a retry with the same key and body whose body differs from the first answer's."""
    if not same_answer("replay_body_matches", first.content, replay.content):
        raise IdempotencyViolation(
            "Replay has another body",
            expected=_summary(first),
            received=_summary(replay),
            requests=(first.request, replay.request),
        )


@judge(
    guards=Guard.ZUORA,
    area="idempotency",
    zuora=relaxed("which headers Zuora stores is not documented, so only Content-Type is compared"),
)
def replay_headers_match(first: Exchange, replay: Exchange) -> None:
    """Catches a replay whose stored headers (Content-Type, Zuora-Request-Id) differ."""
    stored = active().contract.policies.stored_headers
    if STORED_HEADERS.applies("replay_headers_match"):
        stored = tuple(name for name in stored if name.lower() == "content-type")
    for name in stored:
        if first.headers.get(name.lower()) != replay.headers.get(name.lower()):
            raise IdempotencyViolation(
                f"Replay has another {name}",
                expected=f"{name}: {shown(first.header(name))}",
                received=f"{name}: {shown(replay.header(name))}",
                requests=(first.request, replay.request),
            )


@judge(
    guards=Guard.PUBLISHED,
    area="idempotency",
    zuora=skipped("Zuora documents no replay marker"),
)
def replay_marker_present(first: Exchange, replay: Exchange) -> None:
    """Catches a replay without `Idempotent-Replayed: true`, or a first answer that carries it."""
    name = active().contract.policies.replay_header
    if first.header(name) is not None:
        raise IdempotencyViolation(
            f"First answer carries {name}",
            expected=f"no {name} on the answer that processed the request",
            received=f"{name}: {first.header(name)}",
            requests=(first.request,),
        )
    if (replay.header(name) or "").strip().lower() != "true":
        raise IdempotencyViolation(
            f"Replay without {name}: true",
            expected=f"{name}: true",
            received=f"{name}: {shown(replay.header(name))}",
            requests=(first.request, replay.request),
        )


@judge(
    guards=Guard.PUBLISHED,
    area="idempotency",
    zuora=skipped("how Zuora fingerprints a request body is not documented"),
)
def replay_ignores_json_formatting(first: Exchange, reformatted: Exchange) -> None:
    """Catches a retry differing only in JSON white space or key order not getting the replay."""
    if (first.status_code, first.content) != (reformatted.status_code, reformatted.content):
        raise IdempotencyViolation(
            "Reformatted JSON not treated as the same request",
            expected=f"the stored {_summary(first)}",
            received=_summary(reformatted),
            requests=(first.request, reformatted.request),
        )


@judge(
    guards=Guard.ZUORA,
    area="idempotency",
    zuora=relaxed("Zuora may report the failure as 200 with success: false"),
)
def failed_response_replayed(first: Exchange, replay: Exchange) -> None:
    """Catches a failed first answer (400 for an invalid body) that a retry does not get back."""
    check = "failed_response_replayed"
    if not refusal_fits(check, first.status_code, first.json_or_none(), published=400):
        relaxed_now = active().relaxed(check)
        raise IdempotencyViolation(
            "Schema-invalid body not rejected",
            expected=("400, or 200 with success: false" if relaxed_now else "400")
            + " for a body that breaks the request schema",
            received=_summary(first),
            requests=(first.request,),
        )
    if (replay.status_code, replay.json_or_none()) != (first.status_code, first.json_or_none()):
        raise IdempotencyViolation(
            "Failed answer not replayed",
            expected=f"the stored {_summary(first)}",
            received=_summary(replay),
            requests=(first.request, replay.request),
        )


@judge(
    guards=Guard.PUBLISHED,
    area="idempotency",
    zuora=skipped("Zuora does not document reuse with another body (replay, 409 or 422)"),
)
def key_reuse_with_other_body_rejected(first: Exchange, reuse: Exchange) -> None:
    """Catches a key reused with another body that is not answered with 422."""
    status = active().contract.policies.mismatch_status
    if reuse.status_code != status:
        raise IdempotencyViolation(
            f"Key reused with another body not rejected with {status}",
            expected=str(status),
            received=_summary(reuse),
            requests=(first.request, reuse.request),
        )


@judge(
    guards=Guard.ZUORA,
    area="idempotency",
    zuora=relaxed("Zuora promises the stored answer, so JSON-equal answers are the same"),
)
def concurrent_requests_create_once(racers: Sequence[Exchange], settled: Exchange) -> None:
    """Catches concurrent retries with one key that create twice or answer other than 2xx or 409."""
    conflict = active().contract.policies.in_progress_status
    requests = tuple(racer.request for racer in racers)
    odd = [
        racer for racer in racers if not (racer.status_code < 300 or racer.status_code == conflict)
    ]
    if odd:
        raise IdempotencyViolation(
            "Concurrent retry answered neither 2xx nor 409",
            expected=f"the stored 2xx or {conflict} for each concurrent retry",
            received=", ".join(_summary(racer) for racer in odd[:3]),
            requests=requests,
        )
    winners = [racer for racer in racers if racer.status_code < 300] + [settled]
    check = "concurrent_requests_create_once"
    distinct: list[bytes] = []
    for winner in winners:
        if not any(same_answer(check, body, winner.content) for body in distinct):
            distinct.append(winner.content)
    ids = {created_ids(winner.json_or_none()) for winner in winners}
    if settled.status_code >= 300 or len(ids) != 1 or len(distinct) != 1:
        raise IdempotencyViolation(
            "Concurrent retries created more than once",
            expected="every 2xx, and the settled retry, carry one identical body",
            received=f"{len(distinct)} distinct bodies, settled retry {_summary(settled)}",
            requests=(*requests, settled.request),
        )


@judge(
    guards=Guard.PUBLISHED,
    area="idempotency",
    zuora=skipped("Zuora does not document the headers of its 409"),
)
def conflict_has_retry_after(racers: Sequence[Exchange]) -> NotJudged | None:
    """Catches a 409 for a key in progress that does not say when to retry."""
    conflict = active().contract.policies.in_progress_status
    if all(racer.status_code != conflict for racer in racers):
        return not_judged(f"no {conflict} arose")
    for racer in racers:
        value = racer.header("Retry-After")
        if racer.status_code == conflict and (value is None or not value.strip().isdigit()):
            raise IdempotencyViolation(
                f"{conflict} without Retry-After",
                expected="Retry-After: a number of seconds",
                received=f"Retry-After: {shown(value)}",
                requests=(racer.request,),
            )
    return None


@judge(guards=Guard.ZUORA, area="idempotency")
def request_id_fresh(exchanges: Sequence[Exchange]) -> NotJudged | None:
    """Catches a Zuora-Request-Id reused across requests that were each processed anew."""
    if sum(exchange.header("Zuora-Request-Id") is not None for exchange in exchanges) < 2:
        return not_judged("fewer than two answers carried a Zuora-Request-Id")
    seen: dict[str, Exchange] = {}
    for exchange in exchanges:
        request_id = exchange.header("Zuora-Request-Id")
        if request_id is None:
            continue
        if request_id in seen:
            raise IdempotencyViolation(
                "Zuora-Request-Id reused",
                expected="a new Zuora-Request-Id for every request that is not a replay",
                received=f"{request_id} twice",
                requests=(seen[request_id].request, exchange.request),
            )
        seen[request_id] = exchange
    return None
