"""Counting what each check was shown and what it judged, from any thread, during a run.

| call                       | shown | judged (cases) | passed | failed |
|----------------------------|-------|----------------|--------|--------|
| `passed(check)`            | +1    | +1             | +1     |        |
| `failed(record)`           | +1    | +1             |        | +1     |
| `not_judged(check, reason)`| +1    |                |        |        |

A check that was shown exchanges but judged none is reported "not exercised" with its most
frequent reason, never "passed".
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from conformance.profiles import Profile
from conformance.registry import in_report_order
from conformance.results import CheckReport, FailureRecord

__all__ = ["NOT_REACHED", "Tally"]

MAX_FAILURES_KEPT = 5  # distinct failures per check a report shows; the count covers all of them
NOT_REACHED = "not reached"  # the reason of a check no exchange of the run was handed to


@dataclass
class _Counts:
    shown: int = 0
    passed: int = 0
    failed: int = 0
    unjudged: Counter[str] = field(default_factory=Counter)
    failures: dict[tuple[str, str], FailureRecord] = field(default_factory=dict)

    @property
    def judged(self) -> int:
        return self.passed + self.failed

    def reason(self) -> str:
        """Why nothing was judged: the most frequent reason given, or "not reached"."""
        if not self.unjudged:
            return NOT_REACHED
        return self.unjudged.most_common(1)[0][0]


class Tally:
    """Thread-safe counters, one per check, turned into reports at the end of a run."""

    def __init__(self, *, on_failure: Callable[[FailureRecord], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._counts: defaultdict[str, _Counts] = defaultdict(_Counts)
        self._notes: dict[str, str] = {}
        self._on_failure = on_failure

    def passed(self, check: str) -> None:
        """`check` judged one exchange and found the promise kept."""
        with self._lock:
            counts = self._counts[check]
            counts.shown += 1
            counts.passed += 1

    def not_judged(self, check: str, reason: str) -> None:
        """`check` was shown one exchange outside what it judges, for `reason`."""
        with self._lock:
            counts = self._counts[check]
            counts.shown += 1
            counts.unjudged[reason] += 1

    def failed(self, record: FailureRecord) -> None:
        """One case of `record.check` failed; distinct failures are kept, up to a few per check."""
        key = (record.title, record.message)
        with self._lock:
            counts = self._counts[record.check]
            counts.shown += 1
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

    def note_unreached(self, note: str) -> None:
        """Give `note` to every check that was shown nothing and has no note yet.

        A run restricted with `--only` or `--phases` leaves out the checks of the tests it did
        not select: those were not run, which is not the same as run and never exercised.
        """
        with self._lock:
            for info in in_report_order():
                counts = self._counts.get(info.name)
                if (counts is None or counts.shown == 0) and info.name not in self._notes:
                    self._notes[info.name] = note

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
                        cases=counts.judged,
                        passed=counts.passed,
                        failed=counts.failed,
                        failures=tuple(counts.failures.values()),
                        note=self._notes.get(name, rule.note),
                        shown=counts.shown,
                        unjudged=counts.reason() if not counts.judged else "",
                        not_run=name in self._notes,
                    )
                )
            return tuple(reports)
