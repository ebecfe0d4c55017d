"""The GitHub action's own shell steps, run here in order as the runner would run them.

`action.yml` is read, each `run:` step gets its `env:` with the `${{ ... }}` expressions
filled in (inputs, earlier steps' outputs, the workspace), and runs under bash like on a
runner; the `uses:` steps (setup-python, cache, upload-artifact) are GitHub's and are given
the outputs they would give. So the kit is installed from the runtime lock alone into a fresh
environment, the gate runs against the reference server twice in one job, and the outputs,
the step summary and the artifact names are what a workflow would see.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.options import DEFAULT_REPORT_DIR, DEFAULT_TOKEN, DEFAULT_TOKEN2, SuiteOptions
from tests._server_process import ROOT, free_port

ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEP_TIMEOUT = 900  # seconds: a cold pip cache downloads the whole runtime lock
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


@dataclass
class Runner:
    """One job on a pretend runner: its folders and what the action's steps wrote."""

    root: Path
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def workspace(self) -> Path:
        return self.root / "workspace"

    @property
    def summary(self) -> Path:
        return self.root / "step-summary.md"

    def value(self, expression: str, inputs: dict[str, str]) -> str:
        """What the runner puts in for one `${{ ... }}` the action uses."""
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        if match := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression):
            return self.outputs.get(match.group(1), {}).get(match.group(2), "")
        known = {
            "github.workspace": str(self.workspace),
            "github.action_path": str(ROOT),
            "strategy.job-index": "0",
        }
        assert expression in known, f"the test does not model {expression!r}"
        return known[expression]

    def fill(self, text: str, inputs: dict[str, str]) -> str:
        return _EXPRESSION.sub(lambda match: self.value(match.group(1), inputs), text)


def _inputs(given: dict[str, str]) -> dict[str, str]:
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    assert set(given) <= set(defaults), set(given) - set(defaults)
    return defaults | given


def _given_by_github(runner: Runner, step: dict[str, Any]) -> None:
    """The outputs of a `uses:` step that the steps after it read."""
    if step.get("id") == "python":
        runner.outputs["python"] = {"python-path": sys.executable, "python-version": "3.11"}


def _run_step(runner: Runner, step: dict[str, Any], inputs: dict[str, str]) -> int:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GITHUB_", "CONFORMANCE_", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    output = runner.root / f"output-{step.get('id', 'step')}"
    output.write_text("", encoding="utf-8")
    env |= {
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(runner.summary),
        "GITHUB_JOB": "contract",
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "RUNNER_TEMP": str(runner.root / "temp"),
        "RUNNER_TOOL_CACHE": str(runner.root / "toolcache"),
    }
    env |= {key: runner.fill(str(value), inputs) for key, value in step.get("env", {}).items()}
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=runner.workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    lines = output.read_text(encoding="utf-8").splitlines()
    runner.outputs[step.get("id", "")] = dict(line.split("=", 1) for line in lines)
    assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]
    return done.returncode


def use_action(runner: Runner, **given: str) -> dict[str, str]:
    """One `uses: ./` of the action; returns its outputs as the workflow sees them."""
    inputs = _inputs(given)
    for step in ACTION["runs"]["steps"]:
        if "uses" in step:
            _given_by_github(runner, step)
            continue
        # The one condition on a shell step: no cache hit, as in a job's first run of it.
        assert step.get("if", "steps.cache.outputs.cache-hit != 'true'") == (
            "steps.cache.outputs.cache-hit != 'true'"
        )
        if _run_step(runner, step, inputs) != 0:
            break
    return {name: runner.fill(spec["value"], inputs) for name, spec in ACTION["outputs"].items()}


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    root = tmp_path_factory.mktemp("runner")
    for folder in ("workspace", "temp", "toolcache"):
        (root / folder).mkdir()
    return Runner(root)


def _server(port: int) -> str:
    return f"{sys.executable} -m tests.planted serve reference --port {port}"


def test_the_action_installs_nothing_from_npm_and_only_the_runtime_lock() -> None:
    steps = ACTION["runs"]["steps"]
    uses = [step["uses"].split("@")[0] for step in steps if "uses" in step]
    assert uses == ["actions/setup-python", "actions/cache", "actions/upload-artifact"]
    scripts = "\n".join(step.get("run", "") for step in steps)
    assert not re.search(r"\b(npm|npx|make)\b", scripts)
    assert "--require-hashes" in scripts
    assert '-r "$GITHUB_ACTION_PATH/requirements.lock"' in scripts


@pytest.mark.slow
def test_two_uses_in_one_job_pass_with_their_own_outputs_and_artifacts(runner: Runner) -> None:
    first_port, second_port = free_port(), free_port()
    extra = "--only examples,track_ids_are_echoed --max-examples 5 --seed 1"
    first = use_action(
        runner,
        target=f"http://127.0.0.1:{first_port}",
        **{"server-command": f"cd {ROOT} && {_server(first_port)}", "args": extra},
    )
    second = use_action(
        runner,
        target=f"http://127.0.0.1:{second_port}",
        **{
            "server-command": f"cd {ROOT} && {_server(second_port)}",
            "args": extra,
            "report-dir": "reports-second",
        },
    )
    assert first["verdict"] == second["verdict"] == "0"
    assert first["failed"] == second["failed"] == "0"
    assert first["junit"] == str(runner.workspace / "reports" / "junit.xml")
    junit = Path(first["junit"]).read_text(encoding="utf-8")
    assert first["not-exercised"] == str(junit.count('<skipped message="not exercised'))
    assert second["html"] == str(runner.workspace / "reports-second" / "conformance.html")
    assert first["artifact-name"] == "conformance-reports-contract-0-1"
    assert second["artifact-name"] == "conformance-reports-contract-0-2"
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.count("## Fulfillments contract gate: PASSED") == 2
    venv = Path(runner.outputs["kit"]["venv"])
    frozen = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "freeze"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.lower()
    for dev_only in ("mypy", "ruff", "granian", "zuora", "deptry", "openapi-python-client"):
        assert dev_only not in frozen, f"{dev_only} is a dev tool, not part of the kit"
    assert "fulfillments-contract-kit" in frozen


def test_every_input_reaches_a_step_and_every_output_is_written() -> None:
    steps = yaml.safe_dump(ACTION["runs"]["steps"])
    unused = [name for name in ACTION["inputs"] if f"inputs.{name} " not in steps]
    assert unused == []
    gate = next(step for step in ACTION["runs"]["steps"] if step.get("id") == "gate")
    written = set(
        re.findall(r'"(\w[\w-]*)": ', (ROOT / "conformance" / "gate_summary.py").read_text())
    )
    written |= set(re.findall(r'echo "([\w-]+)=', gate["run"]))
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.gate.outputs.{name} }}}}"
        assert name in written, name


_RECORDING_KIT = """\
import json
import sys

from conformance.cli import options_from

options, args = options_from(sys.argv[1:])
args.report_dir.mkdir(parents=True, exist_ok=True)
(args.report_dir / "junit.xml").write_text('<testsuite name="conformance" tests="0"/>')
(args.report_dir / "conformance.html").write_text("<html></html>")
seen = {
    "token": options.token,
    "token2": options.token2,
    "second_tenant": options.has_second_tenant,
    "profile": str(options.profile),
    "report_dir": str(args.report_dir),
}
with open(sys.argv[0] + ".seen", "a", encoding="utf-8") as record:
    record.write(json.dumps(seen) + "\\n")
"""


def _recording_kit(root: Path) -> Path:
    """A kit environment whose `fulfillments-conformance` records the options the suite read."""
    bin_dir = root / "kit" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_dir / "record.py").write_text(_RECORDING_KIT)
    (bin_dir / "fulfillments-conformance").write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{bin_dir / "record.py"}" "$@"\n'
    )
    for name in ("python", "fulfillments-conformance"):
        (bin_dir / name).chmod(0o755)
    return bin_dir.parent


def test_inputs_left_empty_reach_the_suite_as_its_own_defaults(tmp_path: Path) -> None:
    """The action restates no default: an empty input is not passed on, so the suite applies its
    own (the second tenant included), and `token2: ''` turns that tenant off."""
    runner = Runner(tmp_path)
    for folder in ("workspace", "temp"):
        (tmp_path / folder).mkdir()
    runner.outputs["kit"] = {"venv": str(_recording_kit(tmp_path))}
    gate = next(step for step in ACTION["runs"]["steps"] if step.get("id") == "gate")
    port = free_port()
    server = f"{sys.executable} -m http.server {port} --bind 127.0.0.1"
    target = f"http://127.0.0.1:{port}"
    for given in ({}, {"token2": "", "profile": "zuora"}):
        inputs = _inputs({"target": target, "server-command": server, **given})
        assert _run_step(runner, gate, inputs) == 0
        assert runner.outputs["gate"]["verdict"] == "0"
    lines = (tmp_path / "kit" / "bin" / "record.py.seen").read_text(encoding="utf-8")
    defaults, turned_off = (json.loads(line) for line in lines.splitlines())
    report_dir = str(runner.workspace / DEFAULT_REPORT_DIR)
    assert defaults == {
        "token": DEFAULT_TOKEN,
        "token2": DEFAULT_TOKEN2,
        "second_tenant": True,
        "profile": str(SuiteOptions().profile),
        "report_dir": report_dir,
    }
    assert runner.outputs["gate"]["junit"] == f"{report_dir}/junit.xml"
    assert turned_off["second_tenant"] is False
    assert turned_off["profile"] == "zuora"
