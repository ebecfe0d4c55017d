"""The contract as every part of the kit reads it: one parse of the document, typed and frozen.

| field                 | read from                                 | shape                        |
|-----------------------|-------------------------------------------|------------------------------|
| policies              | `x-policies`                              | Policies                     |
| header_rules          | the operation's header parameters         | lower-case name -> rule      |
| request_schema        | the JSON request body, `$ref`s inlined    | schema mapping               |
| responses             | the operation's responses, inlined        | status -> response           |
| response_schemas      | their JSON bodies                         | status -> schema             |
| response_header_rules | their headers                             | status -> name -> rule       |
| declared_headers      | their headers                             | status -> lower-case names   |
| response_header_names | their headers, in document order          | names as the contract spells |

The policies and header rules are frozen values. The document and the schemas are read-only
mappings at their top level, and their nested parts are shared by every reader of the same
file: a caller that wants to change a schema copies it first (`copy.deepcopy`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._document import ContractError, follow, inline, read_document
from ._headers import HeaderRule, read_header_rule
from ._policies import Policies, read_policies

__all__ = ["DEFAULT_SPEC", "OPERATION_METHOD", "OPERATION_PATH", "Contract", "load_contract"]

# The document ships beside this module, in a checkout and in an installed wheel alike.
DEFAULT_SPEC = Path(str(files(__package__ or __name__).joinpath("fulfillments.yaml")))
OPERATION_PATH = "/v1/fulfillments"
OPERATION_METHOD = "POST"  # upper case, as HTTP and every request line write it
_JSON = "application/json"


@dataclass(frozen=True, slots=True, eq=False)
class Contract:
    """What the kit reads from the document (see the table); compared by identity."""

    path: Path
    document: Mapping[str, Any]
    policies: Policies
    header_rules: Mapping[str, HeaderRule]
    request_schema: Mapping[str, Any]
    responses: Mapping[int, Mapping[str, Any]]
    response_schemas: Mapping[int, Mapping[str, Any]]
    response_header_rules: Mapping[int, Mapping[str, HeaderRule]]
    declared_headers: Mapping[int, frozenset[str]]
    response_header_names: tuple[str, ...]

    def header_rule(self, name: str) -> HeaderRule:
        """The rule of a declared request header (case-insensitive name); KeyError otherwise."""
        return self.header_rules[name.lower()]

    def response_header_rule(self, name: str) -> HeaderRule:
        """The rule of a response header as first declared (statuses in ascending order).

        A check that judges every response, documented status or not, compares against it.
        KeyError when no response declares `name`.
        """
        key = name.lower()
        for status in sorted(self.response_header_rules):
            rule = self.response_header_rules[status].get(key)
            if rule is not None:
                return rule
        raise KeyError(name)


def _operation(document: Mapping[str, Any]) -> Mapping[str, Any]:
    try:
        node = document["paths"][OPERATION_PATH][OPERATION_METHOD.lower()]
    except (KeyError, TypeError) as exc:
        raise ContractError(f"the spec has no {OPERATION_METHOD} {OPERATION_PATH}") from exc
    operation: Mapping[str, Any] = follow(document, node)[0]
    return operation


def _json_schema(node: Mapping[str, Any]) -> Mapping[str, Any] | None:
    schema = node.get("content", {}).get(_JSON, {}).get("schema")
    return schema if isinstance(schema, Mapping) else None


def _rules(headers: Mapping[str, Any]) -> Mapping[str, HeaderRule]:
    rules = (read_header_rule(name, header.get("schema", {})) for name, header in headers.items())
    return MappingProxyType({rule.key: rule for rule in rules})


@functools.lru_cache(maxsize=8)
def _load(path: Path, _version: tuple[int, int] | None) -> Contract:
    document = read_document(path)
    operation = inline(document, _operation(document))
    parameters = [p for p in operation.get("parameters", []) if p.get("in") == "header"]
    body = _json_schema(operation.get("requestBody", {}))
    if body is None:
        raise ContractError(f"the spec's {OPERATION_METHOD} {OPERATION_PATH} has no JSON body")
    responses = {
        int(status): MappingProxyType(response)
        for status, response in operation.get("responses", {}).items()
        if str(status).isdigit()
    }
    schemas = {s: b for s, r in responses.items() if (b := _json_schema(r)) is not None}
    header_rules = {status: _rules(r.get("headers", {})) for status, r in responses.items()}
    spellings: dict[str, None] = {}
    for response in responses.values():
        spellings.update(dict.fromkeys(str(name) for name in response.get("headers", {})))
    return Contract(
        path=path,
        document=MappingProxyType(document),
        policies=read_policies(document),
        header_rules=_rules({p["name"]: p for p in parameters}),
        request_schema=MappingProxyType(body),
        responses=MappingProxyType(responses),
        response_schemas=MappingProxyType(schemas),
        response_header_rules=MappingProxyType(header_rules),
        declared_headers=MappingProxyType(
            {status: frozenset(rules) for status, rules in header_rules.items()}
        ),
        response_header_names=tuple(spellings),
    )


def load_contract(path: Path | str = DEFAULT_SPEC) -> Contract:
    """The contract at `path`, read again only once the file changed; a `ContractError` says
    what it lacks."""
    where = Path(path)
    try:
        status = where.stat()
    except OSError:
        version = None  # read_document reports the missing file
    else:
        version = (status.st_mtime_ns, status.st_size)
    return _load(where, version)
