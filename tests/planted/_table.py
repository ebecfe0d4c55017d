"""The whole default suite against every variant, as a Markdown table (tests/planted/RESULTS.md).

The quick runs of the tests prove each variant is caught by its expected check; this table
shows what the whole suite, every phase and property, says about each: every check that
failed, and the exit code a CI gate would see. The variants that keep an answer Zuora's
documentation allows are run once more under the zuora profile, where they must pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from conformance import SuiteResult, run_suite
from conformance.profiles import Profile
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
    profile: Profile = Profile.DEFAULT
    must_pass: bool = False  # a documented alternative, run under the zuora profile

    @property
    def caught(self) -> bool:
        """Whether the verdict is the expected one: a pass for a documented alternative under
        the zuora profile; else a failure with every expected check among the failures."""
        if self.must_pass:
            return self.exit_code == 0
        return self.exit_code == 1 and set(self.expected) <= self.failed


def _row(variant: Variant | None, result: SuiteResult, seconds: float, *, must_pass: bool) -> Row:
    if variant is None:
        return Row(REFERENCE, "none", "-", (), result.failed_checks, result.exit_code,
                   result.problem, seconds, result.profile, must_pass=True)  # fmt: skip
    return Row(
        variant.name,
        variant.bug,
        variant.part,
        () if must_pass else variant.expected,
        result.failed_checks,
        result.exit_code,
        result.problem,
        seconds,
        result.profile,
        must_pass,
    )


def run_table(
    variants: Iterable[Variant],
    *,
    seed: int,
    progress: Callable[[str], None],
    alternatives: Iterable[str] = (),
    on_row: Callable[[list[Row]], None] | None = None,
) -> list[Row]:
    """Run the whole suite against the reference server (both profiles), then against each
    variant (with its profile), then each documented alternative under the zuora profile.

    `on_row` gets the rows so far after each run, so a long table can be written as it grows.
    """
    chosen = list(variants)
    runs: list[tuple[Variant | None, Profile, bool]] = [
        (None, Profile.DEFAULT, True),
        (None, Profile.ZUORA, True),
        *((variant, variant.profile, False) for variant in chosen),
        *((v, Profile.ZUORA, True) for v in chosen if v.name in set(alternatives)),
    ]
    rows = []
    for variant, profile, must_pass in runs:
        started = time.monotonic()
        with served(variant) as url:
            result = run_suite(whole_options(url, seed=seed, profile=profile))
        row = _row(variant, result, time.monotonic() - started, must_pass=must_pass)
        verdict = ("passed" if must_pass else "caught") if row.caught else f"exit {row.exit_code}"
        progress(
            f"{row.name:<34} {profile.value:<8} {verdict:<8} {row.seconds:6.1f} s  "
            f"{', '.join(sorted(row.failed))}"
        )
        rows.append(row)
        if on_row is not None:
            on_row(rows)
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _caught_by(row: Row) -> str:
    named = [f"**{name}**" if name in row.expected else name for name in sorted(row.failed)]
    shown = ", ".join(named) or "nothing"
    return f"{shown} ({row.problem})" if row.problem else shown


def _missed(rows: list[Row]) -> list[str]:
    missed = [row for row in rows if not row.caught]
    if not missed:
        return []
    named = ", ".join(f"{row.name} ({row.profile.value}, exit {row.exit_code})" for row in missed)
    return ["", f"Not the expected verdict: {named}."]


def render(rows: list[Row], *, seed: int, command: str, planned: int | None = None) -> str:
    """The Markdown table, with the command that made it in its header (and, while it is
    still being made, how many of the `planned` runs it holds)."""
    caught = sum(row.caught for row in rows if not row.must_pass)
    variants = sum(not row.must_pass for row in rows)
    passing = sum(row.caught for row in rows if row.must_pass and row.name != REFERENCE)
    alternatives = sum(row.must_pass and row.name != REFERENCE for row in rows)
    lines = [
        "# The suite against every planted-bug variant",
        "",
        f"Made by `{command}`: the whole suite (every Schemathesis phase and property test,",
        f"default example counts) with seed {seed}, against the reference server under both",
        "profiles and then against each variant under its profile, served on a loopback socket",
        "with an in-memory store. **Bold** checks are the ones the variant is expected to fail;",
        "exit code 1 is a contract violation, 2 a target that stopped answering. The variants",
        "that keep an answer Zuora's documentation allows are run again under the zuora profile,",
        f"where they must pass (expected check `-`, exit code 0). Caught: {caught} of {variants}",
        f"variants; documented alternatives passing the zuora profile: {passing} of "
        f"{alternatives}.",
        *_missed(rows),
        *(
            ["", f"**Incomplete: {len(rows)} of {planned} runs so far.**"]
            if planned is not None and len(rows) < planned
            else []
        ),
        "",
        "| variant | profile | bug | part | expected check | caught by | exit code |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        expected = ", ".join(row.expected) or "-"
        cells = (
            row.name,
            row.profile.value,
            row.bug,
            row.part,
            expected,
            _caught_by(row),
            str(row.exit_code),
        )
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"
