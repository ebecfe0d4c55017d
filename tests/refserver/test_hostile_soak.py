"""A small fuzzing soak in `make test`: Schemathesis, negative then positive, on a real server.

`python -m tests.soak.fuzz_soak --cases 10000` is the full soak; this runs its coverage phases
and a few dozen fuzzed cases per mode, a few hundred requests in all.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests._hostile_fixtures import LiveServer, module_server
from tests.soak._engine import SoakTally
from tests.soak.fuzz_soak import SoakReport, soak_live_server

server = module_server()

FUZZED = 40  # cases over both modes, on top of the examples and coverage phases
AT_LEAST = 300  # requests a run of that size sends; fewer means a phase did not run


@pytest.mark.slow
def test_a_small_soak_finds_no_5xx_and_nothing_outside_the_contract(server: LiveServer) -> None:
    report = soak_live_server(server, cases=FUZZED, seed=1)
    summary = "\n".join(report.lines())
    assert report.cases >= AT_LEAST, summary
    assert set(report.tallies["negative"].statuses) & {400, 415}, summary
    assert 200 in report.tallies["positive"].statuses, summary
    assert report.stored is not None, summary
    assert len(report.stored) >= report.tallies["positive"].statuses[200], summary
    assert not report.problems, summary


def test_the_report_fails_on_any_sign_of_trouble() -> None:
    """5xx, failed checks, lost or duplicated requests, a sick or silent server."""
    assert not SoakReport(seed=1, tallies={"negative": SoakTally(cases=5)}).problems
    cases = [
        SoakTally(cases=1, statuses=Counter({500: 1})),
        SoakTally(cases=1, failures=Counter({"response_schema_conformance": 1})),
        SoakTally(cases=1, network_errors=1),
        SoakTally(cases=1, fatal="schema did not load"),
        SoakTally(cases=1, created_twice=1),
    ]
    for tally in cases:
        assert SoakReport(seed=1, tallies={"negative": tally}).problems
    assert SoakReport(seed=1, logged_failures=1).problems
    assert SoakReport(seed=1, healthy_after=False).problems
    assert SoakReport(seed=1, silent_client="no answer").problems
    reported = SoakReport(seed=1, tallies={"positive": SoakTally(created={"a", "b"})})
    reported.stored = {"a", "b"}
    assert not reported.problems
    for stored in ({"a"}, {"a", "b", "c"}):
        reported.stored = stored
        assert reported.problems
