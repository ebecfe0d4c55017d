"""The contract, shipped with the kit, and the one reader of it.

Installed, this folder is the package `fulfillments_contract`. The reference server, the
conformance suite, the contract differ, the resilient client and the tests read the document
only through it: `load_contract()` parses it once into typed, immutable values (the published
`x-policies`, the header rules, the inlined schemas), and `follow`/`inline` are the one way to
resolve a `$ref`. Parsing is shared; judging stays with each part.
"""

from ._contract import DEFAULT_SPEC, OPERATION_METHOD, OPERATION_PATH, Contract, load_contract
from ._document import (
    MAX_REF_CHAIN,
    ContractError,
    child,
    follow,
    inline,
    lookup,
    parse_document,
    read_document,
)
from ._headers import HeaderRule
from ._policies import Policies

__all__ = [
    "DEFAULT_SPEC",
    "MAX_REF_CHAIN",
    "OPERATION_METHOD",
    "OPERATION_PATH",
    "Contract",
    "ContractError",
    "HeaderRule",
    "Policies",
    "child",
    "follow",
    "inline",
    "load_contract",
    "lookup",
    "parse_document",
    "read_document",
]
