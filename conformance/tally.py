"""Counting cases, passes and failures per check, from any thread, while a run is going on."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from conformance.profiles import Profile
from conformance.registry import in_report_order
from conformance.results import CheckReport, FailureRecord

__all__ = ["Tally"]

MAX_FAILURES_KEPT = 5  # distinct failures per check a report shows; the count covers all of them


@dataclass
class _Counts:
    cases: int = 0
    passed: int = 0
    failed: int = 0
    failures: dict[tuple[str, str], FailureRecord] = field(default_factory=dict)


class Tally:
    """Thread-safe counters, one per check, turned into reports at the end of a run."""

    def __init__(self, *, on_failure: Callable[[FailureRecord], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._counts: defaultdict[str, _Counts] = defaultdict(_Counts)
        self._notes: dict[str, str] = {}
        self._on_failure = on_failure

    def passed(self, check: str) -> None:
        """One case of `check` passed."""
        with self._lock:
            counts = self._counts[check]
            counts.cases += 1
            counts.passed += 1

    def failed(self, record: FailureRecord) -> None:
        """One case of `record.check` failed; distinct failures are kept, up to a few per check."""
        key = (record.title, record.message)
        with self._lock:
            counts = self._counts[record.check]
            counts.cases += 1
            counts.failed += 1
            first = key not in counts.failures and len(counts.failures) < MAX_FAILURES_KEPT
            if first:
                counts.failures[key] = record
        if first and self._on_failure is not None:
            self._on_failure(record)

    def note(self, check: str, note: str) -> None:
        """Explain why `check` did not run (shown in the reports)."""
        with self._lock:
            self._notes[check] = note

    def total_cases(self) -> int:
        """Cases judged so far, over all checks."""
        with self._lock:
            return sum(counts.cases for counts in self._counts.values())

    def reports(self, profile: Profile) -> tuple[CheckReport, ...]:
        """One report per declared check, in report order."""
        with self._lock:
            reports = []
            for info in in_report_order():
                name = info.name
                counts = self._counts.get(name, _Counts())
                rule = info.rule(profile)
                reports.append(
                    CheckReport(
                        info=info,
                        rule=rule,
                        cases=counts.cases,
                        passed=counts.passed,
                        failed=counts.failed,
                        failures=tuple(counts.failures.values()),
                        note=self._notes.get(name, rule.note),
                    )
                )
            return tuple(reports)
