"""The request body: media type, strict JSON, the contract's schema and business rules."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest

from tests._server_fixtures import LINE_ITEM, assert_conforms, body, fulfillment, in_process

pytestmark = pytest.mark.anyio

HEX32 = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/xml",
        "application/json; charset=latin-1",
        "application/jsonx",
    ],
)
async def test_other_media_types_get_415(content_type: str | None) -> None:
    async with in_process() as app:
        headers = {"Authorization": "Bearer dev-token"}
        if content_type is not None:
            headers["Content-Type"] = content_type
        response = await app.client.post(
            "/v1/fulfillments", content=orjson.dumps(body()), headers=headers
        )
        assert_conforms(response)
        assert response.status_code == 415
        assert response.json()["success"] is False


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "Application/JSON;charset=UTF-8"]
)
async def test_json_with_utf8_charset_is_accepted(content_type: str) -> None:
    async with in_process() as app:
        response = await app.post(body(), headers={"Content-Type": content_type})
        assert response.status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b'{"fulfillments": [}',
        b'{"fulfillments": NaN}',
        b'{"fulfillments": [{"quantity": Infinity}]}',
        b'{"fulfillments": [{"quantity": 1e400}]}',
        b'{"fulfillments": "\xff\xfe"}',
        b'{"a": "\\ud800"}',
        b"{} trailing",
    ],
)
async def test_malformed_json_gets_400_category_90_and_is_not_stored(raw: bytes) -> None:
    async with in_process() as app:
        response = await app.post(content=raw, headers={"Idempotency-Key": "k"})
        assert response.status_code == 400
        assert response.json()["reasons"][0]["code"] == 53600090
        retry = await app.post(body(), headers={"Idempotency-Key": "k"})
        assert retry.status_code == 200  # nothing was stored under the key


@pytest.mark.parametrize(
    ("payload", "code", "fragment"),
    [
        (
            {
                "fulfillments": [
                    {"fulfillmentDate": "2022-01-01", "quantity": 1, "orderLineItemId": LINE_ITEM}
                ],
                "x": 1,
            },
            53600021,
            "'x'",
        ),
        ({"processingOptions": {}}, 53600022, "'fulfillments' is required in body"),
        ({"fulfillments": []}, 53600022, "'fulfillments' must not be empty"),
        ({"fulfillments": [fulfillment(quantity=None)]}, 53600020, "fulfillments[0].quantity"),
        (
            {"fulfillments": [{"orderLineItemId": LINE_ITEM, "fulfillmentDate": "2022-01-01"}]},
            53600022,
            "'quantity' is required in fulfillments[0]",
        ),
        (
            {"fulfillments": [fulfillment(fulfillmentDate="2022-13-01")]},
            53600020,
            "fulfillments[0].fulfillmentDate",
        ),
        (
            {"fulfillments": [fulfillment(orderLineItemId="short")]},
            53600020,
            "fulfillments[0].orderLineItemId",
        ),
        (
            {"fulfillments": [fulfillment(fulfillmentType="Gift")]},
            53600020,
            "fulfillments[0].fulfillmentType",
        ),
        ({"fulfillments": [fulfillment(carrier="c" * 26)]}, 53600020, "fulfillments[0].carrier"),
        (
            {"fulfillments": [fulfillment(fulfillmentItems=[{"bogus": 1}])]},
            53600021,
            "fulfillments[0].fulfillmentItems[0]",
        ),
        ([1, 2], 53600020, "body"),
        ("text", 53600020, "body"),
    ],
)
async def test_schema_violations_name_the_field(payload: Any, code: int, fragment: str) -> None:
    async with in_process() as app:
        response = await app.post(payload)
        assert response.status_code == 400
        reasons = response.json()["reasons"]
        assert any(r["code"] == code and fragment in r["message"] for r in reasons), reasons


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"collectPayment": True}, "collectPayment"),
        ({"collectPayment": True, "runBilling": False}, "collectPayment"),
        ({"billingOptions": {"documentDate": "2022-01-01"}}, "billingOptions"),
        ({"applicationOrder": ["CreditMemo"]}, "applicationOrder"),
        ({"refund": True}, "refundAmount"),
    ],
)
async def test_processing_option_rules_get_category_30(
    options: dict[str, Any], fragment: str
) -> None:
    async with in_process() as app:
        response = await app.post(body(**options))
        assert response.status_code == 400
        reasons = response.json()["reasons"]
        assert reasons[0]["code"] == 53600030
        assert fragment in reasons[0]["message"]
        assert await app.parts.store.count_fulfillments("1", LINE_ITEM) == 0


async def test_created_fulfillments_have_ids_numbers_and_zuoras_key_order() -> None:
    async with in_process() as app:
        payload = {
            "fulfillments": [
                fulfillment(fulfillmentItems=[{"description": "a"}, {}]),
                fulfillment(),
            ]
        }
        response = await app.post(payload)
        assert response.status_code == 200
        document = response.json()
        assert list(document) == [
            "fulfillments",
            "invoiceNumbers",
            "creditMemoNumbers",
            "paymentNumber",
            "paidAmount",
            "success",
        ]
        first, second = document["fulfillments"]
        assert [first["fulfillmentNumber"], second["fulfillmentNumber"]] == [
            "F-00000001",
            "F-00000002",
        ]
        assert HEX32.match(first["id"])
        assert HEX32.match(second["id"])
        assert len(first["fulfillmentItems"]) == 2
        assert all(HEX32.match(item["id"]) for item in first["fulfillmentItems"])
        assert second["fulfillmentItems"] == []
        assert document["invoiceNumbers"] is None
        assert document["paidAmount"] is None
        assert document["success"] is True
        stored = orjson.loads(await app.parts.store.get_fulfillment("1", first["id"]) or b"null")
        assert stored["state"] == "Executing"
        assert stored["fulfillmentType"] == "Delivery"
        assert await app.parts.store.get_fulfillment("2", first["id"]) is None
        next_one = await app.post(body())
        assert next_one.json()["fulfillments"][0]["fulfillmentNumber"] == "F-00000003"
