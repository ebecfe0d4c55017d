"""The benchmarks run end to end in their quick mode and print well-formed Markdown tables.

No speed is asserted here: numbers belong to `bench/`, never to a test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench._pg import pg_available

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
_LIMIT = 300  # seconds for one quick benchmark on a busy machine


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
