"""Whether the server's stack is the fastest sound one: validator, JSON library, ASGI server.

| part       | ours                           | compared with                                   |
|------------|--------------------------------|-------------------------------------------------|
| validation | jsonschema-rs (Rust)           | fastjsonschema (generated Python), jsonschema   |
| JSON       | orjson (Rust)                  | the standard library's json                     |
| ASGI       | uvicorn, httptools + uvloop    | uvicorn h11 + asyncio, granian, hypercorn       |

Validators and JSON libraries are timed in process on the benchmark's own bodies; the servers
serve the hello-world app and the reference server to wrk. A candidate that is missing, cannot
compile the schema or cannot serve is reported as not available, and the rest still run.
`python -m bench.stack` for the README's table, `--quick` for a run of seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from bench import _jsonlibs, _servers, _validators
from bench._cli import base_parser, command_line, emit
from bench._procs import Service, start_service
from bench._requests import ROOT, SPEC, Bodies, post, write_bodies, write_tokens
from bench._stack_report import Agreement, Comparison, ServerResults, StackResults, render
from bench._table import fmt
from bench._timing import Case, Timings, time_cases
from bench._wrk import KeyMode, Load, ensure_wrk, run_wrk

__all__ = ["main"]

_STORE_WAIT = 60.0  # seconds for a server's lifespan to open the store after it listens
_POLL = 0.1  # seconds between looks for the store file
_CLIENT_ERROR = 400  # a probe answered with this status or above means the app cannot serve
_ROWS = (  # (row, body, call): what each validator is asked, on which benchmark body
    ("is_valid, small valid body", "small", "is_valid"),
    ("is_valid, large valid body", "large", "is_valid"),
    ("is_valid, invalid body", "invalid (no quantity)", "is_valid"),
    ("every error, invalid body", "invalid (no quantity)", "errors"),
)
# Two full turns of the rotation, so each of the four servers runs in every position twice;
# with three rounds here, one server's per-round ratio to ours ranged from 0.67x to 1.80x.
_ROUNDS = 8
_QUICK_BATCH = 0.005  # seconds per timed batch in --quick: enough to run every call, no more


@dataclass(frozen=True, slots=True)
class Options:
    """The run's settings."""

    rounds: int
    seconds: int
    connections: int
    micro_rounds: int
    batch: float
    workers: int
    servers: tuple[_servers.Server, ...]
    apps: tuple[_servers.App, ...]


def _parser() -> argparse.ArgumentParser:
    parser = base_parser("python -m bench.stack", "Stack: validator, JSON library, ASGI server.")
    parser.add_argument("--rounds", type=int, default=_ROUNDS, help="rounds of server runs")
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="worker processes per server")
    parser.add_argument("--micro-rounds", type=int, default=7, help="rounds of in-process timing")
    parser.add_argument("--batch", type=float, default=0.1, help="seconds per timed batch")
    keys = ",".join(s.key for s in _servers.SERVERS)
    parser.add_argument("--servers", default=keys, help=f"comma-separated subset of {keys}")
    apps = ",".join(a.name for a in _servers.APPS)
    parser.add_argument("--apps", default=apps, help=f"comma-separated subset of {apps}")
    return parser


# --- schema validators ---------------------------------------------------------------------


def _documents(bodies: Bodies) -> dict[str, tuple[str, Any]]:
    """Label -> (expected verdict, document): the benchmark's bodies and two more invalid ones.

    The extra two are checked, not timed: one needs the `date` format checked for real, the
    other `additionalProperties: false` honoured, both of which a validator could get wrong.
    """
    small, large, invalid = (
        orjson.loads(p.read_bytes()) for p in (bodies.small, bodies.large, bodies.invalid)
    )
    bad_date = copy.deepcopy(small)
    bad_date["fulfillments"][0]["fulfillmentDate"] = "2022-02-30"
    unknown = copy.deepcopy(small)
    unknown["fulfillments"][0]["colour"] = "blue"
    return {
        "small": ("valid", small),
        "large": ("valid", large),
        "invalid (no quantity)": ("invalid", invalid),
        "fulfillmentDate 2022-02-30": ("invalid", bad_date),
        "an unknown field": ("invalid", unknown),
    }


def _verdict(validator: _validators.Validator, document: Any) -> str:
    if validator.is_valid is None:
        return "n/a"
    if validator.is_valid(document):
        return "valid"
    if validator.errors is None:
        return "invalid"
    count = len(validator.errors(document))
    return f"invalid, {count} error{'s' if count != 1 else ''}"


def _validation_cases(
    validators: Sequence[_validators.Validator], documents: dict[str, tuple[str, Any]]
) -> list[Case]:
    cases = []
    for row, body, call in _ROWS:
        for validator in validators:
            function = getattr(validator, call)
            document = documents[body][1]
            if function is not None:
                cases.append(Case(row, validator.name, functools.partial(function, document)))
    return cases


def _measure_validation(
    bodies: Bodies, options: Options
) -> tuple[list[_validators.Validator], Timings, list[Agreement]]:
    validators = _validators.build_validators(_validators.request_schema())
    documents = _documents(bodies)
    agreement = [
        Agreement(label, expected, {v.name: _verdict(v, doc) for v in validators})
        for label, (expected, doc) in documents.items()
    ]
    timings = time_cases(
        _validation_cases(validators, documents), rounds=options.micro_rounds, batch=options.batch
    )
    return validators, timings, agreement


# --- ASGI servers --------------------------------------------------------------------------


def _start(
    server: _servers.Server,
    app: _servers.App,
    workers: int,
    work: Path,
    tokens: Path,
    stack: contextlib.ExitStack,
) -> Service | str:
    """The server running the app, or why it cannot."""
    missing = server.missing()
    if missing is not None:
        return missing
    folder = work / server.key / app.name
    folder.mkdir(parents=True)
    store = folder / "store.db"
    env = {}
    if app.lifespan:
        env = {
            "REFSERVER_STORE": f"sqlite:///{store}",
            "REFSERVER_TOKENS": str(tokens),
            "REFSERVER_SPEC": str(SPEC),
        }
    try:
        service = stack.enter_context(
            start_service(
                f"{server.key}-{app.name}",
                server.argv(app, workers),
                cwd=ROOT,
                log_dir=folder,
                env=env,
            )
        )
    except (RuntimeError, TimeoutError) as exc:
        return f"not available: did not start ({_last_line(str(exc))})"
    if app.lifespan and not _wait_for(store, service):
        return "not available: its lifespan did not open the store at startup"
    return service


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:160] if lines else "no output"


def _wait_for(path: Path, service: Service) -> bool:
    """Whether `path` appears (the store, opened by the lifespan) while the server lives."""
    deadline = time.monotonic() + _STORE_WAIT
    while time.monotonic() < deadline and service.popen.poll() is None:
        if path.exists():
            return True
        time.sleep(_POLL)
    return path.exists()


def _probe(service: Service, body: bytes, key: str) -> tuple[str, bool]:
    """One creation: how it was answered, and whether that is a success."""
    try:
        answer = post(service.port, body, key=key)
    except OSError as exc:
        return f"no answer ({type(exc).__name__})", False
    return answer.describe(), answer.status < _CLIENT_ERROR


def _measure_servers(options: Options, work: Path, bodies: Bodies, run: str) -> ServerResults:
    results = ServerResults(
        servers=tuple(s.name for s in options.servers),
        apps=tuple(a.name for a in options.apps),
        ours=_servers.OURS,
    )
    tokens = write_tokens(work / "tokens.yaml")
    body = bodies.small.read_bytes()
    with contextlib.ExitStack() as stack:
        live: dict[tuple[str, str], Service] = {}
        for app in options.apps:
            for server in options.servers:
                pair = (server.name, app.name)
                started = _start(server, app, options.workers, work, tokens, stack)
                if isinstance(started, str):
                    results.unavailable[pair] = started
                    continue
                results.lifespans[pair] = (
                    "ran: the store was open before any request"
                    if app.lifespan
                    else "none (the app has no lifespan)"
                )
                results.probes[pair], ok = _probe(started, body, f"{run}-probe-{server.key}")
                if not ok:
                    results.unavailable[pair] = f"not available: answered {results.probes[pair]}"
                    continue
                live[pair] = started
        _rounds(options, live, bodies, run, results)
    return results


def _rounds(
    options: Options,
    live: dict[tuple[str, str], Service],
    bodies: Bodies,
    run: str,
    results: ServerResults,
) -> None:
    serial = 0
    for index in range(options.rounds):
        for app in options.apps:
            names = [s.name for s in options.servers if (s.name, app.name) in live]
            shift = index % max(len(names), 1)
            for name in names[shift:] + names[:shift]:
                service = live[name, app.name]
                serial += 1
                load = Load(body=bodies.small, keys=KeyMode.UNIQUE, prefix=f"{run}-{serial}")
                try:
                    measured = run_wrk(
                        f"{service.url}/v1/fulfillments",
                        load,
                        connections=options.connections,
                        seconds=options.seconds,
                        server_pgid=service.pgid,
                    )
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    reason = _last_line(str(exc))
                    results.unavailable[name, app.name] = f"not available: failed ({reason})"
                    del live[name, app.name]
                    continue
                results.runs[name, app.name].append(measured)
                print(
                    f"round {index + 1} {app.name:9} {name:24} {measured.rps:8.0f} req/s "
                    f"p99 {measured.p99_ms:7.1f} ms",
                    file=sys.stderr,
                    flush=True,
                )


# --- the run -------------------------------------------------------------------------------


def _compared(
    validators: Sequence[_validators.Validator], servers: Sequence[_servers.Server]
) -> list[Comparison]:
    rows = []
    for v in validators:
        outcome = v.problem or f"the schema compiled in {fmt(v.compile_ms, 0, ' ms')}"
        rows.append(Comparison("validation", v.name, v.version, f"{v.settings}; {outcome}"))
    rows += [
        Comparison(
            "JSON",
            _jsonlibs.OURS,
            metadata.version("orjson"),
            "`orjson.loads(body)`; `orjson.dumps(doc)`, with `OPT_SORT_KEYS` for the fingerprint",
        ),
        Comparison(
            "JSON",
            "json",
            f"Python {platform.python_version()}",
            "`json.loads(body)`; `json.dumps(doc, separators=(',', ':'), sort_keys=...).encode()`",
        ),
    ]
    rows += [Comparison("ASGI", s.name, s.version(), s.settings) for s in servers]
    return rows


def _options(args: argparse.Namespace) -> Options:
    servers = tuple(s for s in _servers.SERVERS if s.key in args.servers.split(","))
    wanted = ("hello",) if args.quick else tuple(args.apps.split(","))
    return Options(
        rounds=1 if args.quick else args.rounds,
        seconds=1 if args.quick else args.seconds,
        connections=args.connections,
        micro_rounds=1 if args.quick else args.micro_rounds,
        batch=_QUICK_BATCH if args.quick else args.batch,
        workers=args.workers,
        servers=servers,
        apps=tuple(a for a in _servers.APPS if a.name in wanted),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the three parts, print the Markdown report, return 0."""
    parser = _parser()
    args = parser.parse_args(argv)
    if min(args.rounds, args.seconds, args.connections, args.workers, args.micro_rounds) < 1:
        parser.error("rounds, seconds, connections, workers and micro-rounds must be positive")
    options = _options(args)
    ensure_wrk()
    run = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="bench-stack-") as tmp:
        work = Path(tmp)
        bodies = write_bodies(work)
        validators, validation, agreement = _measure_validation(bodies, options)
        json_cases = _jsonlibs.json_cases(bodies)
        json_timings = time_cases(json_cases, rounds=options.micro_rounds, batch=options.batch)
        servers = _measure_servers(options, work, bodies, run)
        results = StackResults(
            validators=tuple(v.name for v in validators),
            validator_problems={v.name: v.problem for v in validators if v.problem},
            validation=validation,
            validation_rows=tuple(row for row, _, _ in _ROWS),
            agreement=agreement,
            json_libraries=_jsonlibs.CANDIDATES,
            json=json_timings,
            json_rows=tuple(dict.fromkeys(c.row for c in json_cases)),
            json_same=_jsonlibs.same_results(bodies),
            strictness=_jsonlibs.strictness(),
            servers=servers,
            compared=_compared(validators, options.servers),
        )
    settings = (
        f"in-process calls timed in {options.micro_rounds} interleaved round(s) of batches of "
        f"about {options.batch * 1000:.0f} ms; servers: {options.rounds} round(s) of "
        f"{options.seconds} s wrk runs at {options.connections} connections, "
        f"{options.workers} worker process(es) each, "
        "the reference server on SQLite"
    )
    notes = ["`--quick` serves the hello-world app only."] if args.quick else []
    report = render(
        results, command=command_line("bench.stack", argv), settings=settings, notes=notes
    )
    emit(report, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
