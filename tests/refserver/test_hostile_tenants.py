"""Tenant isolation over a real socket: no tenant reads, replays or blocks another's keys or data.

The server runs with a tokens file of three tenants (entities, orgs, an OAuth client, a small
quota for the third), random secrets, and debug logging with the access log on, so the last
test can search everything the server printed for any secret it was sent or issued.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import orjson
import pytest
import yaml

from refserver import ServerConfig
from refserver._auth import TokenAuthenticator
from refserver._idempotency import fingerprint
from refserver.store import ScopedKey
from refserver.store.sqlite import SqliteStore
from tests._hostile_fixtures import (
    GOOD_BODY,
    LiveServer,
    RawResponse,
    assert_zuora_error,
    live_server,
)
from tests._server_fixtures import assert_conforms, body

ENTITY_1, ENTITY_2 = "e1" + "0" * 30, "e2" + "0" * 30
ORG_1A, ORG_1B, ORG_2 = "o1a" + "0" * 29, "o1b" + "0" * 29, "o2" + "0" * 30
QUOTA_3 = 2  # requests per minute for tenant 3, so its 429 comes quickly
LEASE_SECONDS = 30  # the server's default: a reserved key stays in progress this long


@dataclass(frozen=True)
class Tenants:
    """The running server and the secrets of its three tenants."""

    server: LiveServer
    one: bytes
    two: bytes
    three: bytes
    client_secret: str

    def post(
        self, token: bytes, payload: bytes = GOOD_BODY, *headers: tuple[bytes, bytes]
    ) -> RawResponse:
        return self.server.post(payload, *headers, authorization=b"Bearer " + token)


@pytest.fixture(scope="module")
def tenants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tenants]:
    folder = tmp_path_factory.mktemp("tenants")
    one, two, three = (f"tok-{n}-{secrets.token_hex(12)}" for n in ("one", "two", "three"))
    client_secret = f"cs-{secrets.token_hex(12)}"
    document = {
        "oauth_secret": f"os-{secrets.token_hex(12)}",
        "tenants": [
            {
                "id": "1",
                "tokens": [one],
                "entity_ids": [ENTITY_1],
                "org_ids": [ORG_1A, ORG_1B],
                "clients": [{"client_id": "one-client", "client_secret": client_secret}],
            },
            {"id": "2", "tokens": [two], "entity_ids": [ENTITY_2], "org_ids": [ORG_2]},
            {"id": "3", "tokens": [three], "quotas": {"minute": QUOTA_3}},
        ],
    }
    tokens_file = folder / "tokens.yaml"
    tokens_file.write_text(yaml.safe_dump(document))
    args = ("--tokens", str(tokens_file), "--log-level", "debug", "--access-log")
    with live_server(folder, *args) as server:
        yield Tenants(server, one.encode(), two.encode(), three.encode(), client_secret)


def _key() -> tuple[bytes, bytes]:
    return (b"Idempotency-Key", uuid.uuid4().hex.encode("ascii"))


def _created(response: RawResponse) -> tuple[str, str]:
    """The first fulfillment's id and number of a 200."""
    assert response.status == 200, f"{response.status}: {response.body[:300]!r}"
    assert_conforms(response.as_httpx())
    first = response.json()["fulfillments"][0]
    return first["id"], first["fulfillmentNumber"]


def test_one_key_from_two_tenants_is_two_independent_creations(tenants: Tenants) -> None:
    key = _key()
    first_1, first_2 = (
        tenants.post(tenants.one, GOOD_BODY, key),
        tenants.post(tenants.two, GOOD_BODY, key),
    )
    assert _created(first_1)[0] != _created(first_2)[0]
    assert first_1.header("idempotent-replayed") is None
    assert first_2.header("idempotent-replayed") is None
    for token, first in ((tenants.one, first_1), (tenants.two, first_2)):
        replay = tenants.post(token, GOOD_BODY, key)
        assert replay.header("idempotent-replayed") == "true"
        assert replay.body == first.body
        assert replay.header("zuora-request-id") == first.header("zuora-request-id")


def test_another_tenants_key_and_body_get_a_new_answer_not_theirs(tenants: Tenants) -> None:
    key = _key()
    theirs = tenants.post(tenants.one, GOOD_BODY, key)
    mine = tenants.post(tenants.two, GOOD_BODY, key)
    assert mine.header("idempotent-replayed") is None
    assert _created(mine)[0] != _created(theirs)[0]
    assert mine.header("zuora-request-id") != theirs.header("zuora-request-id")
    assert mine.body != theirs.body


def test_another_tenants_key_with_another_body_is_not_a_422(tenants: Tenants) -> None:
    """A 422 would tell tenant 2 that tenant 1 used the key: an existence oracle."""
    key = _key()
    _created(tenants.post(tenants.one, GOOD_BODY, key))
    _created(tenants.post(tenants.two, orjson.dumps(body(2)), key))


def test_another_tenants_key_in_progress_does_not_block(tenants: Tenants) -> None:
    """Tenant 1's key is reserved (in progress) in the shared store; tenant 2 is not held up."""
    name, key = _key()
    stuck = ScopedKey("1", "POST", "/v1/fulfillments", key.decode("ascii"))

    async def reserve() -> None:
        store = await SqliteStore.open(tenants.server.store_url)
        try:
            digest = fingerprint(orjson.loads(GOOD_BODY))
            await store.reserve(stuck, digest, now=time.time(), ttl=86_400, lease=LEASE_SECONDS)
        finally:
            await store.close()

    asyncio.run(reserve())
    assert tenants.post(tenants.one, GOOD_BODY, (name, key)).status == 409
    _created(tenants.post(tenants.two, GOOD_BODY, (name, key)))


def test_numbers_do_not_reveal_another_tenants_volume(tenants: Tenants) -> None:
    before = int(_created(tenants.post(tenants.two))[1].removeprefix("F-"))
    for _ in range(3):
        _created(tenants.post(tenants.one))
    after = int(_created(tenants.post(tenants.two))[1].removeprefix("F-"))
    assert after == before + 1


@pytest.mark.parametrize(
    ("header", "value"),
    [
        pytest.param(b"Zuora-Entity-Ids", ENTITY_2, id="other-tenants-entity"),
        pytest.param(b"Zuora-Entity-Ids", f"{ENTITY_1},{ENTITY_2}", id="own-and-other-entity"),
        pytest.param(b"Zuora-Org-Ids", ORG_2, id="other-tenants-org"),
        pytest.param(b"Zuora-Org-Ids", f"{ORG_1A},{ORG_2}", id="own-and-other-org"),
        pytest.param(b"Zuora-Org-Ids", ORG_1A.upper(), id="org-case-changed"),
        pytest.param(b"Zuora-Entity-Ids", "e" * 1024, id="unknown-entity"),
    ],
)
def test_entities_and_orgs_out_of_reach_get_403_and_create_nothing(
    tenants: Tenants, header: bytes, value: str
) -> None:
    before = int(_created(tenants.post(tenants.one))[1].removeprefix("F-"))
    response = tenants.post(tenants.one, GOOD_BODY, (header, value.encode("ascii")), _key())
    document = assert_zuora_error(response, 403, 10)
    assert set(document) == {"code", "message"}
    after = int(_created(tenants.post(tenants.one))[1].removeprefix("F-"))
    assert after == before + 1, "the refused request created a fulfillment"


@pytest.mark.parametrize(
    ("header", "value"),
    [
        (b"Zuora-Entity-Ids", ENTITY_1),
        (b"Zuora-Org-Ids", f"{ORG_1B}, {ORG_1A}"),
        (b"Zuora-Org-Ids", ""),
    ],
)
def test_entities_and_orgs_within_reach_are_served(
    tenants: Tenants, header: bytes, value: str
) -> None:
    _created(tenants.post(tenants.one, GOOD_BODY, (header, value.encode("ascii"))))


def test_one_tenants_rate_limit_does_not_block_another(tenants: Tenants) -> None:
    limited = 0
    for _ in range(2 * QUOTA_3 + 2):  # enough for a 429 even if a minute turns over once
        response = tenants.post(tenants.three)
        if response.status == 429:
            assert_zuora_error(response, 429, 70)
            limited += 1
        _created(tenants.post(tenants.two))
    assert limited > 0


def _oauth_token(tenants: Tenants) -> bytes:
    form = urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": "one-client",
            "client_secret": tenants.client_secret,
        }
    ).encode("ascii")
    request = (
        b"POST /oauth/token HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n\r\n" % len(form)
    ) + form
    response = tenants.server.send(request)
    assert response.status == 200, response.body
    token: str = response.json()["access_token"]
    return token.encode("ascii")


def test_tokens_and_secrets_never_reach_the_logs(tenants: Tenants) -> None:
    issued = _oauth_token(tenants)
    unknown = f"tok-unknown-{secrets.token_hex(12)}".encode()
    sent = 0
    for token in (tenants.one, tenants.two, tenants.three, issued, unknown):
        for headers in ((), (_key(),), ((b"Zuora-Org-Ids", ORG_2.encode()),)):
            tenants.post(token, GOOD_BODY, *headers)
            sent += 1
    assert _created(tenants.post(issued)) is not None
    log = tenants.server.output()
    assert log.count('"POST /v1/fulfillments HTTP/1.1"') >= sent, "the access log is not on"
    for secret in (tenants.one, tenants.two, tenants.three, issued, unknown):
        assert secret.decode() not in log
        assert secret.decode()[-16:] not in log
    assert tenants.client_secret not in log


def test_the_tokens_file_replaces_the_development_tokens(tenants: Tenants) -> None:
    tenants.server.assert_healthy(tenants.one)
    assert_zuora_error(tenants.server.post(GOOD_BODY), 401, 11)  # sends dev-token


class _Spy:
    """Records every `hmac.compare_digest` call and its result."""

    def __init__(self) -> None:
        self.calls: list[tuple[bytes, bytes, bool]] = []
        self._real = hmac.compare_digest

    def __call__(self, a: bytes, b: bytes) -> bool:
        result = self._real(a, b)
        self.calls.append((bytes(a), bytes(b), result))
        return result

    def operands(self, *, matched: bool | None = None) -> set[bytes]:
        """Every value compared (only those of calls with this result, when given)."""
        chosen = [(a, b) for a, b, r in self.calls if matched is None or r is matched]
        return {a for a, _ in chosen} | {b for _, b in chosen}


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def test_static_tokens_are_decided_by_compare_digest_against_every_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Constant time: the verdict comes from compare_digest, and no token is skipped early."""
    config = ServerConfig.development()
    known = {_digest(token) for token in config.tokens}
    spy = _Spy()
    monkeypatch.setattr(hmac, "compare_digest", spy)
    authenticator = TokenAuthenticator(config)
    for token, tenant in config.tokens.items():
        spy.calls.clear()
        found = authenticator.authenticate(f"Bearer {token}", now=0.0)
        assert found is not None
        assert found.id == tenant
        assert spy.operands(matched=True) == {_digest(token)}
        assert spy.operands() >= known
    spy.calls.clear()
    assert authenticator.authenticate("Bearer not-a-token", now=0.0) is None
    assert spy.operands() >= known
    assert not spy.operands(matched=True)


def test_signed_tokens_are_decided_by_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    authenticator = TokenAuthenticator(ServerConfig.development())
    issued = authenticator.issue("dev-client", "dev-secret", now=0.0)
    assert issued is not None
    spy = _Spy()
    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert authenticator.authenticate(f"Bearer {issued.access_token}", now=1.0) is not None
    assert [result for _, _, result in spy.calls] == [True]
    spy.calls.clear()
    head, _, signature = issued.access_token.rpartition(".")
    forged = f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"  # 6 bits changed
    assert authenticator.authenticate(f"Bearer {forged}", now=1.0) is None
    assert [result for _, _, result in spy.calls] == [False]
