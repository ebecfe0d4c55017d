"""Hypothesis strategies for the suite's own requests, in Hypothesis's style.

Plural nouns, keyword-only options, strategies in and strategies out. Valid bodies stay well
inside the contract (no processingOptions, modest quantities) so a server has no business
reason to refuse them; invalid ones break exactly one documented rule each.
"""

from __future__ import annotations

import gzip
import json
import string
from collections.abc import Sequence
from datetime import date
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "TRACK_ID_FORBIDDEN",
    "VISIBLE_ASCII",
    "accept_encodings",
    "bad_authorizations",
    "corrupt_gzip_bodies",
    "create_requests",
    "encoded",
    "fulfillments",
    "invalid_create_requests",
    "invalid_track_ids",
    "malformed_keys",
    "order_line_item_ids",
    "track_ids",
    "unknown_codings",
]

VISIBLE_ASCII = "".join(chr(code) for code in range(0x21, 0x7F))
TRACK_ID_FORBIDDEN = ":;\"'"  # Zuora: a track id must not contain these
TRACK_ID_ALPHABET = "".join(ch for ch in VISIBLE_ASCII if ch not in TRACK_ID_FORBIDDEN)
TRACK_ID_MAX = 64  # Zuora's spec: Zuora-Track-Id maxLength 64
LINE_ITEM_ID_LENGTH = 32  # real Zuora ids are 32 lowercase hex characters
DESCRIPTION_MAX = 255  # Zuora's spec: description maxLength 255
_FIRST_DAY, _LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def encoded(document: Any) -> bytes:
    """A JSON document as compact UTF-8 bytes, the way a client sends it."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def order_line_item_ids(*, known: Sequence[str] = ()) -> st.SearchStrategy[str]:
    """Line item ids: the caller's real ones when given, otherwise Zuora-shaped random ones."""
    if known:
        return st.sampled_from(list(known))
    return st.text(
        alphabet="0123456789abcdef", min_size=LINE_ITEM_ID_LENGTH, max_size=LINE_ITEM_ID_LENGTH
    )


def _dates() -> st.SearchStrategy[str]:
    return st.dates(min_value=_FIRST_DAY, max_value=_LAST_DAY).map(date.isoformat)


def _texts(*, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=string.ascii_letters + string.digits + " -_.", max_size=max_size)


def fulfillments(
    *, line_item_ids: Sequence[str] = (), max_items: int = 2
) -> st.SearchStrategy[dict[str, Any]]:
    """One valid `CreateFulfillment`, with a few of its optional fields."""
    return st.fixed_dictionaries(
        {
            "orderLineItemId": order_line_item_ids(known=line_item_ids),
            "fulfillmentDate": _dates(),
            "quantity": st.integers(min_value=1, max_value=1000),
        },
        optional={
            "description": _texts(max_size=255),
            "externalId": _texts(max_size=50),
            "trackingNumber": _texts(max_size=50),
            "fulfillmentType": st.sampled_from(["Delivery", "Return"]),
            "state": st.sampled_from(["Executing", "Booked", "SentToBilling"]),
            "billTargetDate": _dates(),
            "fulfillmentItems": st.lists(
                st.fixed_dictionaries({}, optional={"description": _texts(max_size=255)}),
                max_size=max_items,
            ),
        },
    )


def create_requests(
    *,
    line_item_ids: Sequence[str] = (),
    min_fulfillments: int = 1,
    max_fulfillments: int = 3,
    max_items: int = 2,
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid `CreateFulfillmentsRequest` documents; more fulfillments make larger answers."""
    return st.fixed_dictionaries(
        {
            "fulfillments": st.lists(
                fulfillments(line_item_ids=line_item_ids, max_items=max_items),
                min_size=min_fulfillments,
                max_size=max_fulfillments,
            )
        }
    )


@st.composite
def invalid_create_requests(
    draw: st.DrawFn, *, line_item_ids: Sequence[str] = ()
) -> tuple[dict[str, Any], str]:
    """A request document that breaks one rule Zuora documents, and the rule it breaks."""
    document = draw(create_requests(line_item_ids=line_item_ids, max_fulfillments=2))
    first = document["fulfillments"][0]
    rule = draw(
        st.sampled_from(
            [
                "missing quantity",
                "missing date",
                "long description",
                "short line item id",
                "wrong type",
            ]
        )
    )
    if rule == "missing quantity":
        del first["quantity"]
    elif rule == "missing date":
        del first["fulfillmentDate"]
    elif rule == "long description":
        first["description"] = "d" * draw(
            st.integers(min_value=DESCRIPTION_MAX + 1, max_value=DESCRIPTION_MAX + 50)
        )
    elif rule == "short line item id":
        first["orderLineItemId"] = draw(
            st.text(alphabet="0123456789abcdef", max_size=LINE_ITEM_ID_LENGTH - 1)
        )
    else:
        first["quantity"] = draw(st.sampled_from(["five", None, [], {}]))
    return document, rule


def track_ids(*, min_size: int = 1, max_size: int = TRACK_ID_MAX) -> st.SearchStrategy[str]:
    """Track ids within Zuora's limits: visible US-ASCII without `: ; " '`."""
    return st.text(alphabet=TRACK_ID_ALPHABET, min_size=min_size, max_size=max_size)


@st.composite
def invalid_track_ids(draw: st.DrawFn) -> str:
    """Track ids breaking one of Zuora's limits: too long, a forbidden or a non-ASCII character."""
    kind = draw(st.sampled_from(["too long", "forbidden", "non-ascii"]))
    if kind == "too long":
        return draw(track_ids(min_size=TRACK_ID_MAX + 1, max_size=TRACK_ID_MAX + 40))
    base = draw(track_ids(min_size=2, max_size=TRACK_ID_MAX - 1))
    bad = draw(
        st.sampled_from(TRACK_ID_FORBIDDEN) if kind == "forbidden" else st.sampled_from("éü€中")
    )
    at = draw(st.integers(min_value=0, max_value=len(base)))
    return base[:at] + bad + base[at:]


def malformed_keys() -> st.SearchStrategy[str]:
    """Idempotency keys outside the published alphabet: empty, with blanks or non-ASCII."""
    with_blank = st.tuples(
        st.text(VISIBLE_ASCII, min_size=1, max_size=20),
        st.text(VISIBLE_ASCII, min_size=1, max_size=20),
    )
    return st.one_of(
        st.just(""),
        with_blank.map(" ".join),
        st.text(VISIBLE_ASCII, min_size=1, max_size=20).map(lambda key: key + "é"),
    )


def accept_encodings() -> st.SearchStrategy[str | None]:
    """Accept-Encoding values that do and do not make gzip acceptable."""
    return st.sampled_from(
        [
            None,
            "gzip",
            "gzip, deflate",
            "deflate, gzip;q=0.5",
            "*",
            "identity",
            "gzip;q=0",
            "br",
            "deflate",
        ]
    )


def unknown_codings() -> st.SearchStrategy[str]:
    """Content codings the contract does not accept for a request body."""
    return st.sampled_from(["br", "deflate", "compress", "zstd", "x-unknown"])


@st.composite
def corrupt_gzip_bodies(draw: st.DrawFn, *, documents: st.SearchStrategy[dict[str, Any]]) -> bytes:
    """Bodies labelled gzip that are not valid gzip: plain JSON, truncated or damaged members."""
    plain = encoded(draw(documents))
    packed = gzip.compress(plain)
    kind = draw(st.sampled_from(["plain", "truncated", "damaged"]))
    if kind == "plain":
        return plain
    if kind == "truncated":
        return packed[: draw(st.integers(min_value=2, max_value=len(packed) - 1))]
    # Flip one byte of the compressed data (after the 10-byte header) so the CRC cannot match.
    at = draw(st.integers(min_value=10, max_value=len(packed) - 9))
    return packed[:at] + bytes([packed[at] ^ 0xFF]) + packed[at + 1 :]


def bad_authorizations(*, known: Sequence[str]) -> st.SearchStrategy[tuple[str | None, str]]:
    """Authorization values that must get 401, with a description (None: no header at all)."""
    wrong = st.text(alphabet=string.ascii_letters + string.digits + "-._", min_size=1, max_size=40)
    return st.one_of(
        st.just((None, "a request without Authorization")),
        st.just(("Bearer", "Bearer without a token")),
        st.just(("Basic dXNlcjpwYXNzd29yZA==", "Basic credentials")),
        wrong.filter(lambda token: token not in known).map(
            lambda token: (f"Bearer {token}", "an unknown token")
        ),
        wrong.filter(lambda token: token not in known).map(
            lambda token: (token, "a token without a scheme")
        ),
    )
