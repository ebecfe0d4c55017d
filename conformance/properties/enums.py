"""Every enum of the request body, read from the contract, and a property that breaks each.

The fields are found by walking the request schema (its `$ref`s inlined by the contract
reader), so an enum the contract gains is tested
without a change here. A value inside `processingOptions` travels with the options its
documented rules need (`applicationOrder` needs `applyCredit`, `billingOptions` needs
`runBilling`), so the enum is the only rule such a body breaks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fulfillments_contract import Contract
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.enums import invalid_enum_rejected
from conformance.properties.harness import Harness
from conformance.strategies import invalid_enum_requests

__all__ = ["COMPANIONS", "EnumField", "invalid_enums_are_refused", "request_enums"]

# processingOptions members whose documented rules need another option beside them.
COMPANIONS: Mapping[str, Mapping[str, Any]] = {
    "applicationOrder": {"applyCredit": True},
    "billingOptions": {"runBilling": True},
}


@dataclass(frozen=True, slots=True)
class EnumField:
    """One string enum of the request body: where it sits and what it allows."""

    path: tuple[str | int, ...]
    allowed: tuple[str, ...]

    @property
    def name(self) -> str:
        """The field as a person writes it: `fulfillments[0].fulfillmentType`."""
        text = ""
        for step in self.path:
            text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
        return text

    @property
    def companions(self) -> dict[str, Any]:
        """The processingOptions members this field's value needs beside it."""
        found: dict[str, Any] = {}
        for step in self.path:
            found |= COMPANIONS.get(str(step), {})
        return found


def _walk(node: Any, path: tuple[str | int, ...]) -> list[EnumField]:
    if not isinstance(node, Mapping):
        return []
    if isinstance(node.get("enum"), list) and all(isinstance(v, str) for v in node["enum"]):
        return [EnumField(path, tuple(node["enum"]))]
    found: list[EnumField] = []
    for name, child in (node.get("properties") or {}).items():
        found += _walk(child, (*path, str(name)))
    if "items" in node:
        found += _walk(node["items"], (*path, 0))
    for key in ("allOf", "anyOf", "oneOf"):
        for child in node.get(key) or []:
            found += _walk(child, path)
    return found


def request_enums(contract: Contract) -> tuple[EnumField, ...]:
    """Every string enum of the operation's JSON request body, in document order."""
    return tuple(_walk(contract.request_schema, ()))


def invalid_enums_are_refused(h: Harness) -> Callable[[], None]:
    """Each enum field of the request body, given a value outside it, gets 400."""
    fields = request_enums(h.context.contract)
    cases = st.tuples(
        *(
            invalid_enum_requests(
                path=field.path,
                allowed=field.allowed,
                companions=field.companions,
                line_item_ids=h.line_item_ids,
            )
            for field in fields
        )
    )

    @given(documents=cases)
    def test(documents: tuple[dict[str, Any], ...]) -> None:
        with h.example():
            for field, document in zip(fields, documents, strict=True):
                h.judge(invalid_enum_rejected, h.post(document), field.name)

    return test
