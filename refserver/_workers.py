"""Run an ASGI app on uvicorn, in one process or in several that share a port.

Several workers each open their own listening socket on the port (`SO_REUSEPORT`), so the
kernel spreads new connections over them by hash. One socket shared by all, as `uvicorn
--workers` does it, lets whichever worker happens to wake first accept: in an A/B run at 32
connections, two workers served 7 % fewer creations that way, with a worse p99 (29.0 and 25.1
ms against 21.8 and 23.2). A worker starts listening only once its app has started, so no
connection waits in the backlog of a worker still opening its store.

The parent binds the port too, without listening, to turn port 0 into one port for every
worker and to hold the port while it replaces a worker that died. `SO_REUSEPORT` would also let
a second server of the same user join the group and take half of the first one's connections,
so the parent first makes sure the port is its own: a plain listening socket, as a one-worker
server opens, must be able to bind it (no one listens there), and the parent holds an abstract
Unix socket named after the address (no other server of ours is starting or replacing workers
there). Either failing ends the start with uvicorn's message and status 1. SIGTERM or SIGINT to
the parent stops every worker gracefully (each finishes its in-flight requests) and then the
parent. A worker that fails its startup stops them all.

A worker whose event loop stops turning (a blocking call that never returns, a deadlock, a
stopped process) still holds its socket, and the kernel keeps handing it connections that no
one answers. Each worker's loop therefore stamps a clock shared with the parent every second or
two (uvicorn's `callback_notify`); once a worker has stamped at least once, the parent kills one
whose stamp is older than `Launch.hung_after` seconds, and replaces it like any dead worker.
The same stamp lets a worker notice that its parent is gone (killed with SIGKILL, say): it
stops gracefully instead of serving on as an orphan that nothing supervises.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from types import FrameType
from typing import Literal

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from refserver._spelling import SpelledHttpToolsProtocol

__all__ = ["Launch", "serve"]

_LOG = logging.getLogger("refserver.workers")
_LOG_FORMAT = "%(levelname)s:%(name)s: %(message)s"
_POLL_SECONDS = 0.5  # how often the parent looks for a worker that died
_IN_USE = 1  # the status uvicorn exits with when it cannot bind
_BEAT_SECONDS = 1  # a worker's loop stamps its clock when more than this has passed (1-2 s)
_NEVER = 0.0  # the stamp of a worker that has not stamped yet (still starting)


@dataclass(frozen=True, slots=True)
class Launch:
    """What to serve and how: the same uvicorn settings for one worker or many."""

    target: str  # `module:attribute`
    factory: bool  # whether the attribute is a factory to call for the app
    host: str
    port: int
    lifespan: Literal["on", "off"] = "on"
    log_level: str = "info"
    access_log: bool = False
    hung_after: float = 30.0  # seconds without a stamp before the parent kills a worker

    def config(self, beat: Callable[[], Awaitable[None]] | None = None) -> uvicorn.Config:
        """uvicorn with httptools (names spelled as Zuora's) and uvloop, no Server header, no
        proxy-headers middleware.

        `beat`, when given, is awaited on the event loop every `_BEAT_SECONDS`.
        """
        return uvicorn.Config(
            self.target,
            factory=self.factory,
            host=self.host,
            port=self.port,
            http=SpelledHttpToolsProtocol,
            loop="uvloop",
            lifespan=self.lifespan,
            log_level=self.log_level,
            access_log=self.access_log,
            server_header=False,
            date_header=True,
            proxy_headers=False,  # nothing reads the client's address: no middleware in the path
            callback_notify=beat,
            timeout_notify=_BEAT_SECONDS,
        )


def serve(launch: Launch, workers: int) -> int:
    """Serve until stopped; the exit status (non-zero when a worker could not start)."""
    if workers < 1:
        raise ValueError("workers must be at least 1")
    logging.basicConfig(level=launch.log_level.upper(), format=_LOG_FORMAT)
    if workers == 1:
        server = uvicorn.Server(launch.config())
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
        return 0 if server.started else STARTUP_FAILURE
    try:
        if launch.port:
            _refuse_listened(launch.host, launch.port)
        held = _bind(launch.host, launch.port)
    except OSError as exc:
        _LOG.error("%s: cannot serve on %s port %s", exc, launch.host, launch.port)
        return _IN_USE
    with held:
        port = int(held.getsockname()[1])
        try:
            owner = _own(launch.host, port)
        except OSError as exc:
            _LOG.error("%s: another server is starting on %s port %s", exc, launch.host, port)
            return _IN_USE
        with owner:
            return _Supervisor(dataclasses.replace(launch, port=port), workers).run()


def _refuse_listened(host: str, port: int) -> None:
    """OSError (address in use) when any socket listens on the port, with SO_REUSEPORT or not."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        probe.listen(1)


def _own(host: str, port: int) -> socket.socket:
    """An abstract Unix socket named after the address: only one supervisor can hold it."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(f"\0refserver-workers {host} {port}")
    except BaseException:
        sock.close()
        raise
    return sock


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _bind(host: str, port: int) -> socket.socket:
    """A socket bound to the port with SO_REUSEPORT, not yet listening."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _worker(launch: Launch, stamp: Synchronized[float], parent: int) -> None:
    """One worker process: its own socket; uvicorn listens on it once the app has started.

    `parent` is the supervisor's pid as the supervisor gave it. Reading it here with
    `os.getppid()` instead would race the supervisor's death: a worker still importing its
    modules when the supervisor is killed is already an orphan when it asks, gets its new
    parent's pid, and never notices that the supervisor is gone.
    """
    logging.basicConfig(level=launch.log_level.upper(), format=_LOG_FORMAT)
    if os.getppid() != parent:
        _LOG.error("the supervising process %s is gone; stopping before serving", parent)
        return
    sock = _bind(launch.host, launch.port)

    async def beat() -> None:
        stamp.value = time.monotonic()  # one clock for every process of the machine
        if os.getppid() != parent:  # the supervisor died (SIGKILL): no one would replace or stop us
            _LOG.error("the supervising process %s is gone; stopping", parent)
            server.should_exit = True

    server = uvicorn.Server(launch.config(beat))
    server.run(sockets=[sock])


class _Supervisor:
    """Starts the workers, replaces one that dies, stops them all on SIGTERM or SIGINT."""

    def __init__(self, launch: Launch, workers: int) -> None:
        self._launch = launch
        self._context = multiprocessing.get_context("spawn")
        self._processes: list[BaseProcess] = []
        # the last stamp of the worker in each slot
        self._stamps: list[Synchronized[float]] = [
            self._context.Value(ctypes.c_double, _NEVER) for _ in range(workers)
        ]
        self._workers = workers
        self._stop = threading.Event()

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        self._processes = [self._start(slot) for slot in range(self._workers)]
        status = 0
        while not self._stop.wait(_POLL_SECONDS):
            self._kill_hung()
            status = self._replace_dead()
            if status:
                break
        for process in self._processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes in-flight requests, then exits
        for process in self._processes:
            process.join()
        return status

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop.set()

    def _start(self, slot: int) -> BaseProcess:
        stamp = self._stamps[slot]
        stamp.value = _NEVER
        process = self._context.Process(
            target=_worker, args=(self._launch, stamp, os.getpid()), daemon=False
        )
        process.start()
        return process

    def _kill_hung(self) -> None:
        """SIGKILL every started worker whose event loop has not stamped for too long."""
        now = time.monotonic()
        for process, stamp in zip(self._processes, self._stamps, strict=True):
            last = stamp.value
            if last == _NEVER or now - last <= self._launch.hung_after or not process.is_alive():
                continue
            _LOG.error(
                "worker %s has not turned its event loop for %.0f s; killing it",
                process.pid,
                now - last,
            )
            process.kill()
            process.join()

    def _replace_dead(self) -> int:
        """Restart workers that died while serving; a failed startup stops the server instead."""
        for index, process in enumerate(self._processes):
            if process.is_alive():
                continue
            if process.exitcode == STARTUP_FAILURE:
                _LOG.error("worker %s failed to start; stopping", process.pid)
                return STARTUP_FAILURE
            _LOG.warning("worker %s died (exit %s); starting one", process.pid, process.exitcode)
            self._processes[index] = self._start(index)
        return 0
