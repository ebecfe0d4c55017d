"""Header rules: the limits the contract sets on a request or response header's value.

One type for both directions. `name` is spelled as the contract spells it; maps of rules are
keyed by the lower-case name (`key`), since header names compare case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["HeaderRule", "read_header_rule"]


@dataclass(frozen=True, slots=True)
class HeaderRule:
    """The limits of one header's value; None where the contract sets no such limit."""

    name: str
    min_length: int | None
    max_length: int | None
    pattern: re.Pattern[str] | None
    enum: frozenset[str] | None

    @property
    def key(self) -> str:
        """The lower-case name, the key of this rule in every map of rules."""
        return self.name.lower()

    def accepts(self, value: str) -> bool:
        """Whether `value` keeps every limit of this header (the pattern must match it whole)."""
        if self.min_length is not None and len(value) < self.min_length:
            return False
        if self.max_length is not None and len(value) > self.max_length:
            return False
        if self.pattern is not None and self.pattern.fullmatch(value) is None:
            return False
        return self.enum is None or value in self.enum


def _length(schema: Mapping[str, Any], keyword: str) -> int | None:
    value = schema.get(keyword)
    return None if value is None else int(value)


def read_header_rule(name: str, schema: Mapping[str, Any]) -> HeaderRule:
    """The rule of header `name` from its (already inlined) schema."""
    pattern = schema.get("pattern")
    enum = schema.get("enum")
    return HeaderRule(
        name=str(name),
        min_length=_length(schema, "minLength"),
        max_length=_length(schema, "maxLength"),
        pattern=re.compile(pattern) if isinstance(pattern, str) else None,
        enum=frozenset(str(v) for v in enum) if isinstance(enum, list) else None,
    )
