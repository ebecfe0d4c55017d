"""Deleting expired idempotency keys in the background, a small batch at a time."""

from __future__ import annotations

import asyncio
import logging

from refserver._parts import Clock
from refserver.store import Store

__all__ = ["purge_once", "run_purger"]

_log = logging.getLogger("refserver")
_MAX_BATCHES_PER_ROUND = 100  # bounds one round; the next round continues where it stopped


async def purge_once(store: Store, clock: Clock, *, batch: int) -> int:
    """One round: batches until a short one, yielding to requests between batches."""
    total = 0
    for _ in range(_MAX_BATCHES_PER_ROUND):
        deleted = await store.purge_expired(clock.now(), batch=batch)
        total += deleted
        if deleted < batch:
            break
        await asyncio.sleep(0)
    return total


async def run_purger(store: Store, clock: Clock, *, interval: float, batch: int) -> None:
    """Purge every `interval` seconds until cancelled; a failed round is logged and retried."""
    while True:
        await asyncio.sleep(interval)
        try:
            deleted = await purge_once(store, clock, batch=batch)
        except Exception:
            _log.exception("purging expired idempotency keys failed")
            continue
        if deleted:
            _log.debug("purged %d expired idempotency keys", deleted)
