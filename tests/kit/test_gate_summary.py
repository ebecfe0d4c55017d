"""`conformance.gate_summary` on JUnit shaped as the suite writes it (curls after the message)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance.gate_summary import FINDINGS_SHOWN, main, read_junit, render_markdown


def _junit(path: Path, cases: list[ET.Element], *, target: str = "http://127.0.0.1:9") -> Path:
    suites = ET.Element("testsuites")
    suite = ET.SubElement(suites, "testsuite", {"name": "conformance", "hostname": target})
    suite.extend(cases)
    path.write_text(ET.tostring(suites, encoding="unicode"), encoding="utf-8")
    return path


def _case(name: str, child: str | None = None, message: str = "", text: str = "") -> ET.Element:
    case = ET.Element("testcase", {"classname": "conformance.headers", "name": name})
    if child is not None:
        ET.SubElement(case, child, {"message": message}).text = text
    return case


def _failure(title: str, curl: str) -> str:
    return f"Expected: x\nReceived: y\n\nReproduce with:\n{curl}"


def test_failed_not_exercised_and_passed_checks_are_told_apart(tmp_path: Path) -> None:
    junit = _junit(
        tmp_path / "junit.xml",
        [
            _case("track_id_echoed", "failure", "echo lost", _failure("echo lost", "curl -X A")),
            _case("gzip_large", "skipped", "not exercised: no body over 1000 bytes"),
            _case("unsupported_method", "skipped", "skipped under the zuora profile"),
            _case("request_id_present"),
        ],
    )
    report = read_junit(junit)
    assert report.checks == 4
    assert report.failed_checks == ("track_id_echoed",)
    assert report.not_exercised == (("gzip_large", "not exercised: no body over 1000 bytes"),)
    assert report.findings[0].curl == ("curl -X A",)
    assert report.findings[0].message == "Expected: x\nReceived: y"


def test_the_markdown_lists_a_limited_number_of_findings_per_check(tmp_path: Path) -> None:
    failures = [
        _case("replay_body_matches", "failure", f"body {n}", _failure("t", f"curl -d {n}"))
        for n in range(FINDINGS_SHOWN + 2)
    ]
    case = failures[0]
    for other in failures[1:]:
        case.extend(other)
    text = render_markdown(read_junit(_junit(tmp_path / "junit.xml", [case])), 1)
    assert text.count("```sh") == FINDINGS_SHOWN
    assert "... and 2 more in the reports." in text
    assert "| 1 | 1 | 0 |" in text


def test_backticks_in_a_message_cannot_close_its_code_block(tmp_path: Path) -> None:
    junit = _junit(
        tmp_path / "junit.xml",
        [_case("error_shape", "failure", "t", _failure("t", "curl 'a```b'"))],
    )
    text = render_markdown(read_junit(junit), 1)
    assert "````sh\ncurl 'a```b'\n````" in text


def test_a_target_error_is_a_reason_not_a_check(tmp_path: Path) -> None:
    error = ET.Element("testcase", {"classname": "conformance.target", "name": "target_reachable"})
    ET.SubElement(error, "error", {"message": "connection refused"})
    report = read_junit(_junit(tmp_path / "junit.xml", [error]))
    assert report.checks == 0
    assert "**Could not check:** connection refused" in render_markdown(report, 2)


def test_main_writes_the_summary_and_the_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    junit = _junit(tmp_path / "junit.xml", [_case("track_id_echoed")])
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    markdown = tmp_path / "reports" / "summary.md"
    arguments = ["--junit", str(junit), "--verdict", "0", "--markdown", str(markdown)]
    assert main(arguments) == 0
    assert (tmp_path / "summary").read_text(encoding="utf-8") == markdown.read_text("utf-8")
    outputs = (tmp_path / "output").read_text(encoding="utf-8").splitlines()
    assert outputs == [
        "verdict=0",
        "failed=0",
        "not-exercised=0",
        f"junit={junit}",
        "html=",
        f"summary={markdown}",
    ]


def test_a_run_without_a_report_points_at_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    markdown = tmp_path / "summary.md"
    missing = tmp_path / "no-such-junit.xml"
    assert main(["--junit", str(missing), "--verdict", "2", "--markdown", str(markdown)]) == 0
    assert "no report was written" in markdown.read_text(encoding="utf-8")
