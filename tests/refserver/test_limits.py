"""Per-tenant rate windows and concurrency limits, with the headers that describe them."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from refserver import Quotas, ServerConfig
from tests._server_fixtures import GatedBusiness, body, in_process

pytestmark = pytest.mark.anyio


def _config(quotas: Quotas | None = None, concurrency: int = 200) -> ServerConfig:
    base = ServerConfig.development()
    tenant = dataclasses.replace(
        base.tenants["1"], quotas=quotas or Quotas(), concurrency_limit=concurrency
    )
    return dataclasses.replace(base, tenants={**base.tenants, "1": tenant})


async def test_headers_describe_the_window_nearest_exhaustion() -> None:
    async with in_process(_config(Quotas(per_minute=100, per_hour=5, per_day=1000))) as app:
        app.clock.value = 1_700_000_000.0  # 26:40 past the hour and 20 s past the minute
        response = await app.post(body())
        assert response.headers["ratelimit-limit"] == "5"
        assert response.headers["ratelimit-remaining"] == "4"
        assert response.headers["ratelimit-reset"] == str(3600 - 1_700_000_000 % 3600)
        assert response.headers["concurrency-limit-limit"] == "200"
        assert response.headers["concurrency-limit-remaining"] == "199"
        assert response.headers["concurrency-limit-type"] == "Default"
        other = await app.post(body(), token="dev-token-2")
        assert other.headers["ratelimit-limit"] == "50000"  # another tenant, its own windows


async def test_exhausted_minute_gets_429_until_the_next_window() -> None:
    async with in_process(_config(Quotas(per_minute=3))) as app:
        app.clock.value = 1_700_000_000.0
        for remaining in ("2", "1", "0"):
            assert (await app.post(body())).headers["ratelimit-remaining"] == remaining
        limited = await app.post(body(), headers={"Idempotency-Key": "k"})
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "40"
        assert limited.headers["ratelimit-remaining"] == "0"
        assert limited.json()["reasons"][0]["code"] == 53600070
        app.clock.advance(40)
        again = await app.post(body(), headers={"Idempotency-Key": "k"})
        assert again.status_code == 200
        assert "idempotent-replayed" not in again.headers  # the 429 was not stored


async def test_in_flight_requests_over_the_limit_get_429() -> None:
    async with in_process(_config(concurrency=1)) as app:
        gate = GatedBusiness(app.parts.business)
        async with in_process(
            _config(concurrency=1), store=app.parts.store, replace={"business": gate}
        ) as gated:
            first = asyncio.create_task(gated.post(body()))
            await asyncio.wait_for(gate.entered.wait(), 5)
            second = await gated.post(body(), headers={"Idempotency-Key": "k"})
            assert second.status_code == 429
            assert second.headers["retry-after"] == "1"
            assert second.headers["concurrency-limit-remaining"] == "0"
            gate.release.set()
            assert (await asyncio.wait_for(first, 5)).status_code == 200
            after = await gated.post(body(), headers={"Idempotency-Key": "k"})
            assert after.status_code == 200
            assert after.headers["concurrency-limit-remaining"] == "0"
            assert "idempotent-replayed" not in after.headers
