"""`--workers N`: connections spread over every worker, a dead worker replaced, one stop for all.

The workers are found through /proc: the parent's children that run multiprocessing's spawn
entry point, and each worker's connections by matching the inodes of the port's established
sockets in /proc/net/tcp against the worker's open files.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from tests._server_fixtures import ROOT, ServerProcess, assert_conforms, body, serve

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")

AUTH = {"Authorization": "Bearer dev-token", "Content-Type": "application/json"}
_ESTABLISHED = "01"
_LISTEN = "0A"


def _workers(parent: int) -> list[int]:
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [
        pid
        for pid in map(int, children)
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def _inodes(port: int, state: str) -> set[str]:
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] == state:
            inodes.add(fields[9])
    return inodes


def _connections_of(pid: int, inodes: set[str]) -> int:
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:[") and target[8:-1] in inodes:
            count += 1
    return count


def _running(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@contextlib.contextmanager
def _two_workers(folder: Path, *options: str) -> Iterator[ServerProcess]:
    """A two-worker server on a SQLite file of its own, once both workers are running."""
    store = f"sqlite:///{folder / 'store.db'}"
    with serve("--store", store, "--workers", "2", *options, folder=folder) as server:
        assert _wait_for(lambda: len(_workers(server.process.pid)) == 2, 20)
        yield server


def _replaced(parent: int, victim: int, timeout: float) -> bool:
    """Whether `victim` is gone and a new worker has taken its place within `timeout` s."""
    return _wait_for(lambda: victim not in _workers(parent) and len(_workers(parent)) == 2, timeout)


def _post(url: str) -> httpx.Response:
    response = httpx.post(
        f"{url}/v1/fulfillments", content=orjson.dumps(body()), headers=AUTH, timeout=10
    )
    assert_conforms(response)
    return response


def _burst(port: int, count: int) -> list[socket.socket]:
    """`count` connections opened as fast as a load generator opens them, then each used once."""
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
    for sock in sockets:
        sock.settimeout(10)
        sock.sendall(b"GET /ready HTTP/1.1\r\nHost: x\r\n\r\n")
    for sock in sockets:  # an answer on each: every connection has been accepted
        assert sock.recv(4096).startswith(b"HTTP/1.1 404")
    return sockets


def test_a_burst_of_connections_spreads_over_both_workers(tmp_path: Path) -> None:
    with _two_workers(tmp_path) as server:
        port = int(server.url.rsplit(":", 1)[1])
        time.sleep(1)  # both workers listening: a worker listens only once it has started
        workers = _workers(server.process.pid)
        listening = _inodes(port, _LISTEN)
        # Each worker listens on a socket of its own, so the kernel, not whichever worker
        # wakes first, picks the worker of each new connection.
        assert len(listening) == 2
        assert [_connections_of(pid, listening) for pid in workers] == [1, 1]
        sockets = _burst(port, 64)
        try:
            inodes = _inodes(port, _ESTABLISHED)
            served = {pid: _connections_of(pid, inodes) for pid in workers}
        finally:
            for sock in sockets:
                sock.close()
        # The kernel's hash gives each worker at least a quarter but for odds of 1e-4.
        assert sum(served.values()) == 64
        assert all(count >= 16 for count in served.values()), served


def test_a_killed_worker_is_replaced_and_the_port_keeps_serving(tmp_path: Path) -> None:
    with _two_workers(tmp_path) as server:
        parent = server.process.pid
        victim = _workers(parent)[0]
        os.kill(victim, signal.SIGKILL)
        assert _replaced(parent, victim, 20)
        assert "died" in server.output()
        assert {_post(server.url).status_code for _ in range(20)} == {200}


def test_sigterm_to_the_parent_stops_every_worker(tmp_path: Path) -> None:
    with _two_workers(tmp_path) as server:
        workers = _workers(server.process.pid)
        assert _post(server.url).status_code == 200
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=20) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def test_a_worker_that_cannot_start_stops_the_server_with_uvicorns_status(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    store = f"sqlite:///{blocker / 'store.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "refserver", "--port", "0", "--workers", "2", "--store", store],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr  # uvicorn's STARTUP_FAILURE
    assert "failed to start" in done.stderr


def _start_on(port: int, store: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "refserver", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.run(
        [*argv, "--workers", "2", "--store", store],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_second_server_on_the_port_is_refused_not_joined(tmp_path: Path) -> None:
    """SO_REUSEPORT would let it take half the first server's connections; it must not start."""
    with _two_workers(tmp_path) as server:
        port = int(server.url.rsplit(":", 1)[1])
        done = _start_on(port, f"sqlite:///{tmp_path / 'second.db'}")
        assert done.returncode == 1, done.stderr
        assert "cannot serve on 127.0.0.1 port" in done.stderr
        assert not (tmp_path / "second.db").exists()  # refused before any worker started
        assert {_post(server.url).status_code for _ in range(10)} == {200}


def test_a_port_whose_server_has_no_listening_worker_is_still_refused(tmp_path: Path) -> None:
    """Between a worker's death and its replacement no one listens; the port stays the holder's."""
    with socket.socket() as held:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        held.bind(("127.0.0.1", 0))
        port = int(held.getsockname()[1])
        with socket.socket(socket.AF_UNIX) as owner:  # as a supervisor of ours holds the port
            owner.bind(f"\0refserver-workers 127.0.0.1 {port}")
            done = _start_on(port, f"sqlite:///{tmp_path / 'second.db'}")
    assert done.returncode == 1, done.stderr
    assert "another server is starting on 127.0.0.1 port" in done.stderr
    assert not (tmp_path / "second.db").exists()


def test_a_worker_whose_loop_stands_still_is_killed_and_replaced(tmp_path: Path) -> None:
    """A stopped worker keeps its socket, so its share of connections would hang for ever."""
    with _two_workers(tmp_path, "--worker-timeout", "3") as server:
        parent = server.process.pid
        time.sleep(3)  # both loops have stamped: the parent watches only started workers
        victim = _workers(parent)[0]
        os.kill(victim, signal.SIGSTOP)
        try:
            replaced = _replaced(parent, victim, 30)
        finally:
            if _running(victim):
                os.kill(victim, signal.SIGKILL)
        assert replaced
        assert f"worker {victim} has not turned its event loop" in server.output()
        assert {_post(server.url).status_code for _ in range(20)} == {200}


def test_workers_stop_when_the_parent_is_killed(tmp_path: Path) -> None:
    """Orphans would keep the port and serve on with nothing to replace or stop them."""
    with _two_workers(tmp_path) as server:
        workers = _workers(server.process.pid)
        server.process.kill()
        server.process.wait(timeout=10)
        try:
            gone = _wait_for(lambda: not any(_running(pid) for pid in workers), 20)
        finally:
            for pid in workers:
                if _running(pid):
                    os.kill(pid, signal.SIGKILL)
        assert gone
    assert "is gone; stopping" in server.output()


def test_workers_still_starting_stop_when_the_parent_is_killed(tmp_path: Path) -> None:
    """The parent killed while its workers still import their modules: they must not serve on."""
    store = f"sqlite:///{tmp_path / 'store.db'}"
    argv = [sys.executable, "-m", "refserver", "--host", "127.0.0.1", "--port", "0"]
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [*argv, "--workers", "2", "--store", store], cwd=ROOT, stdout=log, stderr=log
        )
    workers: list[int] = []
    try:
        assert _wait_for(lambda: len(_workers(process.pid)) == 2, 20)
        workers = _workers(process.pid)
        process.kill()  # at once: neither worker has had the time to start serving
        process.wait(timeout=10)
        gone = _wait_for(lambda: not any(_running(pid) for pid in workers), 20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for pid in workers:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
    assert gone
    assert "is gone; stopping" in (tmp_path / "server.log").read_text(errors="replace")
