"""`--only`: a run restricted to some Schemathesis phases and property tests runs just those."""

from __future__ import annotations

import pytest
from fulfillments_contract import load_contract

from conformance import SuiteOptions, run_suite
from conformance.cli import options_from
from conformance.context import RunContext
from conformance.properties import PROPERTIES
from conformance.runner import selection
from conformance.schema_phase import TESTING_PHASES, SchemaPlan, schemathesis_config
from tests.planted import served


def test_no_names_select_every_phase_and_property() -> None:
    phases, properties = selection(frozenset())
    assert phases == frozenset(TESTING_PHASES)
    assert properties == PROPERTIES


def test_names_select_phases_and_properties_in_the_suites_order() -> None:
    phases, properties = selection(
        frozenset({"key_limits_hold", "fuzzing", "replays_are_identical"})
    )
    assert phases == {"fuzzing"}
    assert [spec.name for spec in properties] == ["replays_are_identical", "key_limits_hold"]
    assert selection(frozenset({"examples"}))[1] == ()
    assert selection(frozenset({"key_limits_hold"}))[0] == frozenset()


def test_an_unknown_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"replay_everything.*known: examples"):
        selection(frozenset({"replay_everything"}))


def test_the_cli_reads_only_and_refuses_unknown_names(capsys: pytest.CaptureFixture[str]) -> None:
    options, _ = options_from(["--only", "coverage, key_limits_hold"])
    assert options.only == {"coverage", "key_limits_hold"}
    with pytest.raises(SystemExit) as exit_info:
        options_from(["--only", "replay_everything"])
    assert exit_info.value.code == 2
    assert "replay_everything" in capsys.readouterr().err


def test_a_run_with_an_unknown_name_stops_before_reaching_any_target() -> None:
    result = run_suite(SuiteOptions(target="http://127.0.0.1:9", only=frozenset({"nope"})))
    assert result.exit_code == 2
    assert result.problem is not None
    assert "nope" in result.problem


def test_schemathesis_runs_only_the_chosen_phases() -> None:
    plan = SchemaPlan(
        target="http://127.0.0.1:9",
        token="dev-token",
        max_examples=5,
        seed=1,
        deterministic=False,
        timeout=1.0,
        phases=frozenset({"examples"}),
    )
    config = schemathesis_config(plan, RunContext(contract=load_contract()))
    enabled = {name for name, phase in config["phases"].items() if phase["enabled"]}
    assert enabled == {"examples"}


def test_a_restricted_run_judges_only_what_its_tests_send() -> None:
    with served(None) as url:
        result = run_suite(
            SuiteOptions(target=url, only=frozenset({"key_limits_hold"}), max_examples=10, seed=7)
        )
    assert result.exit_code == 0
    assert result.report("overlong_key_rejected").cases > 0
    assert result.report("replay_status_matches").cases == 0
    assert result.report("response_schema_conformance").cases == 0
