"""The server takes its limits from the contract's `x-policies`: change one, the server follows."""

from __future__ import annotations

import dataclasses
import gzip
from typing import Any

import httpx
import orjson
import pytest
from fulfillments_contract import Contract

from refserver import ReferenceServer, ServerConfig
from refserver._compression import GzipPolicy
from refserver._errors import NOT_FOUND, Problem
from refserver._parts import Receive
from refserver._validator import ContractValidator
from tests._server_fixtures import contract, in_process

pytestmark = pytest.mark.anyio

DOCUMENT = b'{"fulfillments": []}'


def _with(**changes: Any) -> Contract:
    """The contract with some of its policies changed."""
    reference = contract()
    return dataclasses.replace(
        reference, policies=dataclasses.replace(reference.policies, **changes)
    )


def _nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def _receive(payload: bytes) -> Receive:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": payload, "more_body": False}

    return receive


def test_the_nesting_limit_is_the_contracts() -> None:
    published = ContractValidator(contract())
    published.parse(_nested(contract().policies.max_json_depth))
    with pytest.raises(Problem, match="deeper than 128 levels"):
        published.parse(_nested(129))
    narrowed = ContractValidator(_with(max_json_depth=7))
    narrowed.parse(_nested(7))
    with pytest.raises(Problem, match="deeper than 7 levels"):
        narrowed.parse(_nested(8))


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "GZIP", "gzip, gzip", "identity, gzip"])
async def test_every_published_spelling_of_gzip_is_read(coding: str) -> None:
    layers = coding.lower().count("gzip")
    payload = DOCUMENT
    for _ in range(layers):
        payload = gzip.compress(payload)
    read = await GzipPolicy(contract()).read_body({"content-encoding": coding}, _receive(payload))
    assert read == DOCUMENT


@pytest.mark.parametrize(
    ("changes", "coding"),
    [
        ({"gzip_aliases": ()}, "x-gzip"),
        ({"codings_ignore_case": False}, "GZIP"),
        ({"stacked_codings": False}, "gzip, gzip"),
    ],
)
async def test_a_spelling_the_contract_withdraws_is_refused(
    changes: dict[str, Any], coding: str
) -> None:
    policy = GzipPolicy(_with(**changes))
    payload = gzip.compress(gzip.compress(DOCUMENT))
    with pytest.raises(Problem) as refused:
        await policy.read_body({"content-encoding": coding}, _receive(payload))
    assert refused.value.status == 415


async def test_answers_outside_the_operation_carry_the_contracts_unattributed_resource() -> None:
    code = contract().policies.unattributed_resource_code * 100 + NOT_FOUND
    assert code == 50000040
    async with in_process() as app:
        missing = await app.client.get("/v1/other")
        wrong = await app.client.get(
            "/v1/fulfillments", headers={"Authorization": "Bearer dev-token"}
        )
    assert (missing.status_code, wrong.status_code) == (404, 405)
    for answer in (missing, wrong):
        assert orjson.loads(answer.content)["reasons"][0]["code"] == code


async def test_a_changed_unattributed_resource_changes_the_code() -> None:
    app = ReferenceServer(ServerConfig(), _with(unattributed_resource_code=512345), None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        missing = await client.get("/v1/other")
    assert orjson.loads(missing.content)["reasons"][0]["code"] == 51234540
