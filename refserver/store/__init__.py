"""Idempotency keys and created fulfillments behind one protocol, with interchangeable backends."""

from refserver.store._open import open_store
from refserver.store._protocol import Store
from refserver.store._records import (
    Effects,
    Fulfillment,
    IdempotencyRecord,
    LineItemFull,
    Reservation,
    ScopedKey,
    State,
    StoredResponse,
)

__all__ = [
    "Effects",
    "Fulfillment",
    "IdempotencyRecord",
    "LineItemFull",
    "Reservation",
    "ScopedKey",
    "State",
    "Store",
    "StoredResponse",
    "open_store",
]
