"""Catalogue mode: fulfillments only for seeded line items that can take them (facts section 11).

| rule                                                     | answer                  |
|----------------------------------------------------------|-------------------------|
| the line item exists for the tenant                      | 400, category 40        |
| the line item is `Booked`                                | 400, category 30        |
| its billing rule is `TriggerAsFulfillmentOccurs`         | 400, category 30        |
| at most 100 fulfillments per line item, this call counted| 400, category 30        |
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from refserver._config import Tenant
from refserver._errors import BUSINESS_RULE, NOT_FOUND, Problem
from refserver.store import Store

__all__ = ["MAX_FULFILLMENTS_PER_LINE_ITEM", "check_catalogue"]

MAX_FULFILLMENTS_PER_LINE_ITEM = 100  # Zuora's limit per sales order line item
_BOOKED = "Booked"
_TRIGGER = "TriggerAsFulfillmentOccurs"


async def check_catalogue(
    store: Store, tenant: Tenant, requested: Sequence[Mapping[str, Any]]
) -> None:
    """Raise 400 with every reason the requested fulfillments break, in request order."""
    items = tenant.line_items or {}
    reasons: list[tuple[int, str]] = []
    wanted: Counter[str] = Counter()
    for i, fulfillment in enumerate(requested):
        line_id = str(fulfillment["orderLineItemId"])
        where = f"fulfillments[{i}].orderLineItemId"
        item = items.get(line_id)
        if item is None:
            reasons.append((NOT_FOUND, f"{where}: order line item {line_id} does not exist"))
            continue
        if item.state != _BOOKED:
            reasons.append(
                (
                    BUSINESS_RULE,
                    f"{where}: order line item {line_id} is {item.state}, not {_BOOKED}",
                )
            )
        if item.billing_rule != _TRIGGER:
            reasons.append(
                (
                    BUSINESS_RULE,
                    f"{where}: order line item {line_id} has billing rule "
                    f"{item.billing_rule}, not {_TRIGGER}",
                )
            )
        wanted[line_id] += 1
    for line_id, count in wanted.items():
        if line_id not in items:
            continue
        existing = await store.count_fulfillments(tenant.id, line_id)
        if existing + count > MAX_FULFILLMENTS_PER_LINE_ITEM:
            reasons.append(
                (
                    BUSINESS_RULE,
                    f"order line item {line_id} would have {existing + count} "
                    f"fulfillments; at most {MAX_FULFILLMENTS_PER_LINE_ITEM} are allowed",
                )
            )
    if reasons:
        raise Problem(400, tuple(reasons))
