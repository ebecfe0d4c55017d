"""Zuora's three error shapes, and the exception every part raises to answer with one.

| shape        | status           | body                                                   |
|--------------|------------------|--------------------------------------------------------|
| COMMON       | 400, 409, 413... | {success: false, processId, requestId, reasons: [...]} |
| UNAUTHORIZED | 401              | {message}                                              |
| FORBIDDEN    | 403              | {code, message}                                        |

A reason code is Zuora's 8 digits: the 6-digit resource code followed by the 2-digit category.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import orjson

__all__ = [
    "ACCESS_DENIED",
    "BUSINESS_RULE",
    "INTERNAL",
    "INVALID_VALUE",
    "LIMIT_EXCEEDED",
    "LOCKING",
    "MALFORMED_JSON",
    "MISSING_FIELD",
    "NOT_FOUND",
    "UNKNOWN_FIELD",
    "Disconnected",
    "Problem",
    "Shape",
    "render",
]

ACCESS_DENIED = 10
INVALID_VALUE = 20
UNKNOWN_FIELD = 21
MISSING_FIELD = 22
BUSINESS_RULE = 30
NOT_FOUND = 40
LOCKING = 50
INTERNAL = 60
LIMIT_EXCEEDED = 70
MALFORMED_JSON = 90


class Disconnected(Exception):
    """The client went away before its request body was read; nobody is left to answer."""


class Shape(enum.Enum):
    """Which of Zuora's error bodies a problem is answered with."""

    COMMON = "common"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"


@dataclass(eq=False)
class Problem(Exception):
    """Raised by any part to stop the pipeline and answer with Zuora's error shape."""

    status: int
    reasons: tuple[tuple[int, str], ...]  # (category, message) pairs
    headers: tuple[tuple[str, str], ...] = ()
    shape: Shape = Shape.COMMON

    @classmethod
    def of(
        cls,
        status: int,
        category: int,
        message: str,
        *,
        headers: tuple[tuple[str, str], ...] = (),
        shape: Shape = Shape.COMMON,
    ) -> Problem:
        """A problem with one reason."""
        return cls(status, ((category, message),), headers, shape)


def render(
    problem: Problem, *, resource: int, auth_resource: int, process_id: str, request_id: str
) -> bytes:
    """The JSON body of `problem` in Zuora's shape, keys in Zuora's order."""
    category, message = problem.reasons[0]
    if problem.shape is Shape.UNAUTHORIZED:
        return orjson.dumps({"message": message})
    if problem.shape is Shape.FORBIDDEN:
        return orjson.dumps({"code": auth_resource * 100 + category, "message": message})
    return orjson.dumps(
        {
            "success": False,
            "processId": process_id,
            "requestId": request_id,
            "reasons": [{"code": resource * 100 + c, "message": m} for c, m in problem.reasons],
        }
    )
