"""Typed failures: a one-line title and a message that says what was expected and received.

They subclass Schemathesis's `Failure`, so a check raising one inside a Schemathesis run is
recorded with its own title and message, exactly like the built-in checks' failures.

| class               | code  | raised by                                  |
|---------------------|-------|--------------------------------------------|
| HeaderViolation     | FC101 | header echo, ids, limits, Vary, media type |
| ErrorBodyViolation  | FC102 | error shapes, reason codes, `success`      |
| GzipViolation       | FC103 | content coding in both directions          |
| AuthViolation       | FC104 | missing, malformed and wrong credentials   |
| IdempotencyViolation| FC105 | replay, reuse, concurrency, key limits     |
| NoAnswer            | FC106 | a request the target never answered        |
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from schemathesis.core.failures import Failure, Severity

if TYPE_CHECKING:
    from conformance.client import SentRequest

__all__ = [
    "AuthViolation",
    "ContractViolation",
    "ErrorBodyViolation",
    "GzipViolation",
    "HeaderViolation",
    "IdempotencyViolation",
    "NoAnswer",
]

_OPERATION = "POST /v1/fulfillments"


class ContractViolation(Failure):
    """A response, or a sequence of them, broke a promise of the contract."""

    code: ClassVar[str] = "FC100"
    kind_title: ClassVar[str] = "Contract violation"

    __slots__ = ("expected", "received", "requests")

    def __init__(
        self,
        title: str,
        *,
        expected: str,
        received: str,
        requests: Sequence[SentRequest] = (),
        severity: Severity = Severity.MEDIUM,
    ) -> None:
        if "\n" in title:
            raise ValueError("a failure title is one line")
        super().__init__(
            operation=_OPERATION,
            title=title,
            message=f"Expected: {expected}\nReceived: {received}",
            severity=severity,
        )
        self.expected = expected
        self.received = received
        # The requests that reproduce the failure, in the order they were sent.
        self.requests = tuple(requests)

    @property
    def _unique_key(self) -> str:
        # One finding per distinct title, so two different broken promises are both reported.
        return self.title


class HeaderViolation(ContractViolation):
    """A response header is missing, malformed or says something untrue."""

    code = "FC101"
    kind_title = "Header violation"
    __slots__ = ()


class ErrorBodyViolation(ContractViolation):
    """An error body does not have Zuora's shape or reason codes."""

    code = "FC102"
    kind_title = "Error body violation"
    __slots__ = ()


class GzipViolation(ContractViolation):
    """Content coding is wrong in one direction or the other."""

    code = "FC103"
    kind_title = "Content coding violation"
    __slots__ = ()


class AuthViolation(ContractViolation):
    """Bad credentials were not answered with 401."""

    code = "FC104"
    kind_title = "Authentication violation"
    __slots__ = ()

    def __init__(
        self, title: str, *, expected: str, received: str, requests: Sequence[SentRequest] = ()
    ) -> None:
        super().__init__(
            title,
            expected=expected,
            received=received,
            requests=requests,
            severity=Severity.CRITICAL,
        )


class IdempotencyViolation(ContractViolation):
    """A retry with an Idempotency-Key was not handled as the policy says."""

    code = "FC105"
    kind_title = "Idempotency violation"
    __slots__ = ()

    def __init__(
        self, title: str, *, expected: str, received: str, requests: Sequence[SentRequest] = ()
    ) -> None:
        super().__init__(
            title, expected=expected, received=received, requests=requests, severity=Severity.HIGH
        )


class NoAnswer(ContractViolation):
    """The target closed, reset or timed out instead of answering."""

    code = "FC106"
    kind_title = "No answer"
    __slots__ = ()
