"""In-process timing of small calls, interleaved the way the servers' runs are.

Each case is timed in batches long enough for the clock to be exact; every round visits every
row and times the candidates of a row back to back, in an order that rotates each round, so a
ratio compares two batches a fraction of a second apart. The garbage collector is off during a
batch (as `timeit` does): the reference server freezes its startup heap, and a collection
landing in one candidate's batch would be charged to it.
"""

from __future__ import annotations

import timeit
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bench._table import median, ratio

__all__ = ["Case", "Timings", "time_cases"]

_CALIBRATION_FLOOR = 0.002  # seconds: below this the first calibration batch is too short


@dataclass(frozen=True, slots=True)
class Case:
    """One call to time: a row (what is done) and a column (who does it)."""

    row: str
    candidate: str
    call: Callable[[], object]


@dataclass
class Timings:
    """Microseconds per call, one value per round, by (row, candidate)."""

    micros: defaultdict[tuple[str, str], list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def cell(self, row: str, candidate: str) -> float:
        """The median over rounds, NaN when never timed."""
        return median(self.micros.get((row, candidate), []))

    def slowdown(self, row: str, candidate: str, reference: str) -> float:
        """Median over rounds of candidate's time divided by the reference's in the same round."""
        pairs = zip(self.micros[row, candidate], self.micros[row, reference], strict=False)
        return median(ratio(a, b) for a, b in pairs)


def _calls_per_batch(call: Callable[[], object], batch: float) -> int:
    """How many calls take about `batch` seconds (1, 2, 5, 10, 20, 50, ... like timeit)."""
    timer = timeit.Timer(call)
    number = 1
    while True:
        for factor in (1, 2, 5):
            calls = number * factor
            if timer.timeit(calls) >= max(batch, _CALIBRATION_FLOOR):
                return calls
        number *= 10


def time_cases(cases: Sequence[Case], *, rounds: int, batch: float) -> Timings:
    """Time every case in `rounds` interleaved rounds of one batch each."""
    sizes = {(c.row, c.candidate): _calls_per_batch(c.call, batch) for c in cases}
    rows: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        rows[case.row].append(case)
    timings = Timings()
    for index in range(rounds):
        for row_cases in rows.values():
            shift = index % len(row_cases)
            for case in row_cases[shift:] + row_cases[:shift]:
                calls = sizes[case.row, case.candidate]
                seconds = timeit.Timer(case.call).timeit(calls)
                timings.micros[case.row, case.candidate].append(seconds / calls * 1e6)
    return timings
