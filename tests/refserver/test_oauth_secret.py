"""The OAuth signing secret: public for the development tenants only, never for a tokens file.

The development secret is written in the source, so anyone can sign a token with it. A server
given a tokens file signs with the file's `oauth_secret`, `REFSERVER_OAUTH_SECRET`, or a secret
generated for the run and shared with its workers; a token forged with the public secret is 401.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import httpx
import orjson
import pytest

from refserver import Client, ServerConfig, Tenant, load_tokens_file
from refserver._auth import TokenAuthenticator
from tests._server_fixtures import body, serve

_FILE = """\
tenants:
  - id: acme
    tokens: [acme-static-token-0123456789abcdef]
    clients:
      - client_id: acme-client
        client_secret: acme-client-secret
"""
_JSON = {"Content-Type": "application/json"}


def _tokens_file(folder: Path, extra: str = "") -> Path:
    path = folder / "tokens.yaml"
    path.write_text(extra + _FILE, encoding="utf-8")
    return path


def _forged(tenant: str) -> str:
    """A token for `tenant` signed offline with the public development secret."""
    public = dataclasses.replace(
        ServerConfig.development(),
        tenants={tenant: Tenant(tenant)},
        clients={"forger": Client("forger", "any", tenant)},
    )
    issued = TokenAuthenticator(public).issue("forger", "any", time.time())
    assert issued is not None
    return issued.access_token


def _create(url: str, token: str) -> int:
    response = httpx.post(
        f"{url}/v1/fulfillments",
        content=orjson.dumps(body()),
        headers={**_JSON, "Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return response.status_code


def _issued(url: str) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": "acme-client",
        "client_secret": "acme-client-secret",
    }
    response = httpx.post(f"{url}/oauth/token", data=form, timeout=10)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def test_a_token_forged_with_the_public_secret_gets_401(tmp_path: Path) -> None:
    tokens = _tokens_file(tmp_path)
    with serve("--store", "memory://", "--tokens", str(tokens), folder=tmp_path) as server:
        assert _create(server.url, _forged("acme")) == 401
        assert _create(server.url, "acme-static-token-0123456789abcdef") == 200
        assert _create(server.url, _issued(server.url)) == 200


def test_the_generated_secret_is_shared_by_every_worker(tmp_path: Path) -> None:
    tokens = _tokens_file(tmp_path)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    args = ("--store", store, "--tokens", str(tokens), "--workers", "2")
    with serve(*args, folder=tmp_path) as server:
        token = _issued(server.url)
        # each request on a new connection: the kernel spreads them over both workers
        assert {_create(server.url, token) for _ in range(20)} == {200}
        assert _create(server.url, _forged("acme")) == 401


def test_the_secret_comes_from_the_caller_the_file_or_chance(tmp_path: Path) -> None:
    public = ServerConfig.development().oauth_secret
    bare = _tokens_file(tmp_path)
    first, second = load_tokens_file(bare), load_tokens_file(bare)
    assert public not in (first.oauth_secret, second.oauth_secret)
    assert first.oauth_secret != second.oauth_secret
    assert len(first.oauth_secret) >= 43  # 32 random bytes, URL-safe base64
    named = _tokens_file(tmp_path, "oauth_secret: a shared secret\n")
    assert load_tokens_file(named).oauth_secret == "a shared secret"
    assert load_tokens_file(named, oauth_secret="from the caller").oauth_secret == (
        "from the caller"
    )
    assert ServerConfig().oauth_secret != public


def test_a_token_of_a_tenant_removed_from_the_file_gets_nothing(tmp_path: Path) -> None:
    both = _tokens_file(tmp_path, "oauth_secret: kept\n")
    before = load_tokens_file(both)
    token = TokenAuthenticator(before).issue("acme-client", "acme-client-secret", 1000.0)
    assert token is not None
    authorization = f"Bearer {token.access_token}"
    assert TokenAuthenticator(before).authenticate(authorization, 1001.0) is not None
    other = tmp_path / "other.yaml"
    other.write_text("oauth_secret: kept\ntenants:\n  - id: beta\n", encoding="utf-8")
    after = load_tokens_file(other)
    assert TokenAuthenticator(after).authenticate(authorization, 1001.0) is None


def test_an_empty_tenant_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("tenants:\n  - id: ''\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot be empty"):
        load_tokens_file(path)
