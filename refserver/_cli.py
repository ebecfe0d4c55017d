"""`python -m refserver`: serve the reference server with uvicorn (httptools + uvloop).

The options are passed to every worker process through `REFSERVER_*` environment variables,
which the app factory reads, so `--workers N` runs N identical processes on one port
(`refserver._workers`). With a tokens file that names no OAuth signing secret, and no
`REFSERVER_OAUTH_SECRET`, the secret generated for the run is passed on the same way, so a
token one worker issued is valid in every other.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fulfillments_contract import DEFAULT_SPEC

from refserver._app import ReferenceServer, create_app
from refserver._config import ServerConfig, load_tokens_file
from refserver._faults import FaultPlan
from refserver._workers import Launch, serve

__all__ = ["app_from_environment", "config_from_environment", "main"]

_ENV = {
    "store": "REFSERVER_STORE",
    "tokens": "REFSERVER_TOKENS",
    "spec": "REFSERVER_SPEC",
    "lease_seconds": "REFSERVER_LEASE_SECONDS",
    "oauth_secret": "REFSERVER_OAUTH_SECRET",
    "faults": "REFSERVER_FAULTS",
    "fault_seed": "REFSERVER_FAULT_SEED",
}


def config_from_environment() -> ServerConfig:
    """The configuration the CLI handed to this process through the environment."""
    overrides: dict[str, Any] = {
        "store_url": os.environ.get(_ENV["store"], "memory://"),
        "spec_path": Path(os.environ.get(_ENV["spec"], str(DEFAULT_SPEC))),
        "freeze_heap": True,  # each worker process is the server and nothing else
    }
    if _ENV["lease_seconds"] in os.environ:
        overrides["lease_seconds"] = float(os.environ[_ENV["lease_seconds"]])
    if _ENV["oauth_secret"] in os.environ:
        overrides["oauth_secret"] = os.environ[_ENV["oauth_secret"]]
    if _ENV["faults"] in os.environ or _ENV["fault_seed"] in os.environ:
        seed = os.environ.get(_ENV["fault_seed"])
        overrides["faults"] = FaultPlan.parse(
            os.environ.get(_ENV["faults"], ""), seed=None if seed is None else int(seed)
        )
    tokens = os.environ.get(_ENV["tokens"])
    if tokens:
        return load_tokens_file(tokens, **overrides)
    return ServerConfig.development(**overrides)


def app_from_environment() -> ReferenceServer:
    """The uvicorn app factory used by every worker."""
    return create_app(config_from_environment())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m refserver",
        description="The reference server for Zuora's POST /v1/fulfillments.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--store",
        default="sqlite:///data/fulfillments.db",
        help="memory://, sqlite:///relative.db, sqlite:////absolute.db or postgresql://...",
    )
    parser.add_argument("--tokens", help="YAML file of tenants, tokens and OAuth clients")
    parser.add_argument("--spec", default=str(DEFAULT_SPEC), help="the contract to serve")
    parser.add_argument("--workers", type=int, default=1, help="server processes on one port")
    parser.add_argument(
        "--worker-timeout",
        type=float,
        default=30.0,
        help="with --workers: seconds a worker's event loop may stand still before it is "
        "killed and replaced (default 30)",
    )
    parser.add_argument(
        "--lease-seconds",
        type=float,
        help="how long a key stays in progress before a retry may take it over (default 30)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.add_argument(
        "--faults",
        help="random faults per request, e.g. lost-response=0.05,429=0.02,reset=0.01,"
        "delay=200@0.1; 'off' also ignores Prefer faults (default: Prefer faults only)",
    )
    parser.add_argument("--fault-seed", type=int, help="seed of --faults, to repeat a run")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the options, export them for the workers, and run uvicorn until stopped."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.workers > 1 and args.store.startswith("memory:"):
        parser.error(
            "memory:// lives in one process; use sqlite:/// or postgresql:// with --workers"
        )
    if args.lease_seconds is not None and args.lease_seconds <= 0:
        parser.error("--lease-seconds must be positive")
    if args.worker_timeout < 3:
        parser.error("--worker-timeout must be at least 3 seconds (workers stamp every 1-2 s)")
    if args.faults is not None:
        try:
            FaultPlan.parse(args.faults)
        except ValueError as error:
            parser.error(f"--faults: {error}")
    for name, value in (("faults", args.faults), ("fault_seed", args.fault_seed)):
        if value is None:
            os.environ.pop(_ENV[name], None)  # never inherited: a server has only its own faults
        else:
            os.environ[_ENV[name]] = str(value)
    os.environ[_ENV["store"]] = args.store
    os.environ[_ENV["spec"]] = str(Path(args.spec).resolve())
    if args.tokens:
        os.environ[_ENV["tokens"]] = str(Path(args.tokens).resolve())
    else:
        os.environ.pop(_ENV["tokens"], None)
    if args.lease_seconds is not None:
        os.environ[_ENV["lease_seconds"]] = str(args.lease_seconds)
    config = config_from_environment()  # fail fast, before any worker starts, on a bad file
    if args.tokens and _ENV["oauth_secret"] not in os.environ:
        # the file's secret, or the one generated for this run: every worker signs with it
        os.environ[_ENV["oauth_secret"]] = config.oauth_secret
    launch = Launch(
        "refserver._cli:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=args.access_log,
        hung_after=args.worker_timeout,
    )
    status = serve(launch, args.workers)
    if status:
        sys.exit(status)
