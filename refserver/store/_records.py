"""The frozen records the idempotency store keeps, and the effects a creation commits with them.

| record            | what it is                                                                 |
|-------------------|----------------------------------------------------------------------------|
| ScopedKey         | tenant + method + path + Idempotency-Key: the unit a key is unique within  |
| StoredResponse    | status, stored headers and body bytes of the first processed response      |
| IdempotencyRecord | one key's state: in progress (leased to an owner) or completed             |
| Reservation       | proof that this caller reserved a key and owns it until its lease ends     |
| Fulfillment       | one created fulfillment row                                                |
| Effects           | everything a request created, committed atomically with its response      |
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = [
    "Effects",
    "Fulfillment",
    "IdempotencyRecord",
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
