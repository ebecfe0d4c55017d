"""Compare paths, operations, parameters, request bodies and responses.

| element                    | removed           | added                 | edited                  |
|----------------------------|-------------------|-----------------------|-------------------------|
| path or operation          | breaking: clients | compatible            | see below               |
| operationId, tags          |                   |                       | breaking: clients (1)   |
| parameter (request header) | breaking: clients | required: clients     | made required: clients  |
| request body media type    | breaking: clients | compatible            | schema, as a request    |
| response status code       | breaking: both    | compatible            | schema, as a response   |
| response header            | breaking: clients | required: servers     | made optional: clients  |
| security requirements      |                   |                       | breaking: both          |

(1) The generated client's module and function names come from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fulfillments_contract import follow

from contract_diff._context import DOC_KEYWORDS, Context, Where, canonical
from contract_diff._model import CLIENTS, SERVERS, Direction, Party
from contract_diff._schema import compare_schema

__all__ = ["compare_paths"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_BOTH: tuple[Party, ...] = ("clients", "servers")
_OPERATION_KEYS = frozenset(
    {"operationId", "tags", "parameters", "requestBody", "responses", "security", "deprecated"}
)
_SERIALISATION = ("style", "explode", "allowEmptyValue", "allowReserved", "content")


def compare_paths(ctx: Context) -> None:
    """Append every change to the operations of `ctx`'s two documents."""
    old_paths: Mapping[str, Any] = ctx.old.get("paths") or {}
    new_paths: Mapping[str, Any] = ctx.new.get("paths") or {}
    root = Where("", "#", "#").down("paths")
    for path in sorted(old_paths.keys() | new_paths.keys()):
        here = root.down(path)
        if path not in new_paths:
            ctx.add(here, "path-removed", f"path {path} removed", CLIENTS)
            continue
        if path not in old_paths:
            ctx.add(here, "path-added", f"path {path} added")
            continue
        _compare_path_item(ctx, old_paths[path], new_paths[path], here)


def _compare_path_item(ctx: Context, old: Any, new: Any, here: Where) -> None:
    old, new, here = ctx.resolve_pair(old, new, here)
    for method in _METHODS:
        at = here.down(method)
        if method in old and method not in new:
            ctx.add(at, "operation-removed", f"{method.upper()} removed", CLIENTS)
        elif method in new and method not in old:
            ctx.add(at, "operation-added", f"{method.upper()} added")
        elif method in old:
            shared = (old.get("parameters") or [], new.get("parameters") or [])
            _compare_operation(ctx, old[method], new[method], at, shared)
    ctx.documentation(old, new, here)


def _compare_operation(
    ctx: Context, old: Any, new: Any, here: Where, shared: tuple[list[Any], list[Any]]
) -> None:
    for key in ("operationId", "tags"):
        if canonical(old.get(key)) != canonical(new.get(key)):
            text = f"{key} {old.get(key)!r} -> {new.get(key)!r} (the generated client's names move)"
            ctx.add(here.down(key), f"{key}-changed", text, CLIENTS)
    security = (
        old.get("security", ctx.old.get("security")),
        new.get("security", ctx.new.get("security")),
    )
    if canonical(security[0]) != canonical(security[1]):
        ctx.add(
            here.down("security"), "security-changed", f"{security[0]!r} -> {security[1]!r}", _BOTH
        )
    if old.get("deprecated", False) != new.get("deprecated", False):
        ctx.add(
            here.down("deprecated"), "deprecated-changed", f"deprecated: {new.get('deprecated')}"
        )
    _compare_parameters(
        ctx,
        [*shared[0], *(old.get("parameters") or [])],
        [*shared[1], *(new.get("parameters") or [])],
        here,
    )
    _compare_request_body(
        ctx, old.get("requestBody"), new.get("requestBody"), here.down("requestBody")
    )
    _compare_responses(
        ctx, old.get("responses") or {}, new.get("responses") or {}, here.down("responses")
    )
    ctx.documentation(old, new, here)
    _unknown(ctx, old, new, here, _OPERATION_KEYS)


def _unknown(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], here: Where, known: frozenset[str]
) -> None:
    for key in sorted((old.keys() | new.keys()) - known - DOC_KEYWORDS):
        if not key.startswith("x-") and canonical(old.get(key)) != canonical(new.get(key)):
            text = f"{key} changed (not understood; review it by hand)"
            ctx.add(here.down(key), "unclassified-change", text, _BOTH)


def _index_parameters(
    document: Mapping[str, Any], raw: list[Any]
) -> dict[tuple[str, str], tuple[Any, str | None]]:
    """Parameters by (location, name); header names compare case-insensitively; later wins."""
    found: dict[tuple[str, str], tuple[Any, str | None]] = {}
    for item in raw:
        parameter, source = follow(document, item, None)
        name = str(parameter["name"])
        found[(str(parameter["in"]), name.lower() if parameter["in"] == "header" else name)] = (
            parameter,
            source,
        )
    return found


def _compare_parameters(ctx: Context, old_raw: list[Any], new_raw: list[Any], here: Where) -> None:
    old = _index_parameters(ctx.old, old_raw)
    new = _index_parameters(ctx.new, new_raw)
    for key in sorted(old.keys() | new.keys()):
        location = key[0]
        (a, a_src), (b, b_src) = old.get(key, (None, None)), new.get(key, (None, None))
        label = f"{location} {(b or a)['name']}"
        at = Where(here.down("parameters", f"{location}:{(b or a)['name']}").path, a_src, b_src)
        if b is None:
            ctx.add(at, "parameter-removed", f"{label} removed", CLIENTS)
        elif a is None:
            required = bool(b.get("required"))
            kind = "required-parameter-added" if required else "parameter-added"
            ctx.add(
                at,
                kind,
                f"{'required' if required else 'optional'} {label} added",
                CLIENTS if required else (),
            )
        else:
            _compare_parameter(ctx, a, b, at, label)


def _compare_parameter(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], at: Where, label: str
) -> None:
    was, now = bool(old.get("required")), bool(new.get("required"))
    if not was and now:
        ctx.add(at.down("required"), "parameter-made-required", f"{label} made required", CLIENTS)
    elif was and not now:
        ctx.add(at.down("required"), "parameter-made-optional", f"{label} made optional")
    if old["name"] != new["name"]:
        ctx.add(
            at.down("name"), "parameter-name-case-changed", f"{old['name']!r} -> {new['name']!r}"
        )
    for key in _SERIALISATION:
        if canonical(old.get(key)) != canonical(new.get(key)):
            ctx.add(at.down(key), f"{key}-changed", f"{label}: {key} changed", _BOTH)
    if "schema" in old or "schema" in new:
        compare_schema(
            ctx, old.get("schema", {}), new.get("schema", {}), at.down("schema"), Direction.REQUEST
        )
    if old.get("deprecated", False) != new.get("deprecated", False):
        ctx.add(
            at.down("deprecated"),
            "deprecated-changed",
            f"{label} deprecated: {new.get('deprecated')}",
        )
    ctx.documentation(old, new, at)


def _compare_request_body(ctx: Context, old: Any, new: Any, here: Where) -> None:
    if old is None and new is None:
        return
    if new is None:
        ctx.add(here, "request-body-removed", "request body removed", CLIENTS)
        return
    if old is None:
        ctx.add(
            here, "request-body-added", "request body added", CLIENTS if new.get("required") else ()
        )
        return
    old, new, here = ctx.resolve_pair(old, new, here)
    if not old.get("required") and new.get("required"):
        ctx.add(
            here.down("required"),
            "request-body-made-required",
            "request body made required",
            CLIENTS,
        )
    elif old.get("required") and not new.get("required"):
        ctx.add(here.down("required"), "request-body-made-optional", "request body made optional")
    _compare_content(
        ctx,
        old.get("content") or {},
        new.get("content") or {},
        here.down("content"),
        Direction.REQUEST,
    )
    ctx.documentation(old, new, here)


def _compare_content(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], here: Where, direction: Direction
) -> None:
    for media in sorted(old.keys() | new.keys()):
        at = here.down(media)
        if media not in new:
            ctx.add(at, "media-type-removed", f"{media} removed", CLIENTS)
        elif media not in old:
            ctx.add(at, "media-type-added", f"{media} added")
        else:
            a, b = old[media], new[media]
            compare_schema(
                ctx, a.get("schema", {}), b.get("schema", {}), at.down("schema"), direction
            )
            if canonical(a.get("encoding")) != canonical(b.get("encoding")):
                ctx.add(
                    at.down("encoding"), "encoding-changed", f"{media}: encoding changed", _BOTH
                )
            ctx.documentation(a, b, at)


def _compare_responses(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], here: Where
) -> None:
    for code in sorted(old.keys() | new.keys()):
        at = here.down(code)
        if code not in new:
            ctx.add(at, "response-removed", f"response {code} removed", _BOTH)
        elif code not in old:
            ctx.add(at, "response-added", f"response {code} added")
        else:
            a, b, at = ctx.resolve_pair(old[code], new[code], at)
            _compare_headers(
                ctx, a.get("headers") or {}, b.get("headers") or {}, at.down("headers")
            )
            _compare_content(
                ctx,
                a.get("content") or {},
                b.get("content") or {},
                at.down("content"),
                Direction.RESPONSE,
            )
            if canonical(a.get("links")) != canonical(b.get("links")):
                ctx.add(at.down("links"), "links-changed", f"response {code}: links changed")
            ctx.documentation(a, b, at)


def _compare_headers(
    ctx: Context, old: Mapping[str, Any], new: Mapping[str, Any], here: Where
) -> None:
    old_by = {name.lower(): name for name in old}
    new_by = {name.lower(): name for name in new}
    for key in sorted(old_by.keys() | new_by.keys()):
        name = new_by.get(key) or old_by[key]
        at = here.down(name)
        if key not in new_by:
            ctx.add(at, "response-header-removed", f"header {name} removed", CLIENTS)
            continue
        if key not in old_by:
            header = ctx.resolve_pair(None, new[name], at)[1]
            required = bool(header.get("required"))
            text = f"{'required' if required else 'optional'} header {name} added"
            ctx.add(at, "response-header-added", text, SERVERS if required else ())
            continue
        a, b, at = ctx.resolve_pair(old[old_by[key]], new[name], at)
        was, now = bool(a.get("required")), bool(b.get("required"))
        if was and not now:
            ctx.add(
                at.down("required"),
                "response-header-made-optional",
                f"header {name} made optional",
                CLIENTS,
            )
        elif now and not was:
            ctx.add(
                at.down("required"),
                "response-header-made-required",
                f"header {name} made required",
                SERVERS,
            )
        compare_schema(
            ctx, a.get("schema", {}), b.get("schema", {}), at.down("schema"), Direction.RESPONSE
        )
        ctx.documentation(a, b, at)
