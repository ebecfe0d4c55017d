"""The response-body validators the suite judges with, built from the contract's schemas.

The suite reads the contract through `fulfillments_contract`, the kit's one reader: every
number a check compares against comes from there. What stays the suite's own is how it judges,
so the validators are built here, and a server is measured by the suite's code, not its own.
"""

from __future__ import annotations

import functools

import jsonschema_rs
from fulfillments_contract import Contract

__all__ = ["response_validator"]


@functools.lru_cache(maxsize=64)
def response_validator(contract: Contract, status: int) -> jsonschema_rs.Validator | None:
    """A validator for the body documented for `status`, or None when it is undocumented."""
    schema = contract.response_schemas.get(status)
    if schema is None:
        return None
    return jsonschema_rs.Draft202012Validator(dict(schema), validate_formats=True)
