"""Compare two whole contracts: the operations, then what surrounds them.

| element                                  | removed        | added      | edited             |
|------------------------------------------|----------------|------------|--------------------|
| `components.schemas` entry               | breaking: c    | compatible | compared where used|
| other component (parameter, header, ...) | compatible     | compatible | compared where used|
| security scheme                          | breaking: c, s | compatible | breaking: c, s     |
| server URL                               | breaking: c    | compatible | description only   |
| `x-policies` value (published numbers)   | breaking: c, s | compatible | breaking: c, s     |
| `info`, tags, other extensions           | compatible     | compatible | compatible         |

(c: clients, s: servers.)

A schema component becomes a class of the generated client, so removing or renaming one breaks
code that imports it even when no operation uses it any more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contract_diff._context import Context, Where, canonical
from contract_diff._model import CLIENTS, Change, Party
from contract_diff._operations import compare_paths

__all__ = ["diff_documents"]

_BOTH: tuple[Party, ...] = ("clients", "servers")
_SCHEME_DOCS = frozenset({"description"})
_ROOT_HANDLED = frozenset(
    {
        "openapi",
        "info",
        "servers",
        "paths",
        "components",
        "security",
        "tags",
        "externalDocs",
        "x-policies",
    }
)


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from `old` to `new`, breaking ones first, then in path order."""
    ctx = Context(old, new)
    compare_paths(ctx)
    root = Where("", "#", "#")
    _compare_schema_names(ctx, root)
    _compare_other_components(ctx, root)
    _compare_security_schemes(ctx, root)
    _compare_servers(ctx, root)
    _compare_policies(ctx, old.get("x-policies"), new.get("x-policies"), root.down("x-policies"))
    _compare_plain(ctx, old, new, root)
    return sorted(ctx.changes, key=lambda c: (not c.breaking, c.path, c.kind))


def _components(document: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    return (document.get("components") or {}).get(kind) or {}


def _compare_schema_names(ctx: Context, root: Where) -> None:
    old, new = _components(ctx.old, "schemas"), _components(ctx.new, "schemas")
    here = root.down("components", "schemas")
    for name in sorted(old.keys() - new.keys()):
        text = f"schema {name} removed or renamed (the generated model class goes away)"
        ctx.add(here.down(name), "schema-removed", text, CLIENTS)
    for name in sorted(new.keys() - old.keys()):
        ctx.add(here.down(name), "schema-added", f"schema {name} added")


def _compare_other_components(ctx: Context, root: Where) -> None:
    for kind in ("parameters", "headers", "responses", "requestBodies", "examples", "links"):
        old, new = _components(ctx.old, kind), _components(ctx.new, kind)
        here = root.down("components", kind)
        for name in sorted(old.keys() - new.keys()):
            ctx.add(
                here.down(name), "component-removed", f"{kind} {name} removed (uses compared above)"
            )
        for name in sorted(new.keys() - old.keys()):
            ctx.add(here.down(name), "component-added", f"{kind} {name} added")
        for name in sorted(old.keys() & new.keys()):
            if kind == "examples" and canonical(old[name]) != canonical(new[name]):
                ctx.add(here.down(name), "example-changed", f"example {name} changed")


def _compare_security_schemes(ctx: Context, root: Where) -> None:
    old, new = _components(ctx.old, "securitySchemes"), _components(ctx.new, "securitySchemes")
    here = root.down("components", "securitySchemes")
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            ctx.add(here.down(name), "security-scheme-removed", f"{name} removed", _BOTH)
        elif name not in old:
            ctx.add(here.down(name), "security-scheme-added", f"{name} added")
        else:
            a = {k: v for k, v in old[name].items() if k not in _SCHEME_DOCS}
            b = {k: v for k, v in new[name].items() if k not in _SCHEME_DOCS}
            if canonical(a) != canonical(b):
                ctx.add(here.down(name), "security-scheme-changed", f"{a!r} -> {b!r}", _BOTH)
            ctx.documentation(old[name], new[name], here.down(name))


def _compare_servers(ctx: Context, root: Where) -> None:
    old = {s.get("url"): s for s in ctx.old.get("servers") or []}
    new = {s.get("url"): s for s in ctx.new.get("servers") or []}
    for url in sorted(old.keys() | new.keys(), key=str):
        at = root.down("servers", str(url))
        if url not in new:
            ctx.add(at, "server-removed", f"server {url} removed", CLIENTS)
        elif url not in old:
            ctx.add(at, "server-added", f"server {url} added")
        else:
            ctx.documentation(old[url], new[url], at)


def _compare_policies(ctx: Context, old: Any, new: Any, here: Where) -> None:
    """Leaf by leaf: published numbers (key lifetime, limits) that servers and clients rely on."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(old.keys() | new.keys()):
            if key not in old:
                ctx.add(here.down(key), "policy-added", f"policy {key} = {new[key]!r} added")
            else:
                _compare_policies(ctx, old[key], new.get(key), here.down(key))
    elif canonical(old) != canonical(new):
        ctx.add(here, "policy-changed", f"published policy {old!r} -> {new!r}", _BOTH)


def _compare_plain(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], root: Where
) -> None:
    """`openapi`, `info`, tags and extensions: compatible; anything unknown: review by hand."""
    for key in ("openapi", "info", "tags", "externalDocs"):
        if canonical(old.get(key)) == canonical(new.get(key)):
            continue
        if (
            key == "info"
            and isinstance(old.get(key), Mapping)
            and isinstance(new.get(key), Mapping)
        ):
            for field in sorted(old[key].keys() | new[key].keys()):
                if canonical(old[key].get(field)) != canonical(new[key].get(field)):
                    text = f"info.{field} {old[key].get(field)!r} -> {new[key].get(field)!r}"
                    ctx.add(root.down(key, field), f"info-{field}-changed", _short(text))
        else:
            ctx.add(root.down(key), f"{key}-changed", f"{key} changed")
    for key in sorted((old.keys() | new.keys()) - _ROOT_HANDLED):
        if canonical(old.get(key)) == canonical(new.get(key)):
            continue
        if key.startswith("x-"):
            ctx.add(root.down(key), "extension-changed", f"{key} changed")
        else:
            ctx.add(
                root.down(key), "unclassified-change", f"{key} changed (review it by hand)", _BOTH
            )


def _short(text: str, limit: int = 120) -> str:
    """Long values (descriptions) cut to keep each change on one readable line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
