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
| every other declared header    | the contract's response headers (Retry-After,| not held      |
|                                | Idempotent-Replayed, Vary, Accept-Encoding)  |               |
| Content-Type                   | UNDECLARED_SPELLINGS: OpenAPI ignores a      | not held      |
|                                | response header declared as Content-Type     |               |

The held names come from the run's contract, which declares every response header with Zuora's
spelling; only which of them Zuora's SDK documents, and the one name OpenAPI will not let it
declare, are written here.

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

__all__ = ["UNDECLARED_SPELLINGS", "ZUORA_SPELLINGS", "header_names_spelled_as_zuora"]

# The names Zuora's SDK documents: the contract spells them but does not say which they are.
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
# Held but not declarable: OpenAPI ignores a response header named Content-Type.
UNDECLARED_SPELLINGS = ("Content-Type",)


def _spellings() -> dict[str, str]:
    run = active()
    held: tuple[str, ...] = ZUORA_SPELLINGS
    if not run.relaxed("header_names_spelled_as_zuora"):
        # Zuora's SDK spelling goes last, so it wins over a contract that spells a name otherwise.
        held = (*run.contract.response_header_names, *UNDECLARED_SPELLINGS, *ZUORA_SPELLINGS)
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
