"""Compare two versions of a JSON Schema that travels in a known direction.

Leaf keywords (types, bounds, enums) are compared in `_keywords`; this module walks the
structure, `$ref`s resolved, and names each structural edit by how it changes the allowed values:

| keyword                                   | narrowed when               | widened when       |
|-------------------------------------------|-----------------------------|--------------------|
| required                                  | a name is added             | a name is removed  |
| additionalProperties                      | true -> false               | false -> true      |
| anyOf, oneOf (alternatives)               | an alternative is removed   | one is added       |
| allOf (conjuncts)                         | a conjunct is added         | one is removed     |

Removing a property breaks clients whatever the direction (the generated model loses the
attribute); adding an optional one is compatible. Keywords this module does not know are reported
as breaking, so the gate never passes an edit it did not understand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contract_diff._context import DOC_KEYWORDS, Context, Where, canonical
from contract_diff._keywords import LEAF_KEYWORDS, compare_leaf_keywords, report
from contract_diff._model import CLIENTS, Direction, Effect

__all__ = ["compare_schema"]

_STRUCTURE = frozenset({"required", "properties", "additionalProperties", "items"})
_HANDLED = LEAF_KEYWORDS | _STRUCTURE | {"anyOf", "oneOf", "allOf"}


def compare_schema(ctx: Context, old: Any, new: Any, where: Where, direction: Direction) -> None:
    """Append to `ctx` every difference between the two schemas, `$ref`s resolved."""
    old, new, where = ctx.resolve_pair(old, new, where)
    key = (where.old_source, where.new_source, direction.value)
    if key in ctx.active:  # a recursive schema met again: already being compared
        return
    if where.old_source and where.new_source:
        ctx.active.add(key)
    try:
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            _compare_objects(ctx, old, new, where, direction)
        elif canonical(old) != canonical(new):
            report(ctx, where, "schema-changed", f"{old!r} -> {new!r}", Effect.CHANGED, direction)
    finally:
        ctx.active.discard(key)


def _compare_objects(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], where: Where, direction: Direction
) -> None:
    compare_leaf_keywords(ctx, old, new, where, direction)
    _properties(ctx, old, new, where, direction)
    _additional(ctx, old, new, where, direction)
    _items(ctx, old, new, where, direction)
    _combinators(ctx, old, new, where, direction)
    ctx.documentation(old, new, where)
    for key in sorted((old.keys() | new.keys()) - _HANDLED - DOC_KEYWORDS):
        if key.startswith("x-") or canonical(old.get(key)) == canonical(new.get(key)):
            continue
        ctx.add(
            where.down(key),
            "unclassified-change",
            f"{key}: {old.get(key)!r} -> {new.get(key)!r} (not understood; review it by hand)",
            ("clients", "servers"),
        )


def _properties(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], where: Where, direction: Direction
) -> None:
    old_props: Mapping[str, Any] = old.get("properties") or {}
    new_props: Mapping[str, Any] = new.get("properties") or {}
    old_required, new_required = set(old.get("required") or ()), set(new.get("required") or ())
    for name in sorted(old_props.keys() - new_props.keys()):
        text = f"property {name!r} removed (code that sends or reads it breaks)"
        ctx.add(where.down("properties", name), "property-removed", text, CLIENTS)
    for name in sorted(new_props.keys() - old_props.keys() - new_required):
        ctx.add(
            where.down("properties", name), "property-added", f"optional property {name!r} added"
        )
    for name in sorted(old_props.keys() & new_props.keys()):
        compare_schema(
            ctx, old_props[name], new_props[name], where.down("properties", name), direction
        )
    for name in sorted(new_required - old_required):
        kind, text = (
            ("property-made-required", "made required")
            if name in old_props
            else (
                "required-property-added",
                "added as a required property",
            )
        )
        report(ctx, where.down("required"), kind, f"{name!r} {text}", Effect.NARROWED, direction)
    for name in sorted(old_required - new_required):
        if name in old_props and name not in new_props:
            continue  # reported as a removed property
        text = f"{name!r} no longer required"
        report(
            ctx, where.down("required"), "property-made-optional", text, Effect.WIDENED, direction
        )


def _additional(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], where: Where, direction: Direction
) -> None:
    a, b = old.get("additionalProperties", True), new.get("additionalProperties", True)
    here = where.down("additionalProperties")
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        compare_schema(ctx, a, b, here, direction)
        return
    if canonical(a) == canonical(b):
        return
    effect = Effect.NARROWED if a is True or b is False else Effect.WIDENED
    text = f"additionalProperties {a!r} -> {b!r}"
    if direction is Direction.RESPONSE and effect is Effect.WIDENED:
        # Clients keep fields they do not know: the generated models store them aside.
        ctx.add(here, "additionalProperties-widened", f"{text} (clients keep unknown fields)")
        return
    report(ctx, here, f"additionalProperties-{effect.value}", text, effect, direction)


def _items(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], where: Where, direction: Direction
) -> None:
    a, b = old.get("items"), new.get("items")
    if a is None and b is None:
        return
    if a is None or b is None:
        effect = Effect.NARROWED if a is None else Effect.WIDENED
        text = "items schema " + ("added" if a is None else "removed")
        report(ctx, where.down("items"), f"items-{effect.value}", text, effect, direction)
        return
    compare_schema(ctx, a, b, where.down("items"), direction)


def _combinators(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], where: Where, direction: Direction
) -> None:
    for keyword in ("anyOf", "oneOf", "allOf"):
        a: Sequence[Any] = old.get(keyword) or ()
        b: Sequence[Any] = new.get(keyword) or ()
        if not a and not b:
            continue
        here = where.down(keyword)
        if not a or not b:  # the whole list added (a new constraint) or dropped
            effect = Effect.NARROWED if not a else Effect.WIDENED
            text = f"{keyword} " + ("added" if not a else "removed")
            report(ctx, here, f"{keyword}-{effect.value}", text, effect, direction)
            continue
        _pair_members(ctx, keyword, a, b, here, direction)


def _pair_members(
    ctx: Context,
    keyword: str,
    a: Sequence[Any],
    b: Sequence[Any],
    here: Where,
    direction: Direction,
) -> None:
    """Pair identical members first, the rest by position; report extra members on either side."""
    old_texts = [canonical(ctx.resolve_pair(m, None, here)[0]) for m in a]
    new_texts = [canonical(ctx.resolve_pair(None, m, here)[1]) for m in b]
    old_left = [i for i, t in enumerate(old_texts) if t not in new_texts]
    new_left = [i for i, t in enumerate(new_texts) if t not in old_texts]
    for i, j in zip(old_left, new_left, strict=False):
        compare_schema(ctx, a[i], b[j], here.down(j), direction)
    grow, shrink = (
        (Effect.NARROWED, Effect.WIDENED)
        if keyword == "allOf"
        else (
            Effect.WIDENED,
            Effect.NARROWED,
        )
    )
    for i in old_left[len(new_left) :]:
        report(
            ctx, here.down(i), f"{keyword}-member-removed", f"member {i} removed", shrink, direction
        )
    for j in new_left[len(old_left) :]:
        report(ctx, here.down(j), f"{keyword}-member-added", f"member {j} added", grow, direction)
