"""The whole default suite against every variant, as a Markdown table (tests/planted/RESULTS.md).

The quick runs of the tests prove each variant is caught by its expected check; this table
shows what the whole suite, every phase and property, says about each: every check that
failed, and the exit code a CI gate would see.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from conformance import SuiteResult, run_suite
from tests.planted._runs import whole_options
from tests.planted._serve import served
from tests.planted._variant import Variant

__all__ = ["RESULTS", "Row", "render", "run_table"]

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
REFERENCE = "(reference server)"


@dataclass(frozen=True, slots=True)
class Row:
    """One variant's line of the table."""

    name: str
    bug: str
    part: str
    expected: tuple[str, ...]
    failed: frozenset[str]
    exit_code: int
    problem: str | None
    seconds: float

    @property
    def caught(self) -> bool:
        """Whether the run failed with every expected check among its failures."""
        return self.exit_code == 1 and set(self.expected) <= self.failed


def _row(variant: Variant | None, result: SuiteResult, seconds: float) -> Row:
    if variant is None:
        return Row(REFERENCE, "none", "-", (), result.failed_checks, result.exit_code,
                   result.problem, seconds)  # fmt: skip
    return Row(
        variant.name,
        variant.bug,
        variant.part,
        variant.expected,
        result.failed_checks,
        result.exit_code,
        result.problem,
        seconds,
    )


def run_table(
    variants: Iterable[Variant], *, seed: int, progress: Callable[[str], None]
) -> list[Row]:
    """Run the whole suite against the reference server, then against each variant."""
    rows = []
    for variant in (None, *variants):
        started = time.monotonic()
        with served(variant) as url:
            result = run_suite(whole_options(url, seed=seed))
        row = _row(variant, result, time.monotonic() - started)
        verdict = "caught" if row.caught else f"exit {row.exit_code}"
        progress(
            f"{row.name:<34} {verdict:<8} {row.seconds:6.1f} s  {', '.join(sorted(row.failed))}"
        )
        rows.append(row)
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _caught_by(row: Row) -> str:
    named = [f"**{name}**" if name in row.expected else name for name in sorted(row.failed)]
    shown = ", ".join(named) or "nothing"
    return f"{shown} ({row.problem})" if row.problem else shown


def _missed(rows: list[Row]) -> list[str]:
    missed = [row for row in rows if row.name != REFERENCE and not row.caught]
    if not missed:
        return []
    named = ", ".join(f"{row.name} (exit {row.exit_code})" for row in missed)
    return ["", f"Not caught with exit code 1 and every expected check: {named}."]


def render(rows: list[Row], *, seed: int, command: str) -> str:
    """The Markdown table, with the command that made it in its header."""
    caught = sum(row.caught for row in rows if row.name != REFERENCE)
    variants = sum(row.name != REFERENCE for row in rows)
    lines = [
        "# The suite against every planted-bug variant",
        "",
        f"Made by `{command}`: the default suite (every Schemathesis phase and property test,",
        f"default example counts) with seed {seed}, against the reference server and then against",
        "each variant, served on a loopback socket with an in-memory store. **Bold** checks are",
        "the ones the variant is expected to fail; exit code 1 is a contract violation, 2 a",
        f"target that stopped answering. Caught: {caught} of {variants} variants.",
        *_missed(rows),
        "",
        "| variant | bug | part | expected check | caught by | exit code |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        expected = ", ".join(row.expected) or "-"
        cells = (row.name, row.bug, row.part, expected, _caught_by(row), str(row.exit_code))
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"
