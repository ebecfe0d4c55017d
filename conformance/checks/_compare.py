"""Comparing two answers to the same input, where only server-made identifiers may differ."""

from __future__ import annotations

from typing import Any

__all__ = ["VOLATILE_KEYS", "created_ids", "masked"]

# Values the server makes up for each request: two creations from one input differ only here.
VOLATILE_KEYS = frozenset(
    {
        "id",
        "fulfillmentNumber",
        "processId",
        "requestId",
        "invoiceNumbers",
        "creditMemoNumbers",
        "paymentNumber",
    }
)
_MADE_UP = "<made up by the server>"


def masked(value: Any) -> Any:
    """`value` with every server-made identifier replaced by one placeholder (nulls stay null)."""
    if isinstance(value, dict):
        return {
            key: (_MADE_UP if key in VOLATILE_KEYS and item is not None else masked(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def created_ids(body: Any) -> frozenset[str]:
    """The ids of the fulfillments and items a 200 body says it created."""
    ids: set[str] = set()
    if not isinstance(body, dict) or not isinstance(body.get("fulfillments"), list):
        return frozenset()
    for fulfillment in body["fulfillments"]:
        if not isinstance(fulfillment, dict):
            continue
        if isinstance(fulfillment.get("id"), str):
            ids.add(fulfillment["id"])
        for item in fulfillment.get("fulfillmentItems") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                ids.add(item["id"])
    return frozenset(ids)
