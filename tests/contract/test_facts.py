"""The contract says what Zuora's sources confirm: every field, type, limit, enum and header.

`tests/data/zuora-fulfillments-fields.json` is the machine-readable field list taken from Zuora's
3.21.0 SDK (its source is named in each entry's `x-source`); the contract must carry all of it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fulfillments_contract import load_contract

from tests._contract import ROOT, load_spec, resolve, validator_for

FIELDS: dict[str, Any] = json.loads(
    (ROOT / "tests" / "data" / "zuora-fulfillments-fields.json").read_text(encoding="utf-8")
)
SCHEMAS: dict[str, Any] = load_spec()["components"]["schemas"]
PARAMETERS: dict[str, Any] = load_spec()["components"]["parameters"]
OPERATION: dict[str, Any] = load_spec()["paths"]["/v1/fulfillments"]["post"]


def _types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a contract schema admits, following references and unions."""
    node = resolve(schema)
    if "anyOf" in node:
        return set().union(*(_types(member) for member in node["anyOf"]))
    declared = node.get("type", "object" if "properties" in node else None)
    return {declared} if isinstance(declared, str) else set(declared or ())


FACT_PROPERTIES = [
    (schema_name, prop_name, prop)
    for schema_name, schema in FIELDS.items()
    for prop_name, prop in schema["properties"].items()
]


@pytest.mark.parametrize(
    ("schema_name", "prop_name", "fact"),
    FACT_PROPERTIES,
    ids=[f"{s}.{p}" for s, p, _ in FACT_PROPERTIES],
)
def test_contract_property_matches_zuora(
    schema_name: str, prop_name: str, fact: dict[str, Any]
) -> None:
    ours = SCHEMAS[schema_name]["properties"][prop_name]
    node = resolve(ours)
    fact_node = FIELDS[fact["$ref"].removeprefix("#/")] if "$ref" in fact else fact
    if "$ref" not in fact:
        expected_type = fact["type"]
        if schema_name.endswith("Reason") and prop_name == "code":
            # Zuora's schema says string, its own example a number: the contract admits both.
            assert _types(ours) == {"string", "integer"}
        else:
            assert expected_type in _types(ours) or (
                expected_type == "number" and "integer" in _types(ours)
            )
    else:
        assert set(fact_node["properties"]) <= set(node["properties"])
    for limit in ("maxLength", "minLength"):
        if fact.get(limit):
            assert node.get(limit) == fact[limit], f"{limit} of {schema_name}.{prop_name}"
    if "enum" in fact:
        assert node["enum"] == fact["enum"]
    if fact.get("items", {}).get("enum"):
        assert resolve(node["items"])["enum"] == fact["items"]["enum"]
    if "default" in fact and (schema_name, prop_name) != ("CommonResponse", "success"):
        assert node.get("default") == fact["default"]


def test_error_bodies_always_say_success_false() -> None:
    """Zuora defaults `success` to true; in the body of an error it is always false."""
    assert SCHEMAS["CommonResponse"]["properties"]["success"]["const"] is False


@pytest.mark.parametrize("schema_name", sorted(FIELDS))
def test_contract_requires_what_zuora_requires(schema_name: str) -> None:
    assert set(FIELDS[schema_name]["required"]) <= set(SCHEMAS[schema_name].get("required", []))


def test_observed_nulls_are_allowed() -> None:
    response = SCHEMAS["CreateFulfillmentsResponse"]["properties"]
    for name in ("invoiceNumbers", "creditMemoNumbers", "paymentNumber", "paidAmount"):
        assert "null" in _types(response[name]), name


def test_every_zuora_request_header_is_declared_with_its_limits() -> None:
    declared = {resolve(p)["name"]: resolve(p) for p in OPERATION["parameters"]}
    assert set(declared) == {
        "Idempotency-Key",
        "Accept-Encoding",
        "Content-Encoding",
        "Zuora-Track-Id",
        "Zuora-Entity-Ids",
        "Zuora-Org-Ids",
        "Zuora-Version",
    }
    assert all(p["in"] == "header" and not p["required"] for p in declared.values())
    assert declared["Idempotency-Key"]["schema"]["maxLength"] == 255
    assert declared["Zuora-Track-Id"]["schema"]["maxLength"] == 64
    assert load_spec()["components"]["securitySchemes"]["bearerAuth"] == {
        **load_spec()["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }


TRACK_ID = validator_for(PARAMETERS["ZuoraTrackId"]["schema"])


@pytest.mark.parametrize("value", ["a" * 64, "order-sync-7f3a", "A1!#$%&()*+,-./<=>?@[]^_`{|}~"])
def test_track_id_pattern_accepts_zuora_values(value: str) -> None:
    assert TRACK_ID.is_valid(value)


@pytest.mark.parametrize("value", ["a" * 65, "a:b", "a;b", 'a"b', "a'b", "caf\u00e9", "a\tb", ""])
def test_track_id_pattern_rejects_what_zuora_forbids(value: str) -> None:
    assert not TRACK_ID.is_valid(value)


def test_idempotency_key_limit_is_255() -> None:
    key = validator_for(PARAMETERS["IdempotencyKey"]["schema"])
    assert key.is_valid("k" * 255)
    assert not key.is_valid("k" * 256)


def test_documented_responses_and_their_headers() -> None:
    responses = {code: resolve(r) for code, r in OPERATION["responses"].items()}
    assert set(responses) == {"200", "400", "401", "403", "409", "413", "415", "422", "429", "500"}
    for code, response in responses.items():
        headers = response["headers"]
        assert "Zuora-Request-Id" in headers, code
        assert "Zuora-Track-Id" in headers, code
        request_id = resolve(headers["Zuora-Request-Id"])
        assert request_id["required"] is True
        assert request_id["schema"]["minLength"] == request_id["schema"]["maxLength"] == 36
    for code in ("200", "400", "401", "403"):
        assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
            responses[code]["headers"]
        )
    assert "WWW-Authenticate" in responses["401"]["headers"]
    assert "Retry-After" in responses["429"]["headers"]
    schemas = {
        code: r["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for code, r in responses.items()
    }
    assert schemas["200"] == "CreateFulfillmentsResponse"
    assert schemas["401"] == "ProxyUnauthorizedResponse"
    assert schemas["403"] == "CommonErrorResponse"
    assert {schemas[c] for c in ("400", "409", "413", "415", "422", "429", "500")} == {
        "CommonResponse"
    }


def test_published_policies_are_stated_in_the_operation() -> None:
    text = OPERATION["description"]
    for phrase in (
        "tenant + method + path + key",
        "24 hours",
        "`422`",
        "`409`",
        "255 characters",
        "over 1000 bytes",
        "Content-Encoding: gzip",
    ):
        assert phrase in text, phrase
    policies = load_contract().policies
    assert policies.ttl_seconds == 24 * 3600
    assert policies.gzip_threshold == 1000
    assert re.fullmatch(r"[5-6]\d{5}", str(policies.resource_code))
    assert policies.unattributed_resource_code == 500000  # Zuora's code when no resource claims
