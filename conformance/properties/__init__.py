"""The suite's own property tests: behaviour that takes more than one request to see.

| property                       | judges                                             | examples |
|--------------------------------|----------------------------------------------------|----------|
| replays_are_identical          | replay status, body, headers, marker, format, ids  | n        |
| failed_answers_are_replayed    | failed_response_replayed, replay headers, marker   | n/2      |
| reused_keys_are_rejected       | key reuse with another body, stored answer kept    | n/2      |
| concurrent_retries_create_once | one creation under a race, Retry-After on 409 (*) | n/4      |
| key_limits_hold                | longest, overlong, shortest and malformed keys     | n/2      |
| keys_are_scoped_per_tenant     | other tenant never sees, is not blocked (TOKEN2)   | n/2      |
| track_ids_are_echoed           | echo of valid track ids, 64 characters accepted    | n        |
| invalid_track_ids_are_refused  | invalid_track_id_rejected, each kind of breach     | n/2      |
| responses_are_coded_as_asked   | raw gzip checks, every Accept-Encoding variant     | n/4      |
| coded_requests_are_understood  | gzip_request_accepted                              | n/2      |
| broken_codings_are_refused     | each corruption and each unknown coding            | n/2      |
| bad_credentials_are_refused    | bad_credentials_rejected, fixed and drawn          | n/2      |
| invalid_bodies_are_refused     | invalid_body_rejected, each documented rule        | n/2      |
| invalid_enums_are_refused      | invalid_enum_rejected, every enum of the body      | n/2      |
| answers_near_the_threshold_... | gzip_threshold_honoured, 990 to 1010-byte answers  | n/5      |
| keys_outlive_the_run (a step)  | late_replay_matches, keys set at the run's start   | once     |

(*) up to 5 races per example, until a retry meets the key in progress and a 409 arises.

`n` is the run's property example count; every property runs at least `MIN_EXAMPLES`. A
property whose promise has a few distinct variants (each forbidden character, each coding)
tries every variant in every example, so a bug in one variant cannot hide behind luck.
`keys_outlive_the_run` is no Hypothesis property: the runner sets its keys before the phases
and replays them after (`LateReplays`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conformance.properties.enums import invalid_enums_are_refused
from conformance.properties.exchanges import (
    bad_credentials_are_refused,
    broken_codings_are_refused,
    coded_requests_are_understood,
    invalid_bodies_are_refused,
    invalid_track_ids_are_refused,
    responses_are_coded_as_asked,
    track_ids_are_echoed,
)
from conformance.properties.harness import Harness, Liveness, PropertyFailed, TargetDown
from conformance.properties.idempotency import (
    concurrent_retries_create_once,
    failed_answers_are_replayed,
    key_limits_hold,
    keys_are_scoped_per_tenant,
    replays_are_identical,
    reused_keys_are_rejected,
)
from conformance.properties.late import LATE_REPLAYS, LateReplays
from conformance.properties.threshold import answers_near_the_threshold_are_coded_as_asked

__all__ = [
    "LATE_REPLAYS",
    "MIN_EXAMPLES",
    "PROPERTIES",
    "Harness",
    "LateReplays",
    "Liveness",
    "PropertyFailed",
    "PropertySpec",
    "TargetDown",
]

MIN_EXAMPLES = 2  # even a quick run tries each property more than once


@dataclass(frozen=True, slots=True)
class PropertySpec:
    """One property test, how much of the example budget it gets, and what it needs."""

    build: Callable[[Harness], Callable[[], None]]
    share: float = 1.0
    needs_second_tenant: bool = False
    judges: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The property's name (its factory's)."""
        return self.build.__name__

    def examples(self, budget: int) -> int:
        """Examples this property runs when the run's budget is `budget` per property."""
        return max(MIN_EXAMPLES, round(budget * self.share))


PROPERTIES: tuple[PropertySpec, ...] = (
    PropertySpec(replays_are_identical),
    PropertySpec(failed_answers_are_replayed, share=0.5),
    PropertySpec(reused_keys_are_rejected, share=0.5),
    PropertySpec(concurrent_retries_create_once, share=0.25),
    PropertySpec(key_limits_hold, share=0.5),
    PropertySpec(
        keys_are_scoped_per_tenant,
        share=0.5,
        needs_second_tenant=True,
        judges=("other_tenant_never_sees_response", "other_tenant_not_blocked"),
    ),
    PropertySpec(track_ids_are_echoed),
    PropertySpec(invalid_track_ids_are_refused, share=0.5),
    PropertySpec(responses_are_coded_as_asked, share=0.25),
    PropertySpec(coded_requests_are_understood, share=0.5),
    PropertySpec(broken_codings_are_refused, share=0.5),
    PropertySpec(bad_credentials_are_refused, share=0.5),
    PropertySpec(invalid_bodies_are_refused, share=0.5),
    PropertySpec(invalid_enums_are_refused, share=0.5),
    PropertySpec(answers_near_the_threshold_are_coded_as_asked, share=0.2),
)
