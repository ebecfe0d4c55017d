"""The contract as the suite reads it: policy numbers, header rules and response schemas.

Every number a check compares against comes from the spec file (`x-policies`, the header
parameters, the responses); nothing here repeats the document by hand, so a changed contract
changes the suite with it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

__all__ = [
    "DEFAULT_SPEC",
    "OPERATION_METHOD",
    "OPERATION_PATH",
    "Contract",
    "ContractError",
    "HeaderRule",
    "Policies",
    "load_contract",
]

# The contract ships as package data of `fulfillments_contract` (the folder openapi/).
DEFAULT_SPEC = Path(str(files("fulfillments_contract").joinpath("fulfillments.yaml")))
OPERATION_PATH = "/v1/fulfillments"
OPERATION_METHOD = "post"


class ContractError(Exception):
    """The spec file is missing or lacks a part the suite needs."""


@dataclass(frozen=True, slots=True)
class Policies:
    """The machine-readable `x-policies` numbers the checks compare against."""

    idempotency_header: str
    max_key_length: int
    in_progress_status: int
    mismatch_status: int
    invalid_key_status: int
    replay_header: str
    stored_headers: tuple[str, ...]
    ttl_seconds: int
    gzip_threshold: int
    response_codings: tuple[str, ...]
    request_codings: tuple[str, ...]
    max_request_bytes: int


@dataclass(frozen=True, slots=True)
class HeaderRule:
    """The limits the contract sets on one request header."""

    name: str
    min_length: int | None
    max_length: int | None
    pattern: re.Pattern[str] | None

    def accepts(self, value: str) -> bool:
        """Whether `value` keeps every limit of this header."""
        if self.min_length is not None and len(value) < self.min_length:
            return False
        if self.max_length is not None and len(value) > self.max_length:
            return False
        return self.pattern is None or self.pattern.search(value) is not None


@dataclass(frozen=True, slots=True, eq=False)
class Contract:
    """The parts of the document the suite judges a server by (compared by identity)."""

    path: Path
    document: Mapping[str, Any]
    policies: Policies
    request_headers: Mapping[str, HeaderRule]
    statuses: frozenset[int]

    def header_rule(self, name: str) -> HeaderRule:
        """The rule of a declared request header (case-insensitive name)."""
        return self.request_headers[name.lower()]

    def response_validator(self, status: int) -> jsonschema_rs.Validator | None:
        """A validator for the body documented for `status`, or None when it is undocumented."""
        return _validator(self, status)

    def documented_response_headers(self, status: int) -> frozenset[str]:
        """Lower-case names of the headers the contract declares for `status`."""
        response = self._response(status)
        if response is None:
            return frozenset()
        return frozenset(name.lower() for name in response.get("headers", {}))

    def response_header_names(self) -> tuple[str, ...]:
        """Every response header name the contract declares, spelled as it spells them."""
        return _response_header_names(self)

    def _response(self, status: int) -> Mapping[str, Any] | None:
        responses = _operation(self.document)["responses"]
        node = responses.get(str(status))
        if node is None:
            return None
        response: Mapping[str, Any] = _deref(self.document, node)
        return response


def _deref(document: Mapping[str, Any], node: Any) -> Any:
    """Follow one local `$ref` chain to the node it names."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        pointer = node["$ref"]
        if not pointer.startswith("#/"):
            raise ContractError(f"only local $refs are supported: {pointer}")
        node = document
        for part in pointer[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _operation(document: Mapping[str, Any]) -> Mapping[str, Any]:
    try:
        operation: Mapping[str, Any] = document["paths"][OPERATION_PATH][OPERATION_METHOD]
    except (KeyError, TypeError) as exc:
        raise ContractError(f"the spec has no {OPERATION_METHOD.upper()} {OPERATION_PATH}") from exc
    return operation


def _policies(document: Mapping[str, Any]) -> Policies:
    try:
        raw = document["x-policies"]
        key, gzip, limits = raw["idempotency"], raw["gzip"], raw["limits"]
        return Policies(
            idempotency_header=str(key["header"]),
            max_key_length=int(key["maxKeyLength"]),
            in_progress_status=int(key["inProgressStatus"]),
            mismatch_status=int(key["mismatchStatus"]),
            invalid_key_status=int(key["invalidKeyStatus"]),
            replay_header=str(key["replayHeader"]),
            stored_headers=tuple(str(name) for name in key["storedHeaders"]),
            ttl_seconds=int(key["ttlSeconds"]),
            gzip_threshold=int(gzip["thresholdBytes"]),
            response_codings=tuple(str(c) for c in gzip["responseCodings"]),
            request_codings=tuple(str(c) for c in gzip["requestCodings"]),
            max_request_bytes=int(limits["maxRequestBytes"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ContractError(f"the spec's x-policies block is incomplete: {exc!r}") from exc


def _header_rules(document: Mapping[str, Any]) -> dict[str, HeaderRule]:
    rules = {}
    for node in _operation(document).get("parameters", []):
        parameter = _deref(document, node)
        if parameter.get("in") != "header":
            continue
        schema = _deref(document, parameter.get("schema", {}))
        pattern = schema.get("pattern")
        rules[str(parameter["name"]).lower()] = HeaderRule(
            name=str(parameter["name"]),
            min_length=schema.get("minLength"),
            max_length=schema.get("maxLength"),
            pattern=re.compile(pattern) if isinstance(pattern, str) else None,
        )
    return rules


@functools.lru_cache(maxsize=8)
def _response_header_names(contract: Contract) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for status in sorted(contract.statuses):
        response = contract._response(status)
        if response is not None:
            names.update(dict.fromkeys(str(name) for name in response.get("headers", {})))
    return tuple(names)


@functools.lru_cache(maxsize=64)
def _validator(contract: Contract, status: int) -> jsonschema_rs.Validator | None:
    response = contract._response(status)
    if response is None:
        return None
    media = response.get("content", {}).get("application/json")
    if media is None or "schema" not in media:
        return None
    # The components travel with the schema so every `#/components/...` pointer resolves.
    components: dict[str, Any] = dict(contract.document["components"])
    components["schemas"] = {**components["schemas"], "_body": media["schema"]}
    schema = {"$ref": "#/components/schemas/_body", "components": components}
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


@functools.lru_cache(maxsize=8)
def load_contract(path: Path = DEFAULT_SPEC) -> Contract:
    """Read the spec once per path; raise ContractError when it cannot serve the suite."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContractError(f"cannot read the spec {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise ContractError(f"the spec {path} is not a YAML mapping")
    statuses = frozenset(int(code) for code in _operation(document)["responses"] if code.isdigit())
    return Contract(
        path=Path(path),
        document=document,
        policies=_policies(document),
        request_headers=_header_rules(document),
        statuses=statuses,
    )
