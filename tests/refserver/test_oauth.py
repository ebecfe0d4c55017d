"""POST /oauth/token and the signed tokens it issues."""

from __future__ import annotations

import dataclasses

import pytest

from refserver import ServerConfig
from tests._server_fixtures import body, in_process

pytestmark = pytest.mark.anyio

FORM = {
    "client_id": "dev-client",
    "client_secret": "dev-secret",
    "grant_type": "client_credentials",
}


async def test_client_credentials_give_a_working_bearer_token() -> None:
    async with in_process() as app:
        response = await app.client.post("/oauth/token", data=FORM)
        assert response.status_code == 200
        token = response.json()
        assert list(token) == ["access_token", "token_type", "expires_in", "scope", "jti"]
        assert token["token_type"] == "bearer"
        assert token["expires_in"] == 3599
        created = await app.post(body(), token=token["access_token"])
        assert created.status_code == 200
        assert (
            await app.parts.store.count_fulfillments(
                "1", body()["fulfillments"][0]["orderLineItemId"]
            )
            == 1
        )
        app.clock.advance(3599)
        assert (await app.post(body(), token=token["access_token"])).status_code == 401


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({**FORM, "client_secret": "wrong"}, 401, "invalid_client"),
        ({**FORM, "client_id": "nobody"}, 401, "invalid_client"),
        ({**FORM, "grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"client_id": "dev-client", "client_secret": "dev-secret"}, 400, "unsupported_grant_type"),
    ],
)
async def test_bad_requests_get_oauth_errors(form: dict[str, str], status: int, error: str) -> None:
    async with in_process() as app:
        response = await app.client.post("/oauth/token", data=form)
        assert response.status_code == status
        assert response.json()["error"] == error
        assert "access_token" not in response.json()


async def test_json_bodies_and_get_are_refused() -> None:
    async with in_process() as app:
        assert (await app.client.post("/oauth/token", json=FORM)).status_code == 400
        assert (await app.client.get("/oauth/token")).status_code == 405


async def test_tampered_or_foreign_tokens_are_rejected() -> None:
    async with in_process() as app:
        token = (await app.client.post("/oauth/token", data=FORM)).json()["access_token"]
        prefix, claims, signature = token.split(".")
        for bad in (
            f"{prefix}.{claims}x.{signature}",
            f"{prefix}.{claims}.{signature[::-1]}",
            f"{prefix}.{claims}",
        ):
            assert (await app.post(body(), token=bad)).status_code == 401
    other = dataclasses.replace(ServerConfig.development(), oauth_secret="another secret")
    async with in_process(other) as foreign:
        assert (await foreign.post(body(), token=token)).status_code == 401
