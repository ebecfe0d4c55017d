"""What one change is, who it breaks, and how a schema change affects each direction.

| the edit                | in a request (clients write) | in a response (servers write)  |
|-------------------------|------------------------------|--------------------------------|
| narrowed (fewer values) | breaks clients               | breaks servers                 |
| widened (more values)   | compatible                   | breaks clients                 |
| changed (neither)       | breaks clients               | breaks clients and servers     |

A narrowed request schema rejects values clients already send; a widened response schema lets a
server send values clients cannot handle (a new enum value fails the generated enum class); a
narrowed response schema puts values servers already send out of contract, so the conformance
suite starts failing them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

__all__ = ["CLIENTS", "SERVERS", "Change", "Direction", "Effect", "Party", "parties_broken"]

Party = Literal["clients", "servers"]
CLIENTS: tuple[Party, ...] = ("clients",)
SERVERS: tuple[Party, ...] = ("servers",)
_BOTH: tuple[Party, ...] = ("clients", "servers")


class Direction(enum.Enum):
    """Which way the data described by a schema travels."""

    REQUEST = "request"
    RESPONSE = "response"


class Effect(enum.Enum):
    """How an edit changes the set of values a schema allows."""

    NARROWED = "narrowed"
    WIDENED = "widened"
    CHANGED = "changed"


_IMPACT: dict[tuple[Direction, Effect], tuple[Party, ...]] = {
    (Direction.REQUEST, Effect.NARROWED): CLIENTS,
    (Direction.REQUEST, Effect.WIDENED): (),
    (Direction.REQUEST, Effect.CHANGED): CLIENTS,
    (Direction.RESPONSE, Effect.NARROWED): SERVERS,
    (Direction.RESPONSE, Effect.WIDENED): CLIENTS,
    (Direction.RESPONSE, Effect.CHANGED): _BOTH,
}


def parties_broken(direction: Direction, effect: Effect) -> tuple[Party, ...]:
    """Who an edit with `effect` breaks when the schema travels in `direction` (the table)."""
    return _IMPACT[(direction, effect)]


@dataclass(frozen=True)
class Change:
    """One difference between two versions of the contract, classified for the gate.

    `path` locates the change from the operation down through resolved `$ref`s, so a change to
    a shared component is listed at every place it is used; `defined_at` names the pointer of
    the component that actually changed, when the change sits behind a `$ref`.
    """

    path: str
    kind: str
    message: str
    breaks: tuple[Party, ...] = ()
    defined_at: str | None = None

    @property
    def breaking(self) -> bool:
        """True when some existing client or server stops working with the new contract."""
        return bool(self.breaks)

    @property
    def classification(self) -> str:
        """`breaking (clients)`, `breaking (clients, servers)` or `compatible`."""
        if not self.breaks:
            return "compatible"
        return f"breaking ({', '.join(self.breaks)})"

    def line(self) -> str:
        """The change on one line: classification, JSON path, kind and what happened."""
        where = f" [defined at {self.defined_at}]" if self.defined_at else ""
        return f"{self.classification}: {self.path}: {self.kind}: {self.message}{where}"
