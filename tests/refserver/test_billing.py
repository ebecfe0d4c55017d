"""Billing side effects in default mode, and catalogue mode's line-item rules."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path

import pytest

from refserver import LineItem, ServerConfig, load_tokens_file
from refserver.store.sqlite import SqliteStore
from tests._server_fixtures import LINE_ITEM, fulfillment, in_process

pytestmark = pytest.mark.anyio

RETURN_ITEM = "8a90f50888092efb0188097c3a7c11e8"  # the return line item of Zuora's tutorial
PENDING = "c" * 32
OTHER_RULE = "d" * 32


def _request(*items: dict[str, object], **options: object) -> dict[str, object]:
    request: dict[str, object] = {"fulfillments": list(items)}
    if options:
        request["processingOptions"] = options
    return request


def _catalogue() -> ServerConfig:
    base = ServerConfig.development()
    items = {
        LINE_ITEM: LineItem(LINE_ITEM, unit_price=12.5),
        RETURN_ITEM: LineItem(RETURN_ITEM, type="Return"),
        PENDING: LineItem(PENDING, state="Executing"),
        OTHER_RULE: LineItem(OTHER_RULE, billing_rule="TriggerWithoutFulfillment"),
    }
    tenant = dataclasses.replace(base.tenants["1"], line_items=items)
    return dataclasses.replace(base, tenants={**base.tenants, "1": tenant})


async def test_billing_makes_one_invoice_and_one_credit_memo() -> None:
    async with in_process() as app:
        deliveries = [fulfillment(quantity=2), fulfillment(quantity=3)]
        returned = fulfillment(orderLineItemId=RETURN_ITEM, quantity=2, fulfillmentType="Return")
        response = await app.post(_request(*deliveries, returned, runBilling=True))
        document = response.json()
        assert document["invoiceNumbers"] == ["INV00000001"]
        assert document["creditMemoNumbers"] == ["CM00000001"]
        assert document["paymentNumber"] is None
        assert document["paidAmount"] is None
        paid = await app.post(_request(*deliveries, runBilling=True, collectPayment=True))
        assert paid.json()["invoiceNumbers"] == ["INV00000002"]
        assert paid.json()["creditMemoNumbers"] is None
        assert paid.json()["paymentNumber"] == "P-00000001"
        assert paid.json()["paidAmount"] == 150.0  # 5 units at the default price of 30
        other = await app.post(_request(fulfillment(), runBilling=True), token="dev-token-2")
        assert other.json()["invoiceNumbers"] == ["INV00000001"]  # numbers are per tenant


async def test_returns_alone_are_credited_and_nothing_is_paid() -> None:
    async with in_process() as app:
        returned = fulfillment(orderLineItemId=RETURN_ITEM, quantity=2, fulfillmentType="Return")
        response = await app.post(_request(returned, runBilling=True, collectPayment=True))
        document = response.json()
        assert document["invoiceNumbers"] is None
        assert document["creditMemoNumbers"] == ["CM00000001"]
        assert document["paymentNumber"] is None
        assert document["paidAmount"] is None


async def test_without_run_billing_nothing_is_billed() -> None:
    async with in_process() as app:
        document = (await app.post(_request(fulfillment()))).json()
        assert [
            document[k]
            for k in ("invoiceNumbers", "creditMemoNumbers", "paymentNumber", "paidAmount")
        ] == [None] * 4


async def test_any_schema_valid_quantity_is_billed() -> None:
    async with in_process() as app:
        huge = [fulfillment(quantity=1.7e308), fulfillment(quantity=1.7e308)]
        response = await app.post(_request(*huge, runBilling=True, collectPayment=True))
        assert response.status_code == 200
        assert response.json()["paidAmount"] == sys.float_info.max  # capped, never inf or null
        plain = await app.post(_request(fulfillment(quantity=1e308)))
        assert plain.status_code == 200
        negative = await app.post(
            _request(fulfillment(quantity=-2.5), runBilling=True, collectPayment=True)
        )
        assert negative.json()["paidAmount"] == -75.0


async def test_catalogue_uses_the_line_items_price() -> None:
    async with in_process(_catalogue()) as app:
        response = await app.post(
            _request(fulfillment(quantity=4), runBilling=True, collectPayment=True)
        )
        assert response.status_code == 200
        assert response.json()["paidAmount"] == 50.0


@pytest.mark.parametrize(
    ("line_item", "code", "fragment"),
    [
        ("e" * 32, 53600040, "does not exist"),
        (PENDING, 53600030, "not Booked"),
        (OTHER_RULE, 53600030, "TriggerAsFulfillmentOccurs"),
    ],
)
async def test_catalogue_rules(line_item: str, code: int, fragment: str) -> None:
    async with in_process(_catalogue()) as app:
        response = await app.post(_request(fulfillment(orderLineItemId=line_item)))
        assert response.status_code == 400
        reason = response.json()["reasons"][0]
        assert reason["code"] == code
        assert fragment in reason["message"]
        assert "fulfillments[0].orderLineItemId" in reason["message"]
        other_tenant = await app.post(
            _request(fulfillment(orderLineItemId=line_item)), token="dev-token-2"
        )
        assert other_tenant.status_code == 200  # tenant 2 runs in default mode


async def test_at_most_100_fulfillments_per_line_item() -> None:
    async with in_process(_catalogue()) as app:
        assert (await app.post(_request(*[fulfillment()] * 101))).status_code == 400
        assert (await app.post(_request(*[fulfillment()] * 60))).status_code == 200
        # stored, the 60 are no longer counted as in flight too: 40 more still fit
        assert (await app.post(_request(*[fulfillment()] * 40))).status_code == 200
        over = await app.post(_request(fulfillment()))
        assert over.status_code == 400
        assert "at most 100" in over.json()["reasons"][0]["message"]
        assert (
            await app.post(_request(fulfillment(orderLineItemId=RETURN_ITEM)))
        ).status_code == 200


async def test_concurrent_requests_cannot_together_pass_the_100_limit(tmp_path: Path) -> None:
    """Each check counts the others in flight: SQLite stores a batch only after all checked."""
    store = await SqliteStore.open(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        async with in_process(_catalogue(), store=store) as app:
            assert (await app.post(_request(*[fulfillment()] * 96))).status_code == 200
            answers = await asyncio.gather(*(app.post(_request(fulfillment())) for _ in range(8)))
            assert sorted(answer.status_code for answer in answers) == [200] * 4 + [400] * 4
            assert await store.count_fulfillments("1", LINE_ITEM) == 100
    finally:
        await store.close()


def test_tokens_file_describes_tenants_clients_limits_and_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "tokens.yaml"
    path.write_text(
        f"""
oauth_secret: a shared secret
tenants:
  - id: acme
    tokens: [acme-token]
    clients: [{{client_id: acme-client, client_secret: acme-secret}}]
    entity_ids: [e1]
    org_ids: [o1, o2]
    quotas: {{minute: 10, hour: 100, day: 1000}}
    concurrency_limit: 2
    line_items:
      - {{id: {LINE_ITEM}, unit_price: 7}}
      - {{id: {PENDING}, state: Executing, billing_rule: TriggerWithoutFulfillment, type: Return}}
  - id: beta
    tokens: [beta-token]
""",
        encoding="utf-8",
    )
    config = load_tokens_file(path, store_url="memory://")
    acme = config.tenants["acme"]
    assert config.tokens == {"acme-token": "acme", "beta-token": "beta"}
    assert config.clients["acme-client"].tenant_id == "acme"
    assert config.oauth_secret == "a shared secret"
    assert acme.org_ids == frozenset({"o1", "o2"})
    assert (acme.quotas.per_minute, acme.quotas.per_hour, acme.quotas.per_day) == (10, 100, 1000)
    assert acme.concurrency_limit == 2
    assert acme.line_items is not None
    assert acme.line_items[LINE_ITEM].unit_price == 7.0
    assert acme.line_items[PENDING] == LineItem(
        PENDING, "Executing", "TriggerWithoutFulfillment", "Return", 30.0
    )
    assert config.tenants["beta"].line_items is None
    assert config.tenants["beta"].quotas.per_minute == 50_000
    path.write_text("tenants: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no tenants"):
        load_tokens_file(path)
