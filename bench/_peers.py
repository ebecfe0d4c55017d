"""How each server under test is started, with the same ASGI stack and worker count where it can.

| peer          | command                                                              |
|---------------|----------------------------------------------------------------------|
| refserver     | `python -m refserver --store URL --tokens FILE --workers N`          |
| hello         | `python -m bench.hello --workers N`: the reference server's launcher  |
| prism-static  | `prism mock openapi/fulfillments.yaml -m false`                      |
| prism-dynamic | the same with `-d` (answers generated from the schemas)             |

Prism 5.16 on Node 20 needs `-m false`: its multi-process logger does not start there.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench._procs import LOOPBACK, Service, listen_options, start_service
from bench._requests import ROOT, SPEC

__all__ = ["PRISM", "prism_available", "start_hello", "start_prism", "start_refserver"]

PRISM = ROOT / "tools" / "npm" / "node_modules" / ".bin" / "prism"
_QUIET = "warning"  # no access log: logging every request would be measured too


def _launched(module: str, workers: int, log_level: str, *options: str) -> list[str]:
    """`python -m MODULE` on the reference server's launcher, on `{port}`."""
    return [
        sys.executable,
        "-m",
        module,
        *listen_options(workers),
        "--log-level",
        log_level,
        *options,
    ]


def start_refserver(
    name: str,
    store: str,
    tokens: Path | None,
    log_dir: Path,
    *,
    workers: int = 1,
    access_log: bool = False,
) -> Service:
    """The reference server on a free loopback port; without `tokens`, the development tenants."""
    options = ["--store", store]
    if tokens is not None:
        options += ["--tokens", str(tokens)]
    if access_log:
        options.append("--access-log")
    argv = _launched("refserver", workers, "info" if access_log else _QUIET, *options)
    return start_service(name, argv, cwd=ROOT, log_dir=log_dir)


def start_hello(log_dir: Path, *, workers: int = 1, name: str = "hello") -> Service:
    """The hello-world app on the reference server's uvicorn settings and launcher."""
    argv = _launched("bench.hello", workers, _QUIET)
    return start_service(name, argv, cwd=ROOT, log_dir=log_dir)


def prism_available() -> bool:
    """Whether `make install` has put Prism in tools/npm."""
    return PRISM.exists()


def start_prism(log_dir: Path, *, dynamic: bool) -> Service:
    """Prism's mock of the contract: static examples, or generated answers with `dynamic`."""
    argv = [str(PRISM), "mock", str(SPEC), "-h", LOOPBACK, "-p", "{port}", "-m", "false"]
    if dynamic:
        argv.append("-d")
    name = "prism-dynamic" if dynamic else "prism-static"
    return start_service(name, argv, cwd=ROOT, log_dir=log_dir)
