"""Schema conformance with Schemathesis: examples, coverage (boundaries) and fuzzing phases.

Positive and negative data, request headers fuzzed within and beyond their declared limits,
and every check that fits the contract: Schemathesis's built-ins plus the suite's own
single-response checks. Results go into the run's tally check by check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
import schemathesis
from schemathesis.engine import StopReason, events, from_schema

from conformance.checks._compare import masked
from conformance.checks.builtin import (
    BUILTIN_CHECKS,
    NEGATIVE_EXPECTED,
    POSITIVE_EXPECTED,
    ZUORA_POSITIVE_EXPECTED,
    unjudged_reason,
)
from conformance.context import RunContext
from conformance.curl import curl_command
from conformance.keyspace import KeySpace
from conformance.open_points import soft_failure_accepted
from conformance.profiles import Profile
from conformance.registry import RESPONSE_CHECKS, UNJUDGED
from conformance.results import STOPPED_ANSWERING, FailureRecord
from conformance.schema_cases import CaseAdjuster, adjusting
from conformance.tally import Tally

__all__ = ["TESTING_PHASES", "SchemaPlan", "run_schema_phase", "schemathesis_config"]

TESTING_PHASES = ("examples", "coverage", "fuzzing")
_QUOTED_BODY_CHARACTERS = 300  # of a failing answer's body, quoted in the failure message


@dataclass(frozen=True, slots=True)
class SchemaPlan:
    """How much and how Schemathesis generates for one run."""

    target: str
    token: str
    max_examples: int
    seed: int | None
    deterministic: bool
    timeout: float
    phases: frozenset[str] = frozenset(TESTING_PHASES)
    headers: tuple[tuple[str, str], ...] = ()  # the user's extra headers, on every request
    tls_verify: bool | str = True  # a CA bundle's path, or whether to verify at all


def _enabled_checks(context: RunContext) -> list[str]:
    names = [info.name for info in BUILTIN_CHECKS]
    names += [check.__name__ for check in RESPONSE_CHECKS]
    return [name for name in names if not context.skips(name)]


def schemathesis_config(plan: SchemaPlan, context: RunContext) -> dict[str, Any]:
    """The Schemathesis configuration of one run, as its config file would spell it."""
    positive = ZUORA_POSITIVE_EXPECTED if context.profile is Profile.ZUORA else POSITIVE_EXPECTED
    checks: dict[str, Any] = {"enabled": False}
    for name in _enabled_checks(context):
        checks[name] = {"enabled": True}
    checks["negative_data_rejection"] = {
        **checks.get("negative_data_rejection", {"enabled": False}),
        "expected-statuses": list(NEGATIVE_EXPECTED),
    }
    checks["positive_data_acceptance"] = {
        **checks.get("positive_data_acceptance", {"enabled": False}),
        "expected-statuses": list(positive),
    }
    config: dict[str, Any] = {
        "base-url": plan.target,
        # Through the security scheme, so Schemathesis can also leave it out on purpose.
        "auth": {"openapi": {"bearerAuth": {"bearer": plan.token}}},
        "workers": 1,
        "continue-on-failure": True,
        "request-timeout": plan.timeout,
        # TLS and headers as the suite's own client has them; proxies come from the
        # environment (requests' trust_env), and pacing from the adapter `remote` mounts.
        "tls-verify": plan.tls_verify,
        "generation": {
            "max-examples": plan.max_examples,
            "database": "none",
            "no-shrink": True,
            "deterministic": plan.deterministic,
            "mode": "all",
        },
        "phases": {name: {"enabled": name in plan.phases} for name in TESTING_PHASES}
        | {"stateful": {"enabled": False}},
        "checks": checks,
        "warnings": False,
    }
    if plan.headers:
        config["headers"] = dict(plan.headers)
    if plan.seed is not None:
        config["seed"] = plan.seed
    return config


def _curl(recorder: Any, case_id: str, secrets: Mapping[str, str]) -> tuple[str, ...]:
    interaction = recorder.interactions.get(case_id)
    if interaction is None:
        return ()
    request = interaction.request
    headers = {name: values[0] for name, values in request.headers.items() if values}
    return (curl_command(request.method, request.uri, headers, request.body, secrets=secrets),)


def _with_received(message: str, recorder: Any, case_id: str) -> str:
    """Schemathesis's message, with the answer that failed when it does not quote it."""
    interaction = recorder.interactions.get(case_id)
    response = interaction.response if interaction is not None else None
    if response is None or "Received:" in message:
        return message
    try:
        # Server-made ids masked, so one failure seen many times is reported once.
        body = json.dumps(masked(json.loads(response.content)), ensure_ascii=False)
    except ValueError:
        body = response.content.decode("utf-8", "replace")
    return f"{message.rstrip()}\nReceived: {response.status_code} {body[:_QUOTED_BODY_CHARACTERS]}"


def _no_answer(error: requests.RequestException, secrets: Mapping[str, str]) -> FailureRecord:
    """A generated request the target did not answer, as a failure of `answers_every_request`."""
    request = error.request
    curl: tuple[str, ...] = ()
    if isinstance(request, requests.PreparedRequest) and request.url and request.method:
        raw = request.body
        body = (
            raw.encode("utf-8") if isinstance(raw, str) else raw if isinstance(raw, bytes) else None
        )
        headers = {name: str(value) for name, value in request.headers.items()}
        curl = (curl_command(request.method, request.url, headers, body, secrets=secrets),)
    message = f"Expected: an HTTP response within the timeout\nReceived: {type(error).__name__}"
    return FailureRecord("answers_every_request", "No HTTP answer", message, curl)


def _record(recorder: Any, tally: Tally, secrets: Mapping[str, str]) -> int:
    """Feed one scenario's check results into the tally; return how many cases it held.

    A success is a judged pass unless the check said it did not judge that case (`UNJUDGED`,
    or, for a built-in that judges only some cases, `unjudged_reason`);
    a failure the zuora profile's rules accept as an answer Zuora may give is a judged pass.
    """
    for case_id, nodes in recorder.checks.items():
        for node in nodes:
            if node.status.value == "success":
                reason = UNJUDGED.take(case_id, node.name)
                if reason is None and case_id in recorder.cases:
                    reason = unjudged_reason(node.name, recorder.cases[case_id].value)
                if reason is None:
                    tally.passed(node.name)
                else:
                    tally.not_judged(node.name, reason)
                continue
            if node.failure_info is not None:
                failure = node.failure_info.failure
                title, message = failure.title, failure.message
                failing_case = failure.case_id or case_id
                if _zuora_accepts(node.name, recorder, failing_case):
                    tally.passed(node.name)
                    continue
                message = _with_received(message, recorder, failing_case)
            else:
                title, message, failing_case = "Check crashed", "the check raised an error", case_id
            tally.failed(
                FailureRecord(node.name, title, message, _curl(recorder, failing_case, secrets))
            )
    return len(recorder.cases)


def _zuora_accepts(check: str, recorder: Any, case_id: str) -> bool:
    """Whether a built-in check's failure is an answer the run's profile accepts from Zuora."""
    interaction = recorder.interactions.get(case_id)
    response = interaction.response if interaction is not None else None
    if response is None:
        return False
    return soft_failure_accepted(check, response.status_code, response.content)


def run_schema_phase(
    *,
    plan: SchemaPlan,
    context: RunContext,
    keys: KeySpace,
    tally: Tally,
    secrets: Mapping[str, str],
    progress: Callable[[str], None],
) -> str | None:
    """Run Schemathesis against the target; return a problem that stopped it, or None."""
    config = schemathesis.Config.from_dict(schemathesis_config(plan, context))
    schema = schemathesis.openapi.from_path(context.contract.path, config=config)
    adjuster = CaseAdjuster(
        contract=context.contract, keys=keys, line_item_ids=context.line_item_ids
    )
    cases: dict[str, int] = {}
    problem: str | None = None
    with adjusting(adjuster):
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                phase = str(event.phase.value)
                cases[phase] = cases.get(phase, 0) + _record(event.recorder, tally, secrets)
            elif (
                isinstance(event, events.PhaseFinished) and event.phase.name.value in TESTING_PHASES
            ):
                name = event.phase.name.value
                progress(
                    f"schema    {name:<10} {cases.get(name, 0):>5} cases  ({event.status.value})"
                )
            elif isinstance(event, events.NonFatalError):
                if not isinstance(event.value, requests.RequestException):
                    problem = f"Schemathesis stopped: {event.info.title}: {event.info.message}"
                    continue
                tally.failed(_no_answer(event.value, secrets))
            elif isinstance(event, events.FatalError):
                problem = f"Schemathesis could not run: {event.exception}"
            elif (
                isinstance(event, events.EngineFinished)
                and event.stop_reason is StopReason.SERVER_UNAVAILABLE
            ):
                problem = f"{STOPPED_ANSWERING} during the schema phase"
    return problem
