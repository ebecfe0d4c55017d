"""Checking a response against the contract: status, declared headers and their schemas, body.

Every response the server's tests receive goes through `assert_conforms`.
"""

from __future__ import annotations

import gzip
from functools import cache
from typing import Any

import httpx
import jsonschema_rs
import orjson

from refserver import Contract, load_contract

__all__ = ["assert_conforms", "contract"]

_TRANSPORT = frozenset(
    {
        "content-type",
        "content-length",
        "date",
        "server",
        "connection",
        "keep-alive",
        "transfer-encoding",
    }
)


@cache
def contract() -> Contract:
    """The contract as the server reads it (responses with `$ref`s inlined)."""
    return load_contract()


def _header_problems(status: int, headers: httpx.Headers) -> list[str]:
    declared = contract().responses[status].get("headers", {})
    lower = {name.lower(): spec for name, spec in declared.items()}
    problems = [
        f"undeclared header {n}" for n in headers if n.lower() not in lower.keys() | _TRANSPORT
    ]
    for name, spec in lower.items():
        value = headers.get(name)
        if value is None:
            if spec.get("required"):
                problems.append(f"missing required header {name}")
            continue
        schema = spec["schema"]
        instance: Any = value
        if schema.get("type") == "integer":
            if not value.isdigit():
                problems.append(f"header {name}={value!r} is not an integer")
                continue
            instance = int(value)
        if not jsonschema_rs.is_valid(schema, instance):
            problems.append(f"header {name}={value!r} breaks its schema")
    return problems


def assert_conforms(response: httpx.Response, raw: bytes | None = None) -> bytes:
    """The status, headers and body are what the contract declares; returns the decoded body.

    With `raw` (the body bytes as they came off the wire) the coding is checked too: a body
    labelled gzip must be gzip, an unlabelled one must not be, and Content-Length must match.
    """
    status = response.status_code
    assert status in contract().responses, f"undeclared status {status}"
    problems = _header_problems(status, response.headers)
    assert response.headers.get("content-type", "").startswith("application/json"), "content type"
    decoded = response.content if raw is None else raw
    if raw is not None:
        coded = response.headers.get("content-encoding") == "gzip"
        assert (raw[:2] == b"\x1f\x8b") is coded, "Content-Encoding does not match the bytes"
        assert response.headers.get("content-length") == str(len(raw)), "content-length"
        decoded = gzip.decompress(raw) if coded else raw
    schema = contract().response_schemas[status]
    document = orjson.loads(decoded)
    problems += [e.message for e in jsonschema_rs.validator_for(dict(schema)).iter_errors(document)]
    assert not problems, f"{status}: {problems}"
    return decoded
