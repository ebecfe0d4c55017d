"""The contract as the suite reads it: through `fulfillments_contract`, the kit's one reader.

Every number a check compares against comes from the spec file (`x-policies`, the header
parameters, the responses), parsed once by the contract package; nothing here repeats the
document by hand. What stays the suite's own is how it judges: the response-body validators
below are built here, so a server is measured by the suite's code, not by the server's.
"""

from __future__ import annotations

import functools

import jsonschema_rs
from fulfillments_contract import (
    DEFAULT_SPEC,
    OPERATION_METHOD,
    OPERATION_PATH,
    Contract,
    ContractError,
    HeaderRule,
    Policies,
    load_contract,
)

__all__ = [
    "DEFAULT_SPEC",
    "OPERATION_METHOD",
    "OPERATION_PATH",
    "Contract",
    "ContractError",
    "HeaderRule",
    "Policies",
    "load_contract",
    "response_validator",
]


@functools.lru_cache(maxsize=64)
def response_validator(contract: Contract, status: int) -> jsonschema_rs.Validator | None:
    """A validator for the body documented for `status`, or None when it is undocumented."""
    schema = contract.response_schemas.get(status)
    if schema is None:
        return None
    return jsonschema_rs.Draft202012Validator(dict(schema), validate_formats=True)
