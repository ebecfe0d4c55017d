"""Property tests of the idempotency policy: replays, reuse, races, key limits, tenant scope."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

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
from conformance.open_points import longest_valid_key
from conformance.properties.harness import Harness
from conformance.strategies import (
    KEY_BREACHES,
    VISIBLE_ASCII,
    create_requests,
    invalid_create_requests,
    malformed_keys,
    track_ids,
)

__all__ = [
    "concurrent_retries_create_once",
    "failed_answers_are_replayed",
    "key_limits_hold",
    "keys_are_scoped_per_tenant",
    "replays_are_identical",
    "reused_keys_are_rejected",
]

KEY = "Idempotency-Key"
_BARRIER_SECONDS = 30.0  # how long racers wait for each other before giving up
RACE_ROUNDS = 5  # races per example at most, until one leaves a retry meeting a key in progress


def _reformatted(document: dict[str, Any]) -> bytes:
    """The same JSON document with other white space and key order (not in the fingerprint)."""
    return json.dumps(document, indent=2, sort_keys=True).encode("utf-8")


def replays_are_identical(h: Harness) -> Callable[[], None]:
    """A retry with the same key and body gets the stored answer back, marked as a replay.

    Keys go up to the longest the profile holds valid (255, or 254 where Zuora's guide says
    "less than 255").
    """
    longest = longest_valid_key("replays_are_identical", h.context.contract.policies.max_key_length)

    @given(
        document=create_requests(line_item_ids=h.line_item_ids),
        key_length=st.integers(min_value=24, max_value=longest),
        gzip_wanted=st.booleans(),
        track_id=track_ids(),
    )
    def test(document: dict[str, Any], key_length: int, gzip_wanted: bool, track_id: str) -> None:
        with h.example():
            headers = {KEY: h.fresh_key(key_length)} | (
                {"Accept-Encoding": "gzip"} if gzip_wanted else {}
            )
            first = h.post(document, headers=headers)
            # The replay carries its own track id: per-exchange headers are computed anew.
            replay = h.post(document, headers=headers | {"Zuora-Track-Id": track_id})
            reformatted = h.post(_reformatted(document), headers=headers)
            unkeyed = h.post(document)
            h.judge(replay_status_matches, first, replay)
            h.judge(replay_body_matches, first, replay)
            h.judge(replay_headers_match, first, replay)
            h.judge(replay_marker_present, first, replay)
            h.judge(replay_ignores_json_formatting, first, reformatted)
            h.judge(request_id_fresh, [first, unkeyed])

    return test


def failed_answers_are_replayed(h: Harness) -> Callable[[], None]:
    """A 400 for a schema-invalid body is stored and replayed like a success."""

    @given(case=invalid_create_requests(line_item_ids=h.line_item_ids))
    def test(case: tuple[dict[str, Any], str]) -> None:
        document, _ = case
        with h.example():
            headers = {KEY: h.fresh_key(40)}
            first = h.post(document, headers=headers)
            replay = h.post(document, headers=headers)
            h.judge(failed_response_replayed, first, replay)
            h.judge(replay_headers_match, first, replay)
            h.judge(replay_marker_present, first, replay)

    return test


def reused_keys_are_rejected(h: Harness) -> Callable[[], None]:
    """A key reused with another body is refused, and the stored answer survives the attempt."""
    documents = create_requests(line_item_ids=h.line_item_ids)

    @given(pair=st.tuples(documents, documents).filter(lambda pair: pair[0] != pair[1]))
    def test(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
        original, other = pair
        with h.example():
            headers = {KEY: h.fresh_key(48)}
            first = h.post(original, headers=headers)
            reuse = h.post(other, headers=headers)
            again = h.post(original, headers=headers)
            h.judge(key_reuse_with_other_body_rejected, first, reuse)
            h.judge(replay_status_matches, first, again)
            h.judge(replay_body_matches, first, again)

    return test


def _race(h: Harness, document: dict[str, Any], racers: int) -> tuple[list[Exchange], Exchange]:
    """`racers` requests with one fresh key released at once, then one after they settled."""
    headers = {KEY: h.fresh_key(56)}
    barrier = Barrier(racers)

    def race(_: int) -> Exchange:
        barrier.wait(timeout=_BARRIER_SECONDS)
        return h.post(document, headers=headers)

    with ThreadPoolExecutor(max_workers=racers) as pool:
        answers = list(pool.map(race, range(racers)))
    return answers, h.post(document, headers=headers)


def concurrent_retries_create_once(h: Harness) -> Callable[[], None]:
    """Retries racing with one key create once: every success is the same, the rest get 409.

    A fast server may finish the first request before the others arrive, and no retry meets
    the key in progress; an example races again with a fresh key, up to `RACE_ROUNDS` times,
    until one does, so the 409's promise is put to the test rather than left unexercised.
    """
    conflict = h.context.contract.policies.in_progress_status

    @given(
        document=create_requests(line_item_ids=h.line_item_ids),
        racers=st.integers(min_value=4, max_value=8),
    )
    def test(document: dict[str, Any], racers: int) -> None:
        with h.example():
            for _ in range(RACE_ROUNDS):
                answers, settled = _race(h, document, racers)
                h.judge(concurrent_requests_create_once, answers, settled)
                h.judge(conflict_has_retry_after, answers)
                if any(answer.status_code == conflict for answer in answers):
                    break

    return test


def key_limits_hold(h: Harness) -> Callable[[], None]:
    """Keys of 1 to 255 visible characters are accepted; longer or malformed keys get 400."""

    @given(
        document=create_requests(line_item_ids=h.line_item_ids),
        shortest=st.sampled_from(VISIBLE_ASCII),
        malformed=st.tuples(*(malformed_keys(breaches=(breach,)) for breach in KEY_BREACHES)),
    )
    def test(document: dict[str, Any], shortest: str, malformed: tuple[str, ...]) -> None:
        with h.example():
            overlong = h.context.contract.policies.max_key_length + 1
            h.judge(
                longest_key_accepted,
                h.post(document, headers={KEY: h.fresh_key(longest_key_length())}),
            )
            h.judge(overlong_key_rejected, h.post(document, headers={KEY: h.fresh_key(overlong)}))
            h.judge(shortest_key_accepted, h.post(document, headers={KEY: shortest}))
            for key in malformed:
                h.judge(malformed_key_rejected, h.post(document, headers={KEY: key}))

    return test


def keys_are_scoped_per_tenant(h: Harness) -> Callable[[], None]:
    """A second tenant's equal key neither sees nor blocks the first tenant's stored answer."""

    @given(document=create_requests(line_item_ids=h.line_item_ids))
    def test(document: dict[str, Any]) -> None:
        with h.example():
            headers = {KEY: h.fresh_key(64)}
            own = h.post(document, headers=headers)
            control = h.post(document, headers={KEY: h.fresh_key(64)}, identity="TOKEN2")
            other = h.post(document, headers=headers, identity="TOKEN2")
            again = h.post(document, headers=headers)
            h.judge(other_tenant_never_sees_response, own, other)
            h.judge(other_tenant_not_blocked, control, other)
            h.judge(replay_status_matches, own, again)
            h.judge(replay_body_matches, own, again)

    return test
