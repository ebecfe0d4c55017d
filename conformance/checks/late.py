"""Keys remembered for their whole lifetime: a key set early in a run, replayed at its end.

| check               | guards | zuora profile |
|---------------------|--------|---------------|
| late_replay_matches | Zuora  | strict        |

Zuora keeps a key for 24 hours and answers every retry within them with the stored status and
body (its idempotency guide, confirmed). The replay checks of a property retry within
milliseconds, so a store that forgets keys after a few seconds passes them; this one judges a
retry sent at the end of the run (and after `--replay-after` seconds when asked).
"""

from __future__ import annotations

from conformance.checks._judged import NotJudged, not_judged
from conformance.checks._read import shown
from conformance.client import Exchange
from conformance.failures import IdempotencyViolation
from conformance.profiles import Guard
from conformance.registry import judge

__all__ = ["NOT_STORED", "late_replay_matches"]

NOT_STORED = frozenset({409, 429})  # answers the policy never stores (5xx releases the key too)


@judge(guards=Guard.ZUORA, area="idempotency")
def late_replay_matches(first: Exchange, late: Exchange, waited: float) -> NotJudged | None:
    """Catches a key forgotten before its expiry: a late retry not given the stored answer."""
    if first.status_code in NOT_STORED or first.status_code >= 500:
        return not_judged(f"the first answer ({first.status_code}) is not stored")
    body = first.json_or_none()
    if late.status_code != first.status_code or late.json_or_none() != body:
        raise IdempotencyViolation(
            f"Key not remembered {waited:.0f} seconds after it was set",
            expected=f"the stored answer: {first.status_code} {shown(body)}",
            received=f"{late.status_code} {shown(late.json_or_none())}",
            requests=(first.request, late.request),
        )
    return None
