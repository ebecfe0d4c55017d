"""The fuzzing soak: Schemathesis in negative, then positive mode against the reference server.

    .venv/bin/python -m tests.soak.fuzz_soak --cases 10000 [--seed 1] [--url URL --token T]

Without `--url` it starts `python -m refserver` on a free loopback port with a temporary SQLite
store and also reports the server's memory, its logged unexpected failures, a final health
check and how a silent client fares (the body stops after 16 bytes, the connection stays open:
the server must answer within `--silent-client` seconds). Exit status 0 when nothing failed:
no 5xx, no check failure, no lost request. It is not part of `make test`;
`tests/refserver/test_hostile_soak.py` runs a small one there.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from refserver._config import dev_tenants
from tests._hostile_fixtures import LiveServer, build_request, live_server, read_response
from tests.soak._engine import SoakTally, run_schemathesis

__all__ = ["SoakReport", "main", "soak", "soak_live_server"]

MODES = ("negative", "positive")
DEV_REACH = {  # an entity and an org the development token `dev-token` (tenant 1) may act in
    "Zuora-Entity-Ids": sorted(dev_tenants()[0]["1"].entity_ids)[0],
    "Zuora-Org-Ids": ",".join(sorted(dev_tenants()[0]["1"].org_ids)),
}
SILENT_SECONDS = 75.0  # the server gives a body 60 s to arrive; 15 s to answer and spare
_UNEXPECTED = "unexpected failure"  # what the server logs with the traceback of any 500


@dataclass
class SoakReport:
    """The tallies of each mode and, for a server the soak started, its own account."""

    seed: int
    tallies: dict[str, SoakTally] = field(default_factory=dict)
    seconds: float = 0.0
    memory_kib: tuple[int, int] | None = None  # resident before and after
    logged_failures: int = 0
    healthy_after: bool | None = None
    silent_client: str | None = None  # what a client gone silent mid-body got, when tried
    stored: set[str] | None = None  # tenant 1's fulfillment ids in the store after the run

    @property
    def cases(self) -> int:
        """Cases sent over all modes."""
        return sum(t.cases for t in self.tallies.values())

    @property
    def created(self) -> set[str]:
        """Fulfillment ids the server reported as created, over all modes."""
        return set().union(*(t.created for t in self.tallies.values()))

    @property
    def problems(self) -> list[str]:
        """Everything that makes the soak fail; empty when it passed."""
        found = []
        for mode, tally in self.tallies.items():
            found += [f"{mode}: {n} x {name}" for name, n in sorted(tally.failures.items())]
            if tally.server_errors:
                found.append(f"{mode}: {tally.server_errors} answers with a 5xx status")
            if tally.network_errors:
                found.append(f"{mode}: {tally.network_errors} requests without an answer")
            if tally.fatal:
                found.append(f"{mode}: Schemathesis stopped: {tally.fatal}")
            if tally.created_twice or tally.unread_answers:
                found.append(
                    f"{mode}: {tally.created_twice} ids reported twice, "
                    f"{tally.unread_answers} answers unread"
                )
        if self.stored is not None and self.stored != self.created:
            lost, extra = len(self.created - self.stored), len(self.stored - self.created)
            found.append(f"{lost} reported creations missing from the store, {extra} unreported")
        if self.logged_failures:
            found.append(f"the server logged {self.logged_failures} unexpected failures")
        if self.healthy_after is False:
            found.append("the server did not answer a normal request afterwards")
        if self.silent_client is not None and not self.silent_client.startswith("400"):
            found.append(f"a client gone silent mid-body: {self.silent_client}")
        return found

    def lines(self) -> list[str]:
        """A human summary, one fact per line."""
        out = [f"seed {self.seed}: {self.cases} cases in {self.seconds:.0f} s"]
        for mode, tally in self.tallies.items():
            statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items()))
            out.append(f"{mode:>8}: {tally.cases} cases; answers {statuses}")
            out += [f"{'':>8}  {name}: {text}" for name, text in sorted(tally.examples.items())]
        if self.stored is not None:
            out.append(f"created: {len(self.created)} reported, {len(self.stored)} stored")
        if self.memory_kib is not None:
            before, after = self.memory_kib
            out.append(f"server memory: {before // 1024} MB before, {after // 1024} MB after")
        if self.silent_client is not None:
            out.append(f"silent client: {self.silent_client}")
        out += [f"FAIL {problem}" for problem in self.problems] or ["PASS"]
        return out


def soak(
    url: str,
    token: str,
    *,
    cases: int,
    seed: int,
    reach: Mapping[str, str] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> SoakReport:
    """Half of `cases` fuzzed in negative mode, half in positive, plus the coverage phases."""
    report = SoakReport(seed=seed)
    started = time.monotonic()
    examples = max(1, cases // 2)
    for mode in MODES:
        tally = run_schemathesis(url, token, mode=mode, examples=examples, seed=seed, reach=reach)
        report.tallies[mode] = tally
        progress(f"{mode}: {tally.cases} cases, {sum(tally.failures.values())} failures")
    report.seconds = time.monotonic() - started
    return report


def _stored_ids(store_url: str) -> set[str]:
    """Tenant 1's fulfillment ids, read straight from the SQLite file the server writes."""
    path = store_url.removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT id FROM fulfillments WHERE tenant = '1'").fetchall()
    return {str(row[0]) for row in rows}


def _silent_client(server: LiveServer, seconds: float) -> str:
    """Send 16 of 1000 promised body bytes, keep the line open, and say what came back."""
    with server.connect() as sock:
        started = time.monotonic()
        sock.sendall(build_request(b'{"fulfillments":', content_length=1000))
        try:
            answer = read_response(sock, started=started, timeout=seconds)
        except AssertionError as exc:
            return f"no answer: {exc}"
    return f"{answer.status} after {answer.elapsed:.0f} s"


def soak_live_server(
    server: LiveServer,
    *,
    cases: int,
    seed: int,
    silent_seconds: float = 0.0,
    progress: Callable[[str], None] = lambda _: None,
) -> SoakReport:
    """Soak a server this process started, adding its memory, its log and a health check."""
    before = server.memory_kib()[0]
    logged_before = server.output().count(_UNEXPECTED)
    url = f"http://127.0.0.1:{server.port}"
    report = soak(url, "dev-token", cases=cases, seed=seed, reach=DEV_REACH, progress=progress)
    if silent_seconds > 0:
        report.silent_client = _silent_client(server, silent_seconds)
    report.memory_kib = (before, server.memory_kib()[0])
    report.stored = _stored_ids(server.store_url)
    report.logged_failures = server.output().count(_UNEXPECTED) - logged_before
    try:
        server.assert_healthy()
    except AssertionError:
        report.healthy_after = False
    else:
        report.healthy_after = True
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the soak from the command line; 0 when it passed."""
    parser = argparse.ArgumentParser(prog="python -m tests.soak.fuzz_soak", description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000, help="fuzzed cases over both modes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", help="soak this server instead of starting one")
    parser.add_argument("--token", default="dev-token", help="bearer token for --url")
    parser.add_argument(
        "--silent-client",
        type=float,
        default=SILENT_SECONDS,
        metavar="SECONDS",
        help="how long a client gone silent mid-body may wait for its answer (0: skip)",
    )
    args = parser.parse_args(argv)

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if args.url:
        report = soak(args.url, args.token, cases=args.cases, seed=args.seed, progress=progress)
    else:
        with tempfile.TemporaryDirectory() as folder, live_server(Path(folder)) as server:
            report = soak_live_server(
                server,
                cases=args.cases,
                seed=args.seed,
                silent_seconds=args.silent_client,
                progress=progress,
            )
    print("\n".join(report.lines()))
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
