"""The plain-text summary people read in a terminal or a CI log."""

from __future__ import annotations

from collections import Counter

from conformance.results import CheckReport, CheckStatus, SuiteResult

__all__ = ["render_summary"]

_COLUMNS = ("check", "guards", "kind", "shown", "judged", "passed", "failed", "status")


def _row(report: CheckReport) -> tuple[str, ...]:
    status = report.status.value
    if report.rule.treatment.value == "relaxed" and report.status is not CheckStatus.SKIPPED:
        status += " (relaxed)"
    if report.status is CheckStatus.NOT_EXERCISED:
        status = report.why_not_exercised + status.removeprefix(report.status.value)
    return (
        report.name,
        report.info.guards.label,
        report.info.kind.value,
        str(report.shown),
        str(report.cases),
        str(report.passed),
        str(report.failed),
        status,
    )


def _table(reports: tuple[CheckReport, ...]) -> list[str]:
    rows = [_COLUMNS, *(_row(report) for report in reports)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_COLUMNS))]
    numeric = {3, 4, 5, 6}
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[index]) if index in numeric else cell.ljust(widths[index])
            for index, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _failures(reports: tuple[CheckReport, ...]) -> list[str]:
    lines: list[str] = []
    number = 0
    for report in reports:
        for failure in report.failures:
            number += 1
            lines.append(f"{number}. {report.name} ({report.info.guards.label}): {failure.title}")
            if report.waiver:
                lines.append(f"   WAIVED: {report.waiver}")
            lines.extend(f"   {line}" for line in failure.message.splitlines() if line.strip())
            if failure.curl:
                lines.append("   Reproduce with:")
                lines.extend(f"     {command}" for command in failure.curl)
            lines.append("")
    return lines


def render_summary(result: SuiteResult) -> str:
    """The summary table, the failures with their curl commands, and the verdict."""
    if result.problem is not None:
        return f"ERROR: {result.problem}\n"
    seed = result.seed if result.seed is not None else "derandomised"
    lines = [
        f"Conformance of {result.target} to {result.spec}",
        f"profile {result.profile.value}, seed {seed}, {result.duration:.1f} s",
        *([f"target    {result.traffic.line()}"] if result.traffic is not None else []),
        "",
        *_table(result.checks),
        "",
    ]
    counts = Counter(report.status for report in result.checks)
    lines.append(
        f"{len(result.checks)} checks: "
        + ", ".join(f"{counts.get(status, 0)} {status.value}" for status in CheckStatus)
    )
    waivers = [r for r in result.checks if r.waiver]
    if waivers:
        lines += ["", "WAIVERS", ""]
        lines += [f"{r.name} ({r.status.value}): {r.waiver}" for r in waivers]
    failures = _failures(result.checks)
    if failures:
        lines += ["", "FAILURES", "", *failures]
    verdict = "PASSED" if result.passed else f"FAILED: {', '.join(sorted(result.failed_checks))}"
    if result.require_exercised and result.unexercised_strict:
        lines += ["", "Strict checks that judged nothing fail this run (--require-exercised)."]
    lines += ["", verdict]
    return "\n".join(lines) + "\n"
