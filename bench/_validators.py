"""The contract's request-body schema compiled by three validators, called the way a server would.

| validator      | what it is                           | built here with                        |
|----------------|--------------------------------------|----------------------------------------|
| jsonschema-rs  | Rust behind a binding (the server's) | `validator_for(validate_formats=True)` |
| fastjsonschema | generates and compiles Python source | `compile(use_default=False)`           |
| jsonschema     | the reference Python implementation  | `Draft202012Validator`, format checker |

The schema is read exactly as the server reads it (`fulfillments_contract.load_contract`, `$ref`s
inlined). A validator that cannot compile it, or would silently skip a keyword it uses, is
reported as unavailable rather than timed: a fast answer to a different question is no evidence.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import fastjsonschema
import jsonschema
import jsonschema_rs
from fulfillments_contract import load_contract

__all__ = ["OURS", "Validator", "build_validators", "request_schema"]

OURS = "jsonschema-rs"
# Assertion and applicator keywords of drafts 2019-09 and 2020-12 that fastjsonschema (draft 4
# to 7 keywords, plus the 2019-09 formats) does not implement: it ignores them without a word.
_UNKNOWN_TO_FASTJSONSCHEMA = frozenset(
    {
        "$dynamicRef",
        "$recursiveRef",
        "dependentRequired",
        "dependentSchemas",
        "maxContains",
        "minContains",
        "prefixItems",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
_MAX_PROBLEM = 160  # characters of a library's complaint shown in a table cell
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_VALUES = (
    "items",
    "additionalProperties",
    "additionalItems",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
)


@dataclass(frozen=True, slots=True)
class Validator:
    """One library's compiled schema: a yes/no check and, where offered, every error."""

    name: str
    version: str
    settings: str  # how it is built and called, and which draft it applies
    compile_ms: float
    problem: str | None  # why it is not timed; None when it is
    is_valid: Callable[[Any], bool] | None
    errors: Callable[[Any], list[str]] | None  # every error's message; None: first one only


def request_schema() -> dict[str, Any]:
    """The request body's schema, as the reference server compiles it."""
    return dict(load_contract().request_schema)


def _keywords(node: Any) -> Iterator[str]:
    """Every keyword used anywhere in a schema (property names are not keywords)."""
    if not isinstance(node, Mapping):
        return
    yield from node
    for key in _SCHEMA_MAPS:
        for child in (node.get(key) or {}).values():
            yield from _keywords(child)
    for key in _SCHEMA_LISTS:
        for child in node.get(key) or ():
            yield from _keywords(child)
    for key in _SCHEMA_VALUES:
        child = node.get(key)
        for each in child if isinstance(child, list) else (child,):
            yield from _keywords(each)


def _one_line(exc: Exception) -> str:
    """An exception as a short single line, fit for a table cell."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= _MAX_PROBLEM else text[: _MAX_PROBLEM - 3] + "..."


def _timed(build: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    built = build()
    return built, (time.perf_counter() - started) * 1000


def _jsonschema_rs(schema: dict[str, Any]) -> Validator:
    compiled, ms = _timed(lambda: jsonschema_rs.validator_for(schema, validate_formats=True))
    settings = (
        "`validator_for(schema, validate_formats=True)`: draft 2020-12, its default "
        "without `$schema` and OpenAPI 3.1's dialect; `is_valid`, `iter_errors`"
    )
    return _iterating(OURS, metadata.version("jsonschema_rs"), settings, compiled, ms)


def _iterating(name: str, version: str, settings: str, compiled: Any, ms: float) -> Validator:
    """A validator with `is_valid` and `iter_errors`, as jsonschema-rs and jsonschema have."""
    return Validator(
        name=name,
        version=version,
        settings=settings,
        compile_ms=ms,
        problem=None,
        is_valid=compiled.is_valid,
        errors=lambda doc: [e.message for e in compiled.iter_errors(doc)],
    )


def _fastjsonschema(schema: dict[str, Any]) -> Validator:
    version = fastjsonschema.VERSION
    settings = (
        "`compile(schema, use_default=False, detailed_exceptions=False)` for yes or no, "
        "`fast_fail=False` for every error; its default generator, 2019-09 (draft-7 keywords "
        "and formats), the newest it has"
    )
    skipped = sorted(set(_keywords(schema)) & _UNKNOWN_TO_FASTJSONSCHEMA)
    if skipped:
        problem = f"not available: the schema uses {', '.join(skipped)}, which it ignores"
        return Validator("fastjsonschema", version, settings, float("nan"), problem, None, None)
    try:
        # use_default=False: by default it writes the schema's `default`s into the document
        # it checks, which a server fingerprinting the body as sent must not allow.
        fast, ms = _timed(
            lambda: fastjsonschema.compile(schema, use_default=False, detailed_exceptions=False)
        )
        every = fastjsonschema.compile(schema, use_default=False, fast_fail=False)
    except fastjsonschema.JsonSchemaDefinitionException as exc:
        problem = f"not available: cannot compile the schema ({_one_line(exc)})"
        return Validator("fastjsonschema", version, settings, float("nan"), problem, None, None)

    def is_valid(document: Any) -> bool:
        try:
            fast(document)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    def errors(document: Any) -> list[str]:
        try:
            every(document)
        except fastjsonschema.JsonSchemaValuesException as exc:
            return [e.message for e in exc.errors]
        except fastjsonschema.JsonSchemaValueException as exc:
            return [exc.message]
        return []

    return Validator("fastjsonschema", version, settings, ms, None, is_valid, errors)


def _jsonschema(schema: dict[str, Any]) -> Validator:
    cls = jsonschema.Draft202012Validator

    def build() -> jsonschema.Draft202012Validator:
        cls.check_schema(schema)
        return cls(schema, format_checker=cls.FORMAT_CHECKER)

    compiled, ms = _timed(build)
    settings = (
        "`Draft202012Validator(schema, format_checker=FORMAT_CHECKER)`; `is_valid`, `iter_errors`"
    )
    return _iterating("jsonschema", metadata.version("jsonschema"), settings, compiled, ms)


_BUILDERS: tuple[tuple[str, str, Callable[[dict[str, Any]], Validator]], ...] = (
    (OURS, "jsonschema_rs", _jsonschema_rs),
    ("fastjsonschema", "fastjsonschema", _fastjsonschema),
    ("jsonschema", "jsonschema", _jsonschema),
)


def build_validators(schema: dict[str, Any]) -> list[Validator]:
    """Ours first, then the compiled Python one, then the reference implementation."""
    built = []
    for name, distribution, build in _BUILDERS:
        try:
            built.append(build(schema))
        except Exception as exc:  # any library's refusal of the schema is a result to report
            problem = f"not available: cannot compile the schema ({_one_line(exc)})"
            version = metadata.version(distribution)
            built.append(Validator(name, version, "n/a", float("nan"), problem, None, None))
    return built
