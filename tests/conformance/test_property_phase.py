"""The property phase without a second tenant: its two-tenant properties are noted, not run."""

from __future__ import annotations

from fulfillments_contract import load_contract

from conformance.client import Client
from conformance.context import RunContext
from conformance.keyspace import KeySpace
from conformance.profiles import Profile
from conformance.properties import PROPERTIES, Harness, Liveness
from conformance.property_phase import PropertyPlan, run_properties
from conformance.tally import Tally


def test_two_tenant_properties_read_not_run_without_a_second_tenant() -> None:
    specs = tuple(spec for spec in PROPERTIES if spec.needs_second_tenant)
    assert specs
    plan = PropertyPlan(examples=1, hypothesis_profile="dev", seed=1, has_second_tenant=False)
    tally = Tally()
    lines: list[str] = []
    # Nothing may be sent: the port is one nothing listens on, and the phase must not try it.
    with Client("http://127.0.0.1:9", timeout=1.0, tokens={"TOKEN": "dev-token"}) as client:
        context = RunContext(contract=load_contract())

        def harness() -> Harness:
            return Harness(
                client=client,
                context=context,
                tally=tally,
                secrets={"TOKEN": "dev-token"},
                keys=KeySpace("tenant01"),
                liveness=Liveness(),
            )

        problem = run_properties(
            specs, plan=plan, harness=harness, tally=tally, progress=lines.append
        )
    assert problem is None
    judges = {judge for spec in specs for judge in spec.judges}
    notes = {report.name: report.note for report in tally.reports(Profile.DEFAULT)}
    assert {notes[judge] for judge in judges} == {"not run: no second tenant"}
    assert all(
        report.cases == 0 for report in tally.reports(Profile.DEFAULT) if report.name in judges
    )
    assert len(lines) == len(specs)
    assert all(line.endswith("not run (no second tenant)") for line in lines), lines
