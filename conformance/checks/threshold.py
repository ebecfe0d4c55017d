"""The gzip rule at its edge: answers of 990 to 1010 bytes, asked for every way a client asks.

| check                   | kind | guards | zuora profile |
|-------------------------|------|--------|---------------|
| gzip_threshold_honoured | seq  | Zuora  | strict        |

The other gzip checks judge answers far from the threshold as well; this one judges only
answers within `NEAR` bytes of it, where an off-by-one (`>=` for `>`) or a threshold counted
on the compressed size shows, and says "not judged" for every other answer.
"""

from __future__ import annotations

from conformance.checks._judged import NotJudged, not_judged
from conformance.checks._read import shown
from conformance.checks.gzip import accepts_gzip
from conformance.client import Exchange, header_of
from conformance.context import active
from conformance.failures import GzipViolation
from conformance.profiles import Guard
from conformance.registry import judge

__all__ = ["NEAR", "gzip_threshold_honoured", "near_threshold"]

NEAR = 10  # bytes either side of the threshold: 990 to 1010 around Zuora's 1000


def near_threshold(size: int) -> bool:
    """Whether a decoded body of `size` bytes lies in the window this check judges."""
    threshold = active().contract.policies.gzip_threshold
    return threshold - NEAR <= size <= threshold + NEAR


@judge(guards=Guard.ZUORA, area="gzip")
def gzip_threshold_honoured(exchange: Exchange) -> NotJudged | None:
    """Catches an answer of 990 to 1010 bytes compressed other than the 1000-byte rule says."""
    threshold = active().contract.policies.gzip_threshold
    if exchange.decode_error is not None:
        return not_judged("the body did not decode, so its size is unknown")
    size = len(exchange.content)
    if not near_threshold(size):
        return not_judged(f"a {size}-byte answer is outside {threshold - NEAR}..{threshold + NEAR}")
    asked = header_of(exchange.request.headers, "Accept-Encoding")
    expected = "gzip" if accepts_gzip(asked) and size > threshold else None
    coding = exchange.header("Content-Encoding")
    received = None if coding is None or coding.strip().lower() == "identity" else coding.strip()
    if (received or "").lower() != (expected or ""):
        raise GzipViolation(
            f"{size}-byte answer coded against the {threshold}-byte rule",
            expected=f"Content-Encoding: {shown(expected)} (Accept-Encoding: {shown(asked)})",
            received=f"Content-Encoding: {shown(received)}",
            requests=(exchange.request,),
        )
    return None
