"""Document numbers handed out from per-process blocks, as a database sequence's CACHE does.

A billed creation needs two numbers (fulfillments, invoice), and each `Store.allocate` is a
write transaction of its own on the request's critical path. Taking `BLOCK` numbers in one
write and handing them out from memory makes that one write per hundred creations.

| property            | holds                                                              |
|---------------------|--------------------------------------------------------------------|
| never a duplicate   | every block comes from the store's atomic counter                  |
| gaps                | the rest of a block is skipped when its process stops or is killed |
| order               | increasing within a process; several processes interleave blocks   |
"""

from __future__ import annotations

import asyncio

from refserver.store import Store

__all__ = ["BLOCK", "NumberBlocks"]

BLOCK = 100  # one counter write per hundred numbers; a restart skips at most 99 of them


class NumberBlocks:
    """Consecutive numbers per (tenant, counter) from blocks reserved in the store."""

    def __init__(self, store: Store, *, block: int = BLOCK) -> None:
        if block < 1:
            raise ValueError("block must be at least 1")
        self._store = store
        self._block = block
        self._blocks: dict[tuple[str, str], tuple[int, int]] = {}  # -> (next, end exclusive)
        self._refills: dict[tuple[str, str], asyncio.Lock] = {}

    async def take(self, tenant: str, counter: str, count: int) -> int:
        """`count` consecutive numbers of the tenant's `counter`; return the first."""
        if count < 1:
            raise ValueError("count must be at least 1")
        which = (tenant, counter)
        start, end = self._blocks.get(which, (0, 0))
        if end - start < count:
            lock = self._refills.setdefault(which, asyncio.Lock())
            async with lock:  # one refill at a time, so concurrent requests share a block
                start, end = self._blocks.get(which, (0, 0))
                if end - start < count:
                    size = max(self._block, count)
                    start = await self._store.allocate(tenant, counter, size)
                    end = start + size
                    self._blocks[which] = (start + count, end)
                    return start
        self._blocks[which] = (start + count, end)
        return start
