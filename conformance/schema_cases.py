"""Keeping Schemathesis's generated cases honest before they are sent.

A generator can produce what a client never could, or what the contract itself forbids
for reasons outside the schema. Each adjustment keeps a case valid if it was valid:

| adjustment                          | why                                                        |
|-------------------------------------|------------------------------------------------------------|
| drop `Content-Encoding: gzip`       | the generator sends plain JSON; gzip is tested separately  |
| make each valid Idempotency-Key new | a repeated key meets a stored answer (replay or 422)       |
| use LINE_ITEM_IDS, when given       | a strict server accepts only line items that exist         |
| satisfy the documented rules of     | `collectPayment`/`billingOptions` need `runBilling`, ...:  |
| `processingOptions` (valid cases)   | a 400 for them is the contract, not a rejection of the data|

The Schemathesis hook is global; it acts only while a run has published its adjuster here.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from fulfillments_contract import Contract
from schemathesis import GenerationMode

from conformance.client import header_of
from conformance.keyspace import MIN_RANDOM_LENGTH, KeySpace

__all__ = ["CaseAdjuster", "adjusting"]

_LINE_ITEM_ID_LENGTH = 32  # ids shorter than the contract's minLength belong to negative cases


class CaseAdjuster:
    """Applies the adjustments of the table above to one run's cases."""

    def __init__(
        self, *, contract: Contract, keys: KeySpace, line_item_ids: tuple[str, ...]
    ) -> None:
        self._key_rule = contract.header_rule(contract.policies.idempotency_header)
        self._keys = keys
        self._line_items = itertools.cycle(line_item_ids) if line_item_ids else None
        self._lock = threading.Lock()

    def adjust(self, case: Any) -> None:
        """Adjust `case` in place."""
        headers = case.headers
        if headers:
            self._drop_gzip_label(headers)
            self._renew_key(headers)
        body = case.body
        if isinstance(body, dict):
            if self._line_items is not None:
                self._use_known_line_items(body)
            meta = case.meta
            if meta is not None and meta.generation.mode is GenerationMode.POSITIVE:
                _satisfy_processing_rules(body)

    def _drop_gzip_label(self, headers: Any) -> None:
        for name in [name for name in headers if name.lower() == "content-encoding"]:
            if str(headers[name]).strip().lower() == "gzip":
                del headers[name]

    def _renew_key(self, headers: Any) -> None:
        name = self._key_rule.name
        key = header_of(headers, name)
        if isinstance(key, str) and self._key_rule.accepts(key):
            for existing in [existing for existing in headers if existing.lower() == name.lower()]:
                del headers[existing]
            headers[name] = self._keys.fresh(max(len(key), MIN_RANDOM_LENGTH))

    def _use_known_line_items(self, body: dict[str, Any]) -> None:
        fulfillments = body.get("fulfillments")
        if not isinstance(fulfillments, list) or self._line_items is None:
            return
        for fulfillment in fulfillments:
            if not isinstance(fulfillment, dict):
                continue
            current = fulfillment.get("orderLineItemId")
            if isinstance(current, str) and len(current) >= _LINE_ITEM_ID_LENGTH:
                with self._lock:
                    fulfillment["orderLineItemId"] = next(self._line_items)


def _satisfy_processing_rules(body: dict[str, Any]) -> None:
    """Make `processingOptions` keep the rules the contract states for it."""
    options = body.get("processingOptions")
    if not isinstance(options, dict):
        return
    if options.get("collectPayment") is True or "billingOptions" in options:
        options["runBilling"] = True
    if "applicationOrder" in options:
        options["applyCredit"] = True
    if options.get("refund") is True and not isinstance(options.get("refundAmount"), int | float):
        options["refundAmount"] = 1


_active: CaseAdjuster | None = None
_lock = threading.Lock()


@contextmanager
def adjusting(adjuster: CaseAdjuster) -> Iterator[CaseAdjuster]:
    """Publish `adjuster` for the length of one Schemathesis run; runs take turns."""
    global _active  # noqa: PLW0603 - the global Schemathesis hook reads it
    with _lock:
        _active = adjuster
        try:
            yield adjuster
        finally:
            _active = None


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: Any) -> None:
    """Adjust every case of a conformance run just before Schemathesis sends it."""
    adjuster = _active
    if adjuster is not None:
        adjuster.adjust(case)
