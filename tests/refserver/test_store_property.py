"""A property test of the store contract: any sequence of operations, checked against a model.

Each backend in `STORE_BACKENDS` runs the same generated sequences; the clock is injected as
the `now` each call receives, moved by `Advance` steps across lease and TTL boundaries.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refserver.store import (
    Effects,
    Fulfillment,
    IdempotencyRecord,
    Reservation,
    ScopedKey,
    State,
    Store,
    StoredResponse,
)
from tests._server_fixtures import STORE_BACKENDS, StoreFactory

TTL = 100.0
LEASE = 10.0
START = 1_700_000_000.0


@dataclass(frozen=True)
class Reserve:
    key: int
    tenant: int
    fingerprint: int


@dataclass(frozen=True)
class Complete:
    slot: int


@dataclass(frozen=True)
class Release:
    slot: int


@dataclass(frozen=True)
class Advance:
    seconds: float


@dataclass(frozen=True)
class PurgeAll:
    pass


@dataclass(frozen=True)
class Allocate:
    tenant: int
    count: int


Operation = Reserve | Complete | Release | Advance | PurgeAll | Allocate

_reserves = st.builds(Reserve, st.integers(0, 1), st.integers(1, 2), st.integers(0, 1))
operations = st.one_of(
    _reserves,
    _reserves,  # twice: most interesting sequences hit one key again and again
    st.builds(Complete, st.integers(0, 20)),
    st.builds(Release, st.integers(0, 20)),
    st.builds(Advance, st.sampled_from([0.5, LEASE / 2, LEASE, TTL / 2, TTL])),
    st.just(PurgeAll()),
    st.builds(Allocate, st.integers(1, 2), st.integers(1, 3)),
)


@dataclass
class _Entry:
    fingerprint: str
    owner: int
    completed: bool
    tag: str | None
    expires_at: float
    lease_until: float


@dataclass
class _Model:
    now: float = START
    keys: dict[ScopedKey, _Entry] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)


def _scoped(op: Reserve) -> ScopedKey:
    return ScopedKey(str(op.tenant), "POST", "/v1/fulfillments", f"key-{op.key}")


def _response(tag: str) -> StoredResponse:
    return StoredResponse(200, (("Zuora-Request-Id", tag),), tag.encode() + b"\xff")


def _effects(tenant: str, tag: str) -> Effects:
    row = Fulfillment(
        tenant, tag.rjust(32, "0"), "F-1", "l" * 32, "Delivery", "Executing", 1.0, tag.encode()
    )
    return Effects((row,))


class _Runner:
    """Applies operations to the store and the model side by side, comparing every answer."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.model = _Model()
        self.reservations: list[tuple[Reservation, int]] = []  # (store's, model owner)
        self.completed: list[tuple[str, str]] = []

    async def reserve(self, step: int, op: Reserve) -> None:
        model, k, fp = self.model, _scoped(op), f"fp-{op.fingerprint}"
        got = await self.store.reserve(k, fp, now=model.now, ttl=TTL, lease=LEASE)
        entry = model.keys.get(k)
        live = entry is not None and entry.expires_at > model.now
        if entry is not None and not entry.completed and entry.lease_until <= model.now:
            live = False
        if not live or entry is None:
            assert isinstance(got, Reservation), (step, op, got)
            assert got.fingerprint == fp
            model.keys[k] = _Entry(fp, step, False, None, model.now + TTL, model.now + LEASE)
            self.reservations.append((got, step))
            return
        assert isinstance(got, IdempotencyRecord), (step, op, got)
        assert got.fingerprint == entry.fingerprint
        assert got.state is (State.COMPLETED if entry.completed else State.IN_PROGRESS)
        assert got.response == (None if entry.tag is None else _response(entry.tag))

    async def finish(self, step: int, op: Complete | Release) -> None:
        if not self.reservations:
            return
        reservation, owner = self.reservations[op.slot % len(self.reservations)]
        entry = self.model.keys.get(reservation.key)
        owns = entry is not None and entry.owner == owner and not entry.completed
        if isinstance(op, Release):
            await self.store.release(reservation)
            if owns:
                del self.model.keys[reservation.key]
            return
        tag, tenant = f"t{step}", reservation.key.tenant
        done = await self.store.complete(
            reservation, _response(tag), _effects(tenant, tag), now=self.model.now
        )
        assert done == owns, (step, op)
        if owns and entry is not None:
            entry.completed, entry.tag = True, tag
            self.completed.append((tenant, tag))

    async def purge(self) -> None:
        now = self.model.now
        expired = [k for k, e in self.model.keys.items() if e.expires_at <= now]
        assert await self.store.purge_expired(now, batch=1000) == len(expired)
        for k in expired:
            del self.model.keys[k]

    async def allocate(self, op: Allocate) -> None:
        tenant = str(op.tenant)
        first = await self.store.allocate(tenant, "fulfillment", op.count)
        assert first == self.model.counters.get(tenant, 0) + 1
        self.model.counters[tenant] = first + op.count - 1

    async def check_effects(self) -> None:
        for tenant, tag in self.completed:
            fid = tag.rjust(32, "0")
            assert await self.store.get_fulfillment(tenant, fid) == tag.encode()
            other = "2" if tenant == "1" else "1"
            assert await self.store.get_fulfillment(other, fid) is None
        for tenant in ("1", "2"):
            mine = sum(1 for t, _ in self.completed if t == tenant)
            assert await self.store.count_fulfillments(tenant, "l" * 32) == mine


async def _run(store: Store, ops: list[Operation]) -> None:
    runner = _Runner(store)
    for step, op in enumerate(ops):
        if isinstance(op, Advance):
            runner.model.now += op.seconds
        elif isinstance(op, Reserve):
            await runner.reserve(step, op)
        elif isinstance(op, Complete | Release):
            await runner.finish(step, op)
        elif isinstance(op, PurgeAll):
            await runner.purge()
        else:
            await runner.allocate(op)
    await runner.check_effects()


@pytest.fixture(params=STORE_BACKENDS)
def store_factory(request: pytest.FixtureRequest) -> StoreFactory:
    factory: StoreFactory = request.param(request)
    return factory


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operations, min_size=4, max_size=40))
def test_store_behaves_like_the_model(store_factory: StoreFactory, ops: list[Operation]) -> None:
    async def scenario() -> None:
        async with store_factory() as store:
            await _run(store, ops)

    asyncio.run(scenario())
