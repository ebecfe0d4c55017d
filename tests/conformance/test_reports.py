"""The check table, the tally, the reports and the command line, without any server."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import conformance.checks  # noqa: F401 - registers every check
from conformance.cli import options_from
from conformance.profiles import Guard, Profile, Treatment
from conformance.registry import CHECKS, Kind
from conformance.report import render_html, render_junit, render_summary
from conformance.results import FailureRecord, SuiteResult
from conformance.tally import MAX_FAILURES_KEPT, Tally

TESTS = Path(__file__).resolve().parent  # the tests of the suite
ROOT = TESTS.parents[1]


def test_every_check_of_the_suite_has_a_unit_test() -> None:
    sources = "".join(path.read_text(encoding="utf-8") for path in TESTS.glob("test_*.py"))
    own = [info.name for info in CHECKS.values() if info.kind is not Kind.SCHEMATHESIS]
    untested = [name for name in own if f"{name}(" not in sources and f"{name}," not in sources]
    assert not untested


def test_every_check_declares_what_it_catches_and_guards() -> None:
    for info in CHECKS.values():
        assert info.catches.startswith("Catches "), info.name
        assert info.catches.endswith("."), info.name
        assert "\n" not in info.catches
        assert info.guards in (Guard.ZUORA, Guard.PUBLISHED)
        if info.zuora.treatment is not Treatment.STRICT:
            assert info.zuora.note, f"{info.name} is relaxed or skipped for Zuora without a reason"


def test_published_choices_are_the_ones_the_zuora_profile_may_skip() -> None:
    skipped = {info.name for info in CHECKS.values() if info.zuora.treatment is Treatment.SKIPPED}
    assert "vary_accept_encoding" in skipped
    assert "replay_marker_present" in skipped
    assert "track_id_echoed" not in skipped
    assert "replay_status_matches" not in skipped


def _record(check: str, title: str) -> FailureRecord:
    return FailureRecord(
        check,
        title,
        "Expected: a\nReceived: b",
        ("curl -sS -i -X POST 'http://h/v1/fulfillments'",),
    )


def test_tally_counts_cases_and_keeps_distinct_failures() -> None:
    seen: list[FailureRecord] = []
    tally = Tally(on_failure=seen.append)
    tally.passed("track_id_echoed")
    for index in range(MAX_FAILURES_KEPT + 3):
        tally.failed(_record("track_id_echoed", f"title {index % (MAX_FAILURES_KEPT + 1)}"))
    tally.failed(_record("track_id_echoed", "title 0"))
    report = next(r for r in tally.reports(Profile.DEFAULT) if r.name == "track_id_echoed")
    assert (report.cases, report.passed, report.failed) == (
        MAX_FAILURES_KEPT + 5,
        1,
        MAX_FAILURES_KEPT + 4,
    )
    assert len(report.failures) == MAX_FAILURES_KEPT
    assert len(seen) == MAX_FAILURES_KEPT


def _result(problem: str | None = None) -> SuiteResult:
    tally = Tally()
    tally.passed("request_id_present")
    tally.failed(_record("track_id_echoed", "Zuora-Track-Id not echoed unchanged"))
    tally.note("other_tenant_not_blocked", "not run: no second tenant token (TOKEN2)")
    return SuiteResult(
        target="http://127.0.0.1:8080",
        spec="openapi/fulfillments.yaml",
        profile=Profile.DEFAULT,
        seed=7,
        duration=1.5,
        checks=() if problem else tally.reports(Profile.DEFAULT),
        problem=problem,
    )


def test_result_verdict_and_exit_codes() -> None:
    failed = _result()
    assert failed.failed_checks == {"track_id_echoed"}
    assert failed.exit_code == 1
    assert failed.report("request_id_present").status.value == "passed"
    assert failed.report("other_tenant_not_blocked").status.value == "not run"
    assert _result("cannot connect").exit_code == 2


def test_summary_shows_the_table_and_each_failure_with_its_curl() -> None:
    text = render_summary(_result())
    assert "check" in text
    assert "guards" in text
    assert "judged" in text
    assert "shown" in text
    assert "failed" in text
    assert "track_id_echoed (Zuora's contract): Zuora-Track-Id not echoed unchanged" in text
    assert "curl -sS -i -X POST" in text
    assert text.rstrip().endswith("FAILED: track_id_echoed")
    assert render_summary(_result("cannot connect")) == "ERROR: cannot connect\n"


def test_junit_has_a_test_case_per_check_and_the_failure_with_its_curl() -> None:
    root = ET.fromstring(render_junit(_result()))
    suite = root.find("testsuite")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == set(CHECKS)
    failure = cases["track_id_echoed"].find("failure")
    assert failure is not None
    assert "curl" in (failure.text or "")
    assert cases["other_tenant_not_blocked"].find("skipped") is not None
    assert root.get("failures") == "1"
    problem = ET.fromstring(render_junit(_result("cannot connect")))
    assert problem.get("errors") == "1"


def test_html_is_self_contained_with_a_chart_and_the_failures() -> None:
    page = render_html(_result())
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page
    assert "<style>" in page
    assert "<script" not in page
    assert "<link" not in page
    assert " src=" not in page
    assert "Zuora-Track-Id not echoed unchanged" in page
    assert "curl -sS -i" in page


def test_options_come_from_the_environment_and_the_command_line_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONFORMANCE_TOKEN", "env-token")
    monkeypatch.setenv("CONFORMANCE_LINE_ITEM_IDS", "a, b,,c")
    monkeypatch.setenv("CONFORMANCE_PROFILE", "zuora")
    monkeypatch.setenv("CONFORMANCE_MAX_EXAMPLES", "30")
    monkeypatch.setenv("CONFORMANCE_SEED", "")
    options, args = options_from(["--token", "cli-token", "--workers", "3", "--report-dir", "out"])
    assert options.token == "cli-token"
    assert options.line_item_ids == ("a", "b", "c")
    assert options.profile is Profile.ZUORA
    assert options.max_examples == 30
    assert options.seed is None
    assert options.workers == 3
    assert args.report_dir == Path("out")


@pytest.mark.parametrize(
    "argv",
    [
        ["--profile", "strict"],
        ["--max-examples", "0"],
        ["--phases", "stateful"],
        ["--timeout", "-1"],
    ],
)
def test_bad_options_exit_2_with_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        options_from(argv)
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("conformance: ")
    assert error.count("\n") == 1


def test_the_readme_lists_every_check_with_its_guard() -> None:
    readme = (ROOT / "conformance" / "README.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in readme.splitlines()
        if line.startswith("| `")
    }
    for info in CHECKS.values():
        assert info.name in rows, info.name
        assert info.guards.label in rows[info.name], info.name
        assert info.zuora.treatment.value in rows[info.name], info.name
