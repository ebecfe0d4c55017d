"""The run a check belongs to: the contract, the profile and the caller's line item ids.

Schemathesis calls checks and hooks from its worker threads with no room for our settings, so
the run in progress is published here for the length of the run. Outside a run (a unit test
calling a check directly) the default profile and the bundled spec apply.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fulfillments_contract import DEFAULT_SPEC, Contract, load_contract

from conformance.profiles import Profile, Treatment
from conformance.registry import info_of

__all__ = ["RunContext", "activate", "active"]


@dataclass(frozen=True, slots=True)
class RunContext:
    """What every check of one run may read."""

    contract: Contract
    profile: Profile = Profile.DEFAULT
    line_item_ids: tuple[str, ...] = ()

    def treatment(self, check: str) -> Treatment:
        """How this run's profile treats `check`."""
        return info_of(check).treatment(self.profile)

    def relaxed(self, check: str) -> bool:
        """Whether `check` asserts only its weaker, Zuora-documented part in this run."""
        return self.treatment(check) is Treatment.RELAXED

    def skips(self, check: str) -> bool:
        """Whether `check` does not run at all in this run."""
        return self.treatment(check) is Treatment.SKIPPED


_lock = threading.Lock()
_current: RunContext | None = None


def active() -> RunContext:
    """The run in progress, or the default profile with the bundled spec."""
    current = _current
    if current is not None:
        return current
    return RunContext(contract=load_contract(DEFAULT_SPEC))


@contextmanager
def activate(context: RunContext) -> Iterator[RunContext]:
    """Publish `context` for the checks of one run; runs in one process take turns."""
    global _current  # noqa: PLW0603 - the one place the run in progress is published
    with _lock:
        _current = context
        try:
            yield context
        finally:
            _current = None
