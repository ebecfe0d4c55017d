"""Request-header rules read from the contract, the tenant's reach, and the track-id echo.

Content-Encoding is declared in the contract too, but an unsupported coding is a 415 that
the compression policy answers; every other declared header is checked here.
"""

from __future__ import annotations

from fulfillments_contract import Contract, HeaderRule

from refserver._config import Tenant
from refserver._errors import ACCESS_DENIED, INVALID_VALUE, Problem, Shape
from refserver._types import Headers

__all__ = ["ContractHeaderPolicy"]

_TRACK_ID = "zuora-track-id"
_ENTITIES = "zuora-entity-ids"
_ORGS = "zuora-org-ids"
_ANSWERED_ELSEWHERE = frozenset({"content-encoding", "accept-encoding"})
_SHOWN_NAME = 64  # characters of a header name quoted in a 400; names can be any length


def _violation(rule: HeaderRule, value: str) -> str | None:
    """Why `value` breaks `rule`, or None when it keeps it."""
    if rule.min_length is not None and len(value) < rule.min_length:
        return f"is shorter than {rule.min_length} characters"
    if rule.max_length is not None and len(value) > rule.max_length:
        return f"is longer than {rule.max_length} characters"
    if rule.pattern is not None and rule.pattern.fullmatch(value) is None:
        return "contains characters that are not allowed"
    if rule.enum is not None and value not in rule.enum:
        return f"must be one of {', '.join(sorted(rule.enum))}"
    return None


def _ids(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class ContractHeaderPolicy:
    """Validates headers against the contract's parameters and the tenant's entities and orgs."""

    def __init__(self, contract: Contract) -> None:
        self._rules = tuple(
            (name, rule)
            for name, rule in contract.header_rules.items()
            if name not in _ANSWERED_ELSEWHERE
        )
        self._track = contract.header_rules.get(_TRACK_ID)
        self._max_value = contract.policies.max_header_value_length

    def check(self, headers: Headers, tenant: Tenant) -> None:
        """Raise 400 for a header outside its limits, 403 for entities or orgs out of reach."""
        for name, value in headers.items():
            if len(value) > self._max_value:
                shown = name if len(name) <= _SHOWN_NAME else f"{name[:_SHOWN_NAME]}..."
                raise Problem.of(
                    400,
                    INVALID_VALUE,
                    f"Header {shown} is longer than {self._max_value} characters",
                )
        for name, rule in self._rules:
            given = headers.get(name)
            if given is None:
                continue
            why = _violation(rule, given)
            if why is not None:
                raise Problem.of(400, INVALID_VALUE, f"Header {name} {why}")
        self._reach(headers.get(_ENTITIES), tenant.entity_ids, "Zuora-Entity-Ids", "entities")
        self._reach(headers.get(_ORGS), tenant.org_ids, "Zuora-Org-Ids", "orgs")

    @staticmethod
    def _reach(value: str | None, allowed: frozenset[str], header: str, what: str) -> None:
        if value is None:
            return
        outside = [item for item in _ids(value) if item not in allowed]
        if outside:  # an empty list restricts nothing, as an absent header
            named = ", ".join(outside)
            raise Problem.of(
                403,
                ACCESS_DENIED,
                f"{header} names {what} the token cannot reach: {named}",
                shape=Shape.FORBIDDEN,
            )

    def echo(self, headers: Headers) -> tuple[tuple[str, str], ...]:
        """`Zuora-Track-Id` exactly as sent, only when it is valid."""
        value = headers.get(_TRACK_ID)
        if value is None:
            return ()
        if self._track is not None and _violation(self._track, value) is not None:
            return ()
        if len(value) > self._max_value:
            return ()
        return (("Zuora-Track-Id", value),)
