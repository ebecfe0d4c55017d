"""The zuora profile as one rule: what Zuora may answer where its documentation is silent.

For each point the fact sheet marks NOT CONFIRMED, the set of answers Zuora may give, and the
checks (and property tests) that meet the point. Under `--profile zuora` every one of them
accepts every answer of that set, through the one function below that decides it; under the
default profile they hold the server to the spec's published choice. `conformance/README.md`
prints the same table; a test walks it.

| point            | left open by Zuora                   | the zuora profile accepts            |
|------------------|--------------------------------------|--------------------------------------|
| failure-as-200   | 400, or 200 with `success: false`    | also 200 `{success: false, reasons}` |
| refusal-status   | the status of a refused limit breach | any 4xx                              |
| invalid-track-id | the reaction to an invalid track id  | any answer but a 5xx                 |
| replay-bytes     | stored bytes, or the stored answer   | a JSON-equal replay                  |
| longest-key      | 255 characters valid, or under 255   | 255 refused; 254 must work           |
| stored-headers   | which headers a replay keeps         | only Content-Type compared           |
| ratelimit-syntax | the syntax of RateLimit-Limit        | any value; compared when numeric     |
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from conformance.context import active
from conformance.profiles import Profile

__all__ = [
    "FAILURE_AS_200",
    "INVALID_TRACK_ID",
    "LONGEST_KEY",
    "OPEN_POINTS",
    "RATELIMIT_SYNTAX",
    "REFUSAL_STATUS",
    "REPLAY_BYTES",
    "STORED_HEADERS",
    "OpenPoint",
    "consulted",
    "invalid_track_id_answer_fits",
    "is_soft_failure",
    "longest_valid_key",
    "refusal_fits",
    "same_answer",
    "soft_failure_accepted",
    "soft_failure_fits",
]

_lock = threading.Lock()
_consulted: set[tuple[str, str]] = set()


@dataclass(frozen=True, slots=True)
class OpenPoint:
    """One point Zuora's documentation leaves open, and who meets it."""

    name: str
    left_open: str
    accepted: str
    applied_by: tuple[str, ...]  # check names, and property tests that choose inputs by it

    def applies(self, user: str) -> bool:
        """Whether this run accepts Zuora's whole set of answers here; `user` is the caller."""
        if user not in self.applied_by:
            raise ValueError(f"{user} does not apply the open point {self.name}; add it there")
        with _lock:
            _consulted.add((self.name, user))
        return active().profile is Profile.ZUORA


def consulted() -> frozenset[tuple[str, str]]:
    """Every (point, user) pair consulted in this process so far."""
    with _lock:
        return frozenset(_consulted)


FAILURE_AS_200 = OpenPoint(
    "failure-as-200",
    "whether validation and business errors come as 400 or as 200 with success: false",
    "the published refusal, or 200 with {success: false, reasons: [{code, message}]}",
    (
        "response_schema_conformance",
        "invalid_body_rejected",
        "failed_response_replayed",
        "overlong_key_rejected",
        "corrupt_gzip_rejected",
        "compressed_body_matches_schema",
    ),
)
REFUSAL_STATUS = OpenPoint(
    "refusal-status",
    "the status of the answer to a breach of a documented limit (an Idempotency-Key over 255 "
    "characters, bytes labelled gzip that are not gzip)",
    "any 4xx",
    ("overlong_key_rejected", "corrupt_gzip_rejected"),
)
INVALID_TRACK_ID = OpenPoint(
    "invalid-track-id",
    "how Zuora answers a Zuora-Track-Id over 64 characters or with forbidden characters",
    "any answer but a 5xx: refused (4xx, or 200 with success: false) or processed; an echo "
    "must still keep the response header's limits",
    ("invalid_track_id_rejected",),
)
REPLAY_BYTES = OpenPoint(
    "replay-bytes",
    "whether a replay repeats the stored bytes or re-serialises the stored answer",
    "an answer JSON-equal to the first (key order and white space may differ)",
    ("replay_body_matches", "concurrent_requests_create_once"),
)
LONGEST_KEY = OpenPoint(
    "longest-key",
    "whether a 255-character Idempotency-Key is valid (the spec allows 255, the guide asks for "
    "fewer than 255)",
    "a 255-character key accepted or refused; keys of up to 254 characters must work",
    ("longest_key_accepted", "replays_are_identical"),
)
STORED_HEADERS = OpenPoint(
    "stored-headers",
    "which response headers a replay repeats",
    "any headers, as long as Content-Type is the first answer's",
    ("replay_headers_match",),
)
RATELIMIT_SYNTAX = OpenPoint(
    "ratelimit-syntax",
    "the syntax of RateLimit-Limit (a plain integer, or with a policy suffix)",
    "any value; it is compared with RateLimit-Remaining only when it starts with a number",
    ("rate_limit_headers_well_formed",),
)
OPEN_POINTS = (
    FAILURE_AS_200,
    REFUSAL_STATUS,
    INVALID_TRACK_ID,
    REPLAY_BYTES,
    LONGEST_KEY,
    STORED_HEADERS,
    RATELIMIT_SYNTAX,
)


def is_soft_failure(status: int, body: Any) -> bool:
    """Whether an answer is a failure reported Zuora's other way: 200 with success: false and
    at least one reason with a code and a message."""
    if status != 200 or not isinstance(body, dict) or body.get("success") is not False:
        return False
    reasons = body.get("reasons")
    return (
        isinstance(reasons, list)
        and bool(reasons)
        and all(
            isinstance(reason, dict) and "code" in reason and isinstance(reason.get("message"), str)
            for reason in reasons
        )
    )


def _parsed(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, TypeError):
        return None


def soft_failure_accepted(check: str, status: int, content: bytes) -> bool:
    """Whether `check` accepts a 200-with-success-false answer it would otherwise refuse.

    Only checks that apply the failure-as-200 point are asked; any other check keeps its verdict.
    """
    if check not in FAILURE_AS_200.applied_by:
        return False
    return soft_failure_fits(check, status, _parsed(content))


def soft_failure_fits(check: str, status: int, body: Any) -> bool:
    """Whether the parsed `body` is a failure reported as 200 and `check` accepts one here."""
    return FAILURE_AS_200.applies(check) and is_soft_failure(status, body)


def refusal_fits(check: str, status: int, body: Any, *, published: int) -> bool:
    """Whether an answer is the refusal `check` asks for.

    The default profile asks for the published status. The zuora profile also accepts a
    failure reported as 200 with success: false, and, where Zuora documents no status, any 4xx.
    """
    if status == published:
        return True
    if soft_failure_fits(check, status, body):
        return True
    any_4xx = check in REFUSAL_STATUS.applied_by and REFUSAL_STATUS.applies(check)
    return any_4xx and 400 <= status < 500


def invalid_track_id_answer_fits(check: str, status: int, *, published: int) -> bool:
    """Whether the answer to an invalid track id fits: the published refusal by default; under
    the zuora profile any answer but a server error."""
    if INVALID_TRACK_ID.applies(check):
        return status < 500
    return status == published


def same_answer(check: str, first: bytes, other: bytes) -> bool:
    """Whether two answers are the same stored answer: byte-equal by default, JSON-equal under
    the zuora profile (a non-JSON answer must still be byte-equal)."""
    if first == other:
        return True
    if not REPLAY_BYTES.applies(check):
        return False
    parsed = _parsed(first)
    return parsed is not None and parsed == _parsed(other)


def longest_valid_key(user: str, published: int) -> int:
    """The longest Idempotency-Key `user` may treat as valid: `published`, or one less under
    the zuora profile, where a 255-character key may be refused."""
    return published - 1 if LONGEST_KEY.applies(user) else published
