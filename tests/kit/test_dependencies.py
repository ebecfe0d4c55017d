"""Declared == imported: `make lint`'s deptry runs fail on an undeclared or an unused dependency.

Each test hands deptry the project's own pyproject.toml with one dependency list changed, over
the real source tree, exactly as `make lint` runs it; the unchanged file must pass.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests._server_process import ROOT

DEPTRY = Path(sys.executable).parent / "deptry"
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
# The two runs of `make lint`: the shipped code against the runtime dependencies and extras,
# then every file (tests, bench, tools too) for imports nothing declares.
SECOND = ["--exclude", r"\.venv", "--exclude", r"\.git", "--extend-exclude", "build"]
RUNS: tuple[list[str], ...] = ([], [*SECOND, "--ignore", "DEP002,DEP004"])


def _deptry(pyproject: str, folder: Path, extra: list[str]) -> tuple[int, str]:
    config = folder / "pyproject.toml"
    config.write_text(pyproject, encoding="utf-8")
    done = subprocess.run(
        [str(DEPTRY), ".", "--config", str(config), "--no-ansi", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr  # deptry reports on stderr


def _without(line: str) -> str:
    assert f"    {line}\n" in PYPROJECT, line
    return PYPROJECT.replace(f"    {line}\n", "", 1)


@pytest.mark.parametrize("extra", RUNS)
def test_the_declared_dependencies_pass(tmp_path: Path, extra: list[str]) -> None:
    status, report = _deptry(PYPROJECT, tmp_path, extra)
    assert status == 0, report


def test_an_import_nothing_declares_fails(tmp_path: Path) -> None:
    status, report = _deptry(_without('"requests>=2.34.2,<3",'), tmp_path, [])
    assert status == 1, report
    assert "conformance/schema_phase.py" in report
    assert "'requests' imported but it is a transitive dependency" in report


def test_a_test_import_nothing_declares_fails_the_second_run(tmp_path: Path) -> None:
    status, report = _deptry(_without('"referencing>=0.37.0,<0.38",'), tmp_path, list(RUNS[1]))
    assert status == 1, report
    assert "tests/_contract.py" in report
    assert "'referencing'" in report


def test_a_declared_dependency_nothing_imports_fails(tmp_path: Path) -> None:
    unused = PYPROJECT.replace(
        '    "pyyaml>=6.0.4,<7",\n', '    "pyyaml>=6.0.4,<7",\n    "starlette>=1.10.0,<2",\n', 1
    )
    status, report = _deptry(unused, tmp_path, [])
    assert status == 1, report
    assert "DEP002 'starlette' defined as a dependency but not used in the codebase" in report
