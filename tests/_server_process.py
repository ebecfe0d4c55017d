"""`python -m refserver` as a child process on a free loopback port, for tests over a socket."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

__all__ = ["ROOT", "ServerProcess", "free_port", "serve", "stop"]

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """A `python -m refserver` child process on a loopback port."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _wait_ready(server: ServerProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{server.output()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/ready", timeout=0.5).status_code == 404:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the server did not start in {timeout} s:\n{server.output()}")


def stop(process: subprocess.Popen[Any]) -> None:
    """End a child process that still runs: SIGTERM, then SIGKILL after ten seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def serve(
    *args: str, folder: Path, env: Mapping[str, str] | None = None
) -> Iterator[ServerProcess]:
    """Run the CLI with `args` on a free port until the block ends (SIGTERM, then SIGKILL)."""
    port = free_port()
    log = folder / f"server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "refserver", "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_ready(server, timeout=20)
        yield server
    finally:
        stop(process)
