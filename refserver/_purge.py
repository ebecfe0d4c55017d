"""Deleting expired idempotency keys in the background, a small batch at a time.

On SQLite every write, the purge's included, runs inline on the event loop, so a batch holds
the loop while it deletes. A short pause between batches lets the requests that queued behind
one batch run (and commit) before the next begins.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from refserver._parts import Clock
from refserver.store import Store

__all__ = ["purge_once", "run_purger"]

_log = logging.getLogger("refserver")
_MAX_BATCHES_PER_ROUND = 100  # bounds one round; the next round continues where it stopped
# Long enough for the requests queued behind a batch to run, short enough that the purge still
# outpaces the fastest creation rate; the measurements are in bench/FINDINGS.md, section 1.
_PAUSE_SECONDS = 0.02

Sleep = Callable[[float], Awaitable[None]]


async def purge_once(
    store: Store,
    clock: Clock,
    *,
    batch: int,
    pause: float = _PAUSE_SECONDS,
    sleep: Sleep = asyncio.sleep,
) -> int:
    """One round: batches until a short one, pausing `pause` seconds between batches.

    The pause leaves the event loop to the requests waiting behind a batch. A round is bounded
    to `_MAX_BATCHES_PER_ROUND` batches; even counting the interval between rounds, the purge
    removes keys several times faster than the server creates them, so the expired set cannot
    outgrow it (the rates: bench/FINDINGS.md, section 1).
    """
    total = 0
    for i in range(_MAX_BATCHES_PER_ROUND):
        if i:
            await sleep(pause)
        deleted = await store.purge_expired(clock.now(), batch=batch)
        total += deleted
        if deleted < batch:
            break
    return total


async def run_purger(
    store: Store,
    clock: Clock,
    *,
    interval: float,
    batch: int,
    pause: float = _PAUSE_SECONDS,
) -> None:
    """Purge every `interval` seconds until cancelled; a failed round is logged and retried.

    The first round starts `interval` after startup, not at once, so a store reopened with a
    backlog of expired keys does not compete with the first requests while the server warms.
    """
    while True:
        await asyncio.sleep(interval)
        try:
            deleted = await purge_once(store, clock, batch=batch, pause=pause)
        except Exception:
            _log.exception("purging expired idempotency keys failed")
            continue
        if deleted:
            _log.debug("purged %d expired idempotency keys", deleted)
