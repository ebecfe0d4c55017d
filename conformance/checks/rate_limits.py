"""RateLimit-* on every status Zuora documents them for, not only on successes.

| check                      | guards | zuora profile |
|----------------------------|--------|---------------|
| rate_limit_headers_present | Zuora  | strict        |

Zuora's own SDK documentation (3.21.0, `docs/FulfillmentsApi.md`) lists `RateLimit-Limit`,
`RateLimit-Remaining` and `RateLimit-Reset` on 200, 400, 401 and 403 alike; it is a primary
source, not an open point, so the zuora profile holds servers to it as strictly as the default.
"""

from __future__ import annotations

from conformance.checks._judged import NotJudged, not_judged
from conformance.checks._read import RequestLike, ResponseLike, header_values, is_operation
from conformance.failures import HeaderViolation
from conformance.profiles import Guard
from conformance.registry import response_check

__all__ = ["RATE_LIMITED_STATUSES", "RATE_LIMIT_HEADERS", "rate_limit_headers_present"]

RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
RATE_LIMITED_STATUSES = frozenset({200, 400, 401, 403})  # Zuora's SDK docs list them on these


@response_check(guards=Guard.ZUORA, area="headers")
def rate_limit_headers_present(
    ctx: object, response: ResponseLike, case: RequestLike
) -> NotJudged | None:
    """Catches a 200, 400, 401 or 403 without exactly one of each RateLimit-* header."""
    if not is_operation(case):
        return not_judged(f"{case.method} is not the contract's operation")
    if response.status_code not in RATE_LIMITED_STATUSES:
        return not_judged(f"Zuora documents no RateLimit-* on {response.status_code}")
    counts = {name: len(header_values(response, name)) for name in RATE_LIMIT_HEADERS}
    wrong = [name for name, count in counts.items() if count != 1]
    if wrong:
        raise HeaderViolation(
            f"RateLimit-* missing or repeated on {response.status_code}",
            expected=f"one each of {', '.join(RATE_LIMIT_HEADERS)}",
            received=", ".join(f"{name} x{counts[name]}" for name in wrong),
        )
    return None
