"""The request body: media type, strict JSON, then the contract's schema, compiled once.

Reason categories follow Zuora: 90 malformed JSON, 22 a missing required field, 21 an unknown
field, 20 any other invalid value. Each message names the JSON path of the field at fault and
quotes at most a short piece of the value, so an error answer stays small whatever was sent.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import orjson
from fulfillments_contract import Contract

from refserver._errors import (
    INVALID_VALUE,
    MALFORMED_JSON,
    MISSING_FIELD,
    UNKNOWN_FIELD,
    Problem,
)

__all__ = ["ContractValidator", "json_path"]

_MAX_REASONS = 20  # enough to fix a request in one round trip, bounded for hostile input
_MAX_MESSAGE = 300  # characters: a reason names the field and the rule, never the whole value
_MEDIA_TYPE = "application/json"
_CHARSETS = frozenset({"utf-8", "utf8"})


def json_path(parts: list[str | int]) -> str:
    """`fulfillments[0].quantity` from ['fulfillments', 0, 'quantity']; `body` for the root."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def _shortened(message: str) -> str:
    """The message, its middle cut out when long: the start names the value, the end the rule."""
    if len(message) <= _MAX_MESSAGE:
        return message
    keep = (_MAX_MESSAGE - 5) // 2
    return f"{message[:keep]} ... {message[-keep:]}"


def _deeper_than(document: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels; a loop, so no stack to exhaust."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _reason(error: jsonschema_rs.ValidationError) -> tuple[int, str]:
    category, message = _described(error)
    return category, _shortened(message)


def _described(error: jsonschema_rs.ValidationError) -> tuple[int, str]:
    kind = error.kind
    where = json_path(list(error.instance_path))
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        return MISSING_FIELD, f"'{kind.property}' is required in {where}"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.MinItems) and error.instance == []:
        return MISSING_FIELD, f"'{where}' must not be empty"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
        names = ", ".join(f"'{name}'" for name in kind.unexpected)
        return UNKNOWN_FIELD, f"{names} is not a recognized field in {where}"
    return INVALID_VALUE, f"{where}: {error.message}"


class ContractValidator:
    """Validates against the request-body schema the contract declares."""

    def __init__(self, contract: Contract) -> None:
        self._schema = jsonschema_rs.validator_for(
            dict(contract.request_schema), validate_formats=True
        )
        # The contract's nesting limit (128): orjson writes back at most 254 levels, and the
        # fingerprint and the store write the body back, so deeper documents would fail later.
        self._max_depth = contract.policies.max_json_depth

    def check_media_type(self, content_type: str | None) -> None:
        """415 unless the body is `application/json`, optionally with a UTF-8 charset."""
        media, _, params = (content_type or "").partition(";")
        ok = media.strip().lower() == _MEDIA_TYPE
        for param in params.split(";") if params.strip() else ():
            name, _, value = param.strip().partition("=")
            if (
                name.strip().lower() != "charset"
                or value.strip().strip('"').lower() not in _CHARSETS
            ):
                ok = False
        if not ok:
            shown = (content_type or "none").encode("ascii", "replace").decode("ascii")[:100]
            raise Problem.of(
                415, INVALID_VALUE, f"Content-Type '{shown}' is not supported; use application/json"
            )

    def parse(self, body: bytes) -> Any:
        """Strict JSON: no NaN or Infinity, no numbers beyond a double, valid UTF-8 only."""
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise Problem.of(
                400, MALFORMED_JSON, f"Malformed JSON in the request body: {exc}"
            ) from exc
        openers = body.count(b"{") + body.count(b"[")  # counted in C: most bodies stop here
        if openers > self._max_depth and _deeper_than(document, self._max_depth):
            raise Problem.of(
                400, MALFORMED_JSON, f"The request body nests deeper than {self._max_depth} levels"
            )
        return document

    def validate(self, document: Any) -> None:
        """400 with one reason per schema violation (up to a bound)."""
        if self._schema.is_valid(document):
            return
        reasons = []
        for error in self._schema.iter_errors(document):
            reasons.append(_reason(error))
            if len(reasons) >= _MAX_REASONS:
                break
        raise Problem(400, tuple(reasons))
