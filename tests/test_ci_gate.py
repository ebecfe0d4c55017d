"""The CI snippet (`ci/conformance-gate.sh`), run here end to end as another pipeline would run it.

It starts the server under test from a command, waits for it, runs the suite, writes JUnit and
the HTML report, and exits with the verdict: 0 for the reference server, 1 for a broken one.
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


def _run_gate(server: str, report_dir: Path) -> subprocess.CompletedProcess[str]:
    port = free_port()
    env = {
        **os.environ,
        "TARGET": f"http://127.0.0.1:{port}",
        "SERVER_CMD": f"{sys.executable} -m tests.planted serve {server} --port {port}",
        "REPORT_DIR": str(report_dir),
        "MAX_EXAMPLES": "5",
        "SEED": "1",
        "KIT": f"{sys.executable} -m conformance --only examples,track_ids_are_echoed",
    }
    return subprocess.run(
        ["bash", str(GATE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=GATE_TIMEOUT,
        check=False,
    )


def _junit_failures(report_dir: Path) -> int:
    root = ET.parse(report_dir / "junit.xml").getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    return sum(int(suite.get("failures", "0")) + int(suite.get("errors", "0")) for suite in suites)


@pytest.mark.slow
def test_gate_passes_the_reference_server(tmp_path: Path) -> None:
    done = _run_gate("reference", tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "verdict 0" in done.stdout
    assert (tmp_path / "conformance.html").stat().st_size > 0
    assert _junit_failures(tmp_path) == 0


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
    assert "track_id_echoed" in (report_dir / "junit.xml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_html_report_of_a_failure_renders_in_a_browser(
    failed_gate: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    _, report_dir = failed_gate
    html = (report_dir / "conformance.html").read_text(encoding="utf-8")
    assert "track_id_echoed" in html
    assert "curl " in html
    assert html.count("class='failure'") == html.count("Reproduce with") > 0, "a failure lacks curl"
    shot = screenshot(report_dir / "conformance.html", tmp_path / "conformance.png")
    assert distinct_colours(shot) > 8, "the page rendered blank"


def test_gate_refuses_to_run_without_a_target(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "TARGET"}
    done = subprocess.run(
        ["bash", str(GATE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0
    assert "TARGET" in done.stderr


def test_gate_reports_an_unreachable_target_with_exit_2(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TARGET": f"http://127.0.0.1:{free_port()}",
        "WAIT_SECONDS": "2",
        "KIT": f"{sys.executable} -m conformance",
    }
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
