"""`pip install` of the kit gives the console commands, an opt-in pytest plugin, the contract."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from conformance.profiles import Profile
from tests._server_process import ROOT, free_port

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
BIN = Path(sys.executable).parent


def _packages(base: Path, top: str) -> set[str]:
    """Dotted names of `top` and every folder below it that holds an `__init__.py`."""
    return {
        ".".join(init.parent.relative_to(base).parts)
        for init in (base / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }


def test_every_package_on_disk_is_shipped() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    on_disk = {"fulfillments_contract"} | _packages(ROOT / "generated", "fulfillments_client")
    for top in ("refserver", "conformance", "resilient_client", "contract_diff"):
        on_disk |= _packages(ROOT, top)
    assert listed == on_disk


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return zipfile.ZipFile(next(out.glob("*.whl")))


def test_the_wheel_carries_the_contract_and_the_entry_points(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "fulfillments_contract/fulfillments.yaml" in names
    shipped = wheel.read("fulfillments_contract/fulfillments.yaml")
    assert shipped == (ROOT / "openapi" / "fulfillments.yaml").read_bytes()
    assert "fulfillments_client/api/fulfillments/create_fulfillment.py" in names
    entry_points = wheel.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    for line in (
        "fulfillments-conformance = conformance.cli:main",
        "fulfillments-refserver = refserver._cli:main",
        "fulfillments-contract-diff = contract_diff._cli:main",
        "fulfillments-check-generated = contract_diff._stale_client:main",
    ):
        assert line in entry_points
    assert "pytest11" not in entry_points, "installing the kit must not change users' pytest"


@pytest.mark.parametrize("command", ["fulfillments-conformance", "fulfillments-refserver"])
def test_console_commands_run(command: str) -> None:
    done = subprocess.run(
        [str(BIN / command), "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "--target" in done.stdout or "--store" in done.stdout


def test_the_pytest_plugin_runs_the_suite_in_a_users_session(tmp_path: Path) -> None:
    """Loaded with `-p`, a user's own pytest run gains one item; an unreachable target fails it."""
    (tmp_path / "test_nothing_else.py").write_text("def test_users_own() -> None:\n    pass\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "conformance.pytest_plugin",
            f"--rootdir={tmp_path}",
            f"--fulfillments-target=http://127.0.0.1:{free_port()}",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout
    assert "1 failed, 1 passed" in done.stdout
    assert "fulfillments_conformance" in done.stdout
    assert "ERROR:" in done.stdout


def test_the_pytest_plugin_offers_the_suites_profiles(tmp_path: Path) -> None:
    """`--fulfillments-profile` takes only the suite's profiles, named in pytest's own error."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "conformance.pytest_plugin",
            f"--rootdir={tmp_path}",
            "--fulfillments-profile=strict",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stderr
    choices = ", ".join(repr(profile.value) for profile in Profile)
    assert f"invalid choice: 'strict' (choose from {choices})" in done.stderr
