"""The zuora profile is one rule: the README's table is the code's, and every row is applied.

For each row of `conformance/README.md`'s point-by-point table, and each check (or property
test) the row names, a probe hands that user the answer Zuora's documentation allows there. The
zuora profile must accept it, the default profile must hold the server to the published choice,
and the user must have consulted the row's point to decide.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fulfillments_contract import load_contract

import conformance.checks  # noqa: F401 - registers every check
from conformance.checks.gzip import compressed_body_matches_schema, corrupt_gzip_rejected
from conformance.checks.headers import rate_limit_headers_well_formed
from conformance.checks.idempotency import (
    concurrent_requests_create_once,
    failed_response_replayed,
    replay_body_matches,
    replay_headers_match,
)
from conformance.checks.keys import longest_key_length, overlong_key_rejected
from conformance.checks.rejections import invalid_body_rejected, invalid_track_id_rejected
from conformance.context import RunContext, activate
from conformance.failures import ContractViolation
from conformance.open_points import (
    OPEN_POINTS,
    consulted,
    longest_valid_key,
    soft_failure_accepted,
)
from conformance.profiles import Profile, Treatment
from conformance.registry import CHECKS
from tests._conformance_fixtures import exchange, json_bytes, schemathesis_pair

README = Path(__file__).resolve().parents[2] / "conformance" / "README.md"
SOFT = {"success": False, "processId": "P1", "reasons": [{"code": 53100020, "message": "bad"}]}
CREATED = {"success": True, "fulfillments": [{"id": "a" * 32, "fulfillmentNumber": "F-1"}]}
REORDERED = json_bytes(dict(reversed(list(CREATED.items()))))


def _table() -> list[tuple[str, str, str, tuple[str, ...]]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### The zuora profile, point by point", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        users = tuple(re.findall(r"`([a-z_0-9]+)`", cells[3]))
        rows.append((cells[0].strip("`"), cells[1], cells[2], users))
    return rows


def _plain(text: str) -> str:
    return text.replace("`", "")


def test_the_readme_table_is_the_codes_table() -> None:
    rows = _table()
    assert [row[0] for row in rows] == [point.name for point in OPEN_POINTS]
    for (name, left_open, accepted, users), point in zip(rows, OPEN_POINTS, strict=True):
        assert _plain(left_open) == point.left_open, name
        assert _plain(accepted) == point.accepted, name
        assert users == point.applied_by, name


def test_every_check_of_a_point_is_relaxed_under_the_zuora_profile() -> None:
    for point in OPEN_POINTS:
        for user in point.applied_by:
            if user in CHECKS:
                assert CHECKS[user].zuora.treatment is Treatment.RELAXED, (point.name, user)


def _holds(check: Callable[..., object], *args: Any) -> bool:
    try:
        check(*args)
    except ContractViolation:
        return False
    return True


def _replay(content: bytes) -> Any:
    return exchange(200, content)


def _headers(content_type: str, request_id: str) -> Any:
    return exchange(
        200, CREATED, headers={"Content-Type": content_type, "Zuora-Request-Id": request_id}
    )


# (point, user) -> whether the user accepts the answer Zuora's documentation allows there.
PROBES: dict[tuple[str, str], Callable[[], bool]] = {
    ("failure-as-200", "response_schema_conformance"): lambda: soft_failure_accepted(
        "response_schema_conformance", 200, json_bytes(SOFT)
    ),
    ("failure-as-200", "invalid_body_rejected"): lambda: _holds(
        invalid_body_rejected, exchange(200, SOFT), "a missing quantity"
    ),
    ("failure-as-200", "failed_response_replayed"): lambda: _holds(
        failed_response_replayed, exchange(200, SOFT), exchange(200, SOFT)
    ),
    ("failure-as-200", "overlong_key_rejected"): lambda: _holds(
        overlong_key_rejected, exchange(200, SOFT, request_headers={"Idempotency-Key": "k" * 256})
    ),
    ("failure-as-200", "corrupt_gzip_rejected"): lambda: _holds(
        corrupt_gzip_rejected, exchange(200, SOFT, request_headers={"Content-Encoding": "gzip"})
    ),
    ("failure-as-200", "compressed_body_matches_schema"): lambda: _holds(
        compressed_body_matches_schema,
        exchange(200, SOFT, gzip_body=True, request_headers={"Accept-Encoding": "gzip"}),
    ),
    ("refusal-status", "overlong_key_rejected"): lambda: _holds(
        overlong_key_rejected, exchange(422, SOFT, request_headers={"Idempotency-Key": "k" * 256})
    ),
    ("refusal-status", "corrupt_gzip_rejected"): lambda: _holds(
        corrupt_gzip_rejected, exchange(415, SOFT, request_headers={"Content-Encoding": "gzip"})
    ),
    ("invalid-track-id", "invalid_track_id_rejected"): lambda: _holds(
        invalid_track_id_rejected,
        exchange(200, CREATED, request_headers={"Zuora-Track-Id": "x" * 65}),
    ),
    ("replay-bytes", "replay_body_matches"): lambda: _holds(
        replay_body_matches, _replay(json_bytes(CREATED)), _replay(REORDERED)
    ),
    ("replay-bytes", "concurrent_requests_create_once"): lambda: _holds(
        concurrent_requests_create_once, [_replay(json_bytes(CREATED))], _replay(REORDERED)
    ),
    ("longest-key", "longest_key_accepted"): lambda: longest_key_length() == 254,
    ("longest-key", "replays_are_identical"): lambda: (
        longest_valid_key("replays_are_identical", 255) == 254
    ),
    ("stored-headers", "replay_headers_match"): lambda: _holds(
        replay_headers_match,
        _headers("application/json", "3b9f1c3e-6a55-4b7e-8d07-0e5a1a2f9c11"),
        _headers("application/json", "00000000-6a55-4b7e-8d07-0e5a1a2f9c11"),
    ),
    ("ratelimit-syntax", "rate_limit_headers_well_formed"): lambda: _holds(
        rate_limit_headers_well_formed,
        None,
        *schemathesis_pair(
            200, CREATED, headers={"RateLimit-Limit": "quota", "RateLimit-Remaining": "5"}
        ),
    ),
}


def test_every_row_of_the_table_has_a_probe() -> None:
    rows = {(name, user) for name, _, _, users in _table() for user in users}
    assert rows == set(PROBES)


@pytest.mark.parametrize(("point", "user"), sorted(PROBES), ids=str)
def test_each_user_of_a_point_consults_it_and_accepts_what_zuora_may_answer(
    point: str, user: str
) -> None:
    probe = PROBES[(point, user)]
    contract = load_contract()
    with activate(RunContext(contract=contract, profile=Profile.ZUORA)):
        assert probe(), f"{user} refuses under the zuora profile what {point} allows"
    assert (point, user) in consulted()
    with activate(RunContext(contract=contract, profile=Profile.DEFAULT)):
        assert not probe(), f"{user} accepts under the default profile more than it publishes"


def test_a_user_not_in_a_row_cannot_consult_it() -> None:
    with pytest.raises(ValueError, match="does not apply"):
        OPEN_POINTS[0].applies("track_id_echoed")
