"""How a check says it found nothing to judge in what it was shown.

A check is handed exchanges that may not meet its precondition (no 409 arose, no 401 was seen,
no answer was large enough to compress). Returning `not_judged(reason)` says so; returning None
says it judged and found the promise kept; raising a contract violation says it was broken.
Only judged exchanges count as passed, so a check that never met its precondition is reported
"not exercised" with the reason, never "passed".
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NotJudged", "not_judged"]


@dataclass(frozen=True, slots=True)
class NotJudged:
    """A check's answer when what it was shown is outside what it judges."""

    reason: str


def not_judged(reason: str) -> NotJudged:
    """The value a check returns when its precondition is not met, with the reason."""
    return NotJudged(reason)
