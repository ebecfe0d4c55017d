"""Numbers from per-process blocks: never repeated, one store write per block, shared safely."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from refserver._numbers import BLOCK, NumberBlocks
from refserver.store.memory import MemoryStore
from refserver.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio


class CountingStore(MemoryStore):
    """The real memory store, counting how often the counter is written."""

    def __init__(self) -> None:
        super().__init__()
        self.allocations: list[int] = []

    async def allocate(self, tenant: str, counter: str, count: int) -> int:
        self.allocations.append(count)
        return await super().allocate(tenant, counter, count)


class GatedStore(CountingStore):
    """Allocations wait for `gate`, as a store busy with other writers does; some may fail."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.waiting = 0
        self.failures = 0

    async def allocate(self, tenant: str, counter: str, count: int) -> int:
        self.waiting += 1
        try:
            await self.gate.wait()
        finally:
            self.waiting -= 1
        if self.failures:
            self.failures -= 1
            raise OSError("store unavailable")
        return await super().allocate(tenant, counter, count)


async def test_blocks_serve_consecutive_numbers_with_one_write_per_block() -> None:
    store = CountingStore()
    numbers = NumberBlocks(store, block=10)
    taken = [await numbers.take("1", "invoice", 1) for _ in range(25)]
    assert taken == list(range(1, 26))  # one process: the blocks follow one another
    assert store.allocations == [10, 10, 10]


async def test_runs_of_several_numbers_never_span_two_blocks() -> None:
    store = GatedStore()
    store.gate.set()
    numbers = NumberBlocks(store, block=10)
    firsts = [await numbers.take("1", "fulfillment", 3) for _ in range(5)]
    assert firsts == [1, 4, 7, 11, 14]  # 10 is skipped: a run of 3 would span two blocks


async def test_a_run_larger_than_a_block_is_allocated_whole() -> None:
    store = CountingStore()
    numbers = NumberBlocks(store, block=10)
    assert await numbers.take("1", "fulfillment", 25) == 1
    assert await numbers.take("1", "fulfillment", 1) == 26
    assert store.allocations[:2] == [25, 10]


async def test_counters_and_tenants_are_separate() -> None:
    store = CountingStore()
    numbers = NumberBlocks(store)
    assert await numbers.take("1", "invoice", 1) == 1
    assert store.allocations == [BLOCK]
    assert await numbers.take("1", "payment", 1) == 1
    assert await numbers.take("2", "invoice", 1) == 1
    assert await numbers.take("1", "invoice", 1) == 2


async def test_the_next_block_is_fetched_before_anyone_has_to_wait_for_it() -> None:
    store = GatedStore()
    numbers = NumberBlocks(store, block=10)
    first = asyncio.create_task(numbers.take("1", "invoice", 1))
    await asyncio.sleep(0)
    assert not first.done()  # nothing in memory yet: the first request waits for the store
    store.gate.set()
    assert await first == 1
    store.gate.clear()
    # The store now stalls, yet the rest of the block is served without waiting, while the
    # next block is being fetched in the background.
    rest = [await asyncio.wait_for(numbers.take("1", "invoice", 1), 5) for _ in range(9)]
    assert rest == list(range(2, 11))
    assert store.waiting == 1
    store.gate.set()
    assert await numbers.take("1", "invoice", 1) == 11


async def test_concurrent_requests_wait_for_one_fetch_and_wake_together() -> None:
    store = GatedStore()
    numbers = NumberBlocks(store, block=50)
    waiting = [asyncio.create_task(numbers.take("1", "invoice", 1)) for _ in range(40)]
    for _ in range(3):  # the requests start, then the fetch they share
        await asyncio.sleep(0)
    assert store.waiting == 1  # forty requests, one fetch
    store.gate.set()
    taken = await asyncio.gather(*waiting)
    assert sorted(taken) == list(range(1, 41))
    assert store.allocations[0] == 50
    assert len(store.allocations) <= 2  # and, with 10 left, the next block ahead of need


async def test_a_failed_fetch_fails_its_waiters_and_the_next_request_fetches_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = GatedStore()
    store.gate.set()
    store.failures = 1
    numbers = NumberBlocks(store, block=10)
    with pytest.raises(OSError, match="store unavailable"):
        await numbers.take("1", "invoice", 1)
    assert "could not reserve numbers for invoice" in caplog.text
    assert await numbers.take("1", "invoice", 1) == 1


async def test_two_processes_on_one_file_never_hand_out_one_number_twice(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'numbers.db'}"
    first, second = await SqliteStore.open(url), await SqliteStore.open(url)
    try:
        a, b = NumberBlocks(first, block=7), NumberBlocks(second, block=7)
        taken = await asyncio.gather(
            *(blocks.take("1", "invoice", 2) for _ in range(30) for blocks in (a, b))
        )
        covered = [n for start in taken for n in (start, start + 1)]
        assert len(covered) == len(set(covered)) == 120
    finally:
        await first.close()
        await second.close()


async def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="block"):
        NumberBlocks(CountingStore(), block=0)
    with pytest.raises(ValueError, match="count"):
        await NumberBlocks(CountingStore()).take("1", "invoice", 0)


def test_a_block_used_up_before_its_fetch_is_forgotten_starts_another_fetch() -> None:
    # The race, step by step: a fetch completes, and in the same turn of the loop, before its
    # done-callback runs, one take uses the whole new block and another finds none left. The
    # second must start a fresh fetch; awaiting the finished one returns at once without
    # yielding, so it would spin forever. It runs on a thread of its own so a spin fails the
    # test instead of hanging it.
    result: list[list[int]] = []

    async def scenario() -> None:
        numbers = NumberBlocks(CountingStore(), block=4)
        first = asyncio.ensure_future(numbers.take("1", "invoice", 4))
        await asyncio.sleep(0)  # `first` starts the fetch and waits for it
        racing = [asyncio.ensure_future(numbers.take("1", "invoice", 4)) for _ in range(2)]
        result.append(sorted(await asyncio.gather(first, *racing)))

    thread = threading.Thread(target=asyncio.run, args=(scenario(),), daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "a take spun on a finished fetch"
    assert result == [[1, 5, 9]]
