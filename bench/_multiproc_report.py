"""The multi-process benchmark's results and tables: throughput by setup, and exactly-once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from bench._exactly_once import BURST, Tally
from bench._table import fmt, markdown, median
from bench._wrk import Measurement, rate_cell, round_ratios

__all__ = ["ExactlyOnce", "Throughput", "render"]

_BASELINE = "PostgreSQL, 1 process"


class _Settings(Protocol):
    @property
    def rounds(self) -> int: ...
    @property
    def seconds(self) -> int: ...
    @property
    def storm_seconds(self) -> int: ...


@dataclass
class Throughput:
    """Runs by (scenario, setup), in round order."""

    runs: defaultdict[tuple[str, str], list[Measurement]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, scenario: str, setup: str, measured: Measurement) -> None:
        """One run."""
        self.runs[scenario, setup].append(measured)


@dataclass(frozen=True, slots=True)
class ExactlyOnce:
    """The bursts of one setup, the load beside them, and the rows the database holds."""

    setup: str
    tally: Tally
    background: Measurement
    rows: dict[str, int]
    per_key: dict[str, int]

    def holds(self) -> bool:
        """Every key created once: by the answers and by the rows."""
        expected = {name: n * self.tally.keys for name, n in self.per_key.items()}
        return not self.tally.bad_keys and self.rows == expected


def _throughput(results: Throughput) -> str:
    setups = list(dict.fromkeys(setup for _, setup in results.runs))
    rows = []
    for setup in setups:
        row = [setup]
        for scenario in ("creations", "replays"):
            runs, base = results.runs[scenario, setup], results.runs[scenario, _BASELINE]
            per_round = median(round_ratios(runs, base))
            row += [rate_cell(runs), f"{fmt(per_round, 2)}x"]
        rows.append(row)
    headers = [
        "setup",
        "creations req/s · p50 · p99 ms",
        f"÷ {_BASELINE}",
        "replays req/s · p50 · p99 ms",
        f"÷ {_BASELINE}",
    ]
    return markdown(headers, rows)


def _exactly_once(outcomes: list[ExactlyOnce]) -> str:
    rows = []
    for o in outcomes:
        first = o.tally.first
        other = sum(n for kind, n in first.items() if kind not in {"created", "replayed", "409"})
        answers = f"{first['created']} / {first['replayed']} / {first['409']} / {other}"
        found = " / ".join(str(o.rows.get(name, 0)) for name in o.per_key)
        wanted = " / ".join(str(n * o.tally.keys) for n in o.per_key.values())
        rows.append(
            [
                o.setup,
                str(o.tally.keys),
                f"{o.tally.requests:,}",
                answers,
                str(len(o.tally.bad_keys)),
                f"{found} (expected {wanted})",
                fmt(o.background.rps),
                "holds" if o.holds() else "BROKEN",
            ]
        )
    headers = [
        "setup",
        "keys",
        "requests",
        "first answers: created / replayed / 409 / other",
        "keys answered wrongly",
        "rows: completed keys / fulfillments / invoices",
        "wrk creations beside it, req/s",
        "exactly-once",
    ]
    return markdown(headers, rows)


def render(
    throughput: Throughput | None, outcomes: list[ExactlyOnce], *, command: str, options: _Settings
) -> str:
    """The Markdown section of the multi-process benchmark."""
    head = "## Several processes on one PostgreSQL database\n"
    if throughput is None:
        return f"{head}\nSkipped: no PostgreSQL server binaries (`apt-get install postgresql`).\n"
    return "\n".join(
        [
            head,
            f"`{command}`: {options.rounds} round(s) of {options.seconds} s runs at 32 connections "
            "(two processes: 16 each, rates summed, latency the worse of the two); medians over "
            "rounds, ratios the median of per-round ratios. Both PostgreSQL setups share one "
            "throwaway cluster (fsync off).\n",
            _throughput(throughput),
            f"\n### Exactly-once: {BURST} simultaneous requests per key\n",
            f"Bursts follow one another for the {options.storm_seconds} s that wrk keeps creating "
            "on the first process (32 connections); a 409 is retried after 200 ms until the "
            "stored answer comes.\n",
            _exactly_once(outcomes),
        ]
    )
