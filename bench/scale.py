"""The reference server's SQLite store at 1,000 and 1,000,000 keys, while purging, and its memory.

| part    | compares (same run, interleaved, medians of rounds)                                |
|---------|-------------------------------------------------------------------------------------|
| scale   | creations and random replays, a store of 1,000 keys vs one of 1,000,000             |
| purge   | the same load on a 1,000,000-key store with nothing expired vs everything but the   |
|         | replayed keys expired, so the background purge deletes while requests are served    |
| memory  | the server's peak RSS under that load, for each store                               |
`python -m bench.scale` for the README's table, `--quick` for a run of seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench._cli import base_parser, command_line, emit
from bench._peers import start_refserver
from bench._prefill import KEY_PREFIX, copy_file, count_expired, expire_keys, fill, seed
from bench._procs import Service
from bench._requests import post, write_bodies, write_tokens
from bench._scale_report import Purge, ScaleResults, render
from bench._wrk import KeyMode, Load, Measurement, ensure_wrk, run_wrk

__all__ = ["main"]

CONNECTIONS = 32  # the connection count the latency target is stated at
LIVE_KEYS = 1_000  # the small store, and the keys that stay live in the purged one
_PURGE_WARMUP = 4.5  # seconds: the purger's first round starts 5 s after startup
_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Options:
    """The run's settings."""

    large: int
    rounds: int
    seconds: int
    purge_warmup: float


def _parser() -> argparse.ArgumentParser:
    parser = base_parser("python -m bench.scale", "Scale: 1,000 vs 1,000,000 stored keys.")
    parser.add_argument("--keys", type=int, default=1_000_000, help="keys in the large store")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    return parser


def _run(service: Service, load: Load, seconds: int) -> Measurement:
    return run_wrk(
        f"{service.url}/v1/fulfillments",
        load,
        connections=CONNECTIONS,
        seconds=seconds,
        server_pgid=service.pgid,
    )


def _build_stores(work: Path, tokens: Path, body: bytes, large: int) -> dict[str, Path]:
    """small (1,000 live keys), large (`large` live keys), purge (large, all but 1,000 expired)."""
    template = work / "template.db"
    seed(template, tokens, body, work)
    stores = {"small": work / "small.db", "large": work / "large.db", "purge": work / "purge.db"}
    for name, count in (("small", LIVE_KEYS), ("large", large)):
        copy_file(template, stores[name])
        started = time.monotonic()
        fill(stores[name], count)
        print(
            f"filled {name}: {count:,} keys in {time.monotonic() - started:.0f} s", file=sys.stderr
        )
    copy_file(stores["large"], stores["purge"])
    expire_keys(stores["purge"], keep=LIVE_KEYS, expired_at=time.time() - _DAY)
    return stores


def _check_replays(services: dict[str, Service], body: bytes, counts: dict[str, int]) -> None:
    """The last copied key of each store replays: the copies are real stored answers."""
    for name, service in services.items():
        answer = post(service.port, body, key=f"{KEY_PREFIX}-{counts[name] - 1}")
        if answer.describe() != "200 replayed":
            raise RuntimeError(f"{name}: a copied key answered {answer.describe()}")


def _creations_or_replays(scenario: str, body: Path, prefix: str, count: int) -> Load:
    if scenario == "creations":
        return Load(body=body, keys=KeyMode.UNIQUE, prefix=prefix)
    return Load(body=body, keys=KeyMode.RANDOM, prefix=KEY_PREFIX, key_count=count)


def _scale_phase(
    services: dict[str, Service], body: Path, options: Options, run: str, results: ScaleResults
) -> None:
    """Creations and replays, small and large store back to back, the order flipping each round."""
    counts = {"small": LIVE_KEYS, "large": options.large}
    for round_index in range(options.rounds):
        for scenario in ("creations", "replays"):
            for name in ("small", "large")[:: 1 if round_index % 2 == 0 else -1]:
                prefix = f"{run}-{round_index}-{name}"
                load = _creations_or_replays(scenario, body, prefix, counts[name])
                results.add(scenario, name, _run(services[name], load, options.seconds))


def _purge_phase(
    large: Service,
    serve_purging: Callable[[], contextlib.AbstractContextManager[Service]],
    purge_file: Path,
    body: Path,
    options: Options,
    run: str,
    results: ScaleResults,
) -> None:
    """The same load on the large store and on a freshly started purging one, in turn.

    The purging server lives only for its own runs, so no purge steals CPU from the baseline;
    each run starts just before its first purge round does.
    """
    for round_index in range(options.rounds):
        for scenario in ("replays", "creations"):
            for name in ("large", "purge")[:: 1 if round_index % 2 == 0 else -1]:
                prefix = f"{run}-purge-{round_index}-{name}"
                load = _creations_or_replays(scenario, body, prefix, LIVE_KEYS)
                if name == "large":
                    results.add_purge(scenario, name, _run(large, load, options.seconds), 0)
                    continue
                with serve_purging() as purging:
                    time.sleep(options.purge_warmup)
                    before = count_expired(purge_file, time.time())
                    measured = _run(purging, load, options.seconds)
                    purged = before - count_expired(purge_file, time.time())
                results.add_purge(scenario, name, measured, purged)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the Markdown report, return 0."""
    args = _parser().parse_args(argv)
    options = Options(
        large=20_000 if args.quick else args.keys,
        rounds=1 if args.quick else args.rounds,
        seconds=1 if args.quick else args.seconds,
        purge_warmup=0.0 if args.quick else _PURGE_WARMUP,
    )
    ensure_wrk()
    run = uuid.uuid4().hex[:8]
    results = ScaleResults(large=options.large, small=LIVE_KEYS)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        bodies = write_bodies(work)
        tokens = write_tokens(work / "tokens.yaml")
        stores = _build_stores(work, tokens, bodies.small.read_bytes(), options.large)
        results.file_bytes = {name: path.stat().st_size for name, path in stores.items()}

        def serve(name: str) -> Service:
            return stack.enter_context(
                start_refserver(name, f"sqlite:///{stores[name]}", tokens, work)
            )

        services = {name: serve(name) for name in ("small", "large")}
        counts = {"small": LIVE_KEYS, "large": options.large}
        _check_replays(services, bodies.small.read_bytes(), counts)
        _scale_phase(services, bodies.small, options, run, results)
        results.purge = Purge(expired_at_start=count_expired(stores["purge"], time.time()))

        def serve_purging() -> Service:
            return start_refserver("purge", f"sqlite:///{stores['purge']}", tokens, work)

        _purge_phase(
            services["large"],
            serve_purging,
            stores["purge"],
            bodies.small,
            options,
            run,
            results,
        )
    report = render(
        results,
        command=command_line("bench.scale", argv),
        seconds=options.seconds,
        rounds=options.rounds,
    )
    emit(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
