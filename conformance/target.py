"""Finding the target: probing a URL, or starting the embedded reference server.

The suite never imports the reference server; it starts `python -m refserver` as a process
on a free loopback port with a throw-away SQLite store, waits until it answers, and stops it.
Every way a target can be unusable becomes a `TargetError` with a one-line reason.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import httpx
from fulfillments_contract import OPERATION_PATH

__all__ = ["EmbeddedServer", "TargetError", "probe"]

_REPOSITORY = Path(__file__).resolve().parent.parent
# A cold start is a new Python process that imports uvicorn and the server, reads and resolves
# the contract and creates a SQLite store; on a busy machine that takes seconds.
_START_SECONDS = 30.0
_STOP_SECONDS = 5.0
_POLL_SECONDS = 0.1
_PROBE_BODY = b"{}"  # invalid on purpose: the answer (400) creates nothing


class TargetError(Exception):
    """The target cannot be tested; the message is the one-line reason."""


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"{url!r} is not an http(s) URL")


def probe(
    url: str,
    *,
    token: str,
    timeout: float,
    variable: str = "TOKEN",
    http: httpx.Client | None = None,
) -> int:
    """POST an empty document once; return the status, or raise TargetError with the reason.

    `http` is the run's client (TLS, proxies, extra headers, pacing); default: a plain one.
    """
    _check_url(url)
    endpoint = url.rstrip("/") + OPERATION_PATH
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        with (
            contextlib.nullcontext(http)
            if http is not None
            else httpx.Client(timeout=httpx.Timeout(timeout)) as client
        ):
            response = client.post(endpoint, content=_PROBE_BODY, headers=headers)
    except httpx.ConnectTimeout:
        raise TargetError(f"cannot connect to {url}: no connection within {timeout:g} s") from None
    except httpx.ConnectError as exc:
        raise TargetError(f"cannot connect to {url}: {exc or 'connection refused'}") from None
    except httpx.TimeoutException:
        raise TargetError(f"{url} did not answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise TargetError(f"{url} does not answer HTTP: {type(exc).__name__}: {exc}") from None
    if response.status_code == 401:
        raise TargetError(
            f"{variable} was refused by {url} (401): set a valid --{variable.lower()}"
        )
    if response.status_code in (429, 503):
        raise TargetError(f"{url} kept throttling the first request ({response.status_code})")
    if response.status_code in (404, 405):
        raise TargetError(
            f"POST {endpoint} answered {response.status_code}: is {url} the API's base URL?"
        )
    return response.status_code


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class EmbeddedServer:
    """The reference server in a child process, for the length of a `with` block."""

    def __init__(self, *, token: str, timeout: float) -> None:
        self._token = token
        self._timeout = timeout
        self._folder = tempfile.TemporaryDirectory(prefix="conformance-")
        self._process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def __enter__(self) -> EmbeddedServer:
        try:
            self._start()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop()

    def _start(self) -> None:
        port = _free_port()
        folder = Path(self._folder.name)
        self.url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "refserver", "--host", "127.0.0.1", "--port", str(port)]
        command += ["--store", f"sqlite:///{folder / 'store.db'}"]
        command += ["--faults", "off"]  # the suite judges the contract, not injected faults
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(_REPOSITORY), os.environ.get("PYTHONPATH")])
            ),
        }
        with open(folder / "server.log", "wb") as log:
            self._process = subprocess.Popen(
                command, cwd=_REPOSITORY, env=environment, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_until_ready(self._process, folder / "server.log")

    def _wait_until_ready(self, process: subprocess.Popen[bytes], log: Path) -> None:
        deadline = time.monotonic() + _START_SECONDS
        while time.monotonic() < deadline:
            code = process.poll()
            if code is not None:
                lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
                last = lines[-1] if lines else "no output"
                raise TargetError(f"the embedded reference server exited with code {code}: {last}")
            try:
                probe(self.url, token=self._token, timeout=min(self._timeout, 2.0))
                return
            except TargetError as error:
                if "cannot connect" not in str(error):
                    raise
            time.sleep(_POLL_SECONDS)
        raise TargetError(
            f"the embedded reference server did not answer within {_START_SECONDS:g} s"
        )

    def _stop(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._process = None
        self._folder.cleanup()
