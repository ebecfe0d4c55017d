"""Throughput and latency of the reference server next to Prism and a hello-world ASGI app.

Every peer gets the same requests in the same run: each round visits every scenario and
connection count, and measures the peers back to back (in an order that rotates each round),
so the ratios compare moments a few seconds apart on a machine shared with other work.
`python -m bench.load` for the README's table, `--quick` for a run of seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench._cli import base_parser, command_line, emit, int_list
from bench._load_report import Results, render
from bench._peers import prism_available, start_hello, start_prism, start_refserver
from bench._procs import Service
from bench._requests import Answer, Bodies, post, write_bodies, write_tokens
from bench._wrk import KeyMode, Load, ensure_wrk, run_wrk

__all__ = ["PEERS", "SCENARIOS", "Scenario", "main"]

PEERS = ("refserver", "prism-static", "prism-dynamic", "hello")
_SCALED = ("refserver", "hello")  # measured once per worker count; Prism runs one process
_MAX_WORKERS = 8
REPLAY_KEYS = 100  # the fixed set of keys replays cycle through, each created once beforehand
_CLIENT_ERROR = 400  # a peer is held, in every run, to the class of its answer to the probe


@dataclass(frozen=True, slots=True)
class Scenario:
    """One kind of request: which body, which keys, whether gzip is asked."""

    name: str
    body: str  # an attribute of Bodies
    keys: KeyMode
    gzip: bool = False


SCENARIOS = (
    Scenario("creations", "small", KeyMode.UNIQUE),
    Scenario("replays", "small", KeyMode.CYCLE),
    Scenario("gzip", "large", KeyMode.UNIQUE, gzip=True),
    Scenario("invalid", "invalid", KeyMode.NONE),
)


@dataclass(frozen=True, slots=True)
class Options:
    """The run's settings."""

    connections: tuple[int, ...]
    rounds: int
    seconds: int
    workers: tuple[int, ...]
    store: str
    peers: tuple[str, ...]


def _parser() -> argparse.ArgumentParser:
    parser = base_parser("python -m bench.load", "Load: the reference server and its peers.")
    parser.add_argument("--connections", type=int_list, default=(1, 8, 32, 128))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument(
        "--workers",
        type=int_list,
        default=(1, 2),
        help="worker processes of the reference server and of hello, one peer per count",
    )
    parser.add_argument("--store", choices=["sqlite", "memory"], default="sqlite")
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset")
    return parser


def _with_workers(name: str, workers: int) -> str:
    """`refserver` for one worker, `refserver-2w` for two."""
    return name if workers == 1 else f"{name}-{workers}w"


def _peer_names(wanted: Sequence[str], workers: Sequence[int]) -> tuple[str, ...]:
    names: list[str] = []
    for name in PEERS:
        if name not in wanted:
            continue
        scaled = name in _SCALED
        names += [_with_workers(name, w) for w in workers] if scaled else [name]
    return tuple(names)


def _start_peers(
    names: Sequence[str], stack: contextlib.ExitStack, work: Path, store: str
) -> dict[str, Service]:
    tokens = write_tokens(work / "tokens.yaml")
    starters: dict[str, Callable[[], Service]] = {
        "prism-static": lambda: start_prism(work, dynamic=False),
        "prism-dynamic": lambda: start_prism(work, dynamic=True),
    }
    for workers in range(1, _MAX_WORKERS + 1):
        ref, hello = _with_workers("refserver", workers), _with_workers("hello", workers)
        url = f"sqlite:///{work / f'{ref}.db'}" if store == "sqlite" else "memory://"
        starters[ref] = partial(start_refserver, ref, url, tokens, work, workers=workers)
        starters[hello] = partial(start_hello, work, workers=workers, name=hello)
    return {name: stack.enter_context(starters[name]()) for name in names}


def _probe(service: Service, scenario: Scenario, bodies: Bodies, prefix: str) -> Answer:
    """What the peer answers to one request of the scenario (the replays' keys already exist)."""
    body = getattr(bodies, scenario.body).read_bytes()
    key = {
        KeyMode.UNIQUE: f"{prefix}-probe-{scenario.name}",
        KeyMode.CYCLE: f"{prefix}-0",
        KeyMode.RANDOM: f"{prefix}-0",
        KeyMode.NONE: None,
    }[scenario.keys]
    return post(service.port, body, key=key, accept_gzip=scenario.gzip)


def _seed_replays(service: Service, body: bytes, prefix: str) -> None:
    for index in range(REPLAY_KEYS):
        post(service.port, body, key=f"{prefix}-{index}")


def _measure(
    peers: dict[str, Service], bodies: Bodies, options: Options, run: str, results: Results
) -> None:
    replay_prefix = f"replay-{run}"
    for service in peers.values():
        _seed_replays(service, bodies.small.read_bytes(), replay_prefix)
    succeeds: dict[tuple[str, str], bool] = {}
    for scenario in SCENARIOS:
        for name, service in peers.items():
            answer = _probe(service, scenario, bodies, replay_prefix)
            sizes = f", {answer.size()}" if scenario.gzip else ""
            results.answers[name, scenario.name] = answer.describe() + sizes
            succeeds[name, scenario.name] = answer.status < _CLIENT_ERROR
    names = list(peers)
    serial = 0
    for round_index in range(options.rounds):
        order = names[round_index % len(names) :] + names[: round_index % len(names)]
        for scenario in SCENARIOS:
            for connections in options.connections:
                for name in order:
                    serial += 1
                    prefix = replay_prefix if scenario.keys is KeyMode.CYCLE else f"{run}-{serial}"
                    load = Load(
                        body=getattr(bodies, scenario.body),
                        keys=scenario.keys,
                        prefix=prefix,
                        key_count=REPLAY_KEYS,
                        gzip=scenario.gzip,
                        expect_success=succeeds[name, scenario.name],
                    )
                    measured = run_wrk(
                        f"{peers[name].url}/v1/fulfillments",
                        load,
                        connections=connections,
                        seconds=options.seconds,
                        server_pgid=peers[name].pgid,
                    )
                    results.add(scenario.name, connections, name, measured)
                    print(
                        f"round {round_index + 1} {scenario.name:9} c={connections:<3} "
                        f"{name:13} {measured.rps:8.0f} req/s p99 {measured.p99_ms:7.1f} ms",
                        file=sys.stderr,
                        flush=True,
                    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the Markdown report, return 0."""
    args = _parser().parse_args(argv)
    wanted = ("refserver", "hello") if args.quick else tuple(args.peers.split(","))
    workers = (1,) if args.quick else tuple(args.workers)
    if not all(1 <= w <= _MAX_WORKERS for w in workers):
        raise SystemExit(f"--workers: each count must be 1 to {_MAX_WORKERS}")
    if args.store == "memory" and workers != (1,):
        raise SystemExit("--store memory lives in one process: add --workers 1")
    names = _peer_names(wanted, workers)
    skipped: tuple[str, ...] = ()
    if not prism_available():
        skipped = tuple(name for name in names if name.startswith("prism"))
        names = tuple(name for name in names if not name.startswith("prism"))
    options = Options(
        connections=(8,) if args.quick else tuple(args.connections),
        rounds=1 if args.quick else args.rounds,
        seconds=1 if args.quick else args.seconds,
        workers=workers,
        store=args.store,
        peers=names,
    )
    ensure_wrk()
    run = uuid.uuid4().hex[:8]
    results = Results(connections=options.connections, peers=options.peers)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        bodies = write_bodies(work)
        peers = _start_peers(options.peers, stack, work, options.store)
        _measure(peers, bodies, options, run, results)
    notes = (
        [f"Prism not installed (`make install`): {', '.join(skipped)} skipped."] if skipped else []
    )
    report = render(
        results,
        command=command_line("bench.load", argv),
        settings=f"{options.rounds} round(s) of {options.seconds} s runs per cell, "
        f"reference server store {options.store}; `-Nw` peers run N worker processes "
        f"(refserver and hello on {', '.join(map(str, options.workers))} worker(s)), "
        "Prism one process",
        notes=notes,
    )
    emit(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
