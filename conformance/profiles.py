"""What each check guards, and how strictly each profile applies it.

| profile   | holds a server to                                                              |
|-----------|--------------------------------------------------------------------------------|
| `default` | Zuora's documented contract plus every published choice of the spec            |
| `zuora`   | the same, minus what the fact sheet marks NOT CONFIRMED: those checks are      |
|           | relaxed (a weaker assertion) or skipped, so a real Zuora tenant is not failed  |
|           | for behaviour Zuora never promised                                             |
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["STRICT", "Guard", "Profile", "ProfileRule", "Treatment", "relaxed", "skipped"]


class Guard(enum.StrEnum):
    """Whose promise a check holds a server to."""

    ZUORA = "zuora"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        """The words the reports print."""
        return "Zuora's contract" if self is Guard.ZUORA else "published choice"


class Profile(enum.StrEnum):
    """How strictly the suite reads the contract."""

    DEFAULT = "default"
    ZUORA = "zuora"


class Treatment(enum.StrEnum):
    """What a profile does with one check."""

    STRICT = "strict"
    RELAXED = "relaxed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class ProfileRule:
    """How the `zuora` profile treats a check, and why."""

    treatment: Treatment
    note: str = ""


STRICT = ProfileRule(Treatment.STRICT)


def relaxed(note: str) -> ProfileRule:
    """A weaker assertion under the `zuora` profile, for the reason in `note`."""
    return ProfileRule(Treatment.RELAXED, note)


def skipped(note: str) -> ProfileRule:
    """Not run under the `zuora` profile, for the reason in `note`."""
    return ProfileRule(Treatment.SKIPPED, note)
