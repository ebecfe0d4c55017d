"""The stack benchmark's results and tables: validators, JSON libraries, ASGI servers.

In-process timings are µs per call and their ratios are the other library's time over ours
(above 1: ours is faster); server ratios are the other server's req/s over ours (below 1: ours
is faster). Both kinds are medians of per-round ratios, so the two sides of a ratio were
measured moments apart.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench._table import fmt, markdown, median, ratio
from bench._timing import Timings
from bench._wrk import Measurement, rate_cell, round_ratios

__all__ = ["Agreement", "Comparison", "ServerResults", "StackResults", "render"]


@dataclass(frozen=True, slots=True)
class Agreement:
    """Each validator's verdict on one body, next to what the contract says it should be."""

    body: str
    expected: str  # valid or invalid
    verdicts: dict[str, str]  # validator -> "valid", "invalid, 2 errors" or "n/a"

    def agree(self) -> bool:
        """Every available validator says what is expected."""
        given = [v.split(",")[0] for v in self.verdicts.values() if v != "n/a"]
        return bool(given) and all(v == self.expected for v in given)


@dataclass(frozen=True, slots=True)
class Comparison:
    """One candidate in the list of what was compared."""

    part: str
    name: str
    version: str
    settings: str


@dataclass
class ServerResults:
    """wrk runs by (server, app) in round order, and why a pair was not measured."""

    servers: tuple[str, ...]
    apps: tuple[str, ...]
    ours: str
    runs: defaultdict[tuple[str, str], list[Measurement]] = field(
        default_factory=lambda: defaultdict(list)
    )
    unavailable: dict[tuple[str, str], str] = field(default_factory=dict)
    probes: dict[tuple[str, str], str] = field(default_factory=dict)
    lifespans: dict[tuple[str, str], str] = field(default_factory=dict)

    def round_ratios(self, server: str, app: str) -> list[float]:
        """The server's req/s over ours, round by round."""
        return round_ratios(self.runs[server, app], self.runs[self.ours, app])

    def rate_ratio(self, server: str, app: str) -> float:
        """Median over rounds of the server's req/s over ours in the same round."""
        return median(self.round_ratios(server, app))

    def cpu(self, server: str, app: str) -> float:
        """Median share of one core the server's processes used during its runs."""
        return median(m.server_cpu for m in self.runs.get((server, app), []))

    def per_cpu_second(self, server: str, app: str) -> float:
        """Median over runs of requests answered per second of the server's CPU time."""
        return median(ratio(m.rps, m.server_cpu) for m in self.runs.get((server, app), []))

    def ratio_cell(self, server: str, app: str) -> str:
        """`0.91x (0.67x-1.80x)`: the median, and the range over rounds when there are several."""
        ratios = [r for r in self.round_ratios(server, app) if not math.isnan(r)]
        shown = _factor(self.rate_ratio(server, app))
        if len(ratios) > 1 and server != self.ours:
            shown += f" ({_factor(min(ratios))}-{_factor(max(ratios))})"
        return shown


@dataclass
class StackResults:
    """Everything the three parts measured."""

    validators: tuple[str, ...]
    validator_problems: dict[str, str]
    validation: Timings
    validation_rows: tuple[str, ...]
    agreement: list[Agreement]
    json_libraries: tuple[str, ...]
    json: Timings
    json_rows: tuple[str, ...]
    json_same: dict[str, bool]
    strictness: list[tuple[str, dict[str, str]]]
    servers: ServerResults
    compared: list[Comparison]


def _timing_table(
    timings: Timings,
    rows: Sequence[str],
    candidates: Sequence[str],
    problems: dict[str, str],
    extra: dict[str, bool] | None = None,
) -> str:
    ours, others = candidates[0], candidates[1:]
    headers = ["call", *(f"{c} µs" for c in candidates), *(f"{c} ÷ {ours}" for c in others)]
    if extra is not None:
        headers.append("same result")
    body = []
    for row in rows:
        cells = [row]
        for name in candidates:
            value = timings.cell(row, name)
            cells.append("not available" if name in problems else _micros(value))
        for name in others:
            slower = timings.slowdown(row, name, ours)
            cells.append("n/a" if name in problems else _factor(slower))
        if extra is not None:
            cells.append("yes" if extra.get(row) else "NO")
        body.append(cells)
    return markdown(headers, body)


def _factor(value: float) -> str:
    """`1.23x`, or `n/a` when one side was not measured."""
    text = fmt(value, 2)
    return text if text == "n/a" else f"{text}x"


def _micros(value: float) -> str:
    """A duration in µs with three significant digits or so: 0.912, 12.3, 1,234."""
    if math.isnan(value):  # not timed
        return "n/a"
    return fmt(value, 3 if value < 1 else 2 if value < 10 else 1 if value < 100 else 0)


def _agreement(results: StackResults) -> str:
    headers = ["body", "expected", *results.validators, "all agree"]
    rows = [
        [a.body, a.expected, *(a.verdicts[v] for v in results.validators), _yes(a.agree())]
        for a in results.agreement
    ]
    return markdown(headers, rows)


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def _strictness(results: StackResults) -> str:
    headers = ["body the server must refuse", *results.json_libraries]
    rows = [[label, *(by[n] for n in results.json_libraries)] for label, by in results.strictness]
    return markdown(headers, rows)


def _server_cell(servers: ServerResults, server: str, app: str) -> str:
    if (server, app) in servers.unavailable:
        return servers.unavailable[server, app]
    runs = servers.runs.get((server, app), [])
    return rate_cell(runs) if runs else "not run"


def _servers(servers: ServerResults) -> str:
    headers = ["server"]
    for app in servers.apps:
        headers += [f"{app} req/s · p50 · p99 ms", f"{app} ÷ ours (range over rounds)"]
    rows = []
    for server in servers.servers:
        row = [server]
        for app in servers.apps:
            row.append(_server_cell(servers, server, app))
            row.append(servers.ratio_cell(server, app))
        rows.append(row)
    return markdown(headers, rows)


def _server_check(servers: ServerResults) -> str:
    headers = [
        "server",
        "app",
        "probe answer",
        "lifespan",
        "runs",
        "requests",
        "answers unlike the probe",
        "socket errors",
        "server CPU (median, % of a core)",
        "requests per server CPU-second (median)",
        "wrk CPU (median)",
    ]
    rows = []
    for server in servers.servers:
        for app in servers.apps:
            runs = servers.runs.get((server, app), [])
            rows.append(
                [
                    server,
                    app,
                    servers.probes.get((server, app), "none"),
                    servers.lifespans.get((server, app), "n/a"),
                    str(len(runs)),
                    fmt(sum(m.requests for m in runs)),
                    str(sum(m.unexpected for m in runs)),
                    str(sum(m.socket_errors for m in runs)),
                    fmt(servers.cpu(server, app) * 100, 0, " %"),
                    fmt(servers.per_cpu_second(server, app)),
                    fmt(median(m.wrk_cpu * 100 for m in runs), 0, " %"),
                ]
            )
    return markdown(headers, rows)


def _compared(results: StackResults) -> str:
    rows = [[c.part, c.name, c.version, c.settings] for c in results.compared]
    return markdown(["part", "candidate", "version", "how it is called here"], rows)


def _fastest(timings: Timings, rows: Sequence[str], candidates: Sequence[str]) -> str:
    """`jsonschema-rs on 4 of 4 calls`, counting only the calls every candidate made."""
    wins: dict[str, int] = defaultdict(int)
    counted = 0
    for row in rows:
        times = {c: timings.cell(row, c) for c in candidates}
        if any(math.isnan(t) for t in times.values()):  # someone did not make this call
            continue
        counted += 1
        wins[min(times, key=lambda c: times[c])] += 1
    return ", ".join(f"{name} on {wins[name]} of {counted}" for name in candidates if wins[name])


def _verdicts(results: StackResults) -> str:
    timed = [v for v in results.validators if v not in results.validator_problems]
    agreed = sum(a.agree() for a in results.agreement)
    servers = results.servers
    lines = [
        f"- Schema validation, fastest per call: "
        f"{_fastest(results.validation, results.validation_rows, timed) or 'n/a'} "
        f"(calls every timed validator made); the validators agree on {agreed} of "
        f"{len(results.agreement)} bodies.",
        f"- JSON, fastest per call: "
        f"{_fastest(results.json, results.json_rows, results.json_libraries) or 'n/a'}.",
    ]
    for app in servers.apps:
        others = [s for s in servers.servers if s != servers.ours and servers.runs.get((s, app))]
        if not servers.runs.get((servers.ours, app)) or not others:
            continue
        best = max(others, key=lambda s: servers.rate_ratio(s, app))
        cell = servers.ratio_cell(best, app)
        if servers.rate_ratio(best, app) > 1:
            lines.append(
                f"- ASGI server with {app}: {best} ahead of ours, at {cell} our req/s, using "
                f"{fmt(servers.cpu(best, app) * 100, 0, ' %')} of a core against ours' "
                f"{fmt(servers.cpu(servers.ours, app) * 100, 0, ' %')} "
                f"({fmt(servers.per_cpu_second(best, app))} against "
                f"{fmt(servers.per_cpu_second(servers.ours, app))} requests per CPU-second)."
            )
        else:
            lines.append(
                f"- ASGI server with {app}: none ahead of ours; the closest is {best}, at "
                f"{cell} our req/s (median of per-round ratios)."
            )
    return "\n".join(lines) + "\n"


def render(results: StackResults, *, command: str, settings: str, notes: Sequence[str]) -> str:
    """The Markdown section of the stack benchmark."""
    problems = results.validator_problems
    parts = [
        "## Stack: schema validator, JSON library, ASGI server\n",
        f"`{command}`: {settings}.\n",
        _verdicts(results),
        "### Schema validation of the request body\n",
        "µs per call (medians over rounds); `X ÷ ours` is X's time over jsonschema-rs's in "
        "the same round, so above 1 means ours is faster.\n",
        _timing_table(results.validation, results.validation_rows, results.validators, problems),
        "\nVerdicts on the benchmark's bodies and on two more invalid ones:\n",
        _agreement(results),
    ]
    parts += [f"\n{name}: {problem}.\n" for name, problem in problems.items()]
    parts += [
        "\n### JSON: parsing bodies, writing answers\n",
        "µs per call (medians over rounds); `json ÷ orjson` is json's time over orjson's in "
        "the same round. Same result: the same document parsed, or byte-identical output.\n",
        _timing_table(
            results.json, results.json_rows, results.json_libraries, {}, results.json_same
        ),
        "\nWhat each library does with a body the server must answer 400 (strict JSON: no NaN "
        "or Infinity, nothing beyond a double, valid UTF-8 only):\n",
        _strictness(results),
        "\n### ASGI servers\n",
        "Creations (a new Idempotency-Key per request) through wrk; cells are medians over "
        "rounds, `÷ ours` the median of per-round req/s ratios to uvicorn with httptools and "
        "uvloop, so below 1 means ours is faster.\n",
        _servers(results.servers),
        "\n#### Load generator and lifespan check\n",
        "Server CPU above 100 % of a core means the server's processes worked on more than one "
        "core at once; requests per CPU-second compare what each spends on a request.\n",
        _server_check(results.servers),
        "\n### What was compared\n",
        _compared(results),
    ]
    parts += [f"\n{note}\n" for note in notes]
    return "\n".join(parts)
