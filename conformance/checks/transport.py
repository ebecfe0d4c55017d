"""Whether the target answers at all, and without a server error, on the suite's own requests.

Schemathesis's `not_a_server_error` covers generated cases; these two cover the sequences
(replays, concurrent retries, gzip, bad credentials) that Schemathesis never sends.
"""

from __future__ import annotations

from conformance.checks._read import shown
from conformance.client import Exchange, TransportProblem
from conformance.failures import ContractViolation, NoAnswer
from conformance.profiles import Guard
from conformance.registry import judge, raw_check

__all__ = ["answers_every_request", "no_server_error"]


@judge(guards=Guard.ZUORA, area="transport")
def answers_every_request(problem: TransportProblem | None) -> None:
    """Catches a request left without an HTTP answer: a timeout, a reset or bytes not HTTP."""
    if problem is not None:
        raise NoAnswer(
            "No HTTP answer",
            expected="an HTTP response within the timeout",
            received=problem.reason,
            requests=(problem.request,),
        )


@raw_check(guards=Guard.ZUORA, area="transport")
def no_server_error(exchange: Exchange) -> None:
    """Catches a 5xx answer to any request of the suite's own sequences."""
    if exchange.status_code >= 500:
        raise ContractViolation(
            "Server error",
            expected="a 2xx or 4xx answer",
            received=f"{exchange.status_code} {shown(exchange.json_or_none())}",
            requests=(exchange.request,),
        )
