"""The fault soak: retrying clients against a server that injects random faults.

    .venv/bin/python -m tests.soak.fault_soak --requests 10000 --clients 32 [--seed 1]
        [--faults lost-response=0.05,429=0.05,reset=0.02] [--store sqlite|postgresql|both]

It starts `python -m refserver --faults ... --fault-seed ...` on a free loopback port (SQLite
in a temporary folder; PostgreSQL in a throwaway schema of `PG_DSN`), and `--clients` clients
send `--requests` requests in all: each client takes a new key, and retries it with the same
key and body after any lost answer, reset, 409, 429 or 5xx until it gets its 200. Then the
store is read directly: creations must equal the distinct keys sent, every key must be
completed, and every key's final answer must equal its stored answer byte for byte. Exit
status 0 when all of that holds. Not part of `make test`;
`tests/refserver/test_faults_plan.py` runs a small one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests._exactly_once_fixtures import (
    Ledger,
    PostgresLedger,
    SqliteLedger,
    created_ids,
    keyed_request,
    line_item,
    port_of,
)
from tests._postgres import throwaway_schema
from tests._server_fixtures import serve
from tests._wire import BrokenReply, Reply, post

__all__ = ["FAULTS", "FaultSoak", "main", "run_soak", "soak_store"]

FAULTS = "lost-response=0.05,429=0.05,reset=0.02"
_PAUSE = 0.01  # seconds between retries of one key; the soak judges the server, not politeness
_RETRIED = frozenset({409, 429, 500, 503})
_TIMEOUT = 30.0  # seconds for one exchange; a healthy server answers in milliseconds


@dataclass
class FaultSoak:
    """What the clients saw and what the store holds afterwards."""

    requests: int
    clients: int
    seed: int
    sent: int = 0
    lost: int = 0  # connections closed without a byte of answer
    reset: int = 0  # connections reset
    statuses: Counter[int] = field(default_factory=Counter)
    final: dict[str, Reply] = field(default_factory=dict)  # key -> its 200
    lines: dict[str, str] = field(default_factory=dict)  # key -> its line item
    seconds: float = 0.0
    created: int = 0  # fulfillments in the store
    problems: list[str] = field(default_factory=list)

    @property
    def replayed(self) -> int:
        """Keys whose final 200 was a replay of the stored answer."""
        return sum(1 for reply in self.final.values() if reply.header("Idempotent-Replayed"))

    def summary(self) -> str:
        """One line of numbers for the reliability table."""
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{self.sent} requests from {self.clients} clients in {self.seconds:.1f} s "
            f"(seed {self.seed}): {len(self.lines)} keys, {self.lost} answers lost, "
            f"{self.reset} resets, "
            f"statuses {{{statuses}}}, {self.replayed} final answers replayed; "
            f"{self.created} fulfillments stored; {len(self.problems)} problems"
        )


async def _client(soak: FaultSoak, port: int, keys: Iterator[int]) -> None:
    for index in keys:
        if soak.sent >= soak.requests:
            return
        key, line = f"fault-soak-{soak.seed}-{index}", line_item(index)
        soak.lines[key] = line
        request = keyed_request(key, line)
        while True:
            soak.sent += 1
            try:
                reply = await post(port, request, timeout=_TIMEOUT)
            except BrokenReply:
                soak.lost += 1
                await asyncio.sleep(_PAUSE)
                continue
            except ConnectionError:
                soak.reset += 1
                await asyncio.sleep(_PAUSE)
                continue
            soak.statuses[reply.status] += 1
            if reply.status == 200:
                soak.final[key] = reply
                break
            if reply.status not in _RETRIED:
                soak.problems.append(f"{key}: unexpected {reply.status} {reply.body[:200]!r}")
                break
            await asyncio.sleep(_PAUSE)


def judge(soak: FaultSoak, ledger: Ledger) -> None:
    """Compare what the clients were told with what the store holds; record every difference."""
    stored = ledger.read()
    soak.created = sum(len(ids) for ids in stored.created.values())
    if soak.created != len(soak.lines):
        soak.problems.append(f"{soak.created} fulfillments stored for {len(soak.lines)} keys")
    for key, line in soak.lines.items():
        reply = soak.final.get(key)
        if reply is None:
            continue
        if stored.states.get(key) != "completed":
            soak.problems.append(f"{key}: {stored.states.get(key)} in the store")
        elif stored.bodies[key] != reply.body:
            soak.problems.append(f"{key}: the final answer differs from the stored one")
        if stored.created.get(line, []) != created_ids(reply):
            soak.problems.append(f"{key}: stored {stored.created.get(line)}, answered otherwise")
    unknown = set(stored.states) - set(soak.lines)
    if unknown:
        soak.problems.append(f"{len(unknown)} keys stored that no client sent")


async def _drive(soak: FaultSoak, port: int) -> None:
    keys = iter(range(1, 1 << 40))  # shared: each key goes to exactly one client
    started = time.monotonic()
    await asyncio.gather(*(_client(soak, port, keys) for _ in range(soak.clients)))
    soak.seconds = time.monotonic() - started


def run_soak(
    store_url: str,
    ledger: Ledger,
    folder: Path,
    *,
    requests: int,
    clients: int,
    seed: int,
    faults: str = FAULTS,
) -> FaultSoak:
    """Start a server with `faults` on `store_url`, drive the clients, and judge the store."""
    soak = FaultSoak(requests=requests, clients=clients, seed=seed)
    args = ("--store", store_url, "--faults", faults, "--fault-seed", str(seed))
    with serve(*args, folder=folder) as server:
        asyncio.run(_drive(soak, port_of(server)))
        if "unexpected failure" in server.output():
            soak.problems.append("the server logged an unexpected failure")
    judge(soak, ledger)
    return soak


@contextlib.contextmanager
def soak_store(kind: str, folder: Path) -> Iterator[tuple[str, Ledger]]:
    """A fresh store of `kind` (sqlite or postgresql) as a URL and a ledger that reads it."""
    if kind == "sqlite":
        path = folder / "store.db"
        yield f"sqlite:///{path}", SqliteLedger(path)
        return
    with throwaway_schema(os.environ["PG_DSN"]) as url:
        yield url, PostgresLedger(url)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the soak on each store asked for; print one summary per store."""
    parser = argparse.ArgumentParser(prog="python -m tests.soak.fault_soak")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 32))
    parser.add_argument("--faults", default=FAULTS)
    parser.add_argument("--store", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.store == "both" else [args.store]
    if "postgresql" in kinds and not os.environ.get("PG_DSN"):
        if args.store == "postgresql":
            parser.error("PostgreSQL needs PG_DSN (tools/pg_throwaway.sh start DIR prints one)")
        print("postgresql: not run, PG_DSN is not set")
        kinds.remove("postgresql")
    failed = False
    for kind in kinds:
        with (
            tempfile.TemporaryDirectory(prefix="fault-soak-") as name,
            soak_store(kind, Path(name)) as (url, ledger),
        ):
            soak = run_soak(
                url,
                ledger,
                Path(name),
                requests=args.requests,
                clients=args.clients,
                seed=args.seed,
                faults=args.faults,
            )
        print(f"{kind}: {soak.summary()}")
        for problem in soak.problems[:20]:
            print(f"  {problem}")
        failed = failed or bool(soak.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
