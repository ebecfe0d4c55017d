"""The pre-commit hooks of `.pre-commit-hooks.yaml`, run as another repository would run them.

A throwaway git repository keeps a copy of the contract, its changelog, the generator config and
the client under its own paths; each hook's entry, with the `args` that repository would give,
passes on the faithful copy and fails on a stale client or an unaccepted breaking change.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests._server_process import ROOT

BIN = Path(sys.executable).parent
HOOKS: dict[str, dict[str, Any]] = {
    hook["id"]: hook
    for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
}
SPEC = ["--spec", "api/fulfillments.yaml"]
CLIENT = "client/fulfillments_client"
ARGS = {
    "fulfillments-contract-gate": [*SPEC, "--changelog", "api/CHANGELOG.md"],
    "fulfillments-check-generated": [*SPEC, "--config", "client/config.yaml", "--client", CLIENT],
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=kit", "-c", "user.email=kit@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Another repository with the contract in api/ and the client in client/, committed."""
    (tmp_path / "api").mkdir()
    shutil.copy(ROOT / "openapi" / "fulfillments.yaml", tmp_path / "api")
    shutil.copy(ROOT / "openapi" / "CHANGELOG.md", tmp_path / "api")
    shutil.copytree(
        ROOT / "generated",
        tmp_path / "client",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    _git(tmp_path, "init", "--quiet")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "--quiet", "-m", "contract and client")
    return tmp_path


def _hook(repo: Path, hook_id: str) -> subprocess.CompletedProcess[str]:
    """The hook's entry with that repository's args, as pre-commit runs it (no file names)."""
    hook = HOOKS[hook_id]
    assert hook["pass_filenames"] is False
    command, *options = shlex.split(hook["entry"])
    return subprocess.run(
        [str(BIN / command), *options, *ARGS[hook_id]],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_hook_runs_a_console_command_of_the_kit() -> None:
    scripts = yaml.safe_dump(HOOKS)  # keep the manifest's parse in the failure message
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert set(HOOKS) == set(ARGS), scripts
    for hook in HOOKS.values():
        assert hook["language"] == "python"
        assert f'{shlex.split(hook["entry"])[0]} = "' in project, hook["entry"]


def test_check_generated_passes_a_faithful_client(repo: Path) -> None:
    done = _hook(repo, "fulfillments-check-generated")
    assert done.returncode == 0, done.stderr
    assert "client/fulfillments_client matches api/fulfillments.yaml" in done.stdout


def test_check_generated_fails_a_client_edited_by_hand(repo: Path) -> None:
    edited = repo / "client" / "fulfillments_client" / "models" / "create_fulfillment.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    done = _hook(repo, "fulfillments-check-generated")
    assert done.returncode == 1
    assert "differs: models/create_fulfillment.py" in done.stderr


def test_contract_gate_passes_an_unchanged_contract(repo: Path) -> None:
    done = _hook(repo, "fulfillments-contract-gate")
    assert done.returncode == 0, done.stdout + done.stderr


def test_contract_gate_fails_a_narrowed_limit_without_a_major_bump(repo: Path) -> None:
    spec = repo / "api" / "fulfillments.yaml"
    text = spec.read_text(encoding="utf-8")
    assert text.count("maxLength: 25\n") >= 1
    spec.write_text(text.replace("maxLength: 25\n", "maxLength: 20\n", 1), encoding="utf-8")
    done = _hook(repo, "fulfillments-contract-gate")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "maxLength 25 -> 20" in done.stdout + done.stderr
