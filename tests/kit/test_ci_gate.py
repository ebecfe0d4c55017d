"""The CI snippet (`ci/conformance-gate.sh`), run here end to end as another pipeline would run it.

It starts the server under test from a command, waits for it, runs the suite, writes JUnit, the
HTML report and the Markdown summary (also to `GITHUB_STEP_SUMMARY`, with the action's outputs in
`GITHUB_OUTPUT`, as on GitHub Actions), and exits with the verdict: 0 for the reference server,
1 for a broken one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests._browser import distinct_colours, screenshot
from tests._server_process import ROOT, free_port

GATE = ROOT / "ci" / "conformance-gate.sh"
GATE_TIMEOUT = 240  # seconds: server start plus a short suite run on a loaded 2-core machine


def _gate_env(**variables: str) -> dict[str, str]:
    """This environment without any GitHub or suite variable a caller's shell may have set."""
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GITHUB_", "CONFORMANCE_")) and key not in {"TARGET", "REPORT_DIR"}
    }
    return kept | {"KIT_PYTHON": sys.executable} | variables


# Bare names a CI job may hold for other purposes: the gate must read none of them, or these
# would point the suite elsewhere, send a wrong token and name a profile that does not exist.
STRAY = {"TARGET": "http://127.0.0.1:9", "TOKEN": "meant-for-another-tool", "PROFILE": "release"}


def _run_gate(server: str, run_dir: Path) -> subprocess.CompletedProcess[str]:
    port = free_port()
    env = _gate_env(
        **STRAY,
        CONFORMANCE_TARGET=f"http://127.0.0.1:{port}",
        SERVER_CMD=f"{sys.executable} -m tests.planted serve {server} --port {port}",
        CONFORMANCE_REPORT_DIR=str(run_dir / "reports"),
        GITHUB_STEP_SUMMARY=str(run_dir / "step-summary.md"),
        GITHUB_OUTPUT=str(run_dir / "outputs.txt"),
        KIT=f"{sys.executable} -m conformance --only examples,track_ids_are_echoed "
        "--max-examples 5 --seed 1",
    )
    return subprocess.run(
        ["bash", str(GATE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=GATE_TIMEOUT,
        check=False,
    )


def _outputs(run_dir: Path) -> dict[str, str]:
    lines = (run_dir / "outputs.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def _junit_failures(run_dir: Path) -> int:
    root = ET.parse(run_dir / "reports" / "junit.xml").getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    return sum(int(suite.get("failures", "0")) + int(suite.get("errors", "0")) for suite in suites)


@pytest.mark.slow
def test_gate_passes_the_reference_server(tmp_path: Path) -> None:
    done = _run_gate("reference", tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "verdict 0" in done.stdout
    assert (tmp_path / "reports" / "conformance.html").stat().st_size > 0
    assert _junit_failures(tmp_path) == 0
    summary = (tmp_path / "step-summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## Fulfillments contract gate: PASSED")
    assert "**kept the contract** (verdict 0)" in summary
    assert "curl " not in summary
    assert summary == (tmp_path / "reports" / "summary.md").read_text(encoding="utf-8")
    outputs = _outputs(tmp_path)
    assert outputs["verdict"] == "0"
    assert outputs["failed"] == "0"
    assert outputs["junit"] == str(tmp_path / "reports" / "junit.xml")
    assert outputs["html"] == str(tmp_path / "reports" / "conformance.html")


@pytest.fixture(scope="module")
def failed_gate(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One gate run against a server that never echoes Zuora-Track-Id, shared by the tests below."""
    report_dir = tmp_path_factory.mktemp("failed-gate")
    return _run_gate("track-id-not-echoed", report_dir), report_dir


@pytest.mark.slow
def test_gate_fails_a_server_that_does_not_echo_the_track_id(
    failed_gate: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    done, report_dir = failed_gate
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "verdict 1" in done.stdout
    assert "track_id_echoed" in done.stdout
    assert _junit_failures(report_dir) >= 1
    assert "track_id_echoed" in (report_dir / "reports" / "junit.xml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_gate_summary_names_the_failed_check_and_its_curl_line(
    failed_gate: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, run_dir = failed_gate
    summary = (run_dir / "step-summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## Fulfillments contract gate: FAILED")
    assert "**broke the contract** (verdict 1)" in summary
    section = summary.split("### `track_id_echoed`", 1)[1]
    curl_block = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    assert curl_block.startswith("curl ")
    assert "Zuora-Track-Id" in curl_block
    assert f"{_outputs(run_dir)['verdict']}/{_outputs(run_dir)['failed']}" == "1/1"


@pytest.mark.slow
def test_html_report_of_a_failure_renders_in_a_browser(
    failed_gate: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    _, run_dir = failed_gate
    html = (run_dir / "reports" / "conformance.html").read_text(encoding="utf-8")
    assert "track_id_echoed" in html
    assert "curl " in html
    assert html.count("class='failure'") == html.count("Reproduce with") > 0, "a failure lacks curl"
    shot = screenshot(run_dir / "reports" / "conformance.html", tmp_path / "conformance.png")
    assert distinct_colours(shot) > 8, "the page rendered blank"


def test_gate_refuses_to_run_without_a_target(tmp_path: Path) -> None:
    env = _gate_env()
    done = subprocess.run(
        ["bash", str(GATE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "CONFORMANCE_TARGET" in done.stderr


def test_gate_reports_an_unreachable_target_with_exit_2(tmp_path: Path) -> None:
    target = f"http://127.0.0.1:{free_port()}"
    env = _gate_env(
        CONFORMANCE_TARGET=target,
        CONFORMANCE_REPORT_DIR=str(tmp_path / "reports"),
        GITHUB_STEP_SUMMARY=str(tmp_path / "step-summary.md"),
        GITHUB_OUTPUT=str(tmp_path / "outputs.txt"),
        WAIT_SECONDS="2",
    )
    done = subprocess.run(
        ["bash", str(GATE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "did not answer" in done.stderr
    summary = (tmp_path / "step-summary.md").read_text(encoding="utf-8")
    assert "**could not be checked** (verdict 2)" in summary
    assert f"**Could not check:** {target} did not answer within 2s" in summary
    assert _outputs(tmp_path) | {"summary": ""} == {
        "report-dir": str(tmp_path / "reports"),
        "verdict": "2",
        "failed": "0",
        "not-exercised": "0",
        "junit": "",
        "html": "",
        "summary": "",
    }
