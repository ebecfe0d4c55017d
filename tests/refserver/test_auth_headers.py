"""Authentication, request-header rules and the headers every response carries (in process)."""

from __future__ import annotations

import re

import orjson
import pytest

from refserver.store import ScopedKey
from tests._server_fixtures import LINE_ITEM, body, in_process

pytestmark = pytest.mark.anyio

WWW = "Basic realm=Zuora API, ZSession realm=Zuora API, Bearer realm=Zuora API"
ENTITY = "8a8aa2f27c4aef03017c4b4a4a8b1f00"
ORGS = "8a8aa2f27c4aef03017c4b4a4a8b1f01,8a8aa2f27c4aef03017c4b4a4a8b1f02"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic ZGV2LXRva2Vu",
        "Bearer wrong",
        "dev-token",
        "Bearer dev-token-3",
    ],
)
async def test_bad_credentials_get_401_and_create_nothing(authorization: str | None) -> None:
    async with in_process() as app:
        headers = {} if authorization is None else {"Authorization": authorization}
        response = await app.post(body(), token="", headers={**headers, "Idempotency-Key": "a"})
        assert response.status_code == 401
        assert response.json() == {"message": "Authentication error"}
        assert response.headers["www-authenticate"] == WWW
        assert int(response.headers["RateLimit-Remaining"]) >= 0  # Zuora sends them on a 401
        assert await app.parts.store.count_fulfillments("1", LINE_ITEM) == 0
        again = await app.post(body(), headers={"Idempotency-Key": "a"})
        assert again.status_code == 200
        assert "idempotent-replayed" not in again.headers


async def test_scheme_is_case_insensitive_and_tenants_are_told_apart() -> None:
    async with in_process() as app:
        assert (
            await app.post(body(), token="", headers={"Authorization": "bearer dev-token"})
        ).status_code == 200
        assert (await app.post(body(), token="dev-token-2")).status_code == 200
        assert await app.parts.store.count_fulfillments("1", LINE_ITEM) == 1
        assert await app.parts.store.count_fulfillments("2", LINE_ITEM) == 1


async def test_request_id_is_a_fresh_uuid_and_track_id_is_echoed() -> None:
    async with in_process() as app:
        track = "a" * 64
        first = await app.post(body(), headers={"Zuora-Track-Id": track})
        second = await app.post(body())
        assert first.headers["zuora-track-id"] == track
        assert "zuora-track-id" not in second.headers
        ids = {first.headers["zuora-request-id"], second.headers["zuora-request-id"]}
        assert len(ids) == 2
        assert all(UUID.match(i) for i in ids)
        assert first.headers["vary"] == "Accept-Encoding"
        unauthorized = await app.post(body(), token="", headers={"Zuora-Track-Id": "t-1"})
        assert unauthorized.headers["zuora-track-id"] == "t-1"
        spaced = await app.post(body(), headers={"Zuora-Track-Id": "trace 1/2"})
        assert spaced.status_code == 200
        assert spaced.headers["Zuora-Track-Id"] == "trace 1/2"


@pytest.mark.parametrize(
    "track_id",
    [
        "a" * 65,
        "a:b",
        "a;b",
        'a"b',
        "a'b",
        "caf\xe9",
        "tab\there",
        "a \tb",
        " leading",
        "trailing ",
    ],
)
async def test_invalid_track_id_is_rejected_and_never_echoed(track_id: str) -> None:
    async with in_process() as app:
        response = await app.post(body(), headers={"Zuora-Track-Id": track_id.encode("latin-1")})
        assert response.status_code == 400
        assert "zuora-track-id" not in response.headers
        assert response.json()["reasons"][0]["code"] == 53600020
        assert await app.parts.store.count_fulfillments("1", LINE_ITEM) == 0


@pytest.mark.parametrize("key", ["", "k" * 256, "with space", "caf\xe9"])
async def test_invalid_idempotency_key_is_400_and_stores_nothing(key: str) -> None:
    async with in_process() as app:
        response = await app.post(body(), headers={"Idempotency-Key": key.encode("latin-1")})
        assert response.status_code == 400
        scoped = ScopedKey("1", "POST", "/v1/fulfillments", key)
        found = await app.parts.store.reserve(scoped, "x", now=app.clock.now(), ttl=1, lease=1)
        assert type(found).__name__ == "Reservation"


async def test_longest_idempotency_key_is_accepted() -> None:
    async with in_process() as app:
        response = await app.post(body(), headers={"Idempotency-Key": "k" * 255})
        assert response.status_code == 200


async def test_entities_and_orgs_within_reach_are_accepted() -> None:
    async with in_process() as app:
        response = await app.post(
            body(), headers={"Zuora-Entity-Ids": ENTITY, "Zuora-Org-Ids": ORGS}
        )
        assert response.status_code == 200
        empty = await app.post(body(), headers={"Zuora-Org-Ids": ""})
        assert empty.status_code == 200


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Zuora-Entity-Ids", "8a8aa2f27c4aef03017c4b4a4a8b2f00"),
        ("Zuora-Org-Ids", "8a8aa2f27c4aef03017c4b4a4a8b1f01,8a8aa2f27c4aef03017c4b4a4a8b1f09"),
    ],
)
async def test_entities_or_orgs_out_of_reach_get_403(header: str, value: str) -> None:
    async with in_process() as app:
        response = await app.post(body(), headers={header: value, "Idempotency-Key": "x"})
        assert response.status_code == 403
        payload = response.json()
        assert payload["code"] == 90000010
        assert value.rsplit(",", maxsplit=1)[-1] in payload["message"]
        assert "concurrency-limit-limit" in response.headers
        again = await app.post(body(), headers={"Idempotency-Key": "x"})
        assert again.status_code == 200  # the 403 was not stored


@pytest.mark.parametrize(
    ("header", "value"),
    [("Zuora-Version", "v" * 65), ("Zuora-Org-Ids", "o" * 1025), ("X-Anything", "x" * 8193)],
)
async def test_headers_beyond_their_limits_get_400(header: str, value: str) -> None:
    async with in_process() as app:
        response = await app.post(body(), headers={header: value})
        assert response.status_code == 400
        assert header.lower() in response.json()["reasons"][0]["message"].lower()


async def test_other_paths_and_methods() -> None:
    async with in_process() as app:
        missing = await app.client.get("/v1/other")
        assert missing.status_code == 404
        wrong = await app.client.get(
            "/v1/fulfillments", headers={"Authorization": "Bearer dev-token"}
        )
        assert wrong.status_code == 405
        assert wrong.headers["allow"] == "POST"
        assert orjson.loads(wrong.content)["success"] is False
