"""Fulfillment creation and its billing side effects (fact sheet sections 11 and 12).

| processingOptions                  | effect                                                 |
|------------------------------------|--------------------------------------------------------|
| runBilling, deliveries present     | one invoice for the deliveries (`INV00000001`)         |
| runBilling, returns present        | one credit memo for the returns (`CM00000001`)         |
| collectPayment (needs runBilling)  | one payment (`P-00000001`), paidAmount = invoice total |

Amounts are quantity x unit price: the line item's price in catalogue mode, otherwise
`DEFAULT_UNIT_PRICE`. Numbers come from per-tenant counters, so they never repeat; they are
taken in blocks (`refserver/_numbers.py`), so a restart leaves a gap.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from refserver._catalogue import MAX_FULFILLMENTS_PER_LINE_ITEM, LineItemLoad
from refserver._config import DEFAULT_UNIT_PRICE, Tenant
from refserver._errors import BUSINESS_RULE, Problem
from refserver._numbers import NumberBlocks
from refserver._parts import FulfillmentIds
from refserver._types import Created
from refserver.store import Effects, Fulfillment, Store

__all__ = ["BillingEngine", "check_processing_options"]

_RULES = (
    ("collectPayment", "runBilling", "collectPayment cannot be true when runBilling is not true"),
    ("billingOptions", "runBilling", "billingOptions can be given only when runBilling is true"),
    (
        "applicationOrder",
        "applyCredit",
        "applicationOrder can be given only when applyCredit is true",
    ),
)


def check_processing_options(options: Mapping[str, Any]) -> None:
    """Raise 400 (category 30) for each rule the contract's `ProcessingOptions` states."""
    reasons = []
    for field, needs, message in _RULES:
        present = options.get(field) is True if field == "collectPayment" else field in options
        if present and options.get(needs) is not True:
            reasons.append((BUSINESS_RULE, message))
    if options.get("refund") is True and options.get("refundAmount") is None:
        reasons.append((BUSINESS_RULE, "refundAmount is required when refund is true"))
    if reasons:
        raise Problem(400, tuple(reasons))


def _amount(total: float) -> float:
    """The total in cents; one beyond a double (any schema-valid quantity may be sent) is
    reported as the largest double of its sign rather than refusing the request."""
    if math.isfinite(total):
        return round(total, 2)
    return math.copysign(sys.float_info.max, total) if not math.isnan(total) else 0.0


def _number(prefix: str, n: int) -> str:
    return f"{prefix}{n:08d}"


class BillingEngine:
    """Creates fulfillments with numbers from the store and bills them when asked."""

    def __init__(self, store: Store, ids: FulfillmentIds) -> None:
        self._store = store
        self._ids = ids
        self._numbers = NumberBlocks(store)
        self._load = LineItemLoad()

    async def create(self, tenant: Tenant, document: Mapping[str, Any], now: float) -> Created:
        """Check the rules, allocate numbers, and build the 200 body and the effects."""
        options: Mapping[str, Any] = document.get("processingOptions") or {}
        check_processing_options(options)
        requested: Sequence[Mapping[str, Any]] = document["fulfillments"]
        if tenant.line_items is None:
            return await self._build(tenant, options, requested, now)
        settle = await self._load.admit(self._store, tenant, requested)
        try:
            created = await self._build(tenant, options, requested, now)
        except BaseException:
            settle()
            raise
        # the store enforces the limit again when it commits, against every process's rows
        limited = dataclasses.replace(
            created.effects, line_item_limit=MAX_FULFILLMENTS_PER_LINE_ITEM
        )
        return dataclasses.replace(created, effects=limited, settle=settle)

    async def _build(
        self,
        tenant: Tenant,
        options: Mapping[str, Any],
        requested: Sequence[Mapping[str, Any]],
        now: float,
    ) -> Created:
        first = await self._numbers.take(tenant.id, "fulfillment", len(requested))
        created: list[Fulfillment] = []
        answers: list[dict[str, Any]] = []
        totals = {"Delivery": 0.0, "Return": 0.0}
        for offset, item in enumerate(requested):
            kind = str(item.get("fulfillmentType", "Delivery"))
            fid, number = self._ids.new_id(), _number("F-", first + offset)
            item_ids = tuple(self._ids.new_id() for _ in item.get("fulfillmentItems", ()))
            price = DEFAULT_UNIT_PRICE
            if tenant.line_items is not None:
                price = tenant.line_items[item["orderLineItemId"]].unit_price
            totals[kind] += float(item["quantity"]) * price
            stored = {**item, "id": fid, "fulfillmentNumber": number, "fulfillmentType": kind}
            stored.setdefault("state", "Executing")
            created.append(
                Fulfillment(
                    tenant=tenant.id,
                    id=fid,
                    number=number,
                    order_line_item_id=str(item["orderLineItemId"]),
                    fulfillment_type=kind,
                    state=str(stored["state"]),
                    quantity=float(item["quantity"]),
                    body=orjson.dumps(stored, option=orjson.OPT_SORT_KEYS),
                    item_ids=item_ids,
                    created_at=now,
                )
            )
            answers.append(
                {
                    "id": fid,
                    "fulfillmentNumber": number,
                    "fulfillmentItems": [{"id": i} for i in item_ids],
                }
            )
        invoices, memos, payments, paid = await self._bill(tenant, options, created, totals)
        body = orjson.dumps(
            {
                "fulfillments": answers,
                "invoiceNumbers": list(invoices) or None,
                "creditMemoNumbers": list(memos) or None,
                "paymentNumber": payments[0] if payments else None,
                "paidAmount": paid,
                "success": True,
            }
        )
        effects = Effects(tuple(created), invoices, memos, payments)
        return Created(body=body, effects=effects)

    async def _bill(
        self,
        tenant: Tenant,
        options: Mapping[str, Any],
        created: Sequence[Fulfillment],
        totals: Mapping[str, float],
    ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], float | None]:
        if options.get("runBilling") is not True:
            return (), (), (), None
        kinds = {f.fulfillment_type for f in created}
        invoices: tuple[str, ...] = ()
        memos: tuple[str, ...] = ()
        if "Delivery" in kinds:
            invoices = (_number("INV", await self._numbers.take(tenant.id, "invoice", 1)),)
        if "Return" in kinds:
            memos = (_number("CM", await self._numbers.take(tenant.id, "credit_memo", 1)),)
        if options.get("collectPayment") is not True or not invoices:
            return invoices, memos, (), None
        payment = _number("P-", await self._numbers.take(tenant.id, "payment", 1))
        return invoices, memos, (payment,), _amount(totals["Delivery"])
