"""The kit as a user gets it: `python -m build`, the wheel into a fresh virtual environment.

The dependencies come from the package index by the wheel's own ranges (not from the lock), so
this proves the declared ranges resolve to a working, consistent set (`pip check`). Then the
reference server and the suite, both started from that environment's console commands and from
a folder outside the repository, must agree: exit 0. The pip cache makes the second run quick.
"""

from __future__ import annotations

import contextlib
import email
import email.message
import os
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests._server_process import ROOT, free_port

pytestmark = pytest.mark.slow

INSTALL_TIMEOUT = 900  # seconds: a cold pip cache downloads every dependency on a loaded machine
RUN_TIMEOUT = 300  # seconds: a short suite run on a loaded 2-core machine


@dataclass(frozen=True)
class Installed:
    """A fresh virtual environment with the built wheel installed, and what was built."""

    venv: Path
    wheel: Path
    sdist: Path

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)


def _clean_env() -> dict[str, str]:
    """The environment without this project's virtual environment or import path."""
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    return {key: value for key, value in os.environ.items() if key not in drop}


def _run(args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    dist = tmp_path_factory.mktemp("dist")
    built = _run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], dist, INSTALL_TIMEOUT
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], dist, INSTALL_TIMEOUT)
    assert made.returncode == 0, made.stderr
    result = Installed(venv, next(dist.glob("*.whl")), next(dist.glob("*.tar.gz")))
    pip = [result.bin("python"), "-m", "pip", "--disable-pip-version-check"]
    done = _run([*pip, "install", "--quiet", str(result.wheel)], dist, INSTALL_TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return result


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(archive.read(name))


def test_the_wheel_has_complete_metadata(installed: Installed) -> None:
    metadata = _metadata(installed.wheel)
    assert metadata["Requires-Python"] == ">=3.11"
    assert "Programming Language :: Python :: 3.11" in metadata.get_all("Classifier", [])
    assert metadata.get_all("Project-URL")
    assert metadata["License-Expression"] == "MIT"
    assert "postgresql" in metadata.get_all("Provides-Extra", [])
    requires = metadata.get_all("Requires-Dist", [])
    runtime = [line for line in requires if "extra ==" not in line]
    assert runtime, "no runtime dependencies declared"
    assert not [line for line in runtime if "==" in line], "exact pins belong in the lock only"
    assert all("<" in line for line in runtime), "every runtime range stops at the next major"
    assert any(line.startswith("psycopg") and "postgresql" in line for line in requires)


def test_the_sdist_builds_the_same_contract(installed: Installed) -> None:
    with tarfile.open(installed.sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "openapi/fulfillments.yaml"} <= names
    assert "generated/fulfillments_client/client.py" in names


def test_pip_check_passes_in_the_fresh_environment(installed: Installed) -> None:
    done = _run([installed.bin("python"), "-m", "pip", "check"], installed.venv, RUN_TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    frozen = _run([installed.bin("python"), "-m", "pip", "freeze"], installed.venv, RUN_TIMEOUT)
    assert "psycopg" not in frozen.stdout.lower(), "PostgreSQL support is an extra"


@contextlib.contextmanager
def _refserver(installed: Installed, folder: Path) -> Iterator[str]:
    port = free_port()
    log = (folder / "refserver.log").open("w")
    process = subprocess.Popen(
        [installed.bin("fulfillments-refserver"), "--port", str(port), "--store", "memory://"],
        cwd=folder,
        env=_clean_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(url, timeout=0.5)
                break
            time.sleep(0.1)
        assert process.poll() is None, (folder / "refserver.log").read_text()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_the_installed_suite_passes_the_installed_reference_server(
    installed: Installed, tmp_path: Path
) -> None:
    where = _run(
        [installed.bin("python"), "-c", "import conformance, refserver; print(refserver.__file__)"],
        tmp_path,
        RUN_TIMEOUT,
    )
    assert where.stdout.strip().startswith(str(installed.venv)), where.stdout + where.stderr
    with _refserver(installed, tmp_path) as url:
        done = _run(
            [
                installed.bin("fulfillments-conformance"),
                "--target",
                url,
                "--report-dir",
                str(tmp_path / "reports"),
                "--max-examples",
                "10",
                "--seed",
                "1",
            ],
            tmp_path,
            RUN_TIMEOUT,
        )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-3000:]
    assert (tmp_path / "reports" / "junit.xml").is_file()


def test_a_postgresql_store_without_the_extra_says_how_to_get_it(
    installed: Installed, tmp_path: Path
) -> None:
    done = _run(
        [
            installed.bin("fulfillments-refserver"),
            "--port",
            str(free_port()),
            "--store",
            "postgresql://nobody@127.0.0.1:1/none",
        ],
        tmp_path,
        RUN_TIMEOUT,
    )
    assert done.returncode != 0
    assert "fulfillments-contract-kit[postgresql]" in done.stdout + done.stderr
