"""Document numbers handed out from per-process blocks, as a database sequence's CACHE does.

A billed creation needs two numbers (fulfillments, invoice), and each `Store.allocate` is a
write transaction of its own on the request's critical path. Taking `BLOCK` numbers in one
write and handing them out from memory makes that one write per hundred numbers, and the
next block is fetched in the background when the current one runs low, so under a steady
load no request waits for a counter at all.

| property            | holds                                                              |
|---------------------|--------------------------------------------------------------------|
| never a duplicate   | every block comes from the store's atomic counter                  |
| gaps                | unused numbers of a block are skipped when its process stops, and  |
|                     | a block's tail too short for a request's run                       |
| order               | increasing within a process; several processes interleave blocks   |
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from refserver.store import Store

__all__ = ["BLOCK", "NumberBlocks"]

_log = logging.getLogger("refserver")
BLOCK = 100  # one counter write per hundred numbers; a restart skips at most 199 of them
_LOW_WATER = 2  # fetch the next block once fewer than block / 2 numbers are left


class NumberBlocks:
    """Consecutive numbers per (tenant, counter) from blocks reserved in the store."""

    def __init__(self, store: Store, *, block: int = BLOCK) -> None:
        if block < 1:
            raise ValueError("block must be at least 1")
        self._store = store
        self._block = block
        self._blocks: dict[tuple[str, str], deque[list[int]]] = {}  # [next, end exclusive]
        self._fetching: dict[tuple[str, str], asyncio.Task[None]] = {}

    async def take(self, tenant: str, counter: str, count: int) -> int:
        """`count` consecutive numbers of the tenant's `counter`; return the first."""
        if count < 1:
            raise ValueError("count must be at least 1")
        which = (tenant, counter)
        blocks = self._blocks.setdefault(which, deque())
        while True:
            while blocks and blocks[0][1] - blocks[0][0] < count:
                blocks.popleft()  # too short for this run: its tail is skipped
            if blocks:
                current = blocks[0]
                start = current[0]
                current[0] += count
                left = sum(end - first for first, end in blocks)
                if left * _LOW_WATER < self._block:
                    self._fetch(which, self._block)
                return start
            # Every request waiting for the block wakes in the same turn of the loop; a lock
            # would wake them one turn at a time, slow under load (bench/FINDINGS.md, section 2).
            await asyncio.shield(self._fetch(which, max(self._block, count)))

    def _fetch(self, which: tuple[str, str], size: int) -> asyncio.Task[None]:
        """The fetch of the next block in flight for `which`, started if there is none.

        A fetch leaves `_fetching` as its last step, so a finished one is never handed out:
        awaiting it would return without yielding, and a take whose block others used up in
        the same turn would spin on it for ever.
        """
        task = self._fetching.get(which)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._append(which, size))
            self._fetching[which] = task
            task.add_done_callback(lambda done: _log_failure(which[1], done))
        return task

    async def _append(self, which: tuple[str, str], size: int) -> None:
        try:
            start = await self._store.allocate(which[0], which[1], size)
            self._blocks.setdefault(which, deque()).append([start, start + size])
        finally:
            del self._fetching[which]


def _log_failure(counter: str, task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        _log.error("could not reserve numbers for %s", counter, exc_info=task.exception())
