"""The end-of-run replay of early keys: its wait, and its verdict on the reference server.

That it catches a store forgetting keys in seconds is shown by the planted variant
`keys-forgotten-in-seconds` (tests/conformance/test_planted_bugs.py), which needs real
seconds to pass.
"""

from __future__ import annotations

from fulfillments_contract import load_contract

from conformance.client import Client
from conformance.context import RunContext, activate
from conformance.keyspace import KeySpace
from conformance.profiles import Profile
from conformance.properties import Harness, LateReplays, Liveness
from conformance.tally import Tally
from tests._fake_clock import FakeClock
from tests.planted import served


def _replayed(url: str, *, wait: float, run_seconds: float) -> tuple[Tally, FakeClock, int]:
    clock = FakeClock(now=100.0)
    late = LateReplays(wait=wait, clock=clock, sleep=clock.sleep)
    tally = Tally()
    context = RunContext(contract=load_contract())
    with Client(url, timeout=5.0, tokens={"TOKEN": "dev-token"}) as client, activate(context):
        harness = Harness(
            client=client,
            context=context,
            tally=tally,
            secrets={"TOKEN": "dev-token"},
            keys=KeySpace("late0001"),
            liveness=Liveness(),
        )
        late.remember(harness)
        clock.now += run_seconds
        sent = late.replay(harness)
    return tally, clock, sent


def _verdict(tally: Tally, name: str) -> tuple[int, int]:
    report = next(r for r in tally.reports(Profile.DEFAULT) if r.name == name)
    return report.passed, report.failed


def test_the_replay_waits_only_for_what_the_run_has_not_already_waited() -> None:
    with served(None) as url:
        tally, clock, sent = _replayed(url, wait=10.0, run_seconds=3.0)
        _, longer_run, _ = _replayed(url, wait=10.0, run_seconds=12.0)
    assert clock.slept == [7.0]
    assert longer_run.slept == []
    assert sent == 3
    assert _verdict(tally, "late_replay_matches") == (3, 0)
