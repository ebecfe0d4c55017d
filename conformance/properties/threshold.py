"""Answers sized to land on the gzip threshold, found by measuring the target's own answers.

The contract compresses bodies over 1000 bytes; an answer far from that size cannot tell `>`
from `>=`, or a threshold counted on the compressed size. Two knobs move an answer's size:

| answer | knob                                            | step                        |
|--------|-------------------------------------------------|-----------------------------|
| 400    | fulfillments with a value outside an enum, and  | one byte per character, on  |
|        | the length of the last one's value, which       | servers that quote it       |
|        | Zuora's error message quotes                    |                             |
| 200    | fulfillments, and items in the first one        | tens of bytes (ids, numbers)|

The search finds, for each knob, the smallest setting whose answer reaches a target size
(`knob_reaching`: interpolated guesses, halving when a guess does poorly), assuming only that
answers grow with the knob; every answer it finds between 990 and 1010 bytes is then
requested with each Accept-Encoding of `THRESHOLD_ACCEPT_ENCODINGS`.
"""

from __future__ import annotations

import copy
import string
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.threshold import NEAR, gzip_threshold_honoured, near_threshold
from conformance.client import Exchange
from conformance.properties.enums import EnumField, request_enums
from conformance.properties.harness import Harness
from conformance.strategies import (
    THRESHOLD_ACCEPT_ENCODINGS,
    encoded,
    invalid_enum_requests,
    order_line_item_ids,
    with_value,
)

__all__ = ["answers_near_the_threshold_are_coded_as_asked", "knob_reaching", "sized_requests"]

LONGEST_VALUE = 200  # characters of an enum value: servers cut longer quotes short
MOST_COPIES = 8  # fulfillments carrying the value: each adds its own reason to the 400
MOST_ITEMS = 40  # items in one fulfillment: about 1700 bytes of ids, past the threshold
MOST_FULFILLMENTS = 10  # fulfillments tried before the 200 search gives up


def knob_reaching(target: int, size_at: Callable[[int], int], *, low: int, high: int) -> int | None:
    """The smallest knob in `low..high` whose answer has at least `target` bytes, or None.

    Each guess interpolates between the bracket's sizes, since answers grow about evenly with
    a knob: on a slow target every size is a round trip, and the guess lands in two or three
    where halving the bracket takes eight. A guess that fails to halve the bracket is
    followed by a halving, so an uneven growth costs at most twice the plain search.
    """
    if size_at(high) < target:
        return None
    if size_at(low) >= target:
        return low
    bisect = False
    while high - low > 1:  # size_at(low) < target <= size_at(high)
        if bisect:
            guess = (low + high) // 2
        else:
            below, above = size_at(low), size_at(high)
            step = -(-(target - below) * (high - low) // (above - below))  # rounded up
            guess = min(max(low + step, low + 1), high - 1)
        width = high - low
        if size_at(guess) >= target:
            high = guess
            if high - 1 > low and size_at(high - 1) < target:
                low = high - 1
        else:
            low = guess
        bisect = not bisect and (high - low) * 2 > width
    return high


def sized_requests(*, fulfillments: int, items: int, line_item_id: str) -> dict[str, Any]:
    """A valid request whose answer grows with `fulfillments` and `items` (in the first one)."""
    made: list[dict[str, Any]] = [
        {"orderLineItemId": line_item_id, "fulfillmentDate": "2024-01-31", "quantity": 1}
        for _ in range(fulfillments)
    ]
    if items:
        made[0]["fulfillmentItems"] = [{} for _ in range(items)]
    return {"fulfillments": made}


class _Measured:
    """Answer sizes of request bodies, each body sent once (plain, so the size is the body's)."""

    def __init__(self, h: Harness) -> None:
        self._h = h
        self._sizes: dict[bytes, int] = {}
        self.closest: Exchange | None = None

    def size(self, document: dict[str, Any]) -> int:
        payload = encoded(document)
        if payload not in self._sizes:
            answer = self._h.post(payload)
            self._sizes[payload] = len(answer.content)
            if self.closest is None or self._distance(answer) < self._distance(self.closest):
                self.closest = answer
        return self._sizes[payload]

    def _distance(self, answer: Exchange) -> int:
        threshold = self._h.context.contract.policies.gzip_threshold
        return abs(len(answer.content) - threshold)


def _error_bodies(
    measured: _Measured, base: dict[str, Any], field: EnumField, letter: str, targets: list[int]
) -> list[dict[str, Any]]:
    """Refused requests whose answers land on each target size, where the server allows it.

    Servers quote a value only up to some length, and report every broken fulfillment; so
    the body carries `copies` fulfillments with the value, the last one `length` long.
    """

    def document(copies: int, length: int) -> dict[str, Any]:
        made = copy.deepcopy(base)
        first = made["fulfillments"][0]
        made["fulfillments"] = [copy.deepcopy(first) for _ in range(copies)]
        for index in range(copies):
            value = letter * (length if index == copies - 1 else 1)
            with_value(made, ("fulfillments", index, *field.path[2:]), value)
        return made

    found: dict[int, dict[str, Any]] = {}
    for copies in range(1, MOST_COPIES + 1):
        for target in targets:
            length = knob_reaching(
                target,
                lambda n, copies=copies: measured.size(document(copies, n)),  # type: ignore[misc]
                low=1,
                high=LONGEST_VALUE,
            )
            if length is not None and target not in found:
                candidate = document(copies, length)
                if near_threshold(measured.size(candidate)):
                    found[target] = candidate
        if len(found) == len(targets):
            break
    return list(found.values())


def _created_bodies(measured: _Measured, line_item_id: str, threshold: int) -> list[dict[str, Any]]:
    """Valid requests whose answers land in the window, on both sides of the threshold."""
    sides: dict[bool, dict[str, Any]] = {}
    for count in range(1, MOST_FULFILLMENTS + 1):

        def document(items: int, count: int = count) -> dict[str, Any]:
            return sized_requests(fulfillments=count, items=items, line_item_id=line_item_id)

        items = knob_reaching(
            threshold - NEAR, lambda k: measured.size(document(k)), low=0, high=MOST_ITEMS
        )
        if items is not None and near_threshold(size := measured.size(document(items))):
            sides.setdefault(size > threshold, document(items))
        if len(sides) == 2:
            break
    return list(sides.values())


def answers_near_the_threshold_are_coded_as_asked(h: Harness) -> Callable[[], None]:
    """Answers of 990 to 1010 bytes are gzipped exactly when asked for and over 1000 bytes."""
    # Fields inside a fulfillment: the copies of the knob are more fulfillments.
    fields = [f for f in request_enums(h.context.contract) if f.path[:2] == ("fulfillments", 0)]
    threshold = h.context.contract.policies.gzip_threshold

    @given(
        field=st.sampled_from(fields),
        letter=st.sampled_from(string.ascii_uppercase),
        line_item_id=order_line_item_ids(known=h.line_item_ids),
        data=st.data(),
    )
    def test(field: EnumField, letter: str, line_item_id: str, data: st.DataObject) -> None:
        base = data.draw(
            invalid_enum_requests(
                path=field.path,
                allowed=field.allowed,
                companions=field.companions,
                line_item_ids=(line_item_id,),
                values=st.just(letter),
            )
        )
        targets = [threshold - NEAR, threshold, threshold + 1, threshold + NEAR]
        with h.example():
            measured = _Measured(h)
            bodies = _error_bodies(measured, base, field, letter, targets)
            bodies += _created_bodies(measured, line_item_id, threshold)
            if not bodies and measured.closest is not None:
                # Nothing landed in the window: the judge says so ("not judged") with the size.
                h.judge(gzip_threshold_honoured, measured.closest)
            for body in bodies:
                for accept in THRESHOLD_ACCEPT_ENCODINGS:
                    headers = {} if accept is None else {"Accept-Encoding": accept}
                    h.judge(gzip_threshold_honoured, h.post(body, headers=headers))

    return test
