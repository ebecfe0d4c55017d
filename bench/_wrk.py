"""wrk, the load generator: installed when missing (unless told not to), run with the Lua
request script, parsed.

wrk is C on an event loop (epoll) and builds each request with a few LuaJIT string operations,
so one wrk thread drives far more requests per second than a Python server answers; every run
records wrk's own CPU time next to the server's, so a table shows that it stayed cheap.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bench._procs import group_cpu_seconds, group_rss_bytes
from bench._table import fmt, median, ratio

__all__ = [
    "NO_INSTALL",
    "WRK_PACKAGE",
    "KeyMode",
    "Load",
    "Measurement",
    "ensure_wrk",
    "rate_cell",
    "round_ratios",
    "run_wrk",
]

SCRIPT = Path(__file__).resolve().parent / "lua" / "fulfillments.lua"
_THREADS = 1  # one event-loop thread is plenty below ~50k req/s and leaves a core to the server
_REQUEST_TIMEOUT = "10s"  # wrk's default 2 s would drop, not record, the slowest answers
_GRACE = 60.0  # seconds past the run's duration before wrk is considered hung
_SAMPLE_EVERY = 0.25  # seconds between RSS samples of the server under load
_INSTALL_TIMEOUT = 600.0  # apt-get update + install on a slow mirror
WRK_PACKAGE = "wrk"  # Debian's package
NO_INSTALL = "BENCH_NO_INSTALL"  # "1": never install a missing tool, fail naming its package


class KeyMode(StrEnum):
    """How Idempotency-Keys are chosen (see the Lua script's header)."""

    UNIQUE = "unique"
    CYCLE = "cycle"
    RANDOM = "random"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Load:
    """What every request of a run looks like."""

    body: Path
    keys: KeyMode
    prefix: str = "k"
    key_count: int = 1
    gzip: bool = False
    token: str = "bench-token"
    expect_success: bool = True  # False when every answer should be a 4xx or 5xx


@dataclass(frozen=True, slots=True)
class Measurement:
    """One wrk run: throughput, latency, errors, and the CPU both sides used."""

    rps: float
    requests: int
    p50_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    unexpected: int  # answers of the wrong class (non-2xx when expecting success, or 2xx)
    socket_errors: int
    wrk_cpu: float  # share of one core wrk used over the run
    server_cpu: float  # share of one core the server's processes used over the run
    peak_rss: int  # bytes, the most the server's processes held at once


def rate_cell(runs: Sequence[Measurement]) -> str:
    """`req/s · p50 · p99 ms`, each the median over the runs."""
    rps, p50, p99 = (median(getattr(m, a) for m in runs) for a in ("rps", "p50_ms", "p99_ms"))
    return f"{fmt(rps)} · {fmt(p50, 1)} · {fmt(p99, 1)}"


def round_ratios(
    tops: Sequence[Measurement], bottoms: Sequence[Measurement], attr: str = "rps"
) -> list[float]:
    """Each round's `attr` of the top run over the bottom run of the same round."""
    return [ratio(getattr(a, attr), getattr(b, attr)) for a, b in zip(tops, bottoms, strict=False)]


def ensure_wrk() -> str:
    """The path of wrk, installing Debian's package first when it is missing.

    apt's output goes to stderr, so a benchmark's report on stdout stays only the report. With
    `BENCH_NO_INSTALL=1` (the tests set it: a test never installs system packages) a missing
    wrk is an error naming the package instead.
    """
    found = shutil.which("wrk")
    if found:
        return found
    if os.environ.get(NO_INSTALL) == "1":
        raise RuntimeError(f"wrk is missing; install Debian's package: {WRK_PACKAGE}")
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update"], ["apt-get", "install", "-y", WRK_PACKAGE]):
        subprocess.run(
            [*prefix, *step],
            check=True,
            env=env,
            timeout=_INSTALL_TIMEOUT,
            stdout=sys.stderr,
        )
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError(f"wrk is still missing after apt-get install {WRK_PACKAGE}")
    return found


class _RssSampler(threading.Thread):
    """Samples a process group's RSS until stopped; keeps the peak."""

    def __init__(self, pgid: int) -> None:
        super().__init__(daemon=True)
        self._pgid = pgid
        self._halt = threading.Event()
        self.peak = 0

    def run(self) -> None:
        while not self._halt.wait(_SAMPLE_EVERY):
            self.peak = max(self.peak, group_rss_bytes(self._pgid))

    def finish(self) -> int:
        self._halt.set()
        self.join()
        return max(self.peak, group_rss_bytes(self._pgid))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(
    url: str, load: Load, *, connections: int, seconds: int, server_pgid: int
) -> Measurement:
    """Drive `url` for `seconds` with `connections` keep-alive connections."""
    argv = [
        ensure_wrk(),
        f"-t{min(_THREADS, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={_REQUEST_TIMEOUT}",
        "-s",
        str(SCRIPT),
        url,
        "--",
        str(load.body),
        load.keys.value,
        load.prefix,
        str(load.key_count),
        "gzip" if load.gzip else "identity",
        load.token,
    ]
    os.sync()  # the previous run's dirty pages are written back now, not during this run
    sampler = _RssSampler(server_pgid)
    cpu_before, server_before = _children_cpu(), group_cpu_seconds(server_pgid)
    started = time.monotonic()
    sampler.start()
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=seconds + _GRACE, check=False
        )
    finally:
        peak = sampler.finish()
    elapsed = time.monotonic() - started
    server_cpu = group_cpu_seconds(server_pgid) - server_before
    wrk_cpu = _children_cpu() - cpu_before
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK-RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("WRK-RESULT "))
    requests, status_errors = int(raw["requests"]), int(raw["status_errors"])
    duration = max(int(raw["duration_us"]), 1) / 1e6
    return Measurement(
        rps=requests / duration,
        requests=requests,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        p999_ms=raw["p999_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        unexpected=status_errors if load.expect_success else requests - status_errors,
        socket_errors=sum(
            int(raw[k]) for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
        ),
        wrk_cpu=wrk_cpu / elapsed,
        server_cpu=server_cpu / elapsed,
        peak_rss=peak,
    )
