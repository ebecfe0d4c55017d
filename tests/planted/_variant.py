"""One planted bug: which part it replaces, how, and which checks of the suite must catch it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.profiles import Profile
from refserver import Contract, Parts, ServerConfig

__all__ = ["Plant", "Reference", "Variant", "Wrap", "keep", "swap"]


@dataclass(frozen=True, slots=True)
class Reference:
    """The reference server's parts, and the contract and configuration they were built from."""

    parts: Parts
    contract: Contract
    config: ServerConfig


Plant = Callable[[Reference], Parts]
Wrap = Callable[[Any], Any]  # an ASGI app around the reference app


def keep(reference: Reference) -> Parts:
    """No part replaced: the bug is planted around the app (`Variant.wrap`)."""
    return reference.parts


def swap(part: str, build: Callable[[Reference], Any]) -> Plant:
    """A plant that replaces the part named `part` with what `build` makes of the reference."""
    if part not in {field.name for field in dataclasses.fields(Parts)}:
        raise ValueError(f"Parts has no part {part!r}")

    def plant(reference: Reference) -> Parts:
        return dataclasses.replace(reference.parts, **{part: build(reference)})

    return plant


@dataclass(frozen=True, slots=True)
class Variant:
    """A reference server with one broken part, and what the suite must say about it.

    `provoke` and `examples` shape the quick run of the tests: the property tests and
    Schemathesis phases (names for `SuiteOptions.only`) whose traffic meets the bug, and the
    run's example budget per property (a property with a smaller share gets fewer, at least 2);
    `replay_after` the seconds the end-of-run replay of early keys waits for; `http` a stock
    uvicorn protocol to serve with instead of the reference's, for bugs of the HTTP layer;
    `profile` is the profile the suite runs with against the variant; `wrap`, when set, plants
    the bug around the whole app (a proxy or a transport layer) instead of in a part.
    """

    name: str
    bug: str
    part: str
    expected: tuple[str, ...]
    plant: Plant
    provoke: tuple[str, ...]
    examples: int = 2
    replay_after: float = 0.0
    http: str = ""  # uvicorn's HTTP protocol by name; empty: the reference's, which spells names
    profile: Profile = Profile.DEFAULT
    wrap: Wrap | None = None

    def parts(self, reference: Reference) -> Parts:
        """The reference parts with this variant's bug planted."""
        return self.plant(reference)
