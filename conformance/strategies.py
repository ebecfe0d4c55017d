"""Hypothesis strategies for the suite's own requests, in Hypothesis's style.

Plural nouns, keyword-only options, strategies in and strategies out. Valid bodies stay well
inside the contract (no processingOptions, modest quantities) so a server has no business
reason to refuse them; invalid ones break exactly one documented rule each.
"""

from __future__ import annotations

import base64
import gzip
import itertools
import json
import string
from collections.abc import Sequence
from datetime import date
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "ACCEPT_ENCODINGS",
    "CORRUPTIONS",
    "FIXED_BAD_CREDENTIALS",
    "INVALID_BODY_RULES",
    "KEY_BREACHES",
    "THRESHOLD_ACCEPT_ENCODINGS",
    "TRACK_ID_BREACHES",
    "TRACK_ID_FORBIDDEN",
    "UNKNOWN_CODINGS",
    "VISIBLE_ASCII",
    "bad_authorizations",
    "corrupt_gzip_bodies",
    "create_requests",
    "encoded",
    "fulfillments",
    "invalid_create_requests",
    "invalid_enum_requests",
    "invalid_enum_values",
    "invalid_track_ids",
    "malformed_keys",
    "order_line_item_ids",
    "track_ids",
    "with_value",
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


INVALID_BODY_RULES = (
    "missing quantity",
    "missing date",
    "long description",
    "short line item id",
    "wrong type",
)


@st.composite
def invalid_create_requests(
    draw: st.DrawFn, *, line_item_ids: Sequence[str] = (), rules: Sequence[str] = INVALID_BODY_RULES
) -> tuple[dict[str, Any], str]:
    """A request document that breaks one rule Zuora documents, and the rule it breaks."""
    document = draw(create_requests(line_item_ids=line_item_ids, max_fulfillments=2))
    first = document["fulfillments"][0]
    rule = draw(st.sampled_from(list(rules)))
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
    elif rule == "wrong type":
        first["quantity"] = draw(st.sampled_from(["five", None, [], {}]))
    else:
        raise ValueError(f"unknown rule {rule!r}")
    return document, rule


def track_ids(*, min_size: int = 1, max_size: int = TRACK_ID_MAX) -> st.SearchStrategy[str]:
    """Track ids within Zuora's limits: visible US-ASCII without `: ; " '`, inner spaces allowed.

    A leading or trailing space cannot reach a server: HTTP header parsing strips it.
    """
    texts = st.text(alphabet=TRACK_ID_ALPHABET + " ", min_size=min_size, max_size=max_size)
    return texts.filter(lambda value: value == value.strip(" "))


TRACK_ID_BREACHES = ("too long", *TRACK_ID_FORBIDDEN, "non-ascii")


@st.composite
def invalid_track_ids(draw: st.DrawFn, *, breaches: Sequence[str] = TRACK_ID_BREACHES) -> str:
    """Track ids breaking one of Zuora's limits: too long, a forbidden or a non-ASCII character."""
    breach = draw(st.sampled_from(list(breaches)))
    if breach == "too long":
        return draw(track_ids(min_size=TRACK_ID_MAX + 1, max_size=TRACK_ID_MAX + 40))
    base = draw(track_ids(min_size=2, max_size=TRACK_ID_MAX - 1))
    bad = breach if breach in TRACK_ID_FORBIDDEN else draw(st.sampled_from("éü€中"))
    at = draw(st.integers(min_value=0, max_value=len(base)))
    return base[:at] + bad + base[at:]


KEY_BREACHES = ("empty", "blank", "non-ascii")


def malformed_keys(*, breaches: Sequence[str] = KEY_BREACHES) -> st.SearchStrategy[str]:
    """Idempotency keys outside the published alphabet: empty, with blanks or non-ASCII."""
    parts = st.text(VISIBLE_ASCII, min_size=1, max_size=20)
    kinds = {
        "empty": st.just(""),
        "blank": st.tuples(parts, parts).map(" ".join),
        "non-ascii": parts.map(lambda key: key + "é"),
    }
    return st.one_of(*(kinds[breach] for breach in breaches))


# Accept-Encoding values that do and do not make gzip acceptable (RFC 9110 section 12.5.3).
ACCEPT_ENCODINGS = (
    None,
    "gzip",
    "gzip, deflate",
    "deflate, gzip;q=0.5",
    "*",
    "identity",
    "gzip;q=0",
    "br",
    "deflate",
)
# Content codings the contract does not accept for a request body.
UNKNOWN_CODINGS = ("br", "deflate", "compress", "zstd", "x-unknown")
CORRUPTIONS = ("plain", "truncated", "damaged")


@st.composite
def corrupt_gzip_bodies(
    draw: st.DrawFn,
    *,
    documents: st.SearchStrategy[dict[str, Any]],
    corruptions: Sequence[str] = CORRUPTIONS,
) -> bytes:
    """Bodies labelled gzip that are not valid gzip: plain JSON, truncated or damaged members."""
    plain = encoded(draw(documents))
    packed = gzip.compress(plain)
    kind = draw(st.sampled_from(list(corruptions)))
    if kind == "plain":
        return plain
    if kind == "truncated":
        return packed[: draw(st.integers(min_value=2, max_value=len(packed) - 1))]
    # Flip one byte of the compressed data (after the 10-byte header) so the CRC cannot match.
    at = draw(st.integers(min_value=10, max_value=len(packed) - 9))
    return packed[:at] + bytes([packed[at] ^ 0xFF]) + packed[at + 1 :]


# Credentials every run tries: none, a bare scheme, and Basic (Zuora's challenge names it).
FIXED_BAD_CREDENTIALS: tuple[tuple[str | None, str], ...] = (
    (None, "a request without Authorization"),
    ("Bearer", "Bearer without a token"),
    ("Basic dXNlcjpwYXNzd29yZA==", "Basic credentials"),
)


def bad_authorizations(*, known: Sequence[str]) -> st.SearchStrategy[tuple[str | None, str]]:
    """Drawn Authorization values that must get 401, with a description of each."""
    wrong = st.text(alphabet=string.ascii_letters + string.digits + "-._", min_size=1, max_size=40)
    unknown = wrong.filter(lambda token: token not in known)
    return st.one_of(
        unknown.map(lambda token: (f"Bearer {token}", "an unknown token")),
        unknown.map(lambda token: (token, "a token without a scheme")),
        st.tuples(wrong, wrong).map(
            lambda pair: (
                "Basic " + base64.b64encode(f"{pair[0]}:{pair[1]}".encode()).decode(),
                "Basic credentials",
            )
        ),
    )


# Accept-Encoding values sent with answers near the gzip threshold: absent, asked, refused by
# quality, identity only, anything, and the legacy alias (RFC 9110 8.4.1.3 takes it as gzip).
THRESHOLD_ACCEPT_ENCODINGS = (None, "gzip", "gzip;q=0", "identity", "*", "x-gzip")


def invalid_enum_values(
    *, allowed: Sequence[str], min_size: int = 1, max_size: int = 20
) -> st.SearchStrategy[str]:
    """Strings outside `allowed`: a member in another case, or letters that name no member."""
    recased = st.sampled_from(list(allowed)).map(lambda value: value.swapcase())
    drawn = st.text(alphabet=string.ascii_letters, min_size=min_size, max_size=max_size)
    return st.one_of(recased, drawn).filter(lambda value: value not in allowed)


def with_value(document: dict[str, Any], path: Sequence[str | int], value: Any) -> None:
    """Set `value` at `path` (keys and list indexes) in place, making containers on the way."""
    node: Any = document
    for step, following in itertools.pairwise(path):
        if isinstance(node, list):
            while len(node) <= int(step):
                node.append([] if isinstance(following, int) else {})
            node = node[int(step)]
        else:
            node = node.setdefault(step, [] if isinstance(following, int) else {})
    last = path[-1]
    if isinstance(node, list):
        while len(node) <= int(last):
            node.append(None)
        node[int(last)] = value
    else:
        node[last] = value


@st.composite
def invalid_enum_requests(
    draw: st.DrawFn,
    *,
    path: Sequence[str | int],
    allowed: Sequence[str],
    companions: dict[str, Any] | None = None,
    line_item_ids: Sequence[str] = (),
    values: st.SearchStrategy[str] | None = None,
) -> dict[str, Any]:
    """A valid request but for one value outside the enum at `path`.

    `companions` are set beside a `processingOptions` value whose rules need them (an
    `applicationOrder` needs `applyCredit`), so the enum is the only rule the body breaks.
    """
    document = draw(create_requests(line_item_ids=line_item_ids, max_fulfillments=2))
    if path and path[0] == "processingOptions" and companions:
        document["processingOptions"] = dict(companions)
    value = draw(values if values is not None else invalid_enum_values(allowed=allowed))
    with_value(document, path, value)
    return document
