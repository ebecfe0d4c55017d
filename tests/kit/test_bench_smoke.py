"""The benchmarks run end to end in their quick mode and print well-formed Markdown tables.

No speed is asserted here: numbers belong to `bench/`, never to a test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench._pg import pg_available
from bench._wrk import NO_INSTALL, WRK_PACKAGE

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
_LIMIT = 300  # seconds for one quick benchmark on a busy machine
_NEEDS_WRK = frozenset({"load", "scale", "multiproc", "stack"})


def _require_wrk() -> None:
    """Skip without wrk (fail in CI, where .ci/run installs it): tests never install packages."""
    if shutil.which("wrk") is not None:
        return
    reason = f"no wrk on this machine (Debian package: {WRK_PACKAGE})"
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _cells(line: str) -> list[str]:
    """The cells of a table row, `\\|` being a literal bar inside a cell."""
    inner = line.strip()[1:-1].replace("\\|", "\0")
    return [cell.strip().replace("\0", "|") for cell in inner.split("|")]


def _tables(markdown: str) -> list[list[str]]:
    """Blocks of consecutive lines that start with a bar."""
    tables: list[list[str]] = []
    current: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables


def assert_well_formed(table: list[str]) -> None:
    """A header, a separator of the same width, and data rows of the same width."""
    assert len(table) >= 3, f"no data rows: {table}"
    header, separator, *rows = table
    width = len(_cells(header))
    assert all(line.rstrip().endswith("|") for line in table), table
    assert _cells(separator) == ["---"] * width, separator
    for row in rows:
        assert len(_cells(row)) == width, row


def _quick(name: str, tmp_path: Path) -> str:
    output = tmp_path / f"{name}.md"
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--quick", "--output", str(output)],
        cwd=ROOT,
        env={**os.environ, NO_INSTALL: "1"},
        capture_output=True,
        text=True,
        timeout=_LIMIT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = output.read_text(encoding="utf-8")
    assert report == done.stdout, "the printed report and the written one differ"
    return report


@pytest.mark.parametrize(
    ("name", "tables"),
    [("load", 4), ("scale", 3), ("multiproc", 2), ("suite", 1), ("stack", 7)],
)
def test_quick_run_prints_well_formed_tables(name: str, tables: int, tmp_path: Path) -> None:
    if name in _NEEDS_WRK:
        _require_wrk()
    if name == "multiproc" and not pg_available():
        pytest.skip("no PostgreSQL server binaries")
    report = _quick(name, tmp_path)
    assert report.startswith("## ")
    found = _tables(report)
    assert len(found) == tables, report
    for table in found:
        assert_well_formed(table)


def test_a_ragged_table_is_caught() -> None:
    with pytest.raises(AssertionError):
        assert_well_formed(["| a | b |", "|---|---|", "| 1 |"])


def _fake_tools(folder: Path) -> dict[str, str]:
    """`apt-get` and `sudo` stand-ins that print apt's chatter and "install" a fake wrk."""
    (folder / "apt-get").write_text(
        f"#!{sys.executable}\n"
        "import pathlib, sys\n"
        "print('Reading package lists... (apt', *sys.argv[1:], end=')\\n')\n"
        "if sys.argv[1] == 'install':\n"
        "    wrk = pathlib.Path(sys.argv[0]).parent / 'wrk'\n"
        "    wrk.write_text('#!/bin/sh\\n')\n"
        "    wrk.chmod(0o755)\n"
    )
    (folder / "sudo").write_text(
        f"#!{sys.executable}\nimport os, sys\nargs = [a for a in sys.argv[1:] if a != '-n']\n"
        "os.execvp(args[0], args)\n"
    )
    for tool in ("apt-get", "sudo"):
        (folder / tool).chmod(0o755)
    return {**os.environ, "PATH": str(folder)}


_ENSURE = "from bench._wrk import ensure_wrk; print(ensure_wrk())"


def _ensure_wrk(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`ensure_wrk()` in a fresh interpreter with `env`, its output captured."""
    return subprocess.run(
        [sys.executable, "-c", _ENSURE],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_installing_wrk_keeps_apt_off_stdout(tmp_path: Path) -> None:
    env = _fake_tools(tmp_path)
    env.pop(NO_INSTALL, None)
    done = _ensure_wrk(env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{tmp_path / 'wrk'}\n"
    assert "Reading package lists... (apt install -y wrk)" in done.stderr


def test_without_installing_a_missing_wrk_names_its_package(tmp_path: Path) -> None:
    env = {**_fake_tools(tmp_path), NO_INSTALL: "1"}
    done = _ensure_wrk(env)
    assert done.returncode != 0
    assert f"install Debian's package: {WRK_PACKAGE}" in done.stderr
    assert "Reading package lists" not in done.stdout + done.stderr
    assert not (tmp_path / "wrk").exists()
