"""The load benchmark's tables: throughput and latency, targets, answers, and the wrk check.

Ratios are taken round by round (two peers measured seconds apart) and then the median of
those is reported, which cancels most of the drift of a shared machine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench._table import fmt, markdown, median
from bench._wrk import Measurement, rate_cell, round_ratios

__all__ = ["TARGET_CONNECTIONS", "Results", "hello_of", "render"]

TARGET_CONNECTIONS = 32  # the p99 target is stated at 32 connections
_P99_TARGET_MS = 20.0
_PRISM_FACTOR = 3.0  # creations at least 3x Prism's static mock
_HELLO_FACTOR = 0.5  # and at least half of the bare stack


@dataclass
class Results:
    """Every run, in round order, and each peer's answer to one probe per scenario."""

    connections: tuple[int, ...]
    peers: tuple[str, ...]
    runs: defaultdict[tuple[str, int, str], list[Measurement]] = field(
        default_factory=lambda: defaultdict(list)
    )
    answers: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, scenario: str, connections: int, peer: str, measured: Measurement) -> None:
        """Record one run."""
        self.runs[scenario, connections, peer].append(measured)

    def rps(self, scenario: str, connections: int, peer: str) -> float:
        """Median requests per second over the rounds."""
        return median(m.rps for m in self.runs[scenario, connections, peer])

    def p99(self, scenario: str, connections: int, peer: str) -> float:
        """Median of the rounds' p99 latencies, in ms."""
        return median(m.p99_ms for m in self.runs[scenario, connections, peer])

    def round_ratio(self, top: tuple[str, int, str], bottom: tuple[str, int, str]) -> float:
        """Median over rounds of top's req/s divided by bottom's in the same round."""
        return median(round_ratios(self.runs[top], self.runs[bottom]))

    def scenarios(self) -> list[str]:
        """Scenario names in the order they ran."""
        return list(dict.fromkeys(key[0] for key in self.runs))

    def refservers(self) -> list[str]:
        """The reference server's peers, one per worker count (`refserver`, `refserver-2w`)."""
        return [p for p in self.peers if p.startswith("refserver")]

    def divisors(self, refserver: str) -> list[str]:
        """The peers a reference server is held against: Prism, and hello on as many workers."""
        return [p for p in ("prism-static", hello_of(refserver)) if p in self.peers]


def hello_of(refserver: str) -> str:
    """The hello-world peer with the reference server's worker count."""
    return refserver.replace("refserver", "hello", 1)


def _cell(runs: Sequence[Measurement]) -> str:
    return rate_cell(runs) if runs else "n/a"


def _throughput(results: Results) -> str:
    pairs = [(r, p) for r in results.refservers() for p in results.divisors(r)]
    headers = ["scenario", "conns", *(f"{p} req/s · p50 · p99 ms" for p in results.peers)]
    headers += [f"{r} ÷ {p}" for r, p in pairs]
    rows = []
    for scenario in results.scenarios():
        for conns in results.connections:
            row = [scenario, str(conns)]
            row += [_cell(results.runs[scenario, conns, p]) for p in results.peers]
            row += [
                fmt(results.round_ratio((scenario, conns, r), (scenario, conns, p)), 2) + "x"
                for r, p in pairs
            ]
            rows.append(row)
    return markdown(headers, rows)


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT met")


def _targets(results: Results) -> str:
    rows: list[list[str]] = []
    for ref in results.refservers():
        rows += _targets_of(results, ref)
    if not rows:
        return ""
    return markdown(["target", "measured (median of per-round ratios)", "verdict"], rows)


def _targets_of(results: Results, ref: str) -> list[list[str]]:
    rows: list[list[str]] = []
    factors = {"prism-static": _PRISM_FACTOR, hello_of(ref): _HELLO_FACTOR}
    for peer in results.divisors(ref):
        ratios = {
            c: results.round_ratio(("creations", c, ref), ("creations", c, peer))
            for c in results.connections
        }
        shown = ", ".join(f"{fmt(r, 2)}x at {c}" for c, r in ratios.items())
        ok = all(r >= factors[peer] for r in ratios.values())
        rows.append([f"{ref}: creations ≥ {factors[peer]:g}x {peer}", shown, _verdict(ok)])
    conns = TARGET_CONNECTIONS if TARGET_CONNECTIONS in results.connections else None
    if conns is not None:
        p99 = results.p99("creations", conns, ref)
        rows.append(
            [
                f"{ref}: creations p99 < {_P99_TARGET_MS:g} ms at {conns} connections",
                f"{fmt(p99, 1)} ms",
                _verdict(p99 < _P99_TARGET_MS),
            ]
        )
    faster = {
        c: results.round_ratio(("replays", c, ref), ("creations", c, ref))
        for c in results.connections
    }
    shown = ", ".join(f"{fmt(r, 2)}x at {c}" for c, r in faster.items())
    rows.append(
        [f"{ref}: replays faster than creations", shown, _verdict(min(faster.values()) > 1)]
    )
    return rows


def _answers(results: Results) -> str:
    scenarios = results.scenarios()
    rows = [[p, *(results.answers.get((p, s), "n/a") for s in scenarios)] for p in results.peers]
    return markdown(["peer", *scenarios], rows)


def _wrk_check(results: Results) -> str:
    rows = []
    for peer in results.peers:
        runs = [m for (_, _, p), ms in results.runs.items() if p == peer for m in ms]
        rows.append(
            [
                peer,
                str(len(runs)),
                fmt(sum(m.requests for m in runs)),
                fmt(median(m.wrk_cpu * 100 for m in runs), 0, " %"),
                fmt(max((m.wrk_cpu * 100 for m in runs), default=float("nan")), 0, " %"),
                fmt(median(m.server_cpu * 100 for m in runs), 0, " %"),
                str(sum(m.unexpected for m in runs)),
                str(sum(m.socket_errors for m in runs)),
            ]
        )
    headers = [
        "peer",
        "runs",
        "requests",
        "wrk CPU (median, % of a core)",
        "wrk CPU (max)",
        "server CPU (median)",
        "answers unlike the probe",
        "socket errors",
    ]
    return markdown(headers, rows)


def render(results: Results, *, command: str, settings: str, notes: Sequence[str]) -> str:
    """The Markdown section of the load benchmark."""
    parts = [
        "## Load: creations, replays, gzip, invalid requests\n",
        f"`{command}`: {settings}. Cells are medians over rounds.\n",
        _throughput(results),
        "\n### Targets\n",
        _targets(results) or "No reference server in this run.\n",
        "\n### What each peer answered (one probe per scenario)\n",
        _answers(results),
        "\n### Load generator check\n",
        _wrk_check(results),
    ]
    parts += [f"\n{note}\n" for note in notes]
    return "\n".join(parts)
