"""The scale benchmark's results and tables: scale, purge and memory, each with its target.

| target                        | how it is judged                                              |
|-------------------------------|---------------------------------------------------------------|
| 1,000,000 keys within 20 %    | median per-round req/s ratio large ÷ small is at least 0.8    |
| no stall while purging        | median per-round p99 ratio purging ÷ not is at most 1.5, and  |
|                               | the purge did delete keys during the measured runs            |
| bounded memory                | peak RSS at 1,000,000 keys at most 1.25x the peak at 1,000    |
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from bench._table import fmt, markdown, median, ratio
from bench._wrk import Measurement, rate_cell, round_ratios

__all__ = ["Purge", "ScaleResults", "render"]

_SCALE_FLOOR = 0.8  # within 20 % of the small store's throughput
_STALL_FACTOR = 1.5  # a p99 more than 1.5x the same round's baseline counts as a stall
_RSS_FACTOR = 1.25  # the store keeps keys on disk: memory must not follow their number
_MIB = 2**20


@dataclass
class Purge:
    """How many keys were expired when the purging server started, and what it purged."""

    expired_at_start: int
    runs: defaultdict[tuple[str, str], list[Measurement]] = field(
        default_factory=lambda: defaultdict(list)
    )
    purged: int = 0


@dataclass
class ScaleResults:
    """Runs by (scenario, store), in round order."""

    large: int
    small: int
    runs: defaultdict[tuple[str, str], list[Measurement]] = field(
        default_factory=lambda: defaultdict(list)
    )
    purge: Purge | None = None
    file_bytes: dict[str, int] = field(default_factory=dict)

    def add(self, scenario: str, store: str, measured: Measurement) -> None:
        """One run of the scale part."""
        self.runs[scenario, store].append(measured)

    def add_purge(self, scenario: str, store: str, measured: Measurement, purged: int) -> None:
        """One run of the purge part, with the keys purged during it."""
        assert self.purge is not None
        self.purge.runs[scenario, store].append(measured)
        self.purge.purged += purged


def _cell(runs: list[Measurement], *, tail: bool = False) -> str:
    if not tail:
        return rate_cell(runs)
    rps, p99 = median(m.rps for m in runs), median(m.p99_ms for m in runs)
    p999 = median(m.p999_ms for m in runs)
    worst = max((m.max_ms for m in runs), default=float("nan"))
    return f"{fmt(rps)} · {fmt(p99, 1)} · {fmt(p999, 1)} · {fmt(worst, 0)}"


def _per_round(top: list[Measurement], bottom: list[Measurement], attr: str) -> float:
    return median(round_ratios(top, bottom, attr))


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _scale(results: ScaleResults) -> str:
    rows = []
    for scenario in ("creations", "replays"):
        small, large = results.runs[scenario, "small"], results.runs[scenario, "large"]
        rps = _per_round(large, small, "rps")
        p99 = _per_round(large, small, "p99_ms")
        rows.append(
            [
                scenario,
                _cell(small),
                _cell(large),
                f"{fmt(rps, 2)}x",
                f"{fmt(p99, 2)}x",
                _met(rps >= _SCALE_FLOOR),
            ]
        )
    headers = [
        "scenario",
        f"{results.small:,} keys: req/s · p50 · p99 ms",
        f"{results.large:,} keys: req/s · p50 · p99 ms",
        "req/s large ÷ small",
        "p99 large ÷ small",
        "within 20 %",
    ]
    return markdown(headers, rows)


def _purge(purge: Purge, large: int) -> str:
    rows = []
    for scenario in ("replays", "creations"):
        calm, busy = purge.runs[scenario, "large"], purge.runs[scenario, "purge"]
        p99 = _per_round(busy, calm, "p99_ms")
        ok = p99 <= _STALL_FACTOR and purge.purged > 0
        rows.append(
            [scenario, _cell(calm, tail=True), _cell(busy, tail=True), f"{fmt(p99, 2)}x", _met(ok)]
        )
    headers = [
        "scenario",
        f"{large:,} live keys: req/s · p99 · p99.9 · max ms",
        "purging: req/s · p99 · p99.9 · max ms",
        "p99 purging ÷ not",
        "no stall",
    ]
    note = (
        f"\n{purge.expired_at_start:,} keys were expired before the first purging run; the purge "
        f"deleted {purge.purged:,} of them during the measured runs. The purging server is "
        "started for each of its runs (which begin as its first purge round does) and stopped "
        "after, so it never purges while the baseline is measured.\n"
    )
    return markdown(headers, rows) + note


def _memory(results: ScaleResults) -> str:
    peaks = {
        store: max(
            (m.peak_rss for (_, s), ms in results.runs.items() if s == store for m in ms), default=0
        )
        for store in ("small", "large")
    }
    if results.purge is not None:
        peaks["purge"] = max(
            (m.peak_rss for (_, s), ms in results.purge.runs.items() if s == "purge" for m in ms),
            default=0,
        )
    keys = {"small": results.small, "large": results.large, "purge": results.large}
    rows = [
        [
            store,
            f"{keys[store]:,}",
            fmt(results.file_bytes.get(store, 0) / _MIB, 0, " MiB"),
            fmt(peak / _MIB, 0, " MiB"),
        ]
        for store, peak in peaks.items()
    ]
    grown = ratio(peaks["large"], peaks["small"])
    verdict = (
        f"\nPeak RSS large ÷ small: {fmt(grown, 2)}x (bounded: {_met(grown <= _RSS_FACTOR)}).\n"
    )
    return markdown(["store", "keys", "file size at start", "peak RSS under load"], rows) + verdict


def render(results: ScaleResults, *, command: str, seconds: int, rounds: int) -> str:
    """The Markdown section of the scale benchmark."""
    parts = [
        "## Scale: stored keys, purge, memory (SQLite store)\n",
        f"`{command}`: {rounds} round(s) of {seconds} s runs at 32 connections; cells are "
        "medians over rounds, ratios the median of per-round ratios. Replays draw keys "
        "uniformly from the whole store.\n",
        _scale(results),
        "\n### While the background purge deletes expired keys\n",
        _purge(results.purge, results.large) if results.purge else "Not measured.\n",
        "\n### Memory\n",
        _memory(results),
    ]
    return "\n".join(parts)
