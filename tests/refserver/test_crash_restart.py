"""Crash safety: keyed requests keep flowing while the server is killed and restarted under them.

Clients retry every key with the same request until it succeeds, as a careful integrator would.
Whatever moment a SIGKILL hits (between reserve and complete, after commit but before the reply),
every key must end with exactly one creation in the database, every key must replay its stored
response byte for byte, and a key stranded in progress must free itself once its lease runs out.
A SIGTERM, in contrast, must let in-flight requests finish and leave nothing half-written.
`REFSERVER_SOAK=1` runs the long variant (20 kills instead of 3).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests._exactly_once_fixtures import (
    Fleet,
    Ledger,
    PostgresLedger,
    SqliteLedger,
    Stored,
    created_ids,
    keyed_request,
    line_item,
    port_of,
    soak,
    wait_for_log,
)
from tests._postgres import throwaway_schema
from tests._server_fixtures import ServerProcess, serve
from tests._wire import Reply, parse_reply, post

LEASE = 1.0  # seconds a key stays in progress: short, so keys stranded by a kill free quickly
SLACK = 3.0  # seconds past the lease a stranded key may take to complete on a loaded machine
KILLS = 20 if soak() else 3
CLIENTS = 8  # keys in flight at any moment
MAX_KEYS = 5000  # bounds the run even if the killer were stuck
PAUSE = 0.05  # seconds between retries of one key
RUN_LIMIT = 60.0 + KILLS * 20.0  # seconds; a safety net, far beyond any healthy run
SEED = int(os.environ.get("CRASH_SEED", random.randrange(1 << 32)))  # reproduce a failing run


@dataclass(frozen=True)
class Target:
    url: str
    ledger: Ledger


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param == "sqlite":
        path = tmp_path / "store.db"
        yield Target(f"sqlite:///{path}", SqliteLedger(path))
        return
    with throwaway_schema(request.getfixturevalue("postgres_dsn")) as url:
        yield Target(url, PostgresLedger(url))


@dataclass
class Outcome:
    """How one key went: the first 200 its client saw, and how many attempts died with a server."""

    first: Reply
    broken: int


@dataclass
class Run:
    fleet: Fleet
    ledger: Ledger
    deadline: float
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    stranded: set[str] = field(default_factory=set)  # keys a kill left in progress
    stop: asyncio.Event = field(default_factory=asyncio.Event)


async def _settle(run: Run, index: int) -> Outcome:
    """Send key `index` until it succeeds, like a client that always retries with its key."""
    request = keyed_request(f"key-{index}", line_item(index))
    blocked_since: float | None = None  # the first of the current run of 409s
    broken = 0
    while True:
        assert time.monotonic() < run.deadline, f"key-{index} never completed (seed {SEED})"
        try:
            reply = await post(run.fleet.port, request, timeout=10)
        except OSError:  # refused, reset or cut short: the serving process was just killed
            broken += 1
            blocked_since = None  # the kill may have stranded this key again, with a new lease
            await asyncio.sleep(PAUSE)
            continue
        if reply.status == 200:
            return Outcome(reply, broken)
        assert reply.status == 409, (index, reply)
        now = time.monotonic()
        blocked_since = now if blocked_since is None else blocked_since
        blocked = now - blocked_since
        assert blocked <= LEASE + SLACK, f"key-{index} blocked {blocked:.1f} s (seed {SEED})"
        await asyncio.sleep(PAUSE)


async def _client(run: Run, indexes: Iterator[int]) -> None:
    for index in indexes:
        run.outcomes[index] = await _settle(run, index)


def _keys(run: Run) -> Iterator[int]:
    """Key numbers for every client, until the killer is done."""
    for index in range(MAX_KEYS):
        if run.stop.is_set():
            return
        yield index


async def _killer(run: Run, rng: random.Random) -> None:
    """Kill the serving process at random moments; note what each kill left in progress."""
    for _ in range(KILLS):
        await asyncio.sleep(rng.uniform(0.1, 0.5))
        run.fleet.kill()
        states = run.ledger.read().states
        run.stranded.update(key for key, state in states.items() if state == "in_progress")
        run.fleet.promote()
    run.stop.set()


async def _crash_run(fleet: Fleet, ledger: Ledger) -> Run:
    run = Run(fleet, ledger, deadline=time.monotonic() + RUN_LIMIT)
    indexes = _keys(run)
    await asyncio.gather(
        _killer(run, random.Random(SEED)), *(_client(run, indexes) for _ in range(CLIENTS))
    )
    gate = asyncio.Semaphore(CLIENTS)  # stay far below the tenant's 200 concurrent requests

    async def again(index: int) -> Reply:
        async with gate:
            return await post(fleet.port, keyed_request(f"key-{index}", line_item(index)))

    replays = await asyncio.gather(*(again(index) for index in run.outcomes))
    for index, replay in zip(run.outcomes, replays, strict=True):
        first = run.outcomes[index].first
        assert (replay.status, replay.body) == (first.status, first.body), index
        assert replay.header("Zuora-Request-Id") == first.header("Zuora-Request-Id")
        assert replay.header("Idempotent-Replayed") == "true"
    return run


def _check_exactly_once(stored: Stored, firsts: dict[str, Reply]) -> None:
    """The database holds one creation per answered key and nothing else, all completed."""
    assert stored.states == dict.fromkeys(firsts, "completed")
    assert len(stored.created) == len(firsts), "creations without a completed key"
    for key, reply in firsts.items():
        assert stored.bodies[key] == reply.body
        index = int(key.removeprefix("key-"))
        assert stored.created[line_item(index)] == created_ids(reply), key


def test_sigkill_at_random_moments_never_duplicates_or_loses_a_key(
    target: Target, tmp_path: Path
) -> None:
    fleet = Fleet(
        "--store", target.url, "--lease-seconds", str(LEASE), folder=tmp_path, spares=KILLS
    )
    try:
        run = asyncio.run(_crash_run(fleet, target.ledger))
    finally:
        fleet.close()
    outcomes = run.outcomes
    _check_exactly_once(target.ledger.read(), {f"key-{i}": o.first for i, o in outcomes.items()})
    assert sum(o.broken for o in outcomes.values()) > 0, "no kill interrupted a request"
    if soak():  # over many kills, some must land between a reserve and its completion
        assert run.stranded, "no kill ever left a key in progress"


IN_FLIGHT = 8  # requests whose body is only half sent when SIGTERM arrives
FLOOD_CLIENTS = 8  # clients sending new keys until the server stops accepting


async def _half_sent(port: int, index: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = keyed_request(f"key-{index}", line_item(index))
    writer.write(request[:-10])
    await writer.drain()
    return reader, writer


async def _flood(port: int, first: int, replies: dict[str, Reply]) -> None:
    """Send new keys, one at a time, until the server refuses or drops a connection."""
    for index in range(first, first + MAX_KEYS):
        try:
            reply = await post(port, keyed_request(f"key-{index}", line_item(index)), timeout=10)
        except OSError:
            return
        replies[f"key-{index}"] = reply


async def _terminate_under_load(server: ServerProcess) -> dict[str, Reply]:
    port = port_of(server)
    slow = [await _half_sent(port, index) for index in range(IN_FLIGHT)]
    replies: dict[str, Reply] = {}
    floods = [
        asyncio.create_task(_flood(port, IN_FLIGHT + n * MAX_KEYS, replies))
        for n in range(FLOOD_CLIENTS)
    ]
    # Answers to requests sent after the half-sent ones mean the server has read their headers.
    async with asyncio.timeout(20):
        while len(replies) < 2 * FLOOD_CLIENTS:
            await asyncio.sleep(0.01)
    server.process.send_signal(signal.SIGTERM)
    await asyncio.to_thread(wait_for_log, server, "Shutting down", 1)
    for index, (_, writer) in enumerate(slow):
        writer.write(keyed_request(f"key-{index}", line_item(index))[-10:])
    finished = await asyncio.gather(*(reader.read() for reader, _ in slow))
    for _, writer in slow:
        writer.close()
    await asyncio.gather(*floods)
    for index, raw in enumerate(finished):
        assert raw.startswith(b"HTTP/1.1 200 "), (index, raw[:300])
        replies[f"key-{index}"] = parse_reply(raw)
    return replies


def test_sigterm_finishes_in_flight_requests_and_leaves_nothing_half_written(
    target: Target, tmp_path: Path
) -> None:
    with serve("--store", target.url, folder=tmp_path) as server:
        replies = asyncio.run(_terminate_under_load(server))
        code = server.process.wait(timeout=20)
        log = server.output()
    assert code in {0, -signal.SIGTERM}, log
    assert "Application shutdown complete" in log
    assert {reply.status for reply in replies.values()} == {200}
    assert len(replies) > IN_FLIGHT, "the flood got no answer before the shutdown"
    _check_exactly_once(target.ledger.read(), replies)
