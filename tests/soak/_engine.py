"""Schemathesis against one server URL: every built-in check, Zuora's reason codes, a tally.

Before a case is sent, it is adjusted so that what it claims to be stays true:

| adjustment                             | why                                                 |
|----------------------------------------|-----------------------------------------------------|
| `Content-Encoding: gzip` -> `identity` | the generator sends plain JSON under the gzip label;|
|                                        | real gzip has its own socket tests                  |
| each valid Idempotency-Key made new    | a repeated key meets a stored answer (replay, 422)  |
| bodies keep the rules of               | `collectPayment` needs `runBilling` (...): the      |
| `processingOptions`                    | contract answers a breach with 400, documented      |
| positive entity and org ids within the | random ids are out of reach (403) and would stop a  |
| token's reach, when the soak knows it  | third of the valid cases before their body is read  |

The Schemathesis hook and check are global; they act only while a soak run is in progress.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import schemathesis
from schemathesis import GenerationMode
from schemathesis.engine import events, from_schema

from tests._server_fixtures import contract

__all__ = ["SoakTally", "run_schemathesis"]

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "fulfillments.yaml"
_NEGATIVE_EXPECTED = ["400", "401", "403", "409", "413", "415", "422", "429"]
_POSITIVE_EXPECTED = ["200", "401", "403", "409", "413", "429"]
_CATEGORIES = {  # status -> the reason categories the contract allows for it
    400: {20, 21, 22, 30, 90},
    409: {50},
    413: {20},
    415: {20},
    422: {30},
    429: {70},
    500: {60},
}
_KEY_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F))


@dataclass
class SoakTally:
    """What one run saw: cases, answers by status, failures by check, lost requests."""

    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    network_errors: int = 0
    fatal: str | None = None
    created: set[str] = field(default_factory=set)  # fulfillment ids of fresh 200s
    created_twice: int = 0  # ids that two fresh 200s both reported
    unread_answers: int = 0  # 200s whose body was kept only in part

    @property
    def server_errors(self) -> int:
        """Answers with a 5xx status."""
        return sum(n for status, n in self.statuses.items() if status >= 500)


@dataclass(frozen=True)
class _Run:
    """What the global hook and check know of the soak run in progress."""

    reach: Mapping[str, str]  # lower-case header -> a value within the token's reach


_RUNS: list[_Run] = []  # the run in progress, if any; runs never overlap (one worker)


def _adjust(case: Any, run: _Run) -> None:
    meta = case.meta
    positive = meta is not None and meta.generation.mode is GenerationMode.POSITIVE
    headers = case.headers
    if headers:
        for name in list(headers):
            value, lower = headers[name], name.lower()
            if lower == "content-encoding" and str(value).strip().lower() == "gzip":
                headers[name] = "identity"
            if lower == "idempotency-key" and _valid_key(value):
                headers[name] = uuid.uuid4().hex
            if positive and lower in run.reach:
                headers[name] = run.reach[lower]
    if isinstance(case.body, dict):  # all modes: Schemathesis may reclassify a case once sent
        _keep_processing_rules(case.body)


def _valid_key(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 255 and set(value) <= _KEY_CHARS


def _keep_processing_rules(body: dict[str, Any]) -> None:
    options = body.get("processingOptions")
    if not isinstance(options, dict):
        return
    if options.get("collectPayment") is True or "billingOptions" in options:
        options["runBilling"] = True
    if "applicationOrder" in options:
        options["applyCredit"] = True
    if options.get("refund") is True and not isinstance(options.get("refundAmount"), int | float):
        options["refundAmount"] = 1


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: Any) -> None:
    """Adjust every case of an active soak run just before it is sent."""
    if _RUNS:
        _adjust(case, _RUNS[-1])


@schemathesis.check
def zuora_reason_codes(ctx: Any, response: Any, case: Any) -> bool | None:
    """Catches reason codes that are not 8 digits of this resource and the status's category."""
    status = response.status_code
    if not _RUNS or status < 400 or status == 401 or status not in contract().responses:
        return None  # undeclared statuses are status_code_conformance's to report
    policies = contract().policies
    document = response.json()
    if status == 403:
        codes, resource, allowed = [document.get("code")], policies.auth_resource_code, {10}
    else:
        codes = [reason.get("code") for reason in document.get("reasons", [])]
        resource, allowed = policies.resource_code, _CATEGORIES.get(status, set())
    for code in codes:
        if not isinstance(code, int) or divmod(code, 100)[0] != resource:
            raise AssertionError(f"reason code {code!r} is not {resource} + a category")
        if code % 100 not in allowed:
            raise AssertionError(f"category {code % 100} for status {status}")
    return True


def _config(url: str, token: str, mode: str, examples: int, seed: int) -> dict[str, Any]:
    return {
        "base-url": url,
        "auth": {"openapi": {"bearerAuth": {"bearer": token}}},
        "workers": 1,
        "seed": seed,
        "continue-on-failure": True,
        "request-timeout": 30,
        "generation": {
            "max-examples": examples,
            "database": "none",
            "no-shrink": True,
            "mode": mode,
        },
        "phases": {"stateful": {"enabled": False}},
        "checks": {
            "enabled": True,
            "negative_data_rejection": {"expected-statuses": _NEGATIVE_EXPECTED},
            "positive_data_acceptance": {"expected-statuses": _POSITIVE_EXPECTED},
        },
        "warnings": False,
    }


def _record(recorder: Any, tally: SoakTally) -> None:
    tally.cases += len(recorder.cases)
    for interaction in recorder.interactions.values():
        if interaction.response is not None:
            tally.statuses[interaction.response.status_code] += 1
            _note_created(interaction.response, tally)
    for case_id, nodes in recorder.checks.items():
        for node in nodes:
            if node.status.value == "success":
                continue
            tally.failures[node.name] += 1
            info = node.failure_info
            title = info.failure.title if info is not None else "the check crashed"
            tally.examples.setdefault(node.name, f"{title} (case {case_id})")


def _note_created(response: Any, tally: SoakTally) -> None:
    if response.status_code != 200 or response.headers.get("idempotent-replayed"):
        return
    if response.content_size > len(response.content):
        tally.unread_answers += 1
        return
    for fulfillment in orjson.loads(response.content)["fulfillments"]:
        if fulfillment["id"] in tally.created:
            tally.created_twice += 1
        tally.created.add(fulfillment["id"])


def run_schemathesis(
    url: str,
    token: str,
    *,
    mode: str,
    examples: int,
    seed: int,
    reach: Mapping[str, str] | None = None,
) -> SoakTally:
    """One Schemathesis run in `mode` (negative, positive or all) with `examples` per phase.

    `reach` maps `Zuora-Entity-Ids` and `Zuora-Org-Ids` to values the token may use.
    """
    config = schemathesis.Config.from_dict(_config(url, token, mode, examples, seed))
    schema = schemathesis.openapi.from_path(SPEC, config=config)
    tally = SoakTally()
    _RUNS.append(_Run({name.lower(): value for name, value in (reach or {}).items()}))
    try:
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                _record(event.recorder, tally)
            elif isinstance(event, events.NonFatalError):
                tally.network_errors += 1
                tally.examples.setdefault("network", str(event.info)[:300])
            elif isinstance(event, events.FatalError):
                tally.fatal = str(event.exception)
    finally:
        _RUNS.pop()
    return tally
