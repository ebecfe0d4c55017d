"""The frozen records the idempotency store keeps, and the effects a creation commits with them.

| record            | what it is                                                                 |
|-------------------|----------------------------------------------------------------------------|
| ScopedKey         | tenant + method + path + Idempotency-Key: the unit a key is unique within  |
| StoredResponse    | status, stored headers and body bytes of the first processed response      |
| IdempotencyRecord | one key's state: in progress (leased to an owner) or completed             |
| Reservation       | proof that this caller reserved a key and owns it until its lease ends     |
| Fulfillment       | one created fulfillment row                                                |
| Effects           | everything a request created, committed atomically with its response      |
| LineItemFull      | raised by `complete` or `save` when the effects would pass their limit     |
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field

__all__ = [
    "Effects",
    "Fulfillment",
    "IdempotencyRecord",
    "LineItemFull",
    "Reservation",
    "ScopedKey",
    "State",
    "StoredResponse",
]


@dataclass(frozen=True, slots=True)
class ScopedKey:
    """A key is unique per tenant, method and path, so two tenants' equal keys never meet."""

    tenant: str
    method: str
    path: str
    key: str


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first processed response under a key, replayed byte for byte."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class State(enum.Enum):
    """Whether a key's first request is still running or has its response stored."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """One key as the store holds it; times are seconds on the store's injected clock."""

    key: ScopedKey
    fingerprint: str
    state: State
    owner: str
    response: StoredResponse | None
    created_at: float
    expires_at: float
    lease_until: float


@dataclass(frozen=True, slots=True)
class Reservation:
    """Returned by `reserve` to the one caller that now owns the key until `lease_until`."""

    key: ScopedKey
    fingerprint: str
    owner: str
    lease_until: float


@dataclass(frozen=True, slots=True)
class Fulfillment:
    """One created fulfillment as stored; `body` is its canonical JSON as the request gave it."""

    tenant: str
    id: str
    number: str
    order_line_item_id: str
    fulfillment_type: str
    state: str
    quantity: float
    body: bytes
    item_ids: tuple[str, ...] = ()
    created_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Effects:
    """What one request created: stored in the same transaction as its idempotent response."""

    fulfillments: tuple[Fulfillment, ...] = ()
    invoice_numbers: tuple[str, ...] = ()
    credit_memo_numbers: tuple[str, ...] = ()
    payment_numbers: tuple[str, ...] = field(default=())
    # at most this many fulfillments per (tenant, line item) once stored, counted inside the
    # storing transaction so that processes sharing the store cannot pass it together; None: no
    # limit (catalogue mode sets Zuora's 100)
    line_item_limit: int | None = None

    def per_line_item(self) -> Counter[str]:
        """How many fulfillments the effects add to each order line item."""
        return Counter(f.order_line_item_id for f in self.fulfillments)

    def check_line_items(self, stored: dict[str, int]) -> None:
        """Raise `LineItemFull` when `stored` (per line item) plus these would pass the limit."""
        limit = self.line_item_limit
        if limit is None:
            return
        for line_id, adding in sorted(self.per_line_item().items()):
            total = stored.get(line_id, 0) + adding
            if total > limit:
                raise LineItemFull(line_id, total, limit)

    @property
    def tenant(self) -> str:
        """The tenant the documents belong to: that of the fulfillments they bill, "" without."""
        return self.fulfillments[0].tenant if self.fulfillments else ""

    def documents(self) -> list[tuple[str, str]]:
        """Every billing document as (kind, number): invoices, credit memos, then payments."""
        return [
            (kind, number)
            for kind, numbers in (
                ("invoice", self.invoice_numbers),
                ("credit_memo", self.credit_memo_numbers),
                ("payment", self.payment_numbers),
            )
            for number in numbers
        ]


class LineItemFull(Exception):
    """The effects would give a line item more fulfillments than their limit; nothing stored."""

    def __init__(self, line_item_id: str, total: int, limit: int) -> None:
        super().__init__(
            f"order line item {line_item_id} would have {total} fulfillments; "
            f"at most {limit} are allowed"
        )
        self.line_item_id = line_item_id
        self.total = total
        self.limit = limit
