"""Every check the suite runs: what it catches, whose promise it guards, how profiles treat it.

Four kinds of check share one table:

| kind         | runs on                                   | declared with        |
|--------------|-------------------------------------------|----------------------|
| schemathesis | every generated case (built-in checks)    | `builtin(...)`       |
| response     | every response, generated or ours         | `@response_check`    |
| raw          | every response of the suite's own requests| `@raw_check`         |
|              | (raw bytes, before any decoding)          |                      |
| property     | sequences of requests (replays, gzip, ...)| `@judge`             |

A check returns None when it judged and the promise held, `not_judged(reason)` when what it was
shown is outside what it judges, and raises a contract violation when the promise broke.
Schemathesis ignores what a check returns, so the response checks it runs are wrapped: a
wrapper notes each "not judged" in `UNJUDGED` under the case's id, where the schema phase
finds it when it reads Schemathesis's results.
"""

from __future__ import annotations

import enum
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import schemathesis

from conformance.profiles import STRICT, Guard, Profile, ProfileRule, Treatment

__all__ = [
    "AREAS",
    "CHECKS",
    "RAW_CHECKS",
    "RESPONSE_CHECKS",
    "UNJUDGED",
    "CheckInfo",
    "Kind",
    "Unjudged",
    "builtin",
    "in_report_order",
    "info_of",
    "judge",
    "raw_check",
    "response_check",
]

F = TypeVar("F", bound=Callable[..., object])


class Kind(enum.StrEnum):
    """How a check gets the responses it judges."""

    SCHEMATHESIS = "schemathesis"
    RESPONSE = "response"
    RAW = "raw"
    PROPERTY = "property"


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """One row of the checks table."""

    name: str
    catches: str
    guards: Guard
    kind: Kind
    area: str
    zuora: ProfileRule = STRICT

    def rule(self, profile: Profile) -> ProfileRule:
        """The treatment of this check under `profile`."""
        return STRICT if profile is Profile.DEFAULT else self.zuora

    def treatment(self, profile: Profile) -> Treatment:
        """Shorthand for `rule(profile).treatment`."""
        return self.rule(profile).treatment


# The order areas appear in reports: schema conformance first, then the suite's own promises.
AREAS = ("schema", "headers", "errors", "auth", "gzip", "idempotency", "transport")

CHECKS: dict[str, CheckInfo] = {}
RESPONSE_CHECKS: list[Callable[..., object]] = []
RAW_CHECKS: list[Callable[..., object]] = []


class Unjudged:
    """The "not judged" answers of checks run by Schemathesis, by case id and check name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reasons: dict[tuple[str, str], str] = {}

    def put(self, case_id: str, check: str, reason: str) -> None:
        """`check` did not judge the response to case `case_id`, for `reason`."""
        with self._lock:
            self._reasons[(case_id, check)] = reason

    def take(self, case_id: str, check: str) -> str | None:
        """The reason `check` gave for case `case_id` (forgotten once taken), or None: judged."""
        with self._lock:
            return self._reasons.pop((case_id, check), None)


UNJUDGED = Unjudged()


def _for_schemathesis(func: Callable[..., object]) -> Callable[..., None]:
    """`func` as Schemathesis runs it: a "not judged" answer is noted in `UNJUDGED`."""

    @functools.wraps(func)
    def run(ctx: Any, response: Any, case: Any) -> None:
        # Imported here: the checks package imports this module while it registers.
        from conformance.checks._judged import NotJudged  # noqa: PLC0415

        verdict = func(ctx, response, case)
        if isinstance(verdict, NotJudged):
            UNJUDGED.put(str(case.id), func.__name__, verdict.reason)

    return run


def _register(info: CheckInfo) -> None:
    if info.name in CHECKS:
        raise ValueError(f"check {info.name!r} is declared twice")
    if not info.catches.startswith("Catches "):
        raise ValueError(f"check {info.name!r} needs a one-sentence 'Catches ...' docstring")
    CHECKS[info.name] = info


def _catches(func: Callable[..., object]) -> str:
    doc = (func.__doc__ or "").strip()
    return doc.split("\n\n", 1)[0].replace("\n", " ").strip()


def response_check(*, guards: Guard, area: str, zuora: ProfileRule = STRICT) -> Callable[[F], F]:
    """Declare a single-response check and register it with Schemathesis."""

    def decorate(func: F) -> F:
        _register(CheckInfo(func.__name__, _catches(func), guards, Kind.RESPONSE, area, zuora))
        RESPONSE_CHECKS.append(func)
        schemathesis.check(_for_schemathesis(func))
        return func

    return decorate


def raw_check(*, guards: Guard, area: str, zuora: ProfileRule = STRICT) -> Callable[[F], F]:
    """Declare a check of one raw exchange, run on every response of the suite's own requests."""

    def decorate(func: F) -> F:
        _register(CheckInfo(func.__name__, _catches(func), guards, Kind.RAW, area, zuora))
        RAW_CHECKS.append(func)
        return func

    return decorate


def judge(*, guards: Guard, area: str, zuora: ProfileRule = STRICT) -> Callable[[F], F]:
    """Declare a check that judges the responses of a sequence of requests."""

    def decorate(func: F) -> F:
        _register(CheckInfo(func.__name__, _catches(func), guards, Kind.PROPERTY, area, zuora))
        return func

    return decorate


def builtin(name: str, catches: str, *, guards: Guard, zuora: ProfileRule = STRICT) -> CheckInfo:
    """Declare one of Schemathesis's built-in checks as part of the suite."""
    info = CheckInfo(name, catches, guards, Kind.SCHEMATHESIS, "schema", zuora)
    _register(info)
    return info


def in_report_order() -> list[CheckInfo]:
    """Every declared check, area by area, in declaration order within an area."""
    return sorted(CHECKS.values(), key=lambda info: AREAS.index(info.area))


def info_of(check: Callable[..., object] | str) -> CheckInfo:
    """The declaration of a check, by function or by name."""
    return CHECKS[check if isinstance(check, str) else check.__name__]
