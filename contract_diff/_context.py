"""The state of one comparison: both documents, where the walk is, and the changes found."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fulfillments_contract import child, follow

from contract_diff._model import Change, Party

__all__ = ["DOC_KEYWORDS", "Context", "Where", "canonical"]

# Keywords that only document: editing them changes no request or response.
DOC_KEYWORDS = frozenset(
    {"description", "summary", "title", "example", "examples", "externalDocs", "$comment"}
)


def canonical(value: Any) -> str:
    """A stable text of a JSON value, so values compare by content (1 and True stay apart)."""
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True)
class Where:
    """A place in the walk: the resolved path, and the pointers of the nodes in each document."""

    path: str
    old_source: str | None = None
    new_source: str | None = None

    def down(self, *tokens: object) -> Where:
        """The place one or more keys deeper."""
        return Where(
            child(self.path, *tokens),
            child(self.old_source, *tokens) if self.old_source else None,
            child(self.new_source, *tokens) if self.new_source else None,
        )

    def defined_at(self) -> str | None:
        """The component pointer to name beside the path, when the node sits behind a `$ref`."""
        return self.new_source or self.old_source


class Context:
    """Both documents and the list of changes; comparison functions append to it."""

    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []
        self.active: set[tuple[str | None, str | None, str]] = set()

    def add(self, where: Where, kind: str, message: str, breaks: tuple[Party, ...] = ()) -> None:
        """Record one change at `where`."""
        self.changes.append(Change(where.path, kind, message, breaks, where.defined_at()))

    def resolve_pair(self, old: Any, new: Any, where: Where) -> tuple[Any, Any, Where]:
        """Both nodes with their `$ref`s followed, and the place updated to their components."""
        old_node, old_source = follow(self.old, old, where.old_source)
        new_node, new_source = follow(self.new, new, where.new_source)
        return old_node, new_node, Where(where.path, old_source, new_source)

    def documentation(self, old: Mapping[str, Any], new: Mapping[str, Any], where: Where) -> None:
        """Record documentation-only edits (descriptions, examples) and vendor extensions."""
        for key in sorted((old.keys() | new.keys()) & DOC_KEYWORDS):
            self._compatible_edit(old, new, key, where, "documentation")
        for key in sorted(k for k in old.keys() | new.keys() if k.startswith("x-")):
            self._compatible_edit(old, new, key, where, "extension")

    def _compatible_edit(
        self, old: Mapping[str, Any], new: Mapping[str, Any], key: str, where: Where, what: str
    ) -> None:
        if key not in new:
            self.add(where.down(key), f"{what}-removed", f"{key} removed")
        elif key not in old:
            self.add(where.down(key), f"{what}-added", f"{key} added")
        elif canonical(old[key]) != canonical(new[key]):
            self.add(where.down(key), f"{what}-changed", f"{key} changed")
