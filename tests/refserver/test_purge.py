"""Expired keys are purged in the background, in small batches, while the app serves."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from refserver import ServerConfig, create_app, default_parts
from refserver._purge import _MAX_BATCHES_PER_ROUND, _PAUSE_SECONDS, purge_once
from refserver.store import IdempotencyRecord, ScopedKey
from refserver.store.memory import MemoryStore
from tests._server_fixtures import FakeClock

pytestmark = pytest.mark.anyio


def _key(i: int) -> ScopedKey:
    return ScopedKey("1", "POST", "/v1/fulfillments", f"k{i}")


class _CountingStore(MemoryStore):
    """A memory store that records what each purge call deleted, in `events` too."""

    def __init__(self) -> None:
        super().__init__()
        self.purged: list[int] = []
        self.events: list[str] = []

    async def purge_expired(self, now: float, *, batch: int = 500) -> int:
        deleted = await super().purge_expired(now, batch=batch)
        self.purged.append(deleted)
        self.events.append(f"deleted {deleted}")
        return deleted


async def test_one_round_purges_every_expired_key_in_batches() -> None:
    store, clock = _CountingStore(), FakeClock()
    for i in range(7):
        await store.reserve(_key(i), "fp", now=clock.now(), ttl=10, lease=1)
    await store.reserve(_key(99), "fp", now=clock.now() + 5, ttl=10, lease=100)
    clock.advance(10)
    assert await purge_once(store, clock, batch=3) == 7
    assert store.purged == [3, 3, 1]
    live = await store.reserve(_key(99), "fp", now=clock.now(), ttl=10, lease=100)
    assert isinstance(live, IdempotencyRecord)


async def test_batches_are_separated_by_a_real_pause_and_the_round_ends_without_one() -> None:
    store, clock = _CountingStore(), FakeClock()
    for i in range(7):
        await store.reserve(_key(i), "fp", now=clock.now(), ttl=10, lease=1)
    clock.advance(10)

    async def sleep(seconds: float) -> None:  # records the pause instead of taking it
        store.events.append(f"pause {seconds}")
        await asyncio.sleep(0)

    assert await purge_once(store, clock, batch=3, sleep=sleep) == 7
    pause = f"pause {_PAUSE_SECONDS}"
    assert store.events == ["deleted 3", pause, "deleted 3", pause, "deleted 1"]
    assert _PAUSE_SECONDS >= 0.01  # a yield alone (sleep(0)) let a batch follow at once


async def test_a_round_is_bounded_even_when_every_batch_is_full() -> None:
    store, clock = _CountingStore(), FakeClock()
    rounds = _MAX_BATCHES_PER_ROUND
    for i in range(2 * rounds + 5):
        await store.reserve(_key(i), "fp", now=clock.now(), ttl=10, lease=1)
    clock.advance(10)
    assert await purge_once(store, clock, batch=1, pause=0) == rounds
    assert await purge_once(store, clock, batch=1, pause=0) == rounds  # continues where it stopped
    assert await purge_once(store, clock, batch=1, pause=0) == 5


async def test_the_app_purges_in_the_background_until_shutdown() -> None:
    config = dataclasses.replace(ServerConfig.development(), purge_interval_seconds=0.01)
    store, clock = _CountingStore(), FakeClock()
    app = create_app(config, parts=dataclasses.replace(default_parts(config, store), clock=clock))
    await store.reserve(_key(1), "fp", now=clock.now(), ttl=10, lease=1)
    clock.advance(10)
    await app.startup()
    try:
        for _ in range(500):  # at most about 5 s
            if sum(store.purged):
                break
            await asyncio.sleep(0.01)
    finally:
        await app.shutdown()
    assert sum(store.purged) == 1
    rounds = len(store.purged)
    await asyncio.sleep(0.05)
    assert len(store.purged) == rounds  # stopped at shutdown
