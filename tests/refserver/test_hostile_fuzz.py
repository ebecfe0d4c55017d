"""Hypothesis over arbitrary bytes into the body decoder, the parser and the whole pipeline.

Whatever comes in, the answer is one of Zuora's: the parts raise only `Problem`, and the app
in process answers only statuses the contract declares, never a 5xx.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refserver import ServerConfig, create_app, default_parts
from refserver._compression import GzipPolicy
from refserver._errors import Problem
from refserver._validator import ContractValidator
from refserver.store.memory import MemoryStore
from tests._server_fixtures import LINE_ITEM, FakeClock, assert_conforms, contract

MAX_DEPTH = 128  # the validator's nesting limit
FUZZ = settings(max_examples=200, deadline=None)
APP_FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)
FIELDS = ["orderLineItemId", "fulfillmentDate", "quantity", "customFields", "fulfillmentItems"]
requests_ = st.fixed_dictionaries(
    {"fulfillments": st.lists(st.dictionaries(st.sampled_from(FIELDS), json_values), max_size=3)},
    optional={"processingOptions": st.dictionaries(st.text(max_size=20), json_values)},
)


def _validator() -> ContractValidator:
    return ContractValidator(contract())


def _problem(call: Callable[[], object]) -> Problem | None:
    """The Problem `call` raised, or None; any other exception propagates and fails the test."""
    try:
        call()
    except Problem as problem:
        return problem
    return None


@FUZZ
@given(raw=st.binary(max_size=2048))
def test_parse_raises_only_a_malformed_json_problem(raw: bytes) -> None:
    problem = _problem(lambda: _validator().parse(raw))
    if problem is not None:
        assert problem.status == 400
        assert [category for category, _ in problem.reasons] == [90]


@FUZZ
@given(document=json_values | requests_)
def test_validate_raises_only_400s_with_short_messages(document: Any) -> None:
    problem = _problem(lambda: _validator().validate(document))
    if problem is not None:
        assert problem.status == 400
        assert {category for category, _ in problem.reasons} <= {20, 21, 22}
        assert all(len(message) <= 300 for _, message in problem.reasons)


@FUZZ
@given(depth=st.integers(1, 1200), kind=st.sampled_from([b"[]", b'{"a":}']))
def test_nesting_is_parsed_up_to_the_limit_and_refused_past_it(depth: int, kind: bytes) -> None:
    opening, closing = (b"[", b"]") if kind == b"[]" else (b'{"a":', b"}")
    raw = opening * depth + b"1" + closing * depth
    if depth <= MAX_DEPTH:
        assert _validator().parse(raw) is not None
    else:
        with pytest.raises(Problem) as raised:
            _validator().parse(raw)
        assert raised.value.reasons[0][0] == 90


def _receive(pieces: list[bytes]) -> Any:
    queue = [{"type": "http.request", "body": p, "more_body": True} for p in pieces]
    queue.append({"type": "http.request", "body": b"", "more_body": False})

    async def receive() -> Mapping[str, Any]:
        return queue.pop(0)

    return receive


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


@FUZZ
@given(data=st.binary(max_size=4096), cuts=st.lists(st.integers(0, 4096), max_size=8))
def test_gzip_split_anywhere_decodes_to_the_same_bytes(data: bytes, cuts: list[int]) -> None:
    policy = GzipPolicy(contract())
    pieces = _split(gzip.compress(data), cuts)
    decoded = asyncio.run(policy.read_body({"content-encoding": "gzip"}, _receive(pieces)))
    assert decoded == data


@FUZZ
@given(raw=st.binary(max_size=2048), coding=st.sampled_from(["gzip", "gzip, gzip", "x-gzip"]))
def test_arbitrary_bytes_labelled_gzip_are_decoded_or_refused_with_400(
    raw: bytes, coding: str
) -> None:
    policy = GzipPolicy(contract())
    problem = _problem(
        lambda: asyncio.run(policy.read_body({"content-encoding": coding}, _receive([raw])))
    )
    assert problem is None or problem.status == 400


@pytest.fixture(scope="module")
def app() -> Iterator[tuple[asyncio.Runner, httpx.AsyncClient]]:
    """The reference app in process on one event loop that every example reuses."""
    runner = asyncio.Runner()
    config = ServerConfig.development()

    async def build() -> httpx.AsyncClient:
        store = await MemoryStore.open("memory://")
        parts = dataclasses.replace(default_parts(config, store), clock=FakeClock())
        transport = httpx.ASGITransport(app=create_app(config, parts=parts))
        return httpx.AsyncClient(transport=transport, base_url="http://refserver")

    client = runner.run(build())
    yield runner, client
    runner.run(client.aclose())
    runner.close()


HEADER_NAMES = [
    "Idempotency-Key",
    "Zuora-Track-Id",
    "Content-Encoding",
    "Content-Type",
    "Accept-Encoding",
    "Zuora-Entity-Ids",
    "Zuora-Org-Ids",
    "Zuora-Version",
    "Authorization",
]
header_values = st.binary(max_size=300).filter(lambda v: b"\r" not in v and b"\n" not in v)
bodies = st.binary(max_size=2048) | requests_.map(json.dumps) | json_values.map(json.dumps)
# json.dumps writes any integer and writes Infinity for infinite floats: more hostile input


@APP_FUZZ
@given(payload=bodies, headers=st.dictionaries(st.sampled_from(HEADER_NAMES), header_values))
def test_the_app_answers_anything_within_the_contract(
    app: tuple[asyncio.Runner, httpx.AsyncClient], payload: str | bytes, headers: dict[str, bytes]
) -> None:
    runner, client = app
    sent = {b"Authorization": b"Bearer dev-token", b"Content-Type": b"application/json"}
    sent.update((name.encode("ascii"), value) for name, value in headers.items())
    response = runner.run(client.post("/v1/fulfillments", content=payload, headers=sent))
    assert response.status_code < 500, response.content
    assert_conforms(response)


@APP_FUZZ
@given(depth=st.integers(100, 1100))
def test_deep_custom_fields_are_answered_without_a_5xx(
    app: tuple[asyncio.Runner, httpx.AsyncClient], depth: int
) -> None:
    inner = b'{"a":' * depth + b"1" + b"}" * depth
    item = b'{"orderLineItemId":"%s","fulfillmentDate":"2022-01-01","quantity":1,"customFields":'
    payload = b'{"fulfillments":[' + item % LINE_ITEM.encode() + inner + b"}]}"
    runner, client = app
    headers = {"Authorization": "Bearer dev-token", "Content-Type": "application/json"}
    response = runner.run(
        client.post(
            "/v1/fulfillments", content=payload, headers={**headers, "Idempotency-Key": f"d{depth}"}
        )
    )
    assert response.status_code == (200 if depth + 3 <= MAX_DEPTH else 400)
    assert_conforms(response)
