"""Servers started in their own process groups on free loopback ports, and what they consume.

Every process a benchmark starts gets its own session, so stopping it stops its children too
(uvicorn's workers, Prism's node) and nothing outlives the benchmark.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "LOOPBACK",
    "Service",
    "free_port",
    "group_cpu_seconds",
    "group_rss_bytes",
    "listen_options",
    "start_service",
]

LOOPBACK = "127.0.0.1"  # benchmarks never listen on or connect to anything else
_READY_TIMEOUT = 60.0  # seconds; Prism needs a few to parse the contract on a busy machine
_STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL
_START_ATTEMPTS = 3  # a free port can be taken by another process before the server binds it
_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def listen_options(workers: int) -> list[str]:
    """`--host`, `--port` (`start_service` fills it in) and `--workers`, as servers take them."""
    return ["--host", LOOPBACK, "--port", "{port}", "--workers", str(workers)]


def free_port() -> int:
    """A port nobody listens on right now (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Service:
    """A server process group listening on a loopback port."""

    name: str
    port: int
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pgid(self) -> int:
        """The process group (the leader's pid, since it started a new session)."""
        return self.popen.pid

    def stop(self) -> None:
        """SIGTERM the whole group, then SIGKILL whatever is left after a grace period."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=_STOP_GRACE)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=_STOP_GRACE)

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((LOOPBACK, port)) == 0


def _launch(
    name: str,
    argv: Sequence[str],
    port: int,
    *,
    cwd: Path,
    env: Mapping[str, str] | None,
    log: Path,
    ready_timeout: float,
) -> Service | None:
    """Start once; None when the process died before listening (the port was taken)."""
    with log.open("ab") as out:
        popen = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    service = Service(name, port, popen, log)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            service.stop()
            return None
        if _accepts(port):
            return service
        time.sleep(0.1)
    service.stop()
    raise TimeoutError(f"{name} did not listen within {ready_timeout:.0f} s; see {log}")


def start_service(
    name: str,
    argv_for_port: Sequence[str],
    *,
    cwd: Path,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    ready_timeout: float = _READY_TIMEOUT,
) -> Service:
    """Start `argv_for_port` (`{port}` marks the port) on a free port; wait until it listens."""
    log = log_dir / f"{name}.log"
    for _ in range(_START_ATTEMPTS):
        port = free_port()
        argv = [part.replace("{port}", str(port)) for part in argv_for_port]
        service = _launch(name, argv, port, cwd=cwd, env=env, log=log, ready_timeout=ready_timeout)
        if service is not None:
            return service
    tail = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"{name} exited before listening ({_START_ATTEMPTS} tries):\n{tail}")


def _group_stats(pgid: int) -> Iterator[tuple[int, int]]:
    """(cpu ticks, rss pages) of every live process in the group."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()  # the command name may hold spaces
        # after the name: state(0) ppid(1) pgrp(2) ... utime(11) stime(12) ... rss(21)
        if int(fields[2]) == pgid:
            yield int(fields[11]) + int(fields[12]), int(fields[21])


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a group."""
    return sum(ticks for ticks, _ in _group_stats(pgid)) / _TICKS


def group_rss_bytes(pgid: int) -> int:
    """Resident memory of the group's live processes, summed."""
    return sum(pages for _, pages in _group_stats(pgid)) * _PAGE
