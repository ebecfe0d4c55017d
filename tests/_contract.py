"""The contract loaded once for tests, with JSON Schema validation of any part of it by pointer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = ["ROOT", "SPEC_PATH", "iter_examples", "load_spec", "resolve", "validator_for"]

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi" / "fulfillments.yaml"
_SPEC_URI = "urn:fulfillments-contract"


@cache
def load_spec() -> dict[str, Any]:
    """The contract as a plain dictionary."""
    with SPEC_PATH.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


@cache
def _registry() -> Registry[Any]:
    resource: Resource[Any] = DRAFT202012.create_resource(load_spec())
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
    return registry


def resolve(node: Mapping[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (one level at a time) to the node it names."""
    current: Mapping[str, Any] = node
    while "$ref" in current:
        target: Any = load_spec()
        for part in str(current["$ref"]).removeprefix("#/").split("/"):
            target = target[part]
        current = target
    return dict(current)


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
