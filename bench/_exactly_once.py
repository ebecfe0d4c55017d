"""Exactly-once under concurrency: 64 simultaneous requests per key, judged by the database.

Every request of a burst carries the same key and body. Whoever gets 409 (the first request
still in progress) retries after a short pause, as a client following `Retry-After` would,
until it gets the stored answer. A key passes when exactly one answer was a fresh creation,
every final answer is 200 with the same bytes, and the database holds exactly one creation's
rows for it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import psycopg

from bench._rawhttp import RawAnswer, request_bytes, send

__all__ = ["BURST", "Tally", "burst", "count_rows"]

BURST = 64  # concurrent requests per key
_RETRY_PAUSE = 0.2  # seconds; shorter than Retry-After (1 s) so a burst ends sooner, long
# enough that 64 retrying clients do not crowd out the load running beside them
_MAX_RETRIES = 150  # 30 s of retries at most: a key stuck in progress fails the check
_CONFLICT = 409
_OK = 200


@dataclass
class Tally:
    """Counts over every burst of one setup."""

    keys: int = 0
    requests: int = 0
    first: Counter[str] = field(default_factory=Counter)  # created, replayed, 409, other
    bad_keys: list[str] = field(default_factory=list)


def _kind(answer: RawAnswer) -> str:
    if answer.status == _OK:
        return "replayed" if answer.headers.get("idempotent-replayed") == "true" else "created"
    return str(answer.status)


async def _client(port: int, raw: bytes) -> tuple[RawAnswer, RawAnswer]:
    first = answer = await send(port, raw)
    for _ in range(_MAX_RETRIES):
        if answer.status != _CONFLICT:
            break
        await asyncio.sleep(_RETRY_PAUSE)
        answer = await send(port, raw)
    return first, answer


async def burst(ports: Sequence[int], key: str, body: bytes, token: str, tally: Tally) -> None:
    """`BURST` requests with one key at once, spread over `ports` in turn; judge the answers."""
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": key,
    }
    raw = request_bytes(body, headers)
    outcomes = await asyncio.gather(*(_client(ports[i % len(ports)], raw) for i in range(BURST)))
    tally.keys += 1
    tally.requests += BURST
    tally.first.update(_kind(first) for first, _ in outcomes)
    finals = [final for _, final in outcomes]
    created = sum(_kind(final) == "created" for final in finals)
    same = len({final.body for final in finals}) == 1
    if created != 1 or not same or any(final.status != _OK for final in finals):
        tally.bad_keys.append(key)


def count_rows(dsn: str, tenant: str) -> dict[str, int]:
    """Completed keys, fulfillments and invoices the tenant has in the database."""
    queries = {
        "keys": "SELECT count(*) FROM refserver_idempotency WHERE tenant = %s "
        "AND state = 'completed'",
        "fulfillments": "SELECT count(*) FROM refserver_fulfillments WHERE tenant = %s",
        "invoices": "SELECT count(*) FROM refserver_documents WHERE tenant = %s "
        "AND kind = 'invoice'",
    }
    counts = {}
    with psycopg.connect(dsn) as conn:
        for name, query in queries.items():
            row = conn.execute(query, (tenant,)).fetchone()
            counts[name] = int(row[0]) if row else 0
    return counts
