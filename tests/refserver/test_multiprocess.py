"""Exactly-once across server processes that share one PostgreSQL database, over real sockets.

Many requests with one key reach two processes at the same moment; afterwards the database must
hold exactly one creation per key, every 200 must be the same bytes and every other answer a 409.
`REFSERVER_SOAK=1` runs the long variant (100 keys instead of 20).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._exactly_once_fixtures import (
    PostgresLedger,
    created_ids,
    keyed_request,
    line_item,
    port_of,
    soak,
    wait_for_log,
)
from tests._postgres import throwaway_schema
from tests._server_fixtures import serve
from tests._wire import Reply, post_together

pytestmark = pytest.mark.postgres

CONTENDERS = 64  # concurrent requests per key, as the exactly-once promise is stated
KEYS = 100 if soak() else 20
KEYS_AT_ONCE = 2  # 2 x 64 requests in flight stays under the tenant's 200 concurrent requests
SET_SIZE = 3  # fulfillments created by one request in the one-key test
SAME_KEY_REQUESTS = 50


@pytest.fixture
def store_url(postgres_dsn: str) -> Iterator[str]:
    with throwaway_schema(postgres_dsn) as url:
        yield url


def _check_one_creation(replies: list[Reply]) -> Reply:
    """Every 200 is the same bytes, everything else is a 409; return the one original 200."""
    statuses = {reply.status for reply in replies}
    assert statuses <= {200, 409}, sorted(statuses)
    created = [reply for reply in replies if reply.status == 200]
    assert created, "no request with the key succeeded"
    assert len({(r.body, r.header("Zuora-Request-Id")) for r in created}) == 1
    originals = [r for r in created if r.header("Idempotent-Replayed") is None]
    assert len(originals) == 1, f"{len(originals)} requests say they created the key's effects"
    return originals[0]


async def _contend(ports: list[int]) -> list[list[Reply]]:
    """CONTENDERS requests per key, alternating between the servers, KEYS_AT_ONCE keys at once."""
    per_key: list[list[Reply]] = []
    for first in range(0, KEYS, KEYS_AT_ONCE):
        wave = range(first, min(first + KEYS_AT_ONCE, KEYS))
        targets = [
            (ports[turn % len(ports)], keyed_request(f"key-{index}", line_item(index)))
            for turn in range(CONTENDERS)
            for index in wave
        ]
        replies = await post_together(targets)
        per_key.extend(replies[offset :: len(wave)] for offset in range(len(wave)))
    return per_key


def test_every_key_is_created_once_by_two_processes_sharing_the_database(
    store_url: str, tmp_path: Path
) -> None:
    with (
        serve("--store", store_url, folder=tmp_path) as one,
        serve("--store", store_url, folder=tmp_path) as two,
    ):
        ports = [port_of(one), port_of(two)]
        per_key = asyncio.run(_contend(ports))
    stored = PostgresLedger(store_url).read()
    assert len(per_key) == KEYS
    winners = set()
    for index, replies in enumerate(per_key):
        assert len(replies) == CONTENDERS
        original = _check_one_creation(replies)
        winners.add(ports[replies.index(original) % 2])
        assert stored.created[line_item(index)] == created_ids(original)
        assert stored.bodies[f"key-{index}"] == original.body
    assert sum(len(ids) for ids in stored.created.values()) == KEYS
    assert set(stored.states.values()) == {"completed"}
    assert winners == set(ports), "one process created every key: the test proved nothing shared"


def test_fifty_requests_with_one_key_on_two_workers_create_one_set(
    store_url: str, tmp_path: Path
) -> None:
    request = keyed_request("one-key", line_item(1), fulfillments=SET_SIZE)
    with serve("--store", store_url, "--workers", "2", folder=tmp_path) as server:
        wait_for_log(server, "Application startup complete", 2)
        replies = asyncio.run(post_together([(port_of(server), request)] * SAME_KEY_REQUESTS))
    original = _check_one_creation(replies)
    stored = PostgresLedger(store_url).read()
    assert len(created_ids(original)) == SET_SIZE
    assert stored.created == {line_item(1): created_ids(original)}
    assert stored.states == {"one-key": "completed"}
