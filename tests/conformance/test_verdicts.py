"""Nothing passes unjudged: shown vs judged counts, "not exercised", and the runs that prove it."""

from __future__ import annotations

import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, cast

import pytest

# Imported here, in the main thread: imported first by the schema phase's worker thread while
# pytest rewrites assertions, Python 3.11's AST constructor can fail ("recursion depth mismatch").
import schemathesis.specs.openapi.schemas  # noqa: F401
from fulfillments_contract import load_contract
from schemathesis.checks import CHECKS as SCHEMATHESIS_CHECKS

import conformance.checks  # noqa: F401 - registers every check
from conformance import SuiteOptions, run_suite
from conformance.checks._judged import NotJudged
from conformance.checks._wire import parse_answer
from conformance.checks.auth import unauthorized_has_challenge
from conformance.checks.errors import (
    documented_error_shape,
    error_shape,
    nothing_produced_is_null,
    reason_codes_well_formed,
    success_true_on_200,
)
from conformance.checks.gzip import (
    compressed_body_matches_schema,
    content_length_matches,
    gzip_large_bodies_compressed,
    gzip_only_when_asked,
    gzip_small_bodies_plain,
)
from conformance.checks.headers import (
    concurrency_limit_headers_well_formed,
    invalid_track_id_not_echoed,
    rate_limit_headers_well_formed,
    track_id_echoed,
)
from conformance.checks.idempotency import (
    conflict_has_retry_after,
    replay_body_matches,
    replay_status_matches,
    request_id_fresh,
)
from conformance.cli import options_from
from conformance.client import SentRequest
from conformance.context import RunContext, activate
from conformance.failures import ContractViolation
from conformance.keyspace import KeySpace
from conformance.profiles import Profile
from conformance.properties import Harness, Liveness, PropertyFailed
from conformance.properties.wire import post_over_socket
from conformance.registry import UNJUDGED
from conformance.report import render_html, render_junit, render_summary
from conformance.results import NOTHING_JUDGED, CheckStatus, SuiteResult
from conformance.schema_phase import _record
from conformance.tally import NOT_REACHED, Tally
from tests._conformance_fixtures import exchange, schemathesis_pair

SOFT = {"success": False, "processId": "P1", "reasons": [{"code": 53100020, "message": "bad"}]}
# Checks no reference run can exercise, and why: a race the reference server may not lose.
RACY = {"conflict_has_retry_after": "a 409 arises only when a retry overtakes the first request"}


def _result(tally: Tally, *, require_exercised: bool = False) -> SuiteResult:
    return SuiteResult(
        target="http://127.0.0.1:8080",
        spec="openapi/fulfillments.yaml",
        profile=Profile.DEFAULT,
        seed=1,
        duration=1.0,
        checks=tally.reports(Profile.DEFAULT),
        require_exercised=require_exercised,
    )


def test_a_check_shown_nothing_it_judges_is_not_exercised_with_its_most_frequent_reason() -> None:
    tally = Tally()
    tally.not_judged("conflict_has_retry_after", "no 409 arose")
    tally.not_judged("conflict_has_retry_after", "no 409 arose")
    tally.not_judged("conflict_has_retry_after", "something rarer")
    tally.passed("track_id_echoed")
    tally.not_judged("track_id_echoed", "only invalid track ids sent")
    result = _result(tally)
    conflict = result.report("conflict_has_retry_after")
    assert (conflict.shown, conflict.cases, conflict.passed) == (3, 0, 0)
    assert conflict.status is CheckStatus.NOT_EXERCISED
    assert conflict.why_not_exercised == "not exercised: no 409 arose"
    echoed = result.report("track_id_echoed")
    assert (echoed.shown, echoed.cases, echoed.status) == (2, 1, CheckStatus.PASSED)
    untouched = result.report("replay_status_matches")
    assert untouched.status is CheckStatus.NOT_EXERCISED
    assert untouched.unjudged == NOT_REACHED
    assert result.exit_code == 0


def test_require_exercised_fails_strict_checks_that_judged_nothing_only() -> None:
    tally = Tally()
    tally.passed("track_id_echoed")
    tally.note("other_tenant_never_sees_response", "not run: no second tenant token (TOKEN2)")
    relaxed = _result(tally)
    assert relaxed.exit_code == 0
    required = _result(tally, require_exercised=True)
    assert required.exit_code == 1
    assert "replay_status_matches" in required.failed_checks  # strict, judged nothing
    assert "conflict_has_retry_after" in required.failed_checks  # published choices are strict
    assert "track_id_echoed" not in required.failed_checks
    assert "other_tenant_never_sees_response" not in required.failed_checks  # not run: a note
    assert "--require-exercised" in render_summary(required)


def test_the_reports_show_not_exercised_with_its_reason_never_passed() -> None:
    tally = Tally()
    tally.passed("track_id_echoed")
    tally.not_judged("conflict_has_retry_after", "no 409 arose")
    result = _result(tally)
    summary = render_summary(result)
    row = next(line for line in summary.splitlines() if line.startswith("conflict_has_retry_after"))
    assert "not exercised: no 409 arose" in row
    assert "passed" not in row.split()[-4:]
    suite = ET.fromstring(render_junit(result))
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    skipped = cases["conflict_has_retry_after"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "not exercised: no 409 arose"
    assert "not exercised: no 409 arose" in render_html(result)
    required = ET.fromstring(render_junit(_result(tally, require_exercised=True)))
    failing = {case.get("name"): case for case in required.iter("testcase")}
    assert failing["conflict_has_retry_after"].find("failure") is not None


def test_the_command_line_and_its_variable_turn_require_exercised_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CONFORMANCE_REQUIRE_EXERCISED", raising=False)
    assert not options_from([])[0].require_exercised
    assert options_from(["--require-exercised"])[0].require_exercised
    monkeypatch.setenv("CONFORMANCE_REQUIRE_EXERCISED", "1")
    assert options_from([])[0].require_exercised


ASK = {"Accept-Encoding": "gzip"}
# Each check, and an exchange outside what it judges: it must say so, not pass.
UNJUDGED_CASES: list[tuple[Callable[..., object], tuple[Any, ...]]] = [
    (unauthorized_has_challenge, (None, *schemathesis_pair(200, {"success": True}))),
    (documented_error_shape, (None, *schemathesis_pair(200, {"success": True}))),
    (error_shape, (None, *schemathesis_pair(400, SOFT))),
    (reason_codes_well_formed, (None, *schemathesis_pair(200, {"success": True}))),
    (success_true_on_200, (None, *schemathesis_pair(400, SOFT))),
    (nothing_produced_is_null, (None, *schemathesis_pair(200, SOFT))),
    (
        track_id_echoed,
        (None, *schemathesis_pair(400, SOFT, request_headers={"Zuora-Track-Id": "a:b"})),
    ),
    (invalid_track_id_not_echoed, (None, *schemathesis_pair(200, {"success": True}))),
    (rate_limit_headers_well_formed, (None, *schemathesis_pair(200, {"success": True}))),
    (concurrency_limit_headers_well_formed, (None, *schemathesis_pair(200, {"success": True}))),
    (gzip_large_bodies_compressed, (exchange(200, {"success": True}, request_headers=ASK),)),
    (gzip_small_bodies_plain, (exchange(200, {"success": True}),)),
    (gzip_only_when_asked, (exchange(200, {"success": True}, request_headers=ASK),)),
    (compressed_body_matches_schema, (exchange(200, {"success": True}, request_headers=ASK),)),
    (conflict_has_retry_after, ([exchange(200), exchange(200)],)),
    (request_id_fresh, ([exchange(200, headers={"Zuora-Request-Id": None})],)),
]


@pytest.mark.parametrize(
    ("check", "args"), UNJUDGED_CASES, ids=[check.__name__ for check, _ in UNJUDGED_CASES]
)
def test_a_check_outside_its_precondition_says_it_judged_nothing(
    check: Callable[..., object], args: tuple[Any, ...]
) -> None:
    verdict = check(*args)
    assert isinstance(verdict, NotJudged)
    assert verdict.reason


def _harness(tally: Tally) -> Harness:
    return Harness(
        client=cast(Any, None),
        context=RunContext(contract=load_contract()),
        tally=tally,
        secrets={},
        keys=KeySpace("test"),
        liveness=Liveness(),
    )


def _example(h: Harness, *, first_status: int) -> None:
    """One example: a failing (or passing) replay judge, then two more judges."""
    with h.example():
        h.judge(replay_status_matches, exchange(200), exchange(first_status))
        h.judge(replay_body_matches, exchange(200), exchange(200))
        h.judge(conflict_has_retry_after, [exchange(200)])


def test_every_judge_of_an_example_is_recorded_even_after_one_fails() -> None:
    tally = Tally()
    h = _harness(tally)
    with pytest.raises(PropertyFailed):
        _example(h, first_status=400)
    reports = {report.name: report for report in _result(tally).checks}
    assert reports["replay_status_matches"].failed == 1
    assert reports["replay_body_matches"].passed == 1
    assert reports["conflict_has_retry_after"].shown == 1
    assert reports["conflict_has_retry_after"].unjudged == "no 409 arose"
    # Hypothesis replays the failing example to report it: that replay is not counted again.
    with pytest.raises(PropertyFailed):
        _example(h, first_status=400)
    again = _result(tally)
    assert again.report("replay_status_matches").failed == 1
    assert again.report("replay_body_matches").passed == 1


def test_schemathesis_runs_the_wrapped_check_which_notes_what_it_did_not_judge() -> None:
    registered = cast(Any, SCHEMATHESIS_CHECKS.get_one("unauthorized_has_challenge"))
    assert registered is not unauthorized_has_challenge
    response, case = schemathesis_pair(200, {"success": True})
    assert registered(None, response, case) is None  # what Schemathesis sees: nothing raised
    assert UNJUDGED.take(str(case.id), "unauthorized_has_challenge") == "no 401 seen"
    challenged, case = schemathesis_pair(401, {"message": "no"})
    with pytest.raises(ContractViolation):
        registered(None, challenged, case)
    assert UNJUDGED.take(str(case.id), "unauthorized_has_challenge") is None


def _node(name: str, status: str, failure: Any = None) -> Any:
    return SimpleNamespace(name=name, status=SimpleNamespace(value=status), failure_info=failure)


def test_schemathesis_results_count_judged_cases_only() -> None:
    UNJUDGED.put("case-1", "unauthorized_has_challenge", "no 401 seen")
    recorder = SimpleNamespace(
        checks={
            "case-1": [
                _node("unauthorized_has_challenge", "success"),
                _node("request_id_present", "success"),
                _node("negative_data_rejection", "success"),
            ]
        },
        cases={"case-1": SimpleNamespace(value=SimpleNamespace(meta=None))},
        interactions={},
    )
    tally = Tally()
    _record(recorder, tally, {})
    result = _result(tally)
    assert result.report("unauthorized_has_challenge").status is CheckStatus.NOT_EXERCISED
    assert result.report("unauthorized_has_challenge").unjudged == "no 401 seen"
    assert result.report("request_id_present").status is CheckStatus.PASSED
    negative = result.report("negative_data_rejection")
    assert negative.status is CheckStatus.NOT_EXERCISED
    assert negative.unjudged == "no negative case generated"


def test_the_zuora_profile_accepts_a_schema_failure_on_a_200_reporting_a_failure() -> None:
    failure = SimpleNamespace(failure=SimpleNamespace(title="t", message="m", case_id="case-2"))
    response = SimpleNamespace(status_code=200, content=b'{"success": false, "reasons": []}')
    soft = b'{"success":false,"processId":"P","reasons":[{"code":53100020,"message":"bad"}]}'
    for content, profile, failed in (
        (soft, Profile.ZUORA, 0),
        (soft, Profile.DEFAULT, 1),
        (response.content, Profile.ZUORA, 1),  # no reasons: not a failure Zuora documents
    ):
        recorder = SimpleNamespace(
            checks={"case-2": [_node("response_schema_conformance", "failure", failure)]},
            cases={"case-2": SimpleNamespace(value=SimpleNamespace(meta=None))},
            interactions={
                "case-2": SimpleNamespace(
                    response=SimpleNamespace(status_code=200, content=content),
                    request=SimpleNamespace(
                        method="POST", uri="http://h/v1/fulfillments", headers={}, body=b"{}"
                    ),
                )
            },
        )
        tally = Tally()
        with activate(RunContext(contract=load_contract(), profile=profile)):
            _record(recorder, tally, {})
        assert _result(tally).report("response_schema_conformance").failed == failed


@contextmanager
def _one_answer_server(answer: bytes) -> Iterator[str]:
    """A loopback server that answers one request with `answer`, then closes the connection."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1/fulfillments"
    finally:
        listener.close()
        thread.join(timeout=5)


def _over_the_socket(answer: bytes) -> object:
    with _one_answer_server(answer) as url:
        data = post_over_socket(url, b"{}", {"Content-Type": "application/json"}, timeout=5)
    return content_length_matches(parse_answer(SentRequest("POST", url, {}, b"{}"), data))


def test_content_length_matches_fails_a_server_that_declares_more_than_it_sends() -> None:
    assert _over_the_socket(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}") is None
    with pytest.raises(ContractViolation, match="Content-Length"):
        _over_the_socket(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{}")
    with pytest.raises(ContractViolation, match="Content-Length"):
        _over_the_socket(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n{}")


def test_a_run_that_judges_nothing_exits_2() -> None:
    options = SuiteOptions(phases=frozenset({"schema"}), only=frozenset({"key_limits_hold"}))
    result = run_suite(options)
    assert result.problem == NOTHING_JUDGED
    assert result.exit_code == 2


@pytest.mark.parametrize("profile", list(Profile))
def test_against_the_reference_server_nothing_passes_unjudged(profile: Profile) -> None:
    result = run_suite(SuiteOptions(profile=profile, seed=20261206))
    assert result.exit_code == 0, sorted(result.failed_checks)
    for report in result.checks:
        if report.status is CheckStatus.PASSED:
            assert report.cases > 0, report.name
    not_exercised = {
        report.name for report in result.checks if report.status is CheckStatus.NOT_EXERCISED
    }
    assert not_exercised <= set(RACY), not_exercised


def test_a_restricted_run_reports_the_checks_it_left_out_as_not_run() -> None:
    only = frozenset({"track_ids_are_echoed"})
    result = run_suite(SuiteOptions(phases=frozenset({"properties"}), only=only, seed=20261206))
    assert result.exit_code == 0, sorted(result.failed_checks)
    assert result.report("track_id_echoed").status is CheckStatus.PASSED
    left_out = result.report("gzip_threshold_honoured")
    assert left_out.status is CheckStatus.NOT_RUN
    assert "outside the tests" in left_out.note
    for report in result.checks:
        if report.status is CheckStatus.NOT_EXERCISED:
            assert report.shown > 0, report.name  # shown exchanges, none of the kind it judges
        if report.shown == 0:
            assert report.status in (CheckStatus.NOT_RUN, CheckStatus.SKIPPED), report.name
