"""The suite's building blocks: the contract reader, curl commands, keys, strategies, case fixes."""

from __future__ import annotations

import gzip
import json
import shlex
import subprocess
import zlib
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fulfillments_contract import ContractError, load_contract
from hypothesis import given, settings
from schemathesis import GenerationMode

from conformance.checks.builtin import BUILTIN_CHECKS
from conformance.context import RunContext
from conformance.curl import curl_command
from conformance.keyspace import KeySpace
from conformance.profiles import Profile
from conformance.schema_cases import CaseAdjuster
from conformance.schema_phase import SchemaPlan, schemathesis_config
from conformance.spec import response_validator
from conformance.strategies import (
    TRACK_ID_FORBIDDEN,
    corrupt_gzip_bodies,
    create_requests,
    invalid_create_requests,
    invalid_track_ids,
    track_ids,
)

SECRETS = {"TOKEN": "dev-token", "TOKEN2": "dev-token-2"}


def test_contract_reads_the_policies_and_header_rules() -> None:
    contract = load_contract()
    assert contract.policies.max_key_length == 255
    assert contract.policies.gzip_threshold == 1000
    assert contract.policies.stored_headers == ("Content-Type", "Zuora-Request-Id")
    track = contract.header_rule("zuora-track-id")
    assert track.accepts("x" * 64)
    assert not track.accepts("x" * 65)
    assert not any(track.accepts(f"a{ch}b") for ch in TRACK_ID_FORBIDDEN)
    assert {200, 400, 401, 403, 409, 422} <= set(contract.responses)
    assert response_validator(contract, 200) is not None
    assert response_validator(contract, 299) is None


def test_contract_error_names_what_is_missing(tmp_path: Path) -> None:
    broken = tmp_path / "spec.yaml"
    broken.write_text("openapi: 3.1.0\npaths: {}\n", encoding="utf-8")
    with pytest.raises(ContractError, match="POST /v1/fulfillments"):
        load_contract(broken)
    with pytest.raises(ContractError, match="cannot read"):
        load_contract(tmp_path / "absent.yaml")


def test_curl_masks_tokens_and_quotes_the_body() -> None:
    command = curl_command(
        "POST",
        "http://127.0.0.1:8080/v1/fulfillments",
        {
            "Authorization": "Bearer dev-token-2",
            "User-Agent": "python-httpx",
            "Zuora-Track-Id": "it's",
        },
        b'{"a":"it\'s"}',
        secrets=SECRETS,
    )
    assert "dev-token" not in command
    assert '-H "Authorization: Bearer $TOKEN2"' in command
    assert "User-Agent" not in command
    words = shlex.split(command)
    assert words[words.index("--data-binary") + 1] == '{"a":"it\'s"}'
    assert "Zuora-Track-Id: it's" in words


def test_curl_rebuilds_a_gzip_body_and_ships_binary_as_base64() -> None:
    plain = b'{"fulfillments":[]}'
    gzipped = curl_command(
        "POST",
        "http://h/v1/fulfillments",
        {"Content-Encoding": "gzip", "Accept-Encoding": "gzip"},
        gzip.compress(plain),
        secrets=SECRETS,
        plain_body=plain,
    )
    assert gzipped.startswith("printf '%s' '{\"fulfillments\":[]}' | gzip -c | curl")
    assert "--data-binary @-" in gzipped
    assert "--compressed" in gzipped
    binary = curl_command("POST", "http://h/x", {}, b"\x1f\x8b\x00\xff", secrets=SECRETS)
    assert "base64 -d | curl" in binary


def test_curl_command_runs_in_a_shell_and_sends_the_same_bytes(tmp_path: Path) -> None:
    plain = b'{"fulfillments":[{"description":"quote \' and \\"double\\""}]}'
    command = curl_command(
        "POST", "http://h/x", {}, gzip.compress(plain), secrets=SECRETS, plain_body=plain
    )
    pipeline = command.split(" | curl", 1)[0]
    produced = subprocess.run(
        ["bash", "-c", pipeline], capture_output=True, check=True, timeout=10
    ).stdout
    assert gzip.decompress(produced) == plain


def test_keyspace_keys_are_unique_and_exactly_as_long_as_asked() -> None:
    keys = KeySpace("abcd1234")
    drawn = [keys.fresh(length) for length in (1, 8, 19, 24, 255, 255)]
    assert [len(key) for key in drawn] == [1, 8, 19, 24, 255, 255]
    assert len(set(drawn)) == len(drawn)
    assert all(all("!" <= ch <= "~" for ch in key) for key in drawn)


@settings(max_examples=30, deadline=None)
@given(
    document=create_requests(
        line_item_ids=("4028828c82819b74018286e02e041bd6",), max_fulfillments=20
    )
)
def test_valid_bodies_keep_the_request_schema(document: dict[str, Any]) -> None:
    validator = _request_validator()
    assert validator.is_valid(document)
    assert {f["orderLineItemId"] for f in document["fulfillments"]} == {
        "4028828c82819b74018286e02e041bd6"
    }


@settings(max_examples=30, deadline=None)
@given(case=invalid_create_requests())
def test_invalid_bodies_break_the_request_schema(case: tuple[dict[str, Any], str]) -> None:
    document, rule = case
    assert not _request_validator().is_valid(document), rule


@settings(max_examples=50, deadline=None)
@given(valid=track_ids(), invalid=invalid_track_ids())
def test_track_id_strategies_match_the_contract(valid: str, invalid: str) -> None:
    rule = load_contract().header_rule("Zuora-Track-Id")
    assert rule.accepts(valid)
    assert not rule.accepts(invalid)


@settings(max_examples=30, deadline=None)
@given(body=corrupt_gzip_bodies(documents=create_requests()))
def test_corrupt_gzip_bodies_never_decompress(body: bytes) -> None:
    with pytest.raises((OSError, EOFError, zlib.error)):
        gzip.decompress(body)


def _request_validator() -> Any:
    contract = load_contract()
    schema = {
        "$ref": "#/components/schemas/CreateFulfillmentsRequest",
        "components": contract.document["components"],
    }
    return jsonschema_rs.Draft202012Validator(schema)


class _Case:
    """The parts of a Schemathesis case the adjuster touches."""

    def __init__(self, headers: dict[str, str], body: Any, *, positive: bool) -> None:
        self.headers = headers
        self.body = body
        mode = GenerationMode.POSITIVE if positive else GenerationMode.NEGATIVE
        self.meta = type("Meta", (), {"generation": type("Generation", (), {"mode": mode})()})()


def test_case_adjuster_keeps_generated_cases_honest() -> None:
    contract = load_contract()
    adjuster = CaseAdjuster(contract=contract, keys=KeySpace("abcd1234"), line_item_ids=("f" * 32,))
    body = {
        "fulfillments": [{"orderLineItemId": "0" * 40}, {"orderLineItemId": "short"}],
        "processingOptions": {"collectPayment": True, "applicationOrder": [], "refund": True},
    }
    case = _Case(
        {"Content-Encoding": "gzip", "Idempotency-Key": "a"},
        json.loads(json.dumps(body)),
        positive=True,
    )
    adjuster.adjust(case)
    assert "Content-Encoding" not in case.headers
    assert case.headers["Idempotency-Key"] != "a"
    assert len(case.headers["Idempotency-Key"]) == 8
    assert [f["orderLineItemId"] for f in case.body["fulfillments"]] == ["f" * 32, "short"]
    options = case.body["processingOptions"]
    assert options["runBilling"] is True
    assert options["applyCredit"] is True
    assert options["refundAmount"] == 1


def test_case_adjuster_leaves_invalid_keys_and_negative_rules_alone() -> None:
    adjuster = CaseAdjuster(contract=load_contract(), keys=KeySpace("abcd1234"), line_item_ids=())
    case = _Case(
        {"Idempotency-Key": "k" * 256, "Content-Encoding": "br"},
        {"processingOptions": {"collectPayment": True}},
        positive=False,
    )
    adjuster.adjust(case)
    assert case.headers == {"Idempotency-Key": "k" * 256, "Content-Encoding": "br"}
    assert case.body == {"processingOptions": {"collectPayment": True}}


def _plan() -> SchemaPlan:
    return SchemaPlan("http://127.0.0.1:1", "dev-token", 10, 1, False, 5.0)


def test_schemathesis_config_enables_the_declared_checks_only() -> None:
    config = schemathesis_config(_plan(), RunContext(contract=load_contract()))
    checks = config["checks"]
    assert checks["enabled"] is False
    assert all(checks[info.name]["enabled"] for info in BUILTIN_CHECKS)
    assert checks["track_id_echoed"] == {"enabled": True}
    assert "415" in checks["negative_data_rejection"]["expected-statuses"]
    assert "400" not in checks["positive_data_acceptance"]["expected-statuses"]
    assert config["auth"] == {"openapi": {"bearerAuth": {"bearer": "dev-token"}}}


def test_schemathesis_config_under_the_zuora_profile() -> None:
    config = schemathesis_config(
        _plan(), RunContext(contract=load_contract(), profile=Profile.ZUORA)
    )
    checks = config["checks"]
    assert "vary_accept_encoding" not in checks
    assert checks["negative_data_rejection"]["enabled"] is False
    assert "400" in checks["positive_data_acceptance"]["expected-statuses"]
