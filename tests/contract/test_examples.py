"""Every example in the contract is valid against the schema it illustrates."""

from __future__ import annotations

from typing import Any

import pytest

from tests._contract import iter_examples, load_spec, validator_for

EXAMPLES = list(iter_examples())


def test_the_contract_carries_examples_of_every_kind() -> None:
    kinds = {where.split("/")[0] for where, _, _ in EXAMPLES}
    assert kinds == {"parameters", "headers", "schemas", "requestBodies", "responses"}
    responses_with_examples = {
        where.split("/")[1] for where, _, _ in EXAMPLES if "responses/" in where
    }
    assert responses_with_examples == set(load_spec()["components"]["responses"])


@pytest.mark.parametrize(("where", "schema", "value"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example_validates_against_its_schema(
    where: str, schema: dict[str, Any], value: Any
) -> None:
    errors = sorted(validator_for(schema).iter_errors(value), key=lambda e: list(e.path))
    assert not errors, f"{where}: " + "; ".join(e.message for e in errors)


def test_an_invalid_example_would_be_caught() -> None:
    """The validation above is not vacuous: a broken copy of a real example fails."""
    where, schema, value = next(e for e in EXAMPLES if e[0].endswith("returnWithBilling"))
    broken = {**value, "fulfillments": [{**value["fulfillments"][0], "quantity": "two"}]}
    assert list(validator_for(schema).iter_errors(broken)), where
    assert list(validator_for(schema).iter_errors({**value, "unknownField": 1})), where
