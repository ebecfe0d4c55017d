"""The contract, read once at start: every number, schema and header rule the server obeys.

Nothing here is copied from the document by hand: the request-body schema is taken from it
with its `$ref`s inlined, the header limits come from its parameters, the headers each status
may carry (and the spelling of their names) come from its responses, and the policy numbers
come from its `x-policies` block.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DEFAULT_SPEC", "Contract", "HeaderRule", "Policies", "load_contract"]

# The contract ships as package data of `fulfillments_contract` (the folder openapi/).
DEFAULT_SPEC = Path(str(files("fulfillments_contract").joinpath("fulfillments.yaml")))
_OPERATION = ("/v1/fulfillments", "post")
_JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Policies:
    """The machine-readable `x-policies` numbers."""

    ttl_seconds: float
    idempotency_header: str
    max_key_length: int
    in_progress_status: int
    mismatch_status: int
    invalid_key_status: int
    replay_header: str
    stored_headers: tuple[str, ...]
    gzip_threshold: int
    response_codings: tuple[str, ...]
    request_codings: tuple[str, ...]
    max_request_bytes: int
    max_header_value_length: int
    resource_code: int
    auth_resource_code: int


@dataclass(frozen=True, slots=True)
class HeaderRule:
    """The limits the contract sets on one request header (names are lower case)."""

    name: str
    min_length: int | None
    max_length: int | None
    pattern: re.Pattern[str] | None
    enum: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class Contract:
    """What the server reads from the document at start."""

    document: Mapping[str, Any]
    request_schema: Mapping[str, Any]
    response_schemas: Mapping[int, Mapping[str, Any]]
    responses: Mapping[int, Mapping[str, Any]]
    header_rules: Mapping[str, HeaderRule]
    declared_headers: Mapping[int, frozenset[str]]
    policies: Policies
    response_header_names: tuple[
        str, ...
    ]  # every declared response header, as the contract spells it


def _resolve(document: Mapping[str, Any], node: Any, seen: tuple[str, ...] = ()) -> Any:
    """Inline every local `$ref`, refusing cycles (the contract has none)."""
    if isinstance(node, list):
        return [_resolve(document, item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            raise ValueError(f"cyclic $ref {ref}")
        if not ref.startswith("#/"):
            raise ValueError(f"only local $refs are supported: {ref}")
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return _resolve(document, target, (*seen, ref))
    return {key: _resolve(document, value, seen) for key, value in node.items()}


def _policies(raw: Mapping[str, Any]) -> Policies:
    idem, gzip, limits, codes = (
        raw["idempotency"],
        raw["gzip"],
        raw["limits"],
        raw["reasonCodes"],
    )
    return Policies(
        ttl_seconds=float(idem["ttlSeconds"]),
        idempotency_header=str(idem["header"]),
        max_key_length=int(idem["maxKeyLength"]),
        in_progress_status=int(idem["inProgressStatus"]),
        mismatch_status=int(idem["mismatchStatus"]),
        invalid_key_status=int(idem["invalidKeyStatus"]),
        replay_header=str(idem["replayHeader"]),
        stored_headers=tuple(str(h) for h in idem["storedHeaders"]),
        gzip_threshold=int(gzip["thresholdBytes"]),
        response_codings=tuple(str(c) for c in gzip["responseCodings"]),
        request_codings=tuple(str(c) for c in gzip["requestCodings"]),
        max_request_bytes=int(limits["maxRequestBytes"]),
        max_header_value_length=int(limits["maxHeaderValueLength"]),
        resource_code=int(codes["resource"]),
        auth_resource_code=int(codes["authResource"]),
    )


def _header_rule(param: Mapping[str, Any]) -> HeaderRule:
    schema = param.get("schema", {})
    pattern = schema.get("pattern")
    enum = schema.get("enum")
    return HeaderRule(
        name=str(param["name"]).lower(),
        min_length=schema.get("minLength"),
        max_length=schema.get("maxLength"),
        pattern=re.compile(pattern) if isinstance(pattern, str) else None,
        enum=frozenset(str(v) for v in enum) if isinstance(enum, list) else None,
    )


def load_contract(path: Path | str = DEFAULT_SPEC) -> Contract:
    """Parse the document at `path` and extract what the server needs."""
    with Path(path).open("rb") as fh:
        document = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    operation = document["paths"][_OPERATION[0]][_OPERATION[1]]
    resolved = _resolve(document, operation)
    body = resolved["requestBody"]["content"][_JSON]["schema"]
    rules = {
        rule.name: rule
        for rule in (_header_rule(p) for p in resolved.get("parameters", []) if p["in"] == "header")
    }
    declared: dict[int, frozenset[str]] = {}
    spellings: dict[str, None] = {}
    schemas: dict[int, Mapping[str, Any]] = {}
    responses = {int(status): response for status, response in resolved["responses"].items()}
    for status, response in responses.items():
        declared[int(status)] = frozenset(h.lower() for h in response.get("headers", {}))
        spellings.update(dict.fromkeys(str(h) for h in response.get("headers", {})))
        schemas[int(status)] = response["content"][_JSON]["schema"]
    return Contract(
        document=document,
        request_schema=body,
        response_schemas=schemas,
        responses=responses,
        header_rules=rules,
        declared_headers=declared,
        policies=_policies(document["x-policies"]),
        response_header_names=tuple(spellings),
    )
