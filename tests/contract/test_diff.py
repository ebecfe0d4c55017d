"""The contract differ classifies each kind of edit, and the CI gate applies the version rule.

Every edit in `EDITS` is applied to a copy of the real contract; the test asserts the exact set
of (kind, classification) pairs the differ reports for it, so a missed change, a wrong
classification and a spurious extra change all fail.
"""

from __future__ import annotations

import copy
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract_diff import Change, diff_documents, format_changes, judge, main

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "fulfillments.yaml"
CHANGELOG = ROOT / "openapi" / "CHANGELOG.md"
OPERATION = "/paths/~1v1~1fulfillments/post"
CLIENTS = "breaking (clients)"
SERVERS = "breaking (servers)"
BOTH = "breaking (clients, servers)"
OK = "compatible"

Edit = Callable[[dict[str, Any]], None]


@cache
def _parsed() -> dict[str, Any]:
    document: dict[str, Any] = yaml.load(SPEC.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return document


def contract() -> dict[str, Any]:
    """A fresh deep copy of the real contract."""
    return copy.deepcopy(_parsed())


def _schemas(d: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = d["components"]["schemas"]
    return schemas


def _props(d: dict[str, Any], schema: str) -> dict[str, Any]:
    properties: dict[str, Any] = _schemas(d)[schema]["properties"]
    return properties


def _operation(d: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = d["paths"]["/v1/fulfillments"]["post"]
    return operation


def _drop_parameter(name: str) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        ref = f"#/components/parameters/{name}"
        _operation(d)["parameters"] = [p for p in _operation(d)["parameters"] if p["$ref"] != ref]

    return edit


def _add_parameter(required: bool) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        _operation(d)["parameters"].append(
            {
                "name": "Zuora-Tenant",
                "in": "header",
                "required": required,
                "schema": {"type": "string"},
            }
        )

    return edit


def _rename_charge_type(d: dict[str, Any]) -> None:
    _schemas(d)["ChargeKind"] = _schemas(d).pop("ChargeType")
    _props(d, "BillingOptions")["chargeTypeToExclude"]["items"] = {
        "$ref": "#/components/schemas/ChargeKind"
    }


def _retarget_billing_options(narrower: bool) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        twin = copy.deepcopy(_schemas(d)["BillingOptions"])
        if narrower:
            twin["properties"]["creditMemoReasonCode"]["maxLength"] = 10
        _schemas(d)["BillingRunOptions"] = twin
        _props(d, "ProcessingOptions")["billingOptions"] = {
            "$ref": "#/components/schemas/BillingRunOptions"
        }

    return edit


def _new_example(d: dict[str, Any]) -> None:
    d["components"]["examples"]["OneDelivery"] = {
        "summary": "One delivery",
        "value": {
            "fulfillments": [
                {"orderLineItemId": "a" * 32, "fulfillmentDate": "2022-01-01", "quantity": 1}
            ]
        },
    }
    media = d["components"]["requestBodies"]["CreateFulfillmentsRequest"]["content"][
        "application/json"
    ]
    media["examples"]["oneDelivery"] = {"$ref": "#/components/examples/OneDelivery"}


def _set(path: str, value: Any) -> Edit:
    """An edit that sets `value` at a dotted path (`components.schemas.X.maxLength`)."""

    def edit(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = d
        for key in parents:
            node = node[key]
        node[last] = value

    return edit


def _delete(path: str) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = d
        for key in parents:
            node = node[key]
        del node[last]

    return edit


def _apply(*edits: Edit) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        for one in edits:
            one(d)

    return edit


_CF = "components.schemas.CreateFulfillment"
_CFR = "components.schemas.CreateFulfillmentsResponse"

EDITS: list[Any] = [
    # Removed or renamed fields, parameters, responses, headers and schemas.
    pytest.param(
        _delete(f"{_CF}.properties.trackingNumber"),
        {("property-removed", CLIENTS)},
        id="request-field-removed",
    ),
    pytest.param(
        lambda d: _props(d, "CreateFulfillment").__setitem__(
            "carrierName", _props(d, "CreateFulfillment").pop("carrier")
        ),
        {("property-removed", CLIENTS), ("property-added", OK)},
        id="request-field-renamed",
    ),
    pytest.param(
        _drop_parameter("ZuoraVersion"),
        {("parameter-removed", CLIENTS)},
        id="header-parameter-removed",
    ),
    pytest.param(
        _delete("paths./v1/fulfillments.post.responses.415"),
        {("response-removed", BOTH)},
        id="response-removed",
    ),
    pytest.param(
        _delete("components.responses.Created.headers.Zuora-Track-Id"),
        {("response-header-removed", CLIENTS)},
        id="response-header-removed",
    ),
    pytest.param(
        _rename_charge_type,
        {("schema-removed", CLIENTS), ("schema-added", OK)},
        id="schema-renamed",
    ),
    pytest.param(
        _delete(f"{_CFR}.properties.paidAmount"),
        {("property-removed", CLIENTS)},
        id="response-field-removed",
    ),
    # Narrowed types and limits.
    pytest.param(
        _set(f"{_CF}.properties.carrier.maxLength", 20),
        {("maxLength-decreased", CLIENTS)},
        id="smaller-maxLength",
    ),
    pytest.param(
        _set(f"{_CF}.properties.orderLineItemId.minLength", 33),
        {("minLength-increased", CLIENTS)},
        id="larger-minLength",
    ),
    pytest.param(
        _set(f"{_CF}.properties.externalId.pattern", "^[A-Z0-9-]+$"),
        {("pattern-added", CLIENTS)},
        id="new-pattern",
    ),
    pytest.param(
        _set(
            "components.schemas.FulfillmentState.enum",
            ["Executing", "Booked", "SentToBilling", "Complete"],
        ),
        {("enum-value-removed", CLIENTS)},
        id="request-enum-value-removed",
    ),
    pytest.param(
        _set(f"{_CF}.properties.quantity.type", "integer"),
        {("type-narrowed", CLIENTS)},
        id="request-type-narrowed",
    ),
    pytest.param(
        _set("components.parameters.ZuoraTrackId.schema.maxLength", 32),
        {("maxLength-decreased", CLIENTS)},
        id="request-header-limit-narrowed",
    ),
    pytest.param(
        _set(
            "components.schemas.CreateFulfillmentResponse.properties.fulfillmentNumber.maxLength",
            20,
        ),
        {("maxLength-added", SERVERS)},
        id="response-limit-narrowed",
    ),
    pytest.param(
        _set(f"{_CFR}.properties.paymentNumber.type", "string"),
        {("type-narrowed", SERVERS)},
        id="response-null-dropped",
    ),
    # New or newly required request fields and headers.
    pytest.param(
        _apply(
            _set(f"{_CF}.properties.warehouse", {"type": "string"}),
            _set(
                f"{_CF}.required", ["orderLineItemId", "fulfillmentDate", "quantity", "warehouse"]
            ),
        ),
        {("required-property-added", CLIENTS)},
        id="new-required-request-field",
    ),
    pytest.param(
        _set(f"{_CF}.required", ["orderLineItemId", "fulfillmentDate", "quantity", "carrier"]),
        {("property-made-required", CLIENTS)},
        id="request-field-made-required",
    ),
    pytest.param(
        _add_parameter(required=True),
        {("required-parameter-added", CLIENTS)},
        id="new-required-header",
    ),
    pytest.param(
        _set("components.parameters.IdempotencyKey.required", True),
        {("parameter-made-required", CLIENTS)},
        id="header-made-required",
    ),
    # Response fields and headers made optional.
    pytest.param(
        _set("components.schemas.CreateFulfillmentResponse.required", ["id", "fulfillmentItems"]),
        {("property-made-optional", CLIENTS)},
        id="response-field-made-optional",
    ),
    pytest.param(
        _set("components.headers.ZuoraRequestId.required", False),
        {("response-header-made-optional", CLIENTS)},
        id="response-header-made-optional",
    ),
    # Enums by direction.
    pytest.param(
        _set(
            "components.schemas.ProxyUnauthorizedResponse.properties.message.enum",
            ["Authentication error", "Failed to get user info", "Token expired"],
        ),
        {("enum-value-added", CLIENTS)},
        id="response-enum-value-added",
    ),
    pytest.param(
        _set(
            "components.schemas.ProxyUnauthorizedResponse.properties.message.enum",
            ["Authentication error"],
        ),
        {("enum-value-removed", SERVERS)},
        id="response-enum-value-removed",
    ),
    pytest.param(
        _set("components.schemas.FulfillmentType.enum", ["Delivery", "Return", "Exchange"]),
        {("enum-value-added", OK)},
        id="request-enum-value-added",
    ),
    pytest.param(
        _set(f"{_CFR}.properties.paymentNumber.type", ["string", "null", "number"]),
        {("type-widened", CLIENTS)},
        id="response-type-widened",
    ),
    # `$ref` targets are compared by what they resolve to.
    pytest.param(
        _retarget_billing_options(narrower=False),
        {("schema-added", OK)},
        id="ref-retargeted-to-equal-schema",
    ),
    pytest.param(
        _retarget_billing_options(narrower=True),
        {("schema-added", OK), ("maxLength-decreased", CLIENTS)},
        id="ref-retargeted-to-narrower-schema",
    ),
    # Compatible edits.
    pytest.param(
        _set(f"{_CF}.properties.warehouse", {"type": "string", "maxLength": 40}),
        {("property-added", OK)},
        id="new-optional-request-field",
    ),
    pytest.param(
        _set(f"{_CFR}.properties.batchId", {"type": "string"}),
        {("property-added", OK)},
        id="new-optional-response-field",
    ),
    pytest.param(
        _set(f"{_CF}.properties.carrier.maxLength", 50),
        {("maxLength-increased", OK)},
        id="widened-limit",
    ),
    pytest.param(
        _add_parameter(required=False), {("parameter-added", OK)}, id="new-optional-header"
    ),
    pytest.param(
        _set(
            "paths./v1/fulfillments.post.responses.404",
            {"$ref": "#/components/responses/InternalError"},
        ),
        {("response-added", OK)},
        id="new-response-code",
    ),
    pytest.param(
        _new_example, {("component-added", OK), ("documentation-changed", OK)}, id="new-example"
    ),
    pytest.param(
        _set(f"{_CF}.description", "One fulfillment to create, for one order line item."),
        {("documentation-changed", OK)},
        id="description-changed",
    ),
    pytest.param(
        _set("components.requestBodies.CreateFulfillmentsRequest.required", False),
        {("request-body-made-optional", OK)},
        id="request-body-made-optional",
    ),
    pytest.param(
        _set("info.version", "1.1.0"), {("info-version-changed", OK)}, id="minor-version-bump"
    ),
    # Published policies and generated names.
    pytest.param(
        _set("x-policies.idempotency.ttlSeconds", 3600),
        {("policy-changed", BOTH)},
        id="policy-number-changed",
    ),
    pytest.param(
        _set("paths./v1/fulfillments.post.operationId", "CreateFulfillments"),
        {("operationId-changed", CLIENTS)},
        id="operationId-changed",
    ),
    pytest.param(
        _set(f"{_CF}.properties.carrier.readOnly", True),
        {("unclassified-change", BOTH)},
        id="unknown-keyword-is-breaking",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), EDITS)
def test_each_edit_is_classified(edit: Edit, expected: set[tuple[str, str]]) -> None:
    new = contract()
    edit(new)
    changes = diff_documents(contract(), new)
    assert {(c.kind, c.classification) for c in changes} == expected, [c.line() for c in changes]


def test_the_table_covers_every_kind_of_edit_the_gate_promises() -> None:
    breaking = sum(1 for p in EDITS if any(c != OK for _, c in p.values[1]))
    compatible = sum(1 for p in EDITS if all(c == OK for _, c in p.values[1]))
    assert len(EDITS) >= 15
    assert breaking >= 15
    assert compatible >= 5


def test_an_unchanged_contract_has_no_change() -> None:
    assert diff_documents(contract(), contract()) == []


def test_a_change_names_the_path_and_the_component_that_holds_it() -> None:
    new = contract()
    _set(f"{_CF}.properties.carrier.maxLength", 20)(new)
    (change,) = diff_documents(contract(), new)
    assert change.path == (
        f"{OPERATION}/requestBody/content/application~1json/schema/properties/fulfillments"
        "/items/properties/carrier/maxLength"
    )
    assert (
        change.defined_at == "#/components/schemas/CreateFulfillment/properties/carrier/maxLength"
    )
    assert "maxLength 25 -> 20" in change.line()


def test_a_shared_component_change_is_listed_once_with_its_other_uses() -> None:
    new = contract()
    _set("components.headers.ZuoraTrackId.schema.maxLength", 32)(new)
    changes = diff_documents(contract(), new)
    assert len(changes) == 10  # the header is declared on ten responses
    (line,) = format_changes(changes)
    assert "(and 9 more places that use it)" in line
    assert line.startswith(SERVERS)


def test_a_recursive_schema_is_compared_without_looping() -> None:
    old = contract()
    _set(
        "components.schemas.FulfillmentItem.properties.children",
        {"type": "array", "items": {"$ref": "#/components/schemas/FulfillmentItem"}},
    )(old)
    new = copy.deepcopy(old)
    _set("components.schemas.FulfillmentItem.properties.description.maxLength", 200)(new)
    kinds = {(c.kind, c.classification) for c in diff_documents(old, new)}
    assert kinds == {("maxLength-decreased", CLIENTS)}


def test_the_rule_needs_both_a_major_bump_and_a_new_changelog_entry() -> None:
    change = [Change("/x", "property-removed", "gone", ("clients",))]
    log_v1, log_v2 = "## 1.0.0\n- first\n", "## 2.0.0\n- removed x\n\n## 1.0.0\n- first\n"
    assert judge(change, "1.0.0", "2.0.0", log_v1, log_v2, "CHANGELOG.md").passed
    assert not judge(change, "1.0.0", "1.1.0", log_v1, log_v2, "CHANGELOG.md").passed
    assert not judge(change, "1.0.0", "2.0.0", log_v1, log_v1, "CHANGELOG.md").passed
    assert not judge(change, "1.0.0", "2.0.0", log_v2, log_v2, "CHANGELOG.md").passed
    assert judge([], "1.0.0", "1.0.0", log_v1, log_v1, "CHANGELOG.md").passed


# --- The command line against real git repositories ------------------------------------------

_GIT_IDENTITY = ("-c", "user.name=Contract Maintainer", "-c", "user.email=maintainer@example.org")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *_GIT_IDENTITY, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    return done.stdout


def _write(repo: Path, document: dict[str, Any]) -> None:
    (repo / "openapi" / "fulfillments.yaml").write_text(
        yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8"
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose one commit holds the real contract and its changelog."""
    root = tmp_path / "repo"
    (root / "openapi").mkdir(parents=True)
    shutil.copy(SPEC, root / "openapi" / "fulfillments.yaml")
    shutil.copy(CHANGELOG, root / "openapi" / "CHANGELOG.md")
    _git(root, "init", "--quiet", "--initial-branch=main")
    _git(root, "add", "openapi")
    _git(root, "commit", "--quiet", "-m", "The first contract")
    return root


def _gate(repo: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(["--repo", str(repo), "--gate", *args], out=out)
    return status, out.getvalue()


# The committed contract's version, and the versions a breaking edit of it may or may not take
_CURRENT = str(yaml.safe_load(SPEC.read_text(encoding="utf-8"))["info"]["version"])
_MAJOR, _MINOR = (int(part) for part in _CURRENT.split(".")[:2])
_NEXT = f"{_MAJOR + 1}.0.0"
_MINOR_BUMP = f"{_MAJOR}.{_MINOR + 1}.0"


def _break_and_bump(repo: Path, *, version: str, changelog: bool) -> None:
    document = contract()
    _set(f"{_CF}.properties.carrier.maxLength", 20)(document)
    document["info"]["version"] = version
    _write(repo, document)
    if changelog:
        log = repo / "openapi" / "CHANGELOG.md"
        entry = f"# Contract changelog\n\n## {version}\n- `carrier` is limited to 20 characters.\n"
        log.write_text(
            log.read_text(encoding="utf-8").replace("# Contract changelog\n", entry),
            encoding="utf-8",
        )


def test_the_gate_fails_a_breaking_edit_and_names_it(repo: Path) -> None:
    _break_and_bump(repo, version=_CURRENT, changelog=False)
    done = subprocess.run(
        [sys.executable, "-m", "contract_diff", "--base", "HEAD", "--gate"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "breaking (clients): " in done.stdout
    assert "/properties/carrier/maxLength: maxLength-decreased: maxLength 25 -> 20" in done.stdout
    assert (
        f"gate: FAILED: 1 breaking change(s): bump info.version's major number ({_CURRENT} -> "
        f"{_NEXT})" in done.stdout
    )


def test_the_gate_passes_a_compatible_edit(repo: Path) -> None:
    document = contract()
    _set(f"{_CF}.properties.carrier.maxLength", 50)(document)
    _write(repo, document)
    status, output = _gate(repo, "--base", "HEAD")
    assert status == 0, output
    assert "compatible: " in output
    assert "maxLength 25 -> 50" in output
    assert "gate: passed: no breaking change" in output


def test_the_gate_passes_a_breaking_edit_with_a_major_bump_and_a_changelog_entry(
    repo: Path,
) -> None:
    _break_and_bump(repo, version=_NEXT, changelog=True)
    status, output = _gate(repo, "--base", "HEAD")
    assert status == 0, output
    assert f"gate: passed: 1 breaking change(s) accepted: info.version {_CURRENT} -> {_NEXT}" in (
        output
    )


@pytest.mark.parametrize(
    ("version", "changelog"), [(_NEXT, False), (_CURRENT, True), (_MINOR_BUMP, True)]
)
def test_the_gate_wants_both_the_bump_and_the_entry(
    repo: Path, version: str, changelog: bool
) -> None:
    _break_and_bump(repo, version=version, changelog=changelog)
    status, output = _gate(repo, "--base", "HEAD")
    assert status == 1, output
    assert "gate: FAILED" in output


def test_auto_compares_the_contract_before_its_last_committed_change(repo: Path) -> None:
    _break_and_bump(repo, version=_CURRENT, changelog=False)
    _git(repo, "commit", "--quiet", "-am", "Limit carrier")
    (repo / "NOTES.md").write_text("unrelated\n", encoding="utf-8")
    _git(repo, "add", "NOTES.md")
    _git(repo, "commit", "--quiet", "-m", "An unrelated commit after the contract change")
    status, output = _gate(repo)
    assert status == 1, output
    assert "the contract before its last change" in output
    assert "'Limit carrier'" in output


def test_auto_compares_uncommitted_edits_with_head(repo: Path) -> None:
    _break_and_bump(repo, version=_CURRENT, changelog=False)
    status, output = _gate(repo)
    assert status == 1, output
    assert "at HEAD (openapi/fulfillments.yaml has edits not yet committed)" in output


def test_auto_passes_the_first_version_of_the_contract(repo: Path) -> None:
    status, output = _gate(repo)
    assert status == 0
    assert "nothing to compare" in output
    assert "created the contract" in output


def test_auto_works_on_a_single_commit_clone_where_head_1_does_not(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _break_and_bump(repo, version=_CURRENT, changelog=False)
    _git(repo, "commit", "--quiet", "-am", "Limit carrier")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{repo}", str(clone))
    status, output = _gate(clone)
    assert status == 0
    assert "shallow clone" in output
    assert "git fetch --unshallow" in output
    assert _gate(clone, "--base", "HEAD~1")[0] == 2
    assert "'HEAD~1' is not a commit in this clone" in capsys.readouterr().err
