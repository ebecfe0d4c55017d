"""The suite end to end: `python -m conformance` on the embedded server and misbehaving ones."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from conformance import CheckStatus, Profile, SuiteOptions, run_suite
from conformance.settings import ENV_PREFIX
from tests._conformance_fixtures import (
    garbage_server,
    junk_http_server,
    silent_server,
    stalling_server,
)

ROOT = Path(__file__).resolve().parents[2]
_RUN_SECONDS = 240  # bound on one whole run in a test; the default run takes well under a minute
_QUICK_SECONDS = 30  # bound on a run against a target that cannot be tested


def _run(*argv: str, timeout: float) -> subprocess.CompletedProcess[str]:
    # The suite reads its settings only from CONFORMANCE_* variables: none may leak in here.
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith(ENV_PREFIX)
    }
    return subprocess.run(
        [sys.executable, "-m", "conformance", *argv],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.slow
def test_default_run_against_the_embedded_server_passes(tmp_path: Path) -> None:
    finished = _run(
        "--report-dir", str(tmp_path), "--hypothesis-profile", "ci", timeout=_RUN_SECONDS
    )
    assert "Traceback" not in finished.stderr
    header = next(line for line in finished.stdout.splitlines() if line.startswith("check "))
    assert header.split() == [
        "check",
        "guards",
        "kind",
        "shown",
        "judged",
        "passed",
        "failed",
        "status",
    ]
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    assert int(junit.get("tests") or 0) >= 50
    page = (tmp_path / "conformance.html").read_text(encoding="utf-8")
    assert "<svg" in page
    assert finished.returncode == 0, finished.stdout[-4000:] + finished.stderr[-4000:]
    assert "0 failed" in finished.stdout
    assert finished.stdout.rstrip().splitlines()[-2] == "PASSED"
    assert junit.get("failures") == "0"
    assert junit.get("errors") == "0"
    assert "Passed: the target keeps every promise checked" in page


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_unreachable_target_exits_2_with_a_one_line_reason(tmp_path: Path) -> None:
    target = f"http://127.0.0.1:{_closed_port()}"
    finished = _run("--target", target, "--report-dir", str(tmp_path), timeout=_QUICK_SECONDS)
    assert finished.returncode == 2
    assert finished.stderr.splitlines() == [
        f"conformance: cannot connect to {target}: [Errno 111] Connection refused"
    ]
    assert (tmp_path / "junit.xml").exists()


def test_a_target_answering_garbage_exits_quickly_without_a_traceback(tmp_path: Path) -> None:
    with garbage_server() as target:
        started = time.monotonic()
        finished = _run(
            "--target",
            target,
            "--report-dir",
            str(tmp_path),
            "--timeout",
            "2",
            timeout=_QUICK_SECONDS,
        )
    assert finished.returncode in (1, 2)
    assert time.monotonic() - started < _QUICK_SECONDS
    assert "Traceback" not in finished.stderr + finished.stdout
    assert "does not answer HTTP" in finished.stderr


def test_a_target_that_hangs_exits_quickly_without_a_traceback(tmp_path: Path) -> None:
    with silent_server() as target:
        finished = _run(
            "--target",
            target,
            "--report-dir",
            str(tmp_path),
            "--timeout",
            "1",
            timeout=_QUICK_SECONDS,
        )
    assert finished.returncode in (1, 2)
    assert "Traceback" not in finished.stderr + finished.stdout
    assert finished.stderr.strip() == f"conformance: {target} did not answer within 1 s"


def test_a_target_that_stops_answering_mid_run_ends_it_with_2() -> None:
    with stalling_server(answers=6) as target:
        started = time.monotonic()
        options = SuiteOptions(
            target=target, timeout=1.0, token2=None, phases=frozenset({"properties"})
        )
        result = run_suite(options)
    assert time.monotonic() - started < _QUICK_SECONDS
    assert result.exit_code == 2
    assert result.problem is not None
    assert result.problem.startswith("the target stopped answering")


def test_run_suite_names_the_promises_a_junk_server_breaks() -> None:
    with junk_http_server() as target:
        result = run_suite(
            SuiteOptions(target=target, max_examples=20, phases=frozenset({"properties"}))
        )
    assert result.exit_code == 1
    broken = {
        "content_type_json",
        "request_id_present",
        "replay_marker_present",
        "bad_credentials_rejected",
    }
    assert broken <= result.failed_checks
    assert "track_id_echoed" in result.failed_checks
    failure = result.report("bad_credentials_rejected").failures[0]
    assert failure.message.startswith("Expected: ")
    assert failure.curl
    assert "dev-token" not in "".join(failure.curl)


def test_schema_phase_flags_a_junk_server() -> None:
    # The examples and a few fuzzing cases are enough to see the built-in and own checks fire.
    options = SuiteOptions(
        max_examples=5, phases=frozenset({"schema"}), only=frozenset({"examples", "fuzzing"})
    )
    with junk_http_server() as target:
        result = run_suite(replace(options, target=target))
    assert {"content_type_conformance", "ignored_auth"} <= result.failed_checks
    assert {
        "content_type_json",
        "vary_accept_encoding",
        "request_id_present",
    } <= result.failed_checks
    failure = result.report("content_type_conformance").failures[0]
    assert "Received: text/plain" in failure.message
    assert failure.curl[0].startswith("curl -sS -i -X POST")


@pytest.mark.slow
def test_zuora_profile_passes_the_reference_server_and_shows_what_it_skips() -> None:
    options = SuiteOptions(profile=Profile.ZUORA, max_examples=20, phases=frozenset({"properties"}))
    result = run_suite(options)
    assert result.exit_code == 0, result.failed_checks or result.problem
    assert result.report("vary_accept_encoding").status is CheckStatus.SKIPPED
    assert result.report("replay_status_matches").status is CheckStatus.PASSED


@pytest.mark.slow
def test_soak_runs_several_seeds(tmp_path: Path) -> None:
    finished = _run(
        "--soak",
        "2",
        "--seed",
        "11",
        "--phases",
        "properties",
        "--max-examples",
        "10",
        "--report-dir",
        str(tmp_path),
        timeout=_RUN_SECONDS,
    )
    assert finished.returncode == 0, finished.stdout[-3000:]
    assert "soak      run 1/2, seed 11" in finished.stdout
    assert "soak      run 2/2, seed 12" in finished.stdout
