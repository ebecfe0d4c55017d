"""The resilient client against the real server injecting faults (`--faults`), no proxy between.

For each fault the server draws it for about half the requests (seeded, so a run repeats);
every logical call must end with one fulfillment in the store and, as its final answer, the
bytes the store holds under its key. Each test also proves the fault really met the client.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from resilient_client import FulfillmentsResult, ResilientClient, RetryPolicy
from resilient_client._transport import last_response
from tests._exactly_once_fixtures import SqliteLedger, line_item
from tests._server_fixtures import serve

CALLS = 8  # logical calls per fault; with a fault on half the requests, some meet several
SEED = 5
HOLD_MS = 1500  # the delay fault: well over the attempt timeout below
ATTEMPT_TIMEOUT = 0.4  # seconds; shorter than the hold, so the client gives up and retries
_SLEEP_CAP = 0.2  # seconds; the real waits of the delay test, short of the 1 s Retry-After


def _no_wait(seconds: float) -> None:
    del seconds  # status and network faults need no real time to pass


def _short_wait(seconds: float) -> None:
    time.sleep(min(seconds, _SLEEP_CAP))


def _run(
    tmp_path: Path, plan: str, *, attempt_timeout: float, sleep: Callable[[float], None]
) -> list[tuple[FulfillmentsResult, bytes, str]]:
    """Each call's result, its final raw answer and its line item; store checks included."""
    path = tmp_path / "store.db"
    args = ("--store", f"sqlite:///{path}", "--faults", plan, "--fault-seed", str(SEED))
    policy = RetryPolicy(
        max_attempts=40, base_delay=0.01, max_delay=0.05, attempt_timeout=attempt_timeout
    )
    outcomes = []
    with serve(*args, folder=tmp_path) as server:
        client = ResilientClient(server.url, "dev-token", policy=policy, sleep=sleep)
        with client:
            for index in range(1, CALLS + 1):
                line = line_item(0xC0FFEE + index)
                item = {"orderLineItemId": line, "fulfillmentDate": "2022-01-01", "quantity": 2}
                result = client.create_fulfillment({"fulfillments": [item]})
                raw = last_response.get()
                assert raw is not None
                outcomes.append((result, raw.content, line))
    stored = SqliteLedger(path).read()
    for result, final, line in outcomes:
        ids = [f.id for f in result.body.fulfillments]
        assert stored.created[line] == ids
        assert len(ids) == 1
        assert stored.bodies[result.idempotency_key] == final
    assert len(stored.states) == CALLS
    return outcomes


@pytest.mark.parametrize("status", [409, 429, 500, 503])
def test_the_client_rides_out_status_faults(tmp_path: Path, status: int) -> None:
    outcomes = _run(tmp_path, f"{status}=0.5", attempt_timeout=10.0, sleep=_no_wait)
    faulted = [a for result, _, _ in outcomes for a in result.attempts if a.status == status]
    assert faulted, f"no attempt met the {status}"
    assert all(not result.info.replayed for result, _, _ in outcomes)  # nothing was processed


@pytest.mark.parametrize("fault", ["lost-response", "reset"])
def test_the_client_rides_out_answers_that_never_come(tmp_path: Path, fault: str) -> None:
    outcomes = _run(tmp_path, f"{fault}=0.5", attempt_timeout=10.0, sleep=_no_wait)
    broken = [a for result, _, _ in outcomes for a in result.attempts if a.status is None]
    assert broken, f"no attempt met the {fault}"
    replayed = [result for result, _, _ in outcomes if result.info.replayed]
    if fault == "lost-response":
        assert replayed  # a committed answer, lost, then replayed
    else:
        assert not replayed  # a reset request was never processed


def test_the_client_rides_out_a_held_answer(tmp_path: Path) -> None:
    outcomes = _run(
        tmp_path, f"delay={HOLD_MS}@0.5", attempt_timeout=ATTEMPT_TIMEOUT, sleep=_short_wait
    )
    attempts = [a for result, _, _ in outcomes for a in result.attempts]
    assert any(a.status is None for a in attempts), "no attempt timed out on a held answer"
    assert any(a.status == 409 for a in attempts), "no retry met the key in progress"
    assert any(result.info.replayed for result, _, _ in outcomes)
