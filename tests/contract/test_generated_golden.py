"""The generated client is a golden record: deterministic, and stale once the contract moves."""

from __future__ import annotations

from pathlib import Path

import yaml
from fulfillments_contract import DEFAULT_SPEC

from tests._contract import load_spec
from tools.check_generated import CLIENT, differences, generate


def test_generation_is_deterministic_and_matches_the_committed_client(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    generate(first)
    generate(second)
    assert differences(first, second) == []
    assert differences(first, CLIENT) == []


def test_changing_one_field_changes_the_client(tmp_path: Path) -> None:
    spec = load_spec()
    edited = {
        **spec,
        "components": {**spec["components"], "schemas": dict(spec["components"]["schemas"])},
    }
    fulfillment = dict(edited["components"]["schemas"]["CreateFulfillment"])
    fulfillment["properties"] = {
        **fulfillment["properties"],
        "warehouseCode": {"type": "string", "maxLength": 20},
    }
    edited["components"]["schemas"]["CreateFulfillment"] = fulfillment
    edited_path = tmp_path / DEFAULT_SPEC.name
    edited_path.write_text(yaml.safe_dump(edited, sort_keys=False), encoding="utf-8")
    fresh = tmp_path / "client"
    generate(fresh, spec=edited_path)
    assert differences(fresh, CLIENT) == ["differs: models/create_fulfillment.py"]
    assert "warehouse_code" in (fresh / "models" / "create_fulfillment.py").read_text(
        encoding="utf-8"
    )
