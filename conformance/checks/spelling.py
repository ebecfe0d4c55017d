"""Response header names spelled as Zuora spells them, for clients that read them verbatim.

HTTP says header names are case-insensitive, but Zuora's own Python SDK (`zuora-sdk`) copies
the headers of an answer into a plain `dict` (`ApiResponse.headers`, `ApiException.headers`),
so an integrator's `headers["Zuora-Track-Id"]` finds nothing when a server sends
`zuora-track-id`. The table is the spelling the suite holds a server to:

| header                         | spelled by                                   | zuora profile |
|--------------------------------|----------------------------------------------|---------------|
| Content-Encoding               | Zuora's SDK docs, per status                 | held          |
| Zuora-Request-Id               | Zuora's SDK docs, per status                 | held          |
| Zuora-Track-Id                 | Zuora's SDK docs, per status                 | held          |
| RateLimit-Limit/Remaining/Reset| Zuora's SDK docs, per status                 | held          |
| Concurrency-Limit-Limit/Remaining/Type | Zuora's SDK docs, per status         | held          |
| WWW-Authenticate               | Zuora's SDK docs (401)                       | held          |
| Content-Type                   | the contract (the SDK reads it case-blind)   | not held      |
| Retry-After                    | the contract (not listed for this operation) | not held      |
| Idempotent-Replayed            | the contract (published choice)              | not held      |
| Vary                           | the contract (published choice)              | not held      |

| check                         | kind | guards | zuora profile                               |
|-------------------------------|------|--------|---------------------------------------------|
| header_names_spelled_as_zuora | raw  | Zuora  | relaxed: only the names Zuora's SDK documents|
"""

from __future__ import annotations

from conformance.checks._judged import NotJudged, not_judged
from conformance.client import Exchange
from conformance.context import active
from conformance.failures import HeaderViolation
from conformance.profiles import Guard, relaxed
from conformance.registry import raw_check

__all__ = ["PUBLISHED_SPELLINGS", "ZUORA_SPELLINGS", "header_names_spelled_as_zuora"]

ZUORA_SPELLINGS = (
    "Content-Encoding",
    "Zuora-Request-Id",
    "Zuora-Track-Id",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Concurrency-Limit-Limit",
    "Concurrency-Limit-Remaining",
    "Concurrency-Limit-Type",
    "WWW-Authenticate",
)
PUBLISHED_SPELLINGS = ("Content-Type", "Retry-After", "Idempotent-Replayed", "Vary")


def _spellings() -> dict[str, str]:
    held: tuple[str, ...] = ZUORA_SPELLINGS
    if not active().relaxed("header_names_spelled_as_zuora"):
        held = (*ZUORA_SPELLINGS, *PUBLISHED_SPELLINGS)
    return {name.lower(): name for name in held}


@raw_check(
    guards=Guard.ZUORA,
    area="headers",
    zuora=relaxed("only the names Zuora's SDK documents are held; the rest are our spelling"),
)
def header_names_spelled_as_zuora(exchange: Exchange) -> NotJudged | None:
    """Catches a response header name spelled otherwise than Zuora does (`zuora-track-id`)."""
    spellings = _spellings()
    judged = [name for name in exchange.header_names if name.lower() in spellings]
    if not judged:
        return not_judged("the answer carried no header whose spelling is held")
    wrong = [name for name in judged if name != spellings[name.lower()]]
    if wrong:
        raise HeaderViolation(
            "Response header names not spelled as Zuora spells them",
            expected=", ".join(spellings[name.lower()] for name in wrong),
            received=", ".join(wrong),
            requests=(exchange.request,),
        )
    return None
