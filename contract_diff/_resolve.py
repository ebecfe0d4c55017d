"""JSON Pointers and local `$ref` resolution, so schemas are compared by content, not by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_REF_CHAIN", "child", "lookup", "resolve"]

MAX_REF_CHAIN = 32  # a `$ref` chain longer than this is a loop in practice, and an error


def child(pointer: str, *tokens: object) -> str:
    """`pointer` extended by `tokens`, each escaped as RFC 6901 requires (`~0`, `~1`)."""
    escaped = (str(t).replace("~", "~0").replace("/", "~1") for t in tokens)
    return "/".join((pointer, *escaped))


def lookup(document: Mapping[str, Any], ref: str) -> Any:
    """The node a local reference (`#/components/...`) names; anything else is an error."""
    if not ref.startswith("#"):
        raise ValueError(f"only local references are supported, not {ref!r}")
    node: Any = document
    for raw in ref[1:].split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, Mapping) and token in node:
            node = node[token]
        else:
            raise ValueError(f"{ref!r} does not resolve")
    return node


def resolve(document: Mapping[str, Any], node: Any, source: str | None) -> tuple[Any, str | None]:
    """`node` with its `$ref` chain followed, and the pointer of what it finally names.

    Keywords beside a `$ref` (allowed in OpenAPI 3.1, usually a description) override the
    target's. `source` is returned unchanged when `node` is not a reference.
    """
    seen: list[str] = []
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref: str = node["$ref"]
        if ref in seen or len(seen) >= MAX_REF_CHAIN:
            raise ValueError(f"reference loop: {' -> '.join([*seen, ref])}")
        seen.append(ref)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        target = lookup(document, ref)
        node = {**target, **siblings} if siblings and isinstance(target, Mapping) else target
        source = ref
    return node, source
