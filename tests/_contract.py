"""The contract as the tests see it, through the kit's one reader, with JSON Schema validation."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from fulfillments_contract import follow, load_contract
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = ["ROOT", "iter_examples", "load_spec", "resolve", "validator_for"]

ROOT = Path(__file__).resolve().parent.parent
_SPEC_URI = "urn:fulfillments-contract"


def load_spec() -> Mapping[str, Any]:
    """The parsed document, as `fulfillments_contract` read it (read-only at the top)."""
    return load_contract().document


@functools.cache
def _registry() -> Registry[Any]:
    resource: Resource[Any] = DRAFT202012.create_resource(load_spec())
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    return registry


def resolve(node: Mapping[str, Any]) -> dict[str, Any]:
    """The node a local `$ref` chain ends at (`node` itself when it is no reference)."""
    return dict(follow(load_spec(), node)[0])


def validator_for(schema: Mapping[str, Any]) -> Draft202012Validator:
    """A validator for `schema` whose `#/...` references resolve inside the contract."""
    return Draft202012Validator(
        _rebase(schema),
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _rebase(node: Any) -> Any:
    """Rewrite `#/...` references to the registered contract URI, so nested schemas resolve."""
    if isinstance(node, Mapping):
        return {
            key: (
                f"{_SPEC_URI}{value}"
                if key == "$ref" and str(value).startswith("#")
                else _rebase(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rebase(item) for item in node]
    return node


def iter_examples() -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Every example in the contract as (where, schema it must satisfy, value)."""
    spec = load_spec()
    components = spec["components"]
    for name, parameter in components["parameters"].items():
        if "example" in parameter:
            yield f"parameters/{name}", parameter["schema"], parameter["example"]
    for name, header in components["headers"].items():
        if "example" in header:
            yield f"headers/{name}", header["schema"], header["example"]
    for name, schema in components["schemas"].items():
        for prop, prop_schema in schema.get("properties", {}).items():
            if "example" in prop_schema:
                yield f"schemas/{name}/{prop}", prop_schema, prop_schema["example"]
    media_owners: list[tuple[str, Mapping[str, Any]]] = [
        (f"requestBodies/{n}", b) for n, b in components["requestBodies"].items()
    ] + [(f"responses/{n}", r) for n, r in components["responses"].items()]
    for where, owner in media_owners:
        for media_type, media in owner.get("content", {}).items():
            for example_name, example in media.get("examples", {}).items():
                value = resolve(example)["value"]
                yield f"{where}/{media_type}/{example_name}", media["schema"], value
