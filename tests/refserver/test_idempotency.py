"""The idempotency policy end to end in process: replay, 422, 409, release on failure, expiry."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from refserver._idempotency import fingerprint
from refserver.store import ScopedKey
from tests._server_fixtures import (
    LINE_ITEM,
    FailingOnceBusiness,
    GatedBusiness,
    body,
    fulfillment,
    in_process,
)

pytestmark = pytest.mark.anyio

DAY = 86400


async def test_replay_is_byte_for_byte_with_the_original_request_id() -> None:
    async with in_process() as app:
        first = await app.post(body(runBilling=True), headers={"Idempotency-Key": "k1"})
        again = await app.post(
            body(runBilling=True), headers={"Idempotency-Key": "k1", "Zuora-Track-Id": "t2"}
        )
        assert first.status_code == again.status_code == 200
        assert again.content == first.content
        assert again.headers["zuora-request-id"] == first.headers["zuora-request-id"]
        assert again.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in first.headers
        assert again.headers["zuora-track-id"] == "t2"  # per exchange, not stored
        assert await app.parts.store.count_fulfillments("1", LINE_ITEM) == 1


async def test_fingerprint_ignores_key_order_and_white_space() -> None:
    async with in_process() as app:
        first = await app.post(
            content=b'{"fulfillments":[{"quantity":5,"orderLineItemId":"%s","fulfillmentDate":"2022-01-01"}]}'
            % LINE_ITEM.encode(),
            headers={"Idempotency-Key": "k"},
        )
        again = await app.post(body(), headers={"Idempotency-Key": "k"})
        assert again.content == first.content
        assert again.headers["idempotent-replayed"] == "true"


async def test_same_key_other_body_gets_422_and_keeps_the_original() -> None:
    async with in_process() as app:
        first = await app.post(body(), headers={"Idempotency-Key": "k"})
        other = await app.post(body(2), headers={"Idempotency-Key": "k"})
        assert other.status_code == 422
        assert other.json()["reasons"][0]["code"] == 53600030
        assert "idempotent-replayed" not in other.headers
        again = await app.post(body(), headers={"Idempotency-Key": "k"})
        assert again.content == first.content


async def test_keys_are_scoped_per_tenant() -> None:
    async with in_process() as app:
        one = await app.post(body(), headers={"Idempotency-Key": "shared"})
        two = await app.post(body(2), token="dev-token-2", headers={"Idempotency-Key": "shared"})
        assert two.status_code == 200
        assert "idempotent-replayed" not in two.headers
        assert two.content != one.content
        assert (
            await app.post(body(), headers={"Idempotency-Key": "shared"})
        ).content == one.content


async def test_a_processed_400_is_stored_and_replayed() -> None:
    async with in_process() as app:
        bad = {"fulfillments": [fulfillment(quantity="five")]}
        first = await app.post(bad, headers={"Idempotency-Key": "bad"})
        again = await app.post(bad, headers={"Idempotency-Key": "bad"})
        assert first.status_code == again.status_code == 400
        assert again.content == first.content
        assert again.headers["zuora-request-id"] == first.headers["zuora-request-id"]
        assert again.headers["idempotent-replayed"] == "true"
        business = await app.post(body(collectPayment=True), headers={"Idempotency-Key": "rule"})
        replay = await app.post(body(collectPayment=True), headers={"Idempotency-Key": "rule"})
        assert replay.content == business.content
        assert replay.headers["idempotent-replayed"] == "true"


async def test_in_progress_key_gets_409_with_retry_after() -> None:
    async with in_process() as app:
        gate = GatedBusiness(app.parts.business)
        async with in_process(store=app.parts.store, replace={"business": gate}) as gated:
            first = asyncio.create_task(gated.post(body(), headers={"Idempotency-Key": "busy"}))
            await asyncio.wait_for(gate.entered.wait(), 5)
            second = await gated.post(body(), headers={"Idempotency-Key": "busy"})
            assert second.status_code == 409
            assert second.headers["retry-after"] == "1"
            assert second.json()["reasons"][0]["code"] == 53600050
            gate.release.set()
            done = await asyncio.wait_for(first, 5)
            assert done.status_code == 200
            third = await gated.post(body(), headers={"Idempotency-Key": "busy"})
            assert third.content == done.content
        assert await app.parts.store.count_fulfillments("1", LINE_ITEM) == 1


async def test_unexpected_failure_is_500_and_releases_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with in_process() as app:
        failing = FailingOnceBusiness(app.parts.business)
        async with in_process(store=app.parts.store, replace={"business": failing}) as flaky:
            with caplog.at_level("ERROR", logger="refserver"):
                first = await flaky.post(
                    body(), headers={"Idempotency-Key": "k", "Authorization": "Bearer dev-token"}
                )
            assert first.status_code == 500
            assert first.json()["reasons"][0]["code"] == 53600060
            assert "dev-token" not in caplog.text
            retry = await flaky.post(body(), headers={"Idempotency-Key": "k"})
            assert retry.status_code == 200
            assert "idempotent-replayed" not in retry.headers


async def test_key_expires_after_the_ttl_and_an_abandoned_lease_is_taken_over() -> None:
    async with in_process() as app:
        first = await app.post(body(), headers={"Idempotency-Key": "k"})
        app.clock.advance(DAY - 1)
        assert (await app.post(body(), headers={"Idempotency-Key": "k"})).content == first.content
        app.clock.advance(1)
        fresh = await app.post(body(), headers={"Idempotency-Key": "k"})
        assert "idempotent-replayed" not in fresh.headers
        assert fresh.content != first.content
        scoped = ScopedKey("1", "POST", "/v1/fulfillments", "stuck")
        digest = fingerprint(body())
        await app.parts.store.reserve(scoped, digest, now=app.clock.now(), ttl=DAY, lease=30)
        assert (await app.post(body(), headers={"Idempotency-Key": "stuck"})).status_code == 409
        app.clock.advance(30)
        assert (await app.post(body(), headers={"Idempotency-Key": "stuck"})).status_code == 200


async def test_requests_without_a_key_each_create() -> None:
    async with in_process() as app:
        one = await app.post(body())
        two = await app.post(body())
        assert orjson.loads(one.content) != orjson.loads(two.content)
        assert await app.parts.store.count_fulfillments("1", LINE_ITEM) == 2
