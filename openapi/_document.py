"""The document itself: reading the YAML, JSON Pointers, and the one local `$ref` resolver.

Every part of the kit that needs a node behind a `$ref` follows it here, so a loop in the
document is refused the same way everywhere (a chain longer than `MAX_REF_CHAIN`, or one that
comes back to a reference it already followed, is a `ContractError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "MAX_REF_CHAIN",
    "ContractError",
    "child",
    "follow",
    "inline",
    "lookup",
    "parse_document",
    "read_document",
]

MAX_REF_CHAIN = 32  # a `$ref` chain longer than this is a loop in practice, and an error


class ContractError(ValueError):
    """The document is missing, unreadable, or lacks a part the kit reads from it."""


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser, when installed


def parse_document(text: str | bytes, what: str) -> dict[str, Any]:
    """The YAML `text` as plain JSON-like data; `what` names it in a `ContractError`."""
    try:
        document = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise ContractError(f"cannot read {what}: {exc}") from exc
    if not isinstance(document, dict):
        raise ContractError(f"{what} is not a YAML mapping")
    return document


def read_document(path: Path | str) -> dict[str, Any]:
    """The YAML document at `path` as plain JSON-like data."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise ContractError(f"cannot read the spec {path}: {exc}") from exc
    return parse_document(text, f"the spec {path}")


def child(pointer: str, *tokens: object) -> str:
    """`pointer` extended by `tokens`, each escaped as RFC 6901 requires (`~0`, `~1`)."""
    escaped = (str(t).replace("~", "~0").replace("/", "~1") for t in tokens)
    return "/".join((pointer, *escaped))


def lookup(document: Mapping[str, Any], ref: str) -> Any:
    """The node a local reference (`#/components/...`) names; anything else is an error."""
    if not ref.startswith("#"):
        raise ContractError(f"only local references are supported, not {ref!r}")
    node: Any = document
    for raw in ref[1:].split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, Mapping) and token in node:
            node = node[token]
        else:
            raise ContractError(f"{ref!r} does not resolve")
    return node


def follow(
    document: Mapping[str, Any], node: Any, source: str | None = None
) -> tuple[Any, str | None]:
    """`node` with its `$ref` chain followed, and the pointer of what it finally names.

    Keywords beside a `$ref` (allowed in OpenAPI 3.1, usually a description) override the
    target's. `source` is returned unchanged when `node` is not a reference.
    """
    seen: list[str] = []
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref: str = node["$ref"]
        if ref in seen or len(seen) >= MAX_REF_CHAIN:
            raise ContractError(f"reference loop: {' -> '.join([*seen, ref])}")
        seen.append(ref)
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        target = lookup(document, ref)
        node = {**target, **siblings} if siblings and isinstance(target, Mapping) else target
        source = ref
    return node, source


def inline(document: Mapping[str, Any], node: Any, within: tuple[str, ...] = ()) -> Any:
    """A copy of `node` with every local `$ref` replaced by what it names, at any depth.

    `within` holds the references being inlined around `node`; meeting one of them again is
    a recursive schema, which cannot be inlined, and a `ContractError`.
    """
    if isinstance(node, list):
        return [inline(document, item, within) for item in node]
    if not isinstance(node, Mapping):
        return node
    target, source = follow(document, node)
    if source is not None:
        if source in within:
            raise ContractError(f"recursive reference: {' -> '.join([*within, source])}")
        within = (*within, source)
    if not isinstance(target, Mapping):
        return inline(document, target, within)
    return {key: inline(document, value, within) for key, value in target.items()}
