"""Reading headers and bodies the same way from Schemathesis's responses and the suite's own.

A check takes `(ctx, response, case)`. Schemathesis passes its `Response` and `Case`; the
suite's own sequences pass an `Exchange` and its `SentRequest`. Both fit the two protocols
below, so one function judges both kinds of traffic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from fulfillments_contract import OPERATION_METHOD

from conformance.client import header_of

__all__ = [
    "NOT_JSON",
    "RequestLike",
    "ResponseLike",
    "body_of",
    "header_values",
    "is_operation",
    "one_header",
    "sent_header",
    "shown",
]

NOT_JSON: Any = object()
_OWS = " \t"  # RFC 9110: leading and trailing optional white space is not part of a value
_SHOWN_LIMIT = 200  # characters of a received value a failure message quotes


class ResponseLike(Protocol):
    """What a check reads of a response."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, list[str]]: ...

    @property
    def content(self) -> bytes: ...


class RequestLike(Protocol):
    """What a check reads of the request that got the response."""

    @property
    def method(self) -> str: ...

    @property
    def headers(self) -> Any: ...


def is_operation(case: RequestLike) -> bool:
    """Whether the request used the contract's method (other methods are out of its scope)."""
    return str(case.method).upper() == OPERATION_METHOD


def header_values(response: ResponseLike, name: str) -> list[str]:
    """Every value of a response header (names are lower case in both kinds of response)."""
    return list(response.headers.get(name.lower(), []))


def one_header(response: ResponseLike, name: str) -> str | None:
    """The first value of a response header, or None."""
    values = header_values(response, name)
    return values[0] if values else None


def sent_header(case: RequestLike, name: str) -> str | None:
    """The value a request sent for `name`, as the server reads it (surrounding blanks dropped)."""
    value = header_of(case.headers, name)
    if value is None:
        return None
    return str(value).strip(_OWS)


def body_of(response: ResponseLike) -> Any:
    """The body parsed as JSON, or NOT_JSON."""
    try:
        return json.loads(response.content)
    except (ValueError, TypeError):
        return NOT_JSON


def shown(value: object) -> str:
    """A received value quoted for a failure message, cut to a readable length."""
    text = repr(value)
    if len(text) > _SHOWN_LIMIT:
        return text[:_SHOWN_LIMIT] + f"... ({len(text)} characters)"
    return text
