"""Faults asked for with `Prefer`, on the real server over a socket, on SQLite and PostgreSQL.

For each fault, a client that retries with the same Idempotency-Key ends with exactly one
fulfillment (counted in the store, read with plain SQL), and the answer it finally gets equals
the stored answer byte for byte. What the store holds between the fault and the retry shows
whether the faulted request was processed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count

import orjson
import pytest

from tests._exactly_once_fixtures import Ledger, PostgresLedger, SqliteLedger, created_ids, port_of
from tests._postgres import throwaway_schema
from tests._server_fixtures import serve
from tests._wire import BrokenReply, Reply, post, request_bytes

_PATH = "/v1/fulfillments"
_NUMBERS = count(1)
_CATEGORY = {409: 50, 429: 70, 500: 60, 503: 61}  # Zuora's reason category of each status
_RETRIES = 50  # a healthy server answers a plain retry at once; this only bounds a broken one
_POLL = 0.02  # seconds between looks into the store while a request is held
_WAIT = 20.0  # seconds a held key may take to show up in the store on a loaded machine


@dataclass(frozen=True)
class Live:
    port: int
    ledger: Ledger


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("faults")
    if request.param == "sqlite":
        path = folder / "store.db"
        with serve("--store", f"sqlite:///{path}", folder=folder) as server:
            yield Live(port_of(server), SqliteLedger(path))
        return
    with (
        throwaway_schema(request.getfixturevalue("postgres_dsn")) as url,
        serve("--store", url, folder=folder) as server,
    ):
        yield Live(port_of(server), PostgresLedger(url))


@dataclass(frozen=True)
class Call:
    """One logical call: its key, its line item, and its request with and without `Prefer`."""

    key: str
    line: str

    @classmethod
    def new(cls, name: str) -> Call:
        number = next(_NUMBERS)
        return cls(f"{name}-{number}-{time.time_ns()}", f"{number + 0xFA17:032x}")

    def request(self, prefer: str | None = None) -> bytes:
        item = {"orderLineItemId": self.line, "fulfillmentDate": "2022-01-01", "quantity": 5}
        headers = {
            "Authorization": "Bearer dev-token",
            "Content-Type": "application/json",
            "Idempotency-Key": self.key,
        }
        if prefer is not None:
            headers["Prefer"] = prefer
        return request_bytes(_PATH, headers, orjson.dumps({"fulfillments": [item]}))


def send(live: Live, request: bytes) -> Reply:
    return asyncio.run(post(live.port, request))


def retry_until_ok(live: Live, request: bytes) -> Reply:
    """Retry as a careful client does (same key, same body) until the 200."""
    for _ in range(_RETRIES):
        reply = send(live, request)
        if reply.status == 200:
            return reply
        assert reply.status in (409, 429, 500, 503), reply
        time.sleep(0.05)
    raise AssertionError(f"no 200 after {_RETRIES} retries")


def assert_exactly_once(live: Live, call: Call, final: Reply) -> None:
    """One fulfillment for the call, the one the final answer names, stored byte for byte."""
    stored = live.ledger.read()
    assert stored.states.get(call.key) == "completed"
    assert stored.bodies[call.key] == final.body
    assert stored.created.get(call.line) == created_ids(final)
    assert len(created_ids(final)) == 1


def assert_untouched(live: Live, call: Call) -> None:
    stored = live.ledger.read()
    assert call.key not in stored.states
    assert call.line not in stored.created


@pytest.mark.parametrize("status", [409, 429, 500, 503])
def test_a_status_fault_processes_nothing_and_the_retry_creates_once(
    live: Live, status: int
) -> None:
    call = Call.new(f"code-{status}")
    faulted = send(live, call.request(f"code={status}"))
    assert faulted.status == status
    assert faulted.header("Preference-Applied") == f"code={status}"
    document = orjson.loads(faulted.body)
    assert document["success"] is False
    assert document["requestId"] == faulted.header("Zuora-Request-Id")
    assert document["reasons"][0]["code"] % 100 == _CATEGORY[status]
    assert faulted.header("Retry-After") == (None if status == 500 else "1")
    rate_headers = [faulted.header(f"RateLimit-{n}") for n in ("Limit", "Remaining", "Reset")]
    assert rate_headers == (["50000", "0", "1"] if status == 429 else [None, None, None])
    assert_untouched(live, call)

    final = retry_until_ok(live, call.request())
    assert final.header("Preference-Applied") is None
    assert final.header("Idempotent-Replayed") is None
    assert_exactly_once(live, call, final)


def test_a_reset_reads_nothing_and_the_retry_creates_once(live: Live) -> None:
    call = Call.new("reset")
    with pytest.raises(ConnectionResetError):
        send(live, call.request("fault=reset"))
    assert_untouched(live, call)

    final = retry_until_ok(live, call.request())
    assert_exactly_once(live, call, final)


def test_a_lost_response_is_committed_and_the_retry_replays_it(live: Live) -> None:
    call = Call.new("lost")
    with pytest.raises(BrokenReply, match=r"in b''"):  # not one byte of an answer
        send(live, call.request("fault=lost-response"))
    stored = live.ledger.read()
    assert stored.states.get(call.key) == "completed"
    assert len(stored.created[call.line]) == 1

    repeated = retry_until_ok(live, call.request("fault=lost-response"))
    plain = retry_until_ok(live, call.request())
    for final in (repeated, plain):
        assert final.header("Idempotent-Replayed") == "true"
        assert final.header("Preference-Applied") is None
        assert_exactly_once(live, call, final)


async def _held(live: Live, call: Call, delay_ms: int) -> tuple[Reply, Reply]:
    """The delayed request, and what a retry got while the key was held."""
    delayed = asyncio.create_task(post(live.port, call.request(f"delay={delay_ms}")))
    deadline = time.monotonic() + _WAIT
    while live.ledger.read().states.get(call.key) != "in_progress":
        assert time.monotonic() < deadline, "the delayed key never showed up in progress"
        assert not delayed.done(), "the delayed request ended before it was seen held"
        await asyncio.sleep(_POLL)
    meanwhile = await post(live.port, call.request())
    return await delayed, meanwhile


def test_a_delay_holds_the_key_in_progress_so_a_retry_meets_409(live: Live) -> None:
    call = Call.new("delay")
    delayed, meanwhile = asyncio.run(_held(live, call, 5000))
    assert meanwhile.status == 409
    assert meanwhile.header("Retry-After") == "1"
    assert delayed.status == 200
    assert delayed.header("Preference-Applied") == "delay=5000"
    assert_exactly_once(live, call, delayed)

    final = retry_until_ok(live, call.request())
    assert final.header("Idempotent-Replayed") == "true"
    assert_exactly_once(live, call, final)


@pytest.mark.parametrize(
    "prefer",
    ["respond-async, wait=10", "handling=lenient", "code=418", "code=200", "delay=-5", "fault=x"],
)
def test_unknown_or_unsupported_preferences_are_ignored(live: Live, prefer: str) -> None:
    call = Call.new("ignored")
    reply = send(live, call.request(prefer))
    assert reply.status == 200
    assert reply.header("Preference-Applied") is None
    assert_exactly_once(live, call, reply)


def test_the_first_fault_of_several_preferences_applies(live: Live) -> None:
    call = Call.new("several")
    reply = send(live, call.request('return=minimal, code="503"; x=1, code=429'))
    assert reply.status == 503
    assert reply.header("Preference-Applied") == "code=503"
    assert_untouched(live, call)


async def _outlived(live: Live, call: Call) -> tuple[Reply, list[int], Reply]:
    """A request held past its lease, the retries meanwhile, and the retry that took the key."""
    delayed = asyncio.create_task(post(live.port, call.request("delay=6000")))
    deadline = time.monotonic() + _WAIT
    while live.ledger.read().states.get(call.key) != "in_progress":
        assert time.monotonic() < deadline, "the delayed key never showed up in progress"
        await asyncio.sleep(_POLL)
    statuses: list[int] = []
    for _ in range(_RETRIES * 4):
        reply = await post(live.port, call.request())
        statuses.append(reply.status)
        if reply.status == 200:
            return await delayed, statuses, reply
        await asyncio.sleep(0.1)
    raise AssertionError(f"no retry took the key over: {statuses}")


def test_a_hold_past_the_lease_lets_one_retry_take_the_key_and_creates_once(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("lease")
    path = folder / "store.db"
    with serve("--store", f"sqlite:///{path}", "--lease-seconds", "2", folder=folder) as server:
        live = Live(port_of(server), SqliteLedger(path))
        call = Call.new("outlived")
        delayed, statuses, took_over = asyncio.run(_outlived(live, call))
    assert 409 in statuses  # the key was in progress before the lease ran out
    assert took_over.header("Idempotent-Replayed") is None  # processed anew by the retry
    assert delayed.status == 409  # the held request lost its lease: its effects are not stored
    assert_exactly_once(live, call, took_over)
