"""Numbers from per-process blocks: never repeated, one store write per block, shared safely."""

from __future__ import annotations

import asyncio
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


async def test_a_block_serves_its_numbers_in_order_with_one_write() -> None:
    store = CountingStore()
    numbers = NumberBlocks(store)
    taken = [await numbers.take("1", "invoice", 1) for _ in range(BLOCK)]
    assert taken == list(range(1, BLOCK + 1))
    assert store.allocations == [BLOCK]
    assert await numbers.take("1", "invoice", 1) == BLOCK + 1
    assert store.allocations == [BLOCK, BLOCK]


async def test_runs_of_several_numbers_stay_consecutive_across_blocks() -> None:
    numbers = NumberBlocks(CountingStore(), block=10)
    firsts = [await numbers.take("1", "fulfillment", 3) for _ in range(5)]
    assert firsts == [1, 4, 7, 11, 14]  # 10 is skipped: a run of 3 never spans two blocks


async def test_a_run_larger_than_a_block_is_allocated_whole() -> None:
    store = CountingStore()
    numbers = NumberBlocks(store, block=10)
    assert await numbers.take("1", "fulfillment", 25) == 1
    assert await numbers.take("1", "fulfillment", 1) == 26
    assert store.allocations == [25, 10]


async def test_counters_and_tenants_are_separate() -> None:
    numbers = NumberBlocks(CountingStore())
    assert await numbers.take("1", "invoice", 1) == 1
    assert await numbers.take("1", "payment", 1) == 1
    assert await numbers.take("2", "invoice", 1) == 1
    assert await numbers.take("1", "invoice", 1) == 2


async def test_concurrent_requests_share_one_refill() -> None:
    store = CountingStore()
    numbers = NumberBlocks(store, block=50)
    taken = await asyncio.gather(*(numbers.take("1", "invoice", 1) for _ in range(200)))
    assert sorted(taken) == list(range(1, 201))
    assert store.allocations == [50, 50, 50, 50]


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
