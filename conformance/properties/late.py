"""Keys set at the start of a run and replayed at its end, after an optional deliberate wait.

A property replays a key within milliseconds of setting it, so a store that forgets keys
after a few seconds (a TTL read in the wrong unit, a cache with a short default) passes every
replay check. `LateReplays` sets a few keys before the phases start and replays them once
every phase has finished: at least the run's length later, and `wait` seconds when asked
(`--replay-after`, `CONFORMANCE_REPLAY_AFTER`, `make conformance REPLAY_AFTER=...`).

| remembered answer   | why                                                  |
|---------------------|------------------------------------------------------|
| a creation          | the stored 200, the promise most integrations rely on|
| a gzipped creation  | the stored body, whatever coding the retry asks for  |
| a refused body      | failures are stored and replayed as well             |
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.checks.late import late_replay_matches
from conformance.client import Exchange
from conformance.properties.harness import Harness, PropertyFailed, TargetDown
from conformance.properties.threshold import sized_requests

__all__ = ["LATE_REPLAYS", "LateReplays"]

LATE_REPLAYS = "keys_outlive_the_run"  # its name for --only
_KEY_LENGTH = 40
_LINE_ITEM_ID_BYTES = 16  # 32 hex characters, the shape of Zuora's ids


@dataclass(frozen=True, slots=True)
class _Remembered:
    first: Exchange
    body: dict[str, Any]
    headers: dict[str, str]


class LateReplays:
    """The keys of one run: set by `remember` at its start, judged by `replay` at its end."""

    def __init__(
        self,
        *,
        wait: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._wait = wait
        self._clock = clock
        self._sleep = sleep
        self._remembered: list[_Remembered] = []
        self._set_at = 0.0

    def remember(self, h: Harness) -> None:
        """Set a few keys now; an unanswered request leaves its key out (already a failure).

        A target that is down is left to the phases, which report it.
        """
        line_item_id = (h.line_item_ids or (secrets.token_hex(_LINE_ITEM_ID_BYTES),))[0]
        created = sized_requests(fulfillments=2, items=1, line_item_id=line_item_id)
        refused = {"fulfillments": [{"orderLineItemId": line_item_id, "quantity": 1}]}
        plans: tuple[tuple[dict[str, Any], dict[str, str]], ...] = (
            (created, {}),
            (created, {"Accept-Encoding": "gzip"}),
            (refused, {}),
        )
        self._set_at = self._clock()
        for body, extra in plans:
            headers = {"Idempotency-Key": h.fresh_key(_KEY_LENGTH), **extra}
            try:
                self._remembered.append(_Remembered(h.post(body, headers=headers), body, headers))
            except PropertyFailed:
                continue
            except TargetDown:
                return

    def replay(self, h: Harness) -> int:
        """Wait out what is left of `wait`, replay every remembered key; return the keys sent."""
        left = self._wait - (self._clock() - self._set_at)
        if left > 0:
            self._sleep(left)
        waited = self._clock() - self._set_at
        for remembered in self._remembered:
            try:
                late = h.post(remembered.body, headers=remembered.headers)
            except PropertyFailed:
                continue
            except TargetDown:
                break
            h.judge(late_replay_matches, remembered.first, late, waited, ends_example=False)
        return len(self._remembered)
