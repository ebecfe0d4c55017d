"""A deadline for awaiting the request body, without a timer per request.

`asyncio.timeout` arms a timer and cancels it for every request (its cost: bench/FINDINGS.md,
section 2), yet a body that arrives whole, nearly every body, never needs it. Instead each read
is registered with its deadline, and one sweeper per event loop wakes every tick to cancel the
reads past theirs; a deadline is honoured up to one tick late. The sweeper ends when nothing
is left to watch and starts again with the next read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

__all__ = ["Deadline"]

_T = TypeVar("_T")
_TICK = 1.0  # seconds between sweeps at most: a 60 s deadline is kept within 2 %
_TICKS_PER_DEADLINE = 4  # short deadlines (tests) are swept four times within their span


class Deadline:
    """Runs awaitables that must finish within `seconds`; TimeoutError for those that don't."""

    def __init__(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        self._seconds = seconds
        self._tick = min(_TICK, seconds / _TICKS_PER_DEADLINE)
        self._watched: dict[asyncio.Task[Any], float] = {}  # task -> loop time of its deadline
        self._expired: set[asyncio.Task[Any]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    async def run(self, awaitable: Awaitable[_T]) -> _T:
        """The awaitable's result, or TimeoutError once it has taken longer than the deadline."""
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Deadline.run needs a running task")
        loop = asyncio.get_running_loop()
        self._watched[task] = loop.time() + self._seconds
        sweeper = self._sweeper
        if sweeper is None or sweeper.done() or sweeper.get_loop() is not loop:
            self._sweeper = loop.create_task(self._sweep())
        try:
            return await awaitable
        except asyncio.CancelledError:
            if task not in self._expired:
                raise  # cancelled by someone else: not ours to turn into a timeout
            task.uncancel()
            raise TimeoutError from None
        finally:
            del self._watched[task]
            self._expired.discard(task)

    async def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        while self._watched:
            await asyncio.sleep(self._tick)
            now = loop.time()
            for task, deadline in list(self._watched.items()):
                if deadline <= now and task not in self._expired and task.get_loop() is loop:
                    self._expired.add(task)
                    task.cancel()
