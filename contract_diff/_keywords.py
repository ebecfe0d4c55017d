"""Leaf keywords of a schema: types, bounds, enums and value constraints.

Each edit is named by how it changes the set of allowed values (see `_model` for who that
breaks in a request and in a response):

| keyword                                   | narrowed when               | widened when       |
|-------------------------------------------|-----------------------------|--------------------|
| type (and 3.0 `nullable`)                 | a type is dropped           | a type is added    |
| maxLength, maxItems, maximum, ...         | lowered or added            | raised or removed  |
| minLength, minItems, minimum, ...         | raised or added             | lowered or removed |
| enum, const                               | a value removed, list added | a value added      |
| pattern, format, multipleOf               | added (changed: neither)    | removed            |

A changed `default` breaks clients of a request: omitting the field now means something else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract_diff._context import Context, Where, canonical
from contract_diff._model import CLIENTS, Direction, Effect, parties_broken

__all__ = ["LEAF_KEYWORDS", "compare_leaf_keywords", "report"]

_UPPER = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")
_LOWER = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
_OPTIONAL_CONSTRAINTS = ("pattern", "format", "multipleOf")
_ANY_TYPE = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
LEAF_KEYWORDS = frozenset(
    {"type", "nullable", "enum", "const", "uniqueItems", "default", "deprecated"}
    | {*_UPPER, *_LOWER, *_OPTIONAL_CONSTRAINTS}
)
_MISSING = object()


def compare_leaf_keywords(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], where: Where, direction: Direction
) -> None:
    """Append the changes to every keyword in `LEAF_KEYWORDS`."""
    _types(ctx, old, new, where, direction)
    _bounds(ctx, old, new, where, direction)
    _enums(ctx, old, new, where, direction)
    _constraints(ctx, old, new, where, direction)
    _default(ctx, old, new, where, direction)
    if old.get("deprecated", False) != new.get("deprecated", False):
        text = f"deprecated: {new.get('deprecated')}"
        ctx.add(where.down("deprecated"), "deprecated-changed", text)


def report(
    ctx: Context, where: Where, kind: str, message: str, effect: Effect, direction: Direction
) -> None:
    """Record a change whose breakage follows from its effect and direction."""
    breaks = parties_broken(direction, effect)
    ctx.add(where, kind, f"{message} ({effect.value}, in a {direction.value})", breaks)


def _type_set(schema: Mapping[str, Any]) -> frozenset[str]:
    raw = schema.get("type")
    types = set(_ANY_TYPE if raw is None else [raw] if isinstance(raw, str) else raw)
    if schema.get("nullable") is True:
        types.add("null")
    if "number" in types:
        types.add("integer")  # every integer is a number
    return frozenset(types)


def _types(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], where: Where, direction: Direction
) -> None:
    before, after = _type_set(old), _type_set(new)
    if before == after:
        return
    effect = Effect.WIDENED if before < after else Effect.NARROWED if after < before else None
    text = f"type {sorted(before)} -> {sorted(after)}"
    kind = f"type-{(effect or Effect.CHANGED).value}"
    report(ctx, where.down("type"), kind, text, effect or Effect.CHANGED, direction)


def _bounds(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], where: Where, direction: Direction
) -> None:
    for keyword in (*_UPPER, *_LOWER):
        a, b = old.get(keyword), new.get(keyword)
        if a == b and type(a) is type(b):
            continue
        upper = keyword in _UPPER
        if a is None:
            kind, effect = "added", Effect.NARROWED
        elif b is None:
            kind, effect = "removed", Effect.WIDENED
        elif isinstance(a, bool) or isinstance(b, bool) or not _numbers(a, b):
            kind, effect = "changed", Effect.CHANGED
        elif b < a:
            kind, effect = "decreased", Effect.NARROWED if upper else Effect.WIDENED
        else:
            kind, effect = "increased", Effect.WIDENED if upper else Effect.NARROWED
        text = f"{keyword} {a!r} -> {b!r}"
        report(ctx, where.down(keyword), f"{keyword}-{kind}", text, effect, direction)


def _numbers(*values: Any) -> bool:
    return all(isinstance(v, int | float) for v in values)


def _allowed(schema: Mapping[str, Any]) -> list[Any] | None:
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    return None


def _enums(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], where: Where, direction: Direction
) -> None:
    a, b = _allowed(old), _allowed(new)
    here = where.down("enum" if "enum" in new or "enum" in old else "const")
    if a is None and b is None:
        return
    if b is None:
        report(
            ctx,
            here,
            "enum-removed",
            "the list of allowed values removed",
            Effect.WIDENED,
            direction,
        )
        return
    if a is None:
        report(ctx, here, "enum-added", f"values restricted to {b!r}", Effect.NARROWED, direction)
        return
    kept = {canonical(v) for v in b}
    removed = [v for v in a if canonical(v) not in kept]
    before = {canonical(v) for v in a}
    added = [v for v in b if canonical(v) not in before]
    if removed:
        text = f"value(s) {removed!r} removed"
        report(ctx, here, "enum-value-removed", text, Effect.NARROWED, direction)
    if added:
        report(
            ctx, here, "enum-value-added", f"value(s) {added!r} added", Effect.WIDENED, direction
        )


def _constraints(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], where: Where, direction: Direction
) -> None:
    for keyword in _OPTIONAL_CONSTRAINTS:
        a, b = old.get(keyword, _MISSING), new.get(keyword, _MISSING)
        if canonical(a) == canonical(b):
            continue
        if a is _MISSING:
            kind, effect = "added", Effect.NARROWED
        elif b is _MISSING:
            kind, effect = "removed", Effect.WIDENED
        else:
            kind, effect = "changed", Effect.CHANGED
        text = f"{keyword} {_show(a)} -> {_show(b)}"
        report(ctx, where.down(keyword), f"{keyword}-{kind}", text, effect, direction)
    a_unique, b_unique = bool(old.get("uniqueItems")), bool(new.get("uniqueItems"))
    if a_unique != b_unique:
        effect = Effect.NARROWED if b_unique else Effect.WIDENED
        text = f"uniqueItems {a_unique} -> {b_unique}"
        report(ctx, where.down("uniqueItems"), "uniqueItems-changed", text, effect, direction)


def _show(value: Any) -> str:
    return "(none)" if value is _MISSING else repr(value)


def _default(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], where: Where, direction: Direction
) -> None:
    a, b = old.get("default", _MISSING), new.get("default", _MISSING)
    if canonical(a) == canonical(b):
        return
    text = f"default {_show(a)} -> {_show(b)}"
    if direction is Direction.REQUEST:
        ctx.add(
            where.down("default"),
            "default-changed",
            f"{text} (omitting the field means something else)",
            CLIENTS,
        )
    else:
        ctx.add(where.down("default"), "default-changed", text)
