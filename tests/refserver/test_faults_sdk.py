"""Zuora's own SDK (zuora-sdk) under the server's faults: what it does, and what an integrator adds.

The SDK retries nothing a POST meets (no 409, 429 or 5xx, no lost answer) and sends an
Idempotency-Key only when given one. `create_once` below is the retry the README shows; these
tests prove it ends with one fulfillment per call and the stored answer, and that the SDK on
its own, retried naively, creates a fulfillment twice.
"""

from __future__ import annotations

import datetime
import importlib
import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import urllib3

from tests._exactly_once_fixtures import SqliteLedger, line_item
from tests._server_fixtures import ServerProcess, serve

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecationWarning"),
]

RETRIED = {409, 429, 500, 502, 503, 504}
PLAN = "lost-response=0.1,429=0.05,reset=0.05,503=0.05"
CALLS = 20


def create_once(sdk: Any, api: Any, request: Any, *, attempts: int = 8) -> Any:
    """One logical creation with Zuora's SDK: one key, reused on every retry (the README's)."""
    key = str(uuid.uuid4())
    for attempt in range(1, attempts + 1):
        try:
            return api.create_fulfillment_with_http_info(
                request, idempotency_key=key, _request_timeout=30
            )
        except sdk.ApiException as error:  # 4xx and 5xx (ServiceException is one)
            if error.status not in RETRIED or attempt == attempts:
                raise
            retry_after = float((error.headers or {}).get("Retry-After") or 0)
        except urllib3.exceptions.HTTPError:  # no answer: lost, reset, timed out
            if attempt == attempts:
                raise
            retry_after = 0.0
        time.sleep(max(retry_after, random.uniform(0, min(8.0, 0.05 * 2**attempt))))
    raise AssertionError("unreachable")


def _header(answer: Any, name: str) -> str | None:
    found = [v for k, v in (answer.headers or {}).items() if k.lower() == name.lower()]
    return found[0] if found else None


@pytest.fixture(scope="module")
def sdk() -> ModuleType:
    return importlib.import_module("zuora_sdk")


def _request(sdk: Any, line: str) -> Any:
    fulfillment = sdk.CreateFulfillment(
        order_line_item_id=line, fulfillment_date=datetime.date(2022, 1, 1), quantity=5
    )
    return sdk.CreateFulfillmentsRequest(fulfillments=[fulfillment])


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[tuple[ServerProcess, SqliteLedger]]:
    path = tmp_path / "store.db"
    args = ("--store", f"sqlite:///{path}", "--faults", PLAN, "--fault-seed", "2")
    with serve(*args, folder=tmp_path) as server:
        yield server, SqliteLedger(path)


def test_the_documented_retry_creates_once_under_faults(
    sdk: Any, faulty: tuple[ServerProcess, SqliteLedger]
) -> None:
    server, ledger = faulty
    answers = {}
    with sdk.ApiClient(sdk.Configuration(host=server.url, access_token="dev-token")) as client:
        api = sdk.FulfillmentsApi(client)
        for index in range(1, CALLS + 1):
            line = line_item(0x5D0 + index)
            answers[line] = create_once(sdk, api, _request(sdk, line))
    stored = ledger.read()
    assert len(stored.states) == CALLS
    assert sum(len(ids) for ids in stored.created.values()) == CALLS
    for line, answer in answers.items():
        assert answer.status_code == 200
        assert stored.created[line] == [answer.data.fulfillments[0].id]
    finals = sorted(answer.raw_data for answer in answers.values())
    assert finals == sorted(stored.bodies.values())  # each final answer is one stored answer
    replayed = [a for a in answers.values() if _header(a, "Idempotent-Replayed") == "true"]
    assert replayed  # some creation's answer was lost and its retry got the stored one


def test_the_sdk_alone_does_not_retry_and_a_naive_retry_creates_twice(
    sdk: Any, tmp_path: Path
) -> None:
    path = tmp_path / "store.db"
    line = line_item(0xD0B1E)
    with (
        serve("--store", f"sqlite:///{path}", folder=tmp_path) as server,
        sdk.ApiClient(sdk.Configuration(host=server.url, access_token="dev-token")) as client,
    ):
        api = sdk.FulfillmentsApi(client)
        with pytest.raises(urllib3.exceptions.ProtocolError, match="without response"):
            api.create_fulfillment(_request(sdk, line), _headers={"Prefer": "fault=lost-response"})
        with pytest.raises(sdk.ApiException) as limited:
            api.create_fulfillment(_request(sdk, line), _headers={"Prefer": "code=429"})
        assert limited.value.status == 429
        api.create_fulfillment(_request(sdk, line))  # the naive retry: no key, so a new request
    assert len(SqliteLedger(path).read().created[line]) == 2
