"""Several reference server processes on one PostgreSQL database: throughput and exactly-once.

| part          | what runs                                                                    |
|---------------|------------------------------------------------------------------------------|
| throughput    | creations and replays at 32 connections against one process (SQLite, then    |
|               | PostgreSQL) and two processes sharing PostgreSQL (16 connections each, summed) |
| exactly-once  | bursts of 64 simultaneous requests per key, to one process or split over two,  |
|               | while wrk keeps creating on the same server; rows counted in the database     |
`python -m bench.multiproc` for the README's table, `--quick` for a run of seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import orjson

from bench._cli import base_parser, command_line, emit
from bench._exactly_once import Tally, burst, count_rows
from bench._multiproc_report import ExactlyOnce, Throughput, render
from bench._peers import start_refserver
from bench._pg import pg_available, throwaway_cluster
from bench._procs import Service
from bench._requests import TOKEN, post, write_bodies, write_tokens
from bench._wrk import KeyMode, Load, Measurement, ensure_wrk, run_wrk

__all__ = ["main"]

CONNECTIONS = 32  # split evenly over the processes of a setup
REPLAY_KEYS = 100
_MIN_KEYS = 3  # bursts per setup even if the background load has already ended
_MAX_KEYS = 300  # bursts per setup at most
_EO_TENANTS = {"1 process": ("eo1", "bench-eo-1"), "2 processes": ("eo2", "bench-eo-2")}


@dataclass(frozen=True, slots=True)
class Options:
    """The run's settings."""

    rounds: int
    seconds: int
    storm_seconds: int


def _parser() -> argparse.ArgumentParser:
    parser = base_parser("python -m bench.multiproc", "Two processes sharing PostgreSQL.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument(
        "--storm-seconds", type=int, default=15, help="background load during the bursts"
    )
    return parser


def _combine(parts: list[Measurement]) -> Measurement:
    """Two concurrent runs as one: rates and counts add up, latencies are the worse of the two."""
    first = parts[0]
    return replace(
        first,
        rps=sum(m.rps for m in parts),
        requests=sum(m.requests for m in parts),
        p50_ms=max(m.p50_ms for m in parts),
        p99_ms=max(m.p99_ms for m in parts),
        p999_ms=max(m.p999_ms for m in parts),
        max_ms=max(m.max_ms for m in parts),
        unexpected=sum(m.unexpected for m in parts),
        socket_errors=sum(m.socket_errors for m in parts),
    )


def _drive(services: list[Service], load: Load, seconds: int) -> Measurement:
    """wrk against each service at once, the connections split between them."""
    results: list[Measurement | BaseException] = [RuntimeError("not run")] * len(services)
    share = CONNECTIONS // len(services)

    def one(index: int, service: Service) -> None:
        try:
            results[index] = run_wrk(
                f"{service.url}/v1/fulfillments",
                replace(load, prefix=f"{load.prefix}-{index}")
                if load.keys is KeyMode.UNIQUE
                else load,
                connections=share,
                seconds=seconds,
                server_pgid=service.pgid,
            )
        except BaseException as exc:  # re-raised in the caller's thread
            results[index] = exc

    threads = [threading.Thread(target=one, args=(i, s)) for i, s in enumerate(services)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    measured = []
    for result in results:
        if isinstance(result, BaseException):
            raise result
        measured.append(result)
    return _combine(measured)


def _throughput(
    setups: dict[str, list[Service]], body: Path, options: Options, run: str
) -> Throughput:
    results = Throughput()
    names = list(setups)
    for round_index in range(options.rounds):
        order = names[round_index % len(names) :] + names[: round_index % len(names)]
        for scenario in ("creations", "replays"):
            for name in order:
                prefix = f"{run}-{round_index}-{len(results.runs)}"
                load = (
                    Load(body=body, keys=KeyMode.UNIQUE, prefix=prefix)
                    if scenario == "creations"
                    else Load(
                        body=body, keys=KeyMode.CYCLE, prefix=f"replay-{run}", key_count=REPLAY_KEYS
                    )
                )
                results.add(scenario, name, _drive(setups[name], load, options.seconds))
    return results


def _storm(
    setup: list[Service], loaded: Service, body: Path, token: str, options: Options, run: str
) -> tuple[Tally, Measurement]:
    """Bursts, one key after another, for as long as wrk keeps creating on `loaded`."""
    tally = Tally()
    box: list[Measurement | BaseException] = []
    load = Load(body=body, keys=KeyMode.UNIQUE, prefix=f"{run}-bg-{len(setup)}")

    def background() -> None:
        try:
            box.append(
                run_wrk(
                    f"{loaded.url}/v1/fulfillments",
                    load,
                    connections=CONNECTIONS,
                    seconds=options.storm_seconds,
                    server_pgid=loaded.pgid,
                )
            )
        except BaseException as exc:  # re-raised in the caller's thread
            box.append(exc)

    thread = threading.Thread(target=background)
    thread.start()
    ports = [service.port for service in setup]
    payload = body.read_bytes()

    async def bursts() -> None:
        index = 0
        while index < _MAX_KEYS and (thread.is_alive() or index < _MIN_KEYS):
            await burst(ports, f"{run}-eo-{len(setup)}-{index}", payload, token, tally)
            index += 1

    asyncio.run(bursts())
    thread.join()
    if isinstance(box[0], BaseException):
        raise box[0]
    return tally, box[0]


def _expected_per_key(body: bytes) -> dict[str, int]:
    """What one creation of `body` stores: its key, its fulfillments, one invoice if billed."""
    document = orjson.loads(body)
    billed = (document.get("processingOptions") or {}).get("runBilling") is True
    deliveries = any(
        f.get("fulfillmentType", "Delivery") == "Delivery" for f in document["fulfillments"]
    )
    return {
        "keys": 1,
        "fulfillments": len(document["fulfillments"]),
        "invoices": int(billed and deliveries),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the Markdown report, return 0."""
    args = _parser().parse_args(argv)
    options = Options(
        rounds=1 if args.quick else args.rounds,
        seconds=1 if args.quick else args.seconds,
        storm_seconds=2 if args.quick else args.storm_seconds,
    )
    command = command_line("bench.multiproc", argv)
    if not pg_available():
        emit(render(None, [], command=command, options=options), args.output)
        return 0
    ensure_wrk()
    run = uuid.uuid4().hex[:8]
    with (
        tempfile.TemporaryDirectory(prefix="bench-multiproc-") as tmp,
        throwaway_cluster() as dsn,
        contextlib.ExitStack() as stack,
    ):
        work = Path(tmp)
        bodies = write_bodies(work)
        small = bodies.small.read_bytes()
        tokens = write_tokens(work / "tokens.yaml", (("1", TOKEN), *_EO_TENANTS.values()))

        def serve(name: str, store: str) -> Service:
            return stack.enter_context(start_refserver(name, store, tokens, work))

        first, second = serve("pg-a", dsn), serve("pg-b", dsn)
        lite = serve("sqlite", f"sqlite:///{work / 'store.db'}")
        for index in range(REPLAY_KEYS):  # through the first process only: the second shares them
            for service in (first, lite):
                post(service.port, small, key=f"replay-{run}-{index}")
        setups = {
            "SQLite, 1 process": [lite],
            "PostgreSQL, 1 process": [first],
            "PostgreSQL, 2 processes": [first, second],
        }
        throughput = _throughput(setups, bodies.small, options, run)
        expected = _expected_per_key(small)
        outcomes = []
        for label, setup in (("1 process", [first]), ("2 processes", [first, second])):
            tenant, token = _EO_TENANTS[label]
            tally, background = _storm(setup, first, bodies.small, token, options, run)
            outcomes.append(
                ExactlyOnce(label, tally, background, count_rows(dsn, tenant), expected)
            )
    emit(render(throughput, outcomes, command=command, options=options), args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
