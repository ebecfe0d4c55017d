"""Catalogue mode: fulfillments only for seeded line items that can take them (facts section 11).

| rule                                                     | answer                  |
|----------------------------------------------------------|-------------------------|
| the line item exists for the tenant                      | 400, category 40        |
| the line item is `Booked`                                | 400, category 30        |
| its billing rule is `TriggerAsFulfillmentOccurs`         | 400, category 30        |
| at most 100 fulfillments per line item, this call counted| 400, category 30        |

The limit counts what the store holds plus what this process is creating and has not stored
yet (`LineItemLoad`), so concurrent requests to one process cannot together pass it, and the
answer names every broken rule. Separate processes sharing a store do not see each other's
requests in flight, so the store checks the limit once more inside the transaction that stores
the fulfillments (`Effects.line_item_limit`); a request that loses that race gets the same 400.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from refserver._config import Tenant
from refserver._errors import BUSINESS_RULE, NOT_FOUND, Problem
from refserver.store import Store

__all__ = ["MAX_FULFILLMENTS_PER_LINE_ITEM", "LineItemLoad"]

MAX_FULFILLMENTS_PER_LINE_ITEM = 100  # Zuora's limit per sales order line item
_BOOKED = "Booked"
_TRIGGER = "TriggerAsFulfillmentOccurs"


class LineItemLoad:
    """Fulfillments this process is creating per (tenant, line item), until they are stored."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}  # per tenant: one check at a time
        self._creating: Counter[tuple[str, str]] = Counter()

    async def admit(
        self, store: Store, tenant: Tenant, requested: Sequence[Mapping[str, Any]]
    ) -> Callable[[], None]:
        """Check the rules and count the request in; call the result once to count it out."""
        wanted = Counter(str(f["orderLineItemId"]) for f in requested)
        async with self._locks.setdefault(tenant.id, asyncio.Lock()):
            creating = {line_id: self._creating[tenant.id, line_id] for line_id in wanted}
            await _check(store, tenant, requested, creating)
            for line_id, count in wanted.items():
                self._creating[tenant.id, line_id] += count

        def settle() -> None:
            for line_id, count in wanted.items():
                self._creating[tenant.id, line_id] -= count
                if self._creating[tenant.id, line_id] <= 0:
                    del self._creating[tenant.id, line_id]

        return settle


async def _check(
    store: Store,
    tenant: Tenant,
    requested: Sequence[Mapping[str, Any]],
    creating: Mapping[str, int],
) -> None:
    """Raise 400 with every reason the requested fulfillments break, in request order.

    `creating` adds, per line item, fulfillments being created but not stored yet.
    """
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
        existing += creating[line_id]
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
