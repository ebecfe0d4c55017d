"""The ASGI servers compared, each serving the hello-world app and the reference server.

| server                | command (N worker processes, 1 by default; access log off)         |
|-----------------------|--------------------------------------------------------------------|
| uvicorn (ours)        | `uvicorn APP --http httptools --loop uvloop`, as `python -m refserver` |
| uvicorn h11 + asyncio | `uvicorn APP --http h11 --loop asyncio`: its pure-Python fallback  |
| granian               | `granian --interface asgi --workers N --runtime-threads 1 APP`     |
| hypercorn             | `hypercorn --workers N --worker-class uvloop asgi:APP`             |

The reference server is built by its factory (`refserver.parts:app_from_environment`) from the
same `REFSERVER_*` variables `python -m refserver` exports, and every server runs its ASGI
lifespan, which opens the store and starts the purger. The hello-world app has no lifespan.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata, util

from bench._procs import LOOPBACK, listen_options

__all__ = ["APPS", "OURS", "SERVERS", "App", "Server"]

OURS = "uvicorn httptools+uvloop"
_LOG_LEVEL = "warning"  # no access log and no per-request logging: logging would be measured


@dataclass(frozen=True, slots=True)
class App:
    """An ASGI app as `module:attribute`, and whether the attribute is a factory to call."""

    name: str
    module: str
    attribute: str
    factory: bool
    lifespan: bool  # whether the app implements the lifespan protocol

    @property
    def target(self) -> str:
        """`module:attribute`."""
        return f"{self.module}:{self.attribute}"


APPS = (
    App("hello", "bench.hello", "app", factory=False, lifespan=False),
    App("refserver", "refserver.parts", "app_from_environment", factory=True, lifespan=True),
)


@dataclass(frozen=True, slots=True)
class Server:
    """How to start one server on `{port}` with one app."""

    key: str  # the name on the command line (--servers)
    name: str
    distribution: str  # the package that must be installed
    needs: tuple[str, ...]  # modules it imports for these settings
    argv: Callable[[App, int], list[str]]  # the command for an app and a worker count
    settings: str  # what it is and how it is started, for the report

    def missing(self) -> str | None:
        """Why it cannot run here, or None."""
        for module in (self.distribution, *self.needs):
            if util.find_spec(module) is None:
                return f"not available: {module} is not installed"
        return None

    def version(self) -> str:
        """The installed version, or `absent`."""
        try:
            return metadata.version(self.distribution)
        except metadata.PackageNotFoundError:
            return "absent"


def _uvicorn(http: str, loop: str) -> Callable[[App, int], list[str]]:
    def argv(app: App, workers: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            app.target,
            *(["--factory"] if app.factory else []),
            *listen_options(workers),
            "--http",
            http,
            "--loop",
            loop,
            "--lifespan",
            "on" if app.lifespan else "off",
            "--no-access-log",
            "--no-server-header",
            "--no-proxy-headers",  # as `python -m refserver` runs it
            "--log-level",
            _LOG_LEVEL,
        ]

    return argv


def _granian(app: App, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",  # asgi runs the lifespan; asginl would skip it
        "--http",
        "1",  # the reference server speaks HTTP/1.1 only, as wrk does
        *listen_options(workers),
        "--runtime-threads",
        "1",
        "--loop",
        "uvloop",
        "--no-access-log",
        "--log-level",
        _LOG_LEVEL,
        *(["--factory"] if app.factory else []),
        app.target,
    ]


def _hypercorn(app: App, workers: int) -> list[str]:
    # Hypercorn evaluates the part after the colon in the module, so a factory is called there.
    call = "()" if app.factory else ""
    return [
        sys.executable,
        "-m",
        "hypercorn",
        "--bind",
        f"{LOOPBACK}:{{port}}",
        "--workers",
        str(workers),
        "--worker-class",
        "uvloop",
        "--log-level",
        _LOG_LEVEL,
        f"asgi:{app.target}{call}",
    ]


SERVERS = (
    Server(
        "uvicorn",
        OURS,
        "uvicorn",
        ("httptools", "uvloop"),
        _uvicorn("httptools", "uvloop"),
        "`--http httptools --loop uvloop`: ours, the settings `python -m refserver` passes",
    ),
    Server(
        "uvicorn-h11",
        "uvicorn h11+asyncio",
        "uvicorn",
        ("h11",),
        _uvicorn("h11", "asyncio"),
        "`--http h11 --loop asyncio`: its pure-Python parser on the standard event loop",
    ),
    Server(
        "granian",
        "granian",
        "granian",
        ("uvloop",),
        _granian,
        "Rust HTTP stack (hyper on tokio); `--interface asgi --http 1 "
        "--runtime-threads 1 --loop uvloop`",
    ),
    Server(
        "hypercorn",
        "hypercorn",
        "hypercorn",
        ("uvloop",),
        _hypercorn,
        "pure-Python h11/h2 stack; `--worker-class uvloop`",
    ),
)
