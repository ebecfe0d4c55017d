"""Broken answers: credentials, body validation, the 200 body and the ids it carries."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from refserver import BusinessEngine, Problem, Shape, Tenant
from refserver.parts import (
    BUSINESS_RULE,
    DEFAULT_UNIT_PRICE,
    ContractValidator,
    Created,
    HexFulfillmentIds,
    TokenAuthenticator,
)

__all__ = [
    "AnyBearerToken",
    "BillTargetDateRule",
    "DashedIds",
    "MissingTokenIsFirstTenant",
    "RenamedNumberField",
    "SchemaNotEnforced",
    "StatusAsCategory",
    "SuccessOmitted",
    "UnitPriceByQuantity",
    "Validation422",
    "ValidationMessageShape",
    "ZeroForNothingPaid",
]

_log = logging.getLogger("planted")
HTTP_BAD_REQUEST = 400  # the status a careless server puts where the reason category goes


class MissingTokenIsFirstTenant(TokenAuthenticator):
    """Serves a request without Authorization as the first tenant (an anonymous default)."""

    def authenticate(self, authorization: str | None, now: float) -> Tenant | None:
        if authorization is None:
            return next(iter(self._tenants.values()))
        return super().authenticate(authorization, now)


class AnyBearerToken(TokenAuthenticator):
    """Accepts any non-empty bearer token as the first tenant: presence is all it checks."""

    def authenticate(self, authorization: str | None, now: float) -> Tenant | None:
        known = super().authenticate(authorization, now)
        scheme, _, token = (authorization or "").partition(" ")
        if known is None and scheme.lower() == "bearer" and token.strip():
            return next(iter(self._tenants.values()))
        return known


class _Rewrapped(ContractValidator):
    """The reference validator, whose 400s `rewrap` turns into another answer."""

    def rewrap(self, problem: Problem) -> Problem:
        return problem

    def validate(self, document: Any) -> None:
        try:
            super().validate(document)
        except Problem as problem:
            raise self.rewrap(problem) from None


class Validation422(_Rewrapped):
    """Answers a body that breaks the schema with 422, a web framework's default."""

    def rewrap(self, problem: Problem) -> Problem:
        return Problem(422, problem.reasons, problem.headers, problem.shape)


class ValidationMessageShape(_Rewrapped):
    """Answers a body that breaks the schema with 400 `{message}` instead of Zuora's reasons."""

    def rewrap(self, problem: Problem) -> Problem:
        return Problem(400, problem.reasons, problem.headers, Shape.UNAUTHORIZED)


class StatusAsCategory(_Rewrapped):
    """Puts the HTTP status where the reason category goes: code 53600400."""

    def rewrap(self, problem: Problem) -> Problem:
        reasons = tuple((HTTP_BAD_REQUEST, message) for _, message in problem.reasons)
        return Problem(problem.status, reasons, problem.headers, problem.shape)


class SchemaNotEnforced(ContractValidator):
    """Parses the body but never validates it against the schema."""

    def validate(self, document: Any) -> None:
        return None


class BillTargetDateRule(ContractValidator):
    """Adds a rule the contract does not have: billTargetDate before fulfillmentDate is refused."""

    def validate(self, document: Any) -> None:
        super().validate(document)
        for index, item in enumerate(document["fulfillments"]):
            target = item.get("billTargetDate")
            if target is not None and target < item["fulfillmentDate"]:
                raise Problem.of(
                    400,
                    BUSINESS_RULE,
                    f"fulfillments[{index}].billTargetDate is before the fulfillmentDate",
                )


class DashedIds(HexFulfillmentIds):
    """Ids with the UUID's hyphens: 36 characters where Zuora has 32."""

    def new_id(self) -> str:
        return str(uuid.uuid4())


class _RewrittenBody:
    """The reference engine, with its 200 body rewritten by `rewrite`."""

    def __init__(self, inner: BusinessEngine) -> None:
        self.inner = inner

    def rewrite(self, body: dict[str, Any]) -> dict[str, Any]:
        return body

    async def create(self, tenant: Tenant, document: Mapping[str, Any], now: float) -> Created:
        created = await self.inner.create(tenant, document, now)
        body = orjson.dumps(self.rewrite(orjson.loads(created.body)))
        return Created(body=body, effects=created.effects)


def _renamed(item: dict[str, Any]) -> dict[str, Any]:
    return {("fulfillmentNumbers" if k == "fulfillmentNumber" else k): v for k, v in item.items()}


class RenamedNumberField(_RewrittenBody):
    """Names the created number `fulfillmentNumbers` instead of `fulfillmentNumber`."""

    def rewrite(self, body: dict[str, Any]) -> dict[str, Any]:
        return body | {"fulfillments": [_renamed(item) for item in body["fulfillments"]]}


class SuccessOmitted(_RewrittenBody):
    """Leaves `success` out of the 200 body (the schema's default is true, after all)."""

    def rewrite(self, body: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in body.items() if name != "success"}


class ZeroForNothingPaid(_RewrittenBody):
    """Sends `paidAmount: 0` and `invoiceNumbers: []` where nothing was paid or invoiced."""

    def rewrite(self, body: dict[str, Any]) -> dict[str, Any]:
        zeroes: dict[str, Callable[[], Any]] = {"paidAmount": int, "invoiceNumbers": list}
        return body | {name: make() for name, make in zeroes.items() if body.get(name) is None}


class UnitPriceByQuantity:
    """Derives each unit price as amount / quantity, so a quantity of 0 divides by zero (500)."""

    def __init__(self, inner: BusinessEngine) -> None:
        self.inner = inner

    async def create(self, tenant: Tenant, document: Mapping[str, Any], now: float) -> Created:
        for item in document["fulfillments"]:
            amount = float(item["quantity"]) * DEFAULT_UNIT_PRICE
            _log.debug("unit price %s", amount / float(item["quantity"]))
        return await self.inner.create(tenant, document, now)
