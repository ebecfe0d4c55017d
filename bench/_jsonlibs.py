"""orjson (the server's choice) and the standard library's `json`, on the server's own work.

| row                    | orjson                             | json                               |
|------------------------|------------------------------------|------------------------------------|
| loads of a body        | `orjson.loads(body)`               | `json.loads(body)`                 |
| dumps of an answer     | `orjson.dumps(answer)`             | `json.dumps(answer, ...).encode()` |
| dumps with sorted keys | `orjson.dumps(doc, OPT_SORT_KEYS)` | the same with `sort_keys=True`     |

Both sides produce what the server needs: a document from bytes, compact UTF-8 bytes from a
document (sorted for the idempotency fingerprint). The standard library is called in its
fastest form; making it as strict as the server's parsing must be (see `STRICTNESS`) would only
add hooks and a decode to it.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from typing import Any

import orjson
from fulfillments_contract import load_contract

from bench._requests import SPEC, Bodies
from bench._timing import Case

__all__ = ["CANDIDATES", "OURS", "STRICTNESS", "json_cases", "same_results", "strictness"]

OURS = "orjson"
CANDIDATES = (OURS, "json")
ANSWER_EXAMPLE = "DeliveriesResponse"  # the contract's documented answer to DeliveriesRequest
_COMPACT = (",", ":")  # orjson's output has no spaces; json's default has

# Bodies the server must refuse (`refserver.parts.ContractValidator.parse`), and why.
STRICTNESS: tuple[tuple[str, bytes], ...] = (
    ("NaN (not JSON)", b'{"quantity": NaN}'),
    ("1e400 (beyond a double)", b'{"quantity": 1e400}'),
    ("a lone UTF-16 surrogate", b'{"description": "\\ud800"}'),
    ("a UTF-16 body (JSON on the wire is UTF-8)", '{"quantity": 5}'.encode("utf-16")),
    ("invalid UTF-8", b'{"description": "\xff"}'),
)


def _answer() -> Any:
    """The contract's example answer, the shape and size of what a creation sends back."""
    return load_contract(SPEC).document["components"]["examples"][ANSWER_EXAMPLE]["value"]


def _loaders() -> dict[str, Callable[[bytes], Any]]:
    return {OURS: orjson.loads, "json": json.loads}


def _dumpers(sort: bool) -> dict[str, Callable[[Any], bytes]]:
    option = orjson.OPT_SORT_KEYS if sort else 0
    return {
        OURS: lambda doc: orjson.dumps(doc, option=option),
        "json": lambda doc: json.dumps(doc, separators=_COMPACT, sort_keys=sort).encode(),
    }


def _rows(bodies: Bodies) -> list[tuple[str, str, Any]]:
    """(row, kind, input): kind is loads, dumps or sorted."""
    rows: list[tuple[str, str, Any]] = []
    for name in ("small", "large", "invalid"):
        raw = getattr(bodies, name).read_bytes()
        rows.append((f"loads {name} body ({len(raw):,} B)", "loads", raw))
    answer = _answer()
    size = len(orjson.dumps(answer))
    rows.append((f"dumps creation answer ({size:,} B)", "dumps", answer))
    request = orjson.loads(bodies.small.read_bytes())
    rows.append(("dumps small body, sorted keys (fingerprint)", "sorted", request))
    return rows


def _callables(kind: str) -> dict[str, Callable[[Any], Any]]:
    if kind == "loads":
        return dict(_loaders())
    return dict(_dumpers(sort=kind == "sorted"))


def json_cases(bodies: Bodies) -> list[Case]:
    """Every (row, library) call to time."""
    cases = []
    for row, kind, value in _rows(bodies):
        for name, function in _callables(kind).items():
            cases.append(Case(row, name, functools.partial(function, value)))
    return cases


def same_results(bodies: Bodies) -> dict[str, bool]:
    """Per row: whether both libraries give the same document, or byte-identical output."""
    return {
        row: len({repr(f(value)) for f in _callables(kind).values()}) == 1
        for row, kind, value in _rows(bodies)
    }


def _verdict(load: Callable[[bytes], Any], raw: bytes) -> str:
    try:
        value = load(raw)
    except ValueError:  # both libraries' decode errors are ValueErrors
        return "refused"
    shown = repr(value)
    if any(isinstance(v, float) and not math.isfinite(v) for v in _scalars(value)):
        shown += " (not a finite number)"
    return f"accepted as `{shown}`"


def _scalars(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _scalars(v)]
    if isinstance(value, list):
        return [s for v in value for s in _scalars(v)]
    return [value]


def strictness() -> list[tuple[str, dict[str, str]]]:
    """What each library does with each body the server must refuse."""
    loaders = _loaders()
    return [
        (label, {name: _verdict(load, raw) for name, load in loaders.items()})
        for label, raw in STRICTNESS
    ]
