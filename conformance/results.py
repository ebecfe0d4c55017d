"""What a run found: one report per check, and the verdict the exit code follows.

| exit code | meaning                                                          |
|-----------|------------------------------------------------------------------|
| 0         | every check that ran passed (or failed only under a waiver)      |
| 1         | at least one check failed: the target breaks a promise           |
| 2         | the target is unreachable or the run is misconfigured (`problem`) |
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace

from conformance.profiles import Profile, ProfileRule, Treatment
from conformance.registry import CheckInfo, in_report_order
from conformance.transport import ThrottleStats

__all__ = [
    "STOPPED_ANSWERING",
    "CheckReport",
    "CheckStatus",
    "FailureRecord",
    "SuiteResult",
    "unknown_waivers",
    "waived",
]

# The start of every problem that means "the target went silent", as the runner recognises it.
STOPPED_ANSWERING = "the target stopped answering"


@dataclass(frozen=True, slots=True)
class FailureRecord:
    """One distinct way a check failed, with the commands that reproduce it."""

    check: str
    title: str
    message: str
    curl: tuple[str, ...]


class CheckStatus(enum.StrEnum):
    """The outcome of one check over the whole run."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not run"
    WAIVED = "waived"  # failed, but the user waived the check with a reason on record


@dataclass(frozen=True, slots=True)
class CheckReport:
    """One row of the summary: a check, what it guards, and how many cases it judged."""

    info: CheckInfo
    rule: ProfileRule
    cases: int
    passed: int
    failed: int
    failures: tuple[FailureRecord, ...]
    note: str = ""
    waiver: str = ""  # the reason the user gave for waiving this check; empty: not waived

    @property
    def name(self) -> str:
        """The check's name."""
        return self.info.name

    @property
    def status(self) -> CheckStatus:
        """Failed when any case failed; skipped by the profile; not run when nothing reached it."""
        if self.failed:
            return CheckStatus.WAIVED if self.waiver else CheckStatus.FAILED
        if self.rule.treatment is Treatment.SKIPPED:
            return CheckStatus.SKIPPED
        if self.cases == 0:
            return CheckStatus.NOT_RUN
        return CheckStatus.PASSED


@dataclass(frozen=True, slots=True)
class SuiteResult:
    """Everything a run found, for the reports, the exit code and programmatic callers."""

    target: str
    spec: str
    profile: Profile
    seed: int | None
    duration: float
    checks: tuple[CheckReport, ...]
    problem: str | None = None
    traffic: ThrottleStats | None = None  # answers, throttling and answer times of the target

    @property
    def failed_checks(self) -> frozenset[str]:
        """Names of the checks that failed at least once."""
        return frozenset(
            report.name for report in self.checks if report.status is CheckStatus.FAILED
        )

    @property
    def passed(self) -> bool:
        """True when the run completed and no check failed."""
        return self.problem is None and not self.failed_checks

    @property
    def exit_code(self) -> int:
        """0 all passed, 1 a contract violation, 2 unreachable or misconfigured."""
        if self.problem is not None:
            return 2
        return 1 if self.failed_checks else 0

    def report(self, name: str) -> CheckReport:
        """The report of one check, by name."""
        for report in self.checks:
            if report.name == name:
                return report
        raise KeyError(name)


def waived(reports: tuple[CheckReport, ...], waivers: Mapping[str, str]) -> tuple[CheckReport, ...]:
    """The reports with each waived check's reason attached; the check still ran."""
    return tuple(
        replace(report, waiver=waivers[report.name]) if report.name in waivers else report
        for report in reports
    )


def unknown_waivers(waivers: tuple[tuple[str, str], ...]) -> None:
    """Raise ValueError naming the waived checks that do not exist (a typo waives nothing)."""
    unknown = sorted({name for name, _ in waivers} - {info.name for info in in_report_order()})
    if unknown:
        raise ValueError(f"--waive names no check {', '.join(unknown)}")
