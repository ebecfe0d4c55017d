"""The one reader of the contract: what it reads, how it resolves `$ref`s, and what it refuses."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import yaml
from fulfillments_contract import (
    DEFAULT_SPEC,
    MAX_REF_CHAIN,
    OPERATION_METHOD,
    OPERATION_PATH,
    ContractError,
    HeaderRule,
    child,
    follow,
    inline,
    load_contract,
    lookup,
    parse_document,
)


def _copy_with(tmp_path: Path, change: Any) -> Path:
    """A copy of the contract with `change(document)` applied, written to a file."""
    document = yaml.safe_load(DEFAULT_SPEC.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_the_default_spec_is_the_shipped_document() -> None:
    assert DEFAULT_SPEC.name == "fulfillments.yaml"
    assert DEFAULT_SPEC.is_file()
    assert load_contract() is load_contract(str(DEFAULT_SPEC))  # read once per path


def test_the_policies_are_typed_as_published() -> None:
    policies = load_contract().policies
    assert policies.ttl_seconds == 86400
    assert type(policies.ttl_seconds) is int
    assert policies.key_scope == ("tenant", "method", "path", "key")
    assert policies.stored_headers == ("Content-Type", "Zuora-Request-Id")
    assert policies.max_json_depth == 128
    assert policies.body_deadline_seconds == 60
    assert policies.gzip_aliases == ("x-gzip",)
    assert policies.codings_ignore_case is True
    assert policies.stacked_codings is True
    assert policies.gzip_names() == frozenset({"gzip", "x-gzip"})
    assert (policies.resource_code, policies.unattributed_resource_code) == (536000, 500000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policies.ttl_seconds = 1  # type: ignore[misc]


def test_header_rules_keep_the_contracts_spelling_under_lower_case_keys() -> None:
    contract = load_contract()
    track = contract.header_rule("ZUORA-TRACK-ID")
    assert track.name == "Zuora-Track-Id"
    assert track.key == "zuora-track-id"
    assert set(contract.header_rules) == {
        rule.name.lower() for rule in contract.header_rules.values()
    }
    assert (track.min_length, track.max_length) == (1, 64)
    assert track.accepts("trace 1/2")
    assert not track.accepts(" trace")
    assert not track.accepts("a;b")
    assert not track.accepts("x" * 65)
    assert not track.accepts("abc\n")  # the pattern must match the whole value
    coding = contract.header_rule("Content-Encoding")
    assert coding.enum == frozenset({"gzip", "identity"})
    assert coding.accepts("gzip")
    assert not coding.accepts("br")
    assert isinstance(contract.header_rules, MappingProxyType)


def test_response_parts_are_inlined_and_read_only() -> None:
    contract = load_contract()
    assert {200, 400, 401, 403, 409, 422} <= set(contract.responses)
    assert "$ref" not in repr(contract.request_schema)
    assert "$ref" not in repr(contract.response_schemas[200])
    assert contract.request_schema["required"] == ["fulfillments"]
    assert "zuora-request-id" in contract.declared_headers[200]
    assert contract.response_header_names[0] == "Zuora-Request-Id"
    request_id = contract.response_header_rule("zuora-request-id")
    assert (request_id.min_length, request_id.max_length) == (36, 36)
    with pytest.raises(KeyError):
        contract.response_header_rule("X-Not-Declared")
    with pytest.raises(TypeError):
        contract.responses[200] = {}  # type: ignore[index]


def test_the_operation_is_named_once() -> None:
    assert (OPERATION_METHOD, OPERATION_PATH) == ("POST", "/v1/fulfillments")
    assert OPERATION_METHOD.lower() in load_contract().document["paths"][OPERATION_PATH]


def test_follow_merges_siblings_and_names_the_target() -> None:
    document = {
        "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"type": "x"}}}
    }
    node, source = follow(document, {"$ref": "#/components/schemas/A", "description": "d"})
    assert node == {"type": "x", "description": "d"}
    assert source == "#/components/schemas/B"
    assert follow(document, {"type": "y"}, "#/here") == ({"type": "y"}, "#/here")


def test_follow_refuses_a_loop_and_a_chain_too_long() -> None:
    loop = {"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}}
    with pytest.raises(ContractError, match="reference loop"):
        follow(loop, {"$ref": "#/a"})
    chain = {f"n{i}": {"$ref": f"#/n{i + 1}"} for i in range(MAX_REF_CHAIN + 1)}
    chain[f"n{MAX_REF_CHAIN + 1}"] = {"type": "end"}
    with pytest.raises(ContractError, match="reference loop"):
        follow(chain, {"$ref": "#/n0"})


def test_inline_refuses_a_recursive_schema() -> None:
    document = {"Node": {"properties": {"next": {"$ref": "#/Node"}}}}
    with pytest.raises(ContractError, match="recursive reference"):
        inline(document, {"$ref": "#/Node"})
    shared = {"Leaf": {"type": "string"}}
    twice = inline(shared, {"a": {"$ref": "#/Leaf"}, "b": [{"$ref": "#/Leaf"}]})
    assert twice == {"a": {"type": "string"}, "b": [{"type": "string"}]}


def test_pointers_escape_and_unescape_as_rfc_6901_says() -> None:
    document = {"paths": {"/v1/x": {"items": [{"~k": 1}]}}}
    pointer = child("#", "paths", "/v1/x", "items", 0, "~k")
    assert pointer == "#/paths/~1v1~1x/items/0/~0k"
    assert lookup(document, pointer) == 1
    with pytest.raises(ContractError, match="does not resolve"):
        lookup(document, "#/paths/missing")
    with pytest.raises(ContractError, match="only local"):
        lookup(document, "other.yaml#/x")


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ContractError, match="not a YAML mapping"):
        parse_document("- a list\n", "the text")
    with pytest.raises(ContractError, match="cannot read the text"):
        parse_document("a: [unclosed", "the text")


def test_missing_parts_are_named(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="cannot read the spec"):
        load_contract(tmp_path / "absent.yaml")
    no_operation = _copy_with(tmp_path, lambda d: d["paths"].clear())
    with pytest.raises(ContractError, match="no POST /v1/fulfillments"):
        load_contract(no_operation)
    path = _copy_with(tmp_path, lambda d: d["x-policies"]["limits"].pop("maxJsonDepth"))
    with pytest.raises(ContractError, match="maxJsonDepth"):
        load_contract(path)


def test_a_flag_must_be_a_boolean(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, lambda d: d["x-policies"]["gzip"].update(stackedCodings="yes"))
    with pytest.raises(ContractError, match="true or false"):
        load_contract(path)


def test_a_changed_number_reaches_every_reader(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, lambda d: d["x-policies"]["limits"].update(maxJsonDepth=7))
    assert load_contract(path).policies.max_json_depth == 7


def test_a_file_changed_in_place_is_read_again(tmp_path: Path) -> None:
    path = _copy_with(tmp_path, lambda d: d["x-policies"]["limits"].update(maxJsonDepth=7))
    first = load_contract(path)
    assert load_contract(path) is first  # read once while the file stays as it was
    _copy_with(tmp_path, lambda d: d["x-policies"]["limits"].update(maxJsonDepth=70))
    assert load_contract(path).policies.max_json_depth == 70


def test_header_rules_without_limits_accept_anything() -> None:
    rule = HeaderRule("X-Free", None, None, None, None)
    assert rule.accepts("")
    assert rule.accepts("x" * 10_000)
