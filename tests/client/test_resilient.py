"""The resilient client against the real reference server, with a fault proxy in between.

Every test counts what the server's SQLite store holds afterwards: a logical call creates its
fulfillments exactly once, whatever the proxy did to the attempts in between.
"""

from __future__ import annotations

import gzip
import json
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fulfillments_client import AuthenticatedClient
from fulfillments_client.api.fulfillments import create_fulfillment
from fulfillments_client.models import CreateFulfillmentContentEncoding, CreateFulfillmentsRequest
from fulfillments_contract import load_contract

from resilient_client import (
    HEADER_RULES,
    WHY_NOT_RETRIED,
    AsyncResilientClient,
    CorrectionNeeded,
    FulfillmentsResult,
    HeaderValueError,
    ResilientClient,
    RetriesExhausted,
    RetryPolicy,
    UnexpectedResponse,
)
from resilient_client._info import retry_after_seconds
from resilient_client._limits import check_headers
from resilient_client._policy import is_retried_status
from tests._resilient_fixtures import (
    Fault,
    FaultProxy,
    Step,
    answer,
    count_created,
    created_count,
)
from tests._server_fixtures import ServerProcess, serve

TOKEN = "dev-token"
JITTER = 0.5  # fixed, so every backoff is exactly half its ceiling
FIRST_BACKOFF = RetryPolicy().backoff(1, JITTER)


@dataclass
class FakeTime:
    """A clock that only sleeping moves; the sleeps are recorded instead of waited."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@dataclass(frozen=True)
class Server:
    """The running reference server and the SQLite file it stores into."""

    process: ServerProcess
    database: Path

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.process.url.removeprefix("http://").split(":")
        return host, int(port)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("refserver")
    database = folder / "store.db"
    with serve("--store", f"sqlite:///{database}", folder=folder) as process:
        yield Server(process, database)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


ProxyFactory = Callable[..., FaultProxy]


@pytest.fixture
def proxy(server: Server) -> Iterator[ProxyFactory]:
    """Start a fault proxy in front of the server with the given script steps."""
    started: list[FaultProxy] = []

    def start(*steps: Step) -> FaultProxy:
        running = FaultProxy(server.address, steps).__enter__()
        started.append(running)
        return running

    yield start
    for running in started:
        running.__exit__()


def _client(url: str, fake_time: FakeTime, **options: Any) -> ResilientClient:
    policy = options.pop("policy", RetryPolicy(attempt_timeout=5.0))
    return ResilientClient(
        url,
        options.pop("token", TOKEN),
        policy=policy,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        jitter=lambda: JITTER,
        **options,
    )


def _order(line_item: str, count: int = 1, **options: Any) -> dict[str, Any]:
    """A valid request body for `count` fulfillments of one line item."""
    fulfillment = {"orderLineItemId": line_item, "fulfillmentDate": "2022-01-01", "quantity": 5}
    body: dict[str, Any] = {"fulfillments": [dict(fulfillment) for _ in range(count)]}
    if options:
        body["processingOptions"] = options
    return body


def _line_item() -> str:
    return secrets.token_hex(16)  # 32 lowercase hex characters, like Zuora's ids


def _ids(result: FulfillmentsResult) -> list[str]:
    return [f.id for f in result.body.fulfillments]


def _keys(running: FaultProxy) -> set[str]:
    return {exchange.headers["idempotency-key"] for exchange in running.exchanges}


# --- Typed results -----------------------------------------------------------------------------


def test_one_call_creates_once_and_exposes_the_headers_typed(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running, item = proxy(), _line_item()
    with _client(running.url, fake_time) as client:
        result = client.create_fulfillment(_order(item, 2), track_id="order-sync-7f3a")
    assert len(_ids(result)) == 2
    info = result.info
    assert info.status == 200
    assert info.replayed is False
    assert info.track_id == "order-sync-7f3a"
    assert info.request_id is not None
    assert len(info.request_id) == 36
    assert info.rate_limit is not None
    assert isinstance(info.rate_limit.remaining, int)
    assert isinstance(info.rate_limit.reset_seconds, int)
    assert info.concurrency_limit is not None
    assert info.concurrency_limit.type == "Default"
    assert isinstance(info.concurrency_limit.limit, int)
    assert len(result.attempts) == 1
    assert running.exchanges[0].headers["idempotency-key"] == result.idempotency_key
    assert created_count(server.database, item) == 2


# --- Faults: one key, one creation -------------------------------------------------------------


def test_a_dropped_connection_is_retried_with_the_same_key(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running, item = proxy(Step(Fault.DROP)), _line_item()
    with _client(running.url, fake_time) as client:
        result = client.create_fulfillment(_order(item))
    assert [e.fault for e in running.exchanges] == [Fault.DROP, Fault.PASS]
    assert running.exchanges[0].upstream_status is None  # the server never saw the first
    assert _keys(running) == {result.idempotency_key}
    assert result.info.replayed is False
    assert fake_time.sleeps == [FIRST_BACKOFF]
    assert result.attempts[0].error is not None
    assert created_count(server.database, item) == 1


def test_a_lost_response_is_replayed_with_the_same_ids(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running, item = proxy(Step(Fault.LOSE_RESPONSE)), _line_item()
    with _client(running.url, fake_time) as client:
        result = client.create_fulfillment(_order(item))
    lost = running.exchanges[0]
    assert lost.upstream_status == 200  # the server created them; the client never heard
    assert _keys(running) == {result.idempotency_key}
    assert result.info.replayed is True
    assert _ids(result) == [f["id"] for f in lost.upstream_json()["fulfillments"]]
    assert result.info.request_id == lost.upstream_headers["zuora-request-id"]
    assert created_count(server.database, item) == 1


def test_an_answer_held_past_the_timeout_is_replayed(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running, item = proxy(Step(Fault.HOLD)), _line_item()
    policy = RetryPolicy(attempt_timeout=1.0)
    with _client(running.url, fake_time, policy=policy) as client:
        result = client.create_fulfillment(_order(item))
    held = running.exchanges[0]
    assert held.upstream_status == 200
    assert result.attempts[0].error is not None
    assert "Timeout" in result.attempts[0].error
    assert result.info.replayed is True
    assert _ids(result) == [f["id"] for f in held.upstream_json()["fulfillments"]]
    assert _keys(running) == {result.idempotency_key}
    assert created_count(server.database, item) == 1


def test_retry_after_of_a_429_is_honoured(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running, item = proxy(answer(429, retry_after=3)), _line_item()
    with _client(running.url, fake_time) as client:
        result = client.create_fulfillment(_order(item))
    assert fake_time.sleeps == [3.0]  # longer than the backoff, so Retry-After decides
    assert [a.status for a in result.attempts] == [429, 200]
    assert _keys(running) == {result.idempotency_key}
    assert created_count(server.database, item) == 1


@pytest.mark.parametrize("status", [409, 500, 502, 503, 504])
def test_a_retryable_status_once_then_success(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime, status: int
) -> None:
    running, item = proxy(answer(status)), _line_item()
    with _client(running.url, fake_time) as client:
        result = client.create_fulfillment(_order(item))
    assert [a.status for a in result.attempts] == [status, 200]
    assert len(running.exchanges) == 2
    assert _keys(running) == {result.idempotency_key}
    assert created_count(server.database, item) == 1


def test_a_gateway_error_page_that_is_not_json_is_retried(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    page = answer(500, body=b"<html>upstream failed</html>", content_type="text/html")
    running, item = proxy(page), _line_item()
    with _client(running.url, fake_time) as client:
        result = client.create_fulfillment(_order(item))
    assert [a.status for a in result.attempts] == [500, 200]
    assert created_count(server.database, item) == 1


def test_concurrent_calls_with_one_key_create_once(server: Server, proxy: ProxyFactory) -> None:
    running, item, key = proxy(), _line_item(), secrets.token_hex(8)
    results: list[FulfillmentsResult] = []
    barrier = threading.Barrier(4)

    def call() -> None:
        policy = RetryPolicy(max_attempts=20, base_delay=0.01, max_delay=0.2, attempt_timeout=5.0)
        with ResilientClient(running.url, TOKEN, policy=policy) as client:
            barrier.wait(timeout=10)
            results.append(client.create_fulfillment(_order(item), idempotency_key=key))

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 4
    assert len({tuple(_ids(r)) for r in results}) == 1
    assert sum(not r.info.replayed for r in results) == 1
    assert created_count(server.database, item) == 1


# --- Limits of retrying --------------------------------------------------------------------------


def test_retries_stop_at_max_attempts_and_name_the_key(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running, item = proxy(*[answer(503)] * 3), _line_item()
    policy = RetryPolicy(max_attempts=3, attempt_timeout=5.0)
    with (
        _client(running.url, fake_time, policy=policy) as client,
        pytest.raises(RetriesExhausted) as caught,
    ):
        client.create_fulfillment(_order(item))
    assert [a.status for a in caught.value.attempts] == [503, 503, 503]
    assert len(running.exchanges) == 3
    assert caught.value.idempotency_key in str(caught.value)
    assert fake_time.sleeps == [RetryPolicy().backoff(n, JITTER) for n in (1, 2)]
    assert created_count(server.database, item) == 0


def test_retries_stop_when_retry_after_passes_the_time_budget(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running = proxy(answer(429, retry_after=120))
    policy = RetryPolicy(max_total_seconds=30.0, attempt_timeout=5.0)
    with (
        _client(running.url, fake_time, policy=policy) as client,
        pytest.raises(RetriesExhausted, match="past the 30 s budget"),
    ):
        client.create_fulfillment(_order(_line_item()))
    assert len(running.exchanges) == 1
    assert fake_time.sleeps == []


# --- Never retried ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", sorted(WHY_NOT_RETRIED))
def test_a_status_that_needs_a_correction_is_never_retried(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime, status: int
) -> None:
    running = proxy(answer(status))
    with _client(running.url, fake_time) as client, pytest.raises(CorrectionNeeded) as caught:
        client.create_fulfillment(_order(_line_item()))
    assert len(running.exchanges) == 1
    assert fake_time.sleeps == []
    assert caught.value.status == status
    assert caught.value.why == WHY_NOT_RETRIED[status]
    assert f"{status}, not retried: " in str(caught.value)


def test_a_422_from_the_server_for_a_reused_key_is_not_retried(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running, first, second = proxy(), _line_item(), _line_item()
    with _client(running.url, fake_time) as client:
        original = client.create_fulfillment(_order(first))
        with pytest.raises(CorrectionNeeded) as caught:
            client.create_fulfillment(_order(second), idempotency_key=original.idempotency_key)
    assert caught.value.status == 422
    assert "different body" in str(caught.value)
    assert len(running.exchanges) == 2  # one for each call: the 422 was not retried
    assert created_count(server.database, second) == 0


def test_a_business_rule_400_from_the_server_is_not_retried(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running = proxy()
    body = _order(_line_item(), collectPayment=True)  # collectPayment needs runBilling
    with _client(running.url, fake_time) as client, pytest.raises(CorrectionNeeded) as caught:
        client.create_fulfillment(body)
    assert caught.value.status == 400
    assert any(code.endswith("30") for code, _ in caught.value.reasons)
    assert len(running.exchanges) == 1


def test_a_401_from_the_server_is_not_retried(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running = proxy()
    with (
        _client(running.url, fake_time, token="not-a-token") as client,
        pytest.raises(CorrectionNeeded, match="get a new token"),
    ):
        client.create_fulfillment(_order(_line_item()))
    assert len(running.exchanges) == 1


@pytest.mark.parametrize(
    ("step", "message"),
    [
        pytest.param(answer(404), "404 Not Found is not an answer this call retries", id="404"),
        pytest.param(
            answer(200, body=b'{"success": true}'),
            "the body is not a CreateFulfillmentsResponse",
            id="200-without-fulfillments",
        ),
    ],
)
def test_an_answer_the_contract_does_not_describe_is_not_retried(
    proxy: ProxyFactory, fake_time: FakeTime, step: Step, message: str
) -> None:
    running = proxy(step)
    with _client(running.url, fake_time) as client, pytest.raises(UnexpectedResponse) as caught:
        client.create_fulfillment(_order(_line_item()))
    assert message in str(caught.value)
    assert caught.value.status == step.status
    assert len(running.exchanges) == 1


# --- Header limits, checked before sending ---------------------------------------------------

BAD_HEADERS = [
    pytest.param({"idempotency_key": "k" * 256}, "Idempotency-Key", id="key-too-long"),
    pytest.param({"idempotency_key": ""}, "Idempotency-Key", id="key-empty"),
    pytest.param({"idempotency_key": "with space"}, "Idempotency-Key", id="key-space"),
    pytest.param({"idempotency_key": "clé"}, "Idempotency-Key", id="key-not-ascii"),
    pytest.param({"track_id": "t" * 65}, "Zuora-Track-Id", id="track-too-long"),
    pytest.param({"track_id": "a:b"}, "Zuora-Track-Id", id="track-colon"),
    pytest.param({"track_id": "a;b"}, "Zuora-Track-Id", id="track-semicolon"),
    pytest.param({"track_id": 'a"b'}, "Zuora-Track-Id", id="track-double-quote"),
    pytest.param({"track_id": "a'b"}, "Zuora-Track-Id", id="track-single-quote"),
    pytest.param({"track_id": "naïve"}, "Zuora-Track-Id", id="track-not-ascii"),
    pytest.param({"track_id": "trailing "}, "Zuora-Track-Id", id="track-trailing-space"),
    pytest.param({"version": "2" * 65}, "Zuora-Version", id="version-too-long"),
    pytest.param({"org_ids": "a\r\nX-Injected: 1"}, "Zuora-Org-Ids", id="org-ids-newline"),
]


@pytest.mark.parametrize(("arguments", "header"), BAD_HEADERS)
def test_a_header_beyond_the_contract_raises_before_any_byte_is_sent(
    proxy: ProxyFactory, fake_time: FakeTime, arguments: dict[str, str], header: str
) -> None:
    running = proxy()
    with _client(running.url, fake_time) as client, pytest.raises(HeaderValueError) as caught:
        client.create_fulfillment(_order(_line_item()), **arguments)
    assert isinstance(caught.value, ValueError)
    assert caught.value.header == header
    assert str(caught.value).startswith(f"{header}: ")
    assert running.connections == 0


def test_headers_at_the_limits_are_sent_and_accepted(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running, item = proxy(), _line_item()
    key, track = "~" + "k" * 254, "#&(9<~" + "t" * 58
    with _client(running.url, fake_time) as client:
        result = client.create_fulfillment(_order(item), idempotency_key=key, track_id=track)
    assert result.idempotency_key == key
    assert result.info.track_id == track
    assert created_count(server.database, item) == 1


def test_a_track_id_with_inner_spaces_passes_the_check() -> None:
    check_headers({"Zuora-Track-Id": "trace 1/2", "Idempotency-Key": "k-1"})


def test_the_header_limits_are_the_contracts() -> None:
    contract = load_contract()
    caller_set = {
        rule.name for rule in contract.header_rules.values() if not rule.key.endswith("-encoding")
    }
    assert set(HEADER_RULES) == caller_set
    for name, rule in HEADER_RULES.items():
        assert rule is contract.header_rule(name), name
    assert HEADER_RULES["Idempotency-Key"].max_length == 255  # Zuora's limit
    assert HEADER_RULES["Zuora-Track-Id"].max_length == 64  # Zuora's limit


# --- gzip request bodies ---------------------------------------------------------------------


def test_a_gzip_body_decodes_on_the_server_to_the_same_request_as_the_plain_one(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running, item = proxy(), _line_item()
    body = _order(item, 20)  # about 1.6 KB of JSON
    with _client(running.url, fake_time) as plain:
        first = plain.create_fulfillment(body)
    with _client(running.url, fake_time, compress_over=1000) as zipped:
        second = zipped.create_fulfillment(body, idempotency_key=first.idempotency_key)
    sent_plain, sent_gzip = running.exchanges
    assert "content-encoding" not in sent_plain.headers
    assert sent_gzip.headers["content-encoding"] == "gzip"
    assert sent_gzip.body[:2] == b"\x1f\x8b"
    assert gzip.decompress(sent_gzip.body) == sent_plain.body
    assert len(sent_gzip.body) < len(sent_plain.body)
    # The server fingerprints the decoded body: the same key with a different body would be 422.
    assert second.info.replayed is True
    assert _ids(second) == _ids(first)
    assert created_count(server.database, item) == 20


def test_a_body_under_compress_over_is_sent_plain(proxy: ProxyFactory, fake_time: FakeTime) -> None:
    running = proxy()
    with _client(running.url, fake_time, compress_over=100_000) as client:
        client.create_fulfillment(_order(_line_item()))
    (sent,) = running.exchanges
    assert "content-encoding" not in sent.headers
    assert json.loads(sent.body)["fulfillments"][0]["quantity"] == 5


def test_the_generated_client_alone_labels_a_plain_body_gzip_and_the_layer_does_not(
    proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running = proxy()
    model = CreateFulfillmentsRequest.from_dict(_order(_line_item()))
    gzip_label = CreateFulfillmentContentEncoding.GZIP
    with AuthenticatedClient(base_url=running.url, token=TOKEN) as bare:
        alone = create_fulfillment.sync_detailed(
            client=bare, body=model, content_encoding=gzip_label
        )
    with _client(running.url, fake_time) as layered:
        fixed = create_fulfillment.sync_detailed(
            client=layered.api, body=model, content_encoding=gzip_label
        )
    footgun, guarded = running.exchanges
    assert footgun.headers["content-encoding"] == "gzip"
    assert footgun.body.startswith(b"{")  # labelled gzip, sent plain
    assert alone.status_code == 400
    assert guarded.headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(guarded.body)) == json.loads(footgun.body)
    assert fixed.status_code == 200


# --- The async twin --------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_async_client_replays_a_lost_response(
    server: Server, proxy: ProxyFactory, fake_time: FakeTime
) -> None:
    running, item = proxy(Step(Fault.LOSE_RESPONSE)), _line_item()
    async with AsyncResilientClient(
        running.url,
        TOKEN,
        policy=RetryPolicy(attempt_timeout=5.0),
        compress_over=0,
        sleep=fake_time.async_sleep,
        clock=fake_time.clock,
        jitter=lambda: JITTER,
    ) as client:
        result = await client.create_fulfillment(_order(item))
    assert result.info.replayed is True
    assert _ids(result) == [f["id"] for f in running.exchanges[0].upstream_json()["fulfillments"]]
    assert all(e.body[:2] == b"\x1f\x8b" for e in running.exchanges)
    assert _keys(running) == {result.idempotency_key}
    assert fake_time.sleeps == [FIRST_BACKOFF]
    assert await count_created(server.database, item) == 1


# --- The policy's arithmetic -----------------------------------------------------------------


def test_backoff_doubles_up_to_its_cap_and_jitter_scales_it() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    assert [policy.backoff(n, 1.0) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert policy.backoff(3, 0.25) == 0.5
    assert policy.backoff(3, 0.0) == 0.0
    assert policy.wait(1, 1.0, retry_after=7.0) == 7.0
    assert policy.wait(4, 1.0, retry_after=1.0) == 4.0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
    assert retry_after_seconds("12", now) == 12.0
    assert retry_after_seconds("Tue, 14 Nov 2023 22:13:50 GMT", now) == 30.0
    assert retry_after_seconds("Tue, 14 Nov 2023 22:13:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_a_policy_that_cannot_work_is_refused() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="attempt_timeout"):
        RetryPolicy(attempt_timeout=0)


def test_no_status_is_both_retried_and_never_retried() -> None:
    assert not [s for s in WHY_NOT_RETRIED if is_retried_status(s)]
    assert httpx.codes.TOO_MANY_REQUESTS not in WHY_NOT_RETRIED
