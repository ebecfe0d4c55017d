"""Schemathesis's built-in checks run on every generated case, and how profiles treat them.

The stateful checks (`use_after_free`, `ensure_resource_availability`) are left out: the
contract has one operation and no links, so they could never run, let alone fail.

Four built-ins judge only some cases (Schemathesis returns silently on the others): a case it
does not judge counts as shown, not as passed (`unjudged_reason`).

| check                    | judges only                                            |
|--------------------------|--------------------------------------------------------|
| negative_data_rejection  | negative cases                                         |
| positive_data_acceptance | positive cases                                         |
| missing_required_header  | coverage cases that leave out a required header        |
| unsupported_method       | coverage cases that try a method the path does not have|
"""

from __future__ import annotations

from typing import Any

from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

from conformance.profiles import Guard, relaxed, skipped
from conformance.registry import CheckInfo, builtin

__all__ = [
    "BUILTIN_CHECKS",
    "NEGATIVE_EXPECTED",
    "POSITIVE_EXPECTED",
    "ZUORA_POSITIVE_EXPECTED",
    "unjudged_reason",
]

BUILTIN_CHECKS: tuple[CheckInfo, ...] = (
    builtin(
        "not_a_server_error",
        "Catches a 5xx answer to any generated request.",
        guards=Guard.ZUORA,
    ),
    builtin(
        "status_code_conformance",
        "Catches a status code the contract does not document for the operation.",
        guards=Guard.ZUORA,
        zuora=skipped("409, 413, 415, 422, 429 and 500 are published choices, not Zuora's list"),
    ),
    builtin(
        "content_type_conformance",
        "Catches a Content-Type the contract does not document for the status.",
        guards=Guard.ZUORA,
    ),
    builtin(
        "response_headers_conformance",
        "Catches a missing required response header or a header value outside its schema.",
        guards=Guard.ZUORA,
    ),
    builtin(
        "response_schema_conformance",
        "Catches a response body that violates the schema documented for its status.",
        guards=Guard.ZUORA,
        zuora=relaxed("Zuora may report a failure as 200 with {success: false, reasons}"),
    ),
    builtin(
        "negative_data_rejection",
        "Catches a request that breaks the contract (body, headers) being accepted.",
        guards=Guard.ZUORA,
        zuora=skipped("Zuora documents limits, not that it rejects every breach with 4xx"),
    ),
    builtin(
        "positive_data_acceptance",
        "Catches a request that keeps the contract being rejected.",
        guards=Guard.ZUORA,
        zuora=relaxed("tenant-configured values (carriers, line items) may be refused with 400"),
    ),
    builtin(
        "missing_required_header",
        "Catches a request without a required header being accepted.",
        guards=Guard.ZUORA,
    ),
    builtin(
        "ignored_auth",
        "Catches a request without credentials, or with wrong ones, being served.",
        guards=Guard.ZUORA,
    ),
    builtin(
        "unsupported_method",
        "Catches another method on the operation's path not answered with 405 and Allow.",
        guards=Guard.PUBLISHED,
        zuora=skipped("Zuora does not document its answer to other methods"),
    ),
)

# Statuses that count as rejecting invalid data: Schemathesis's defaults plus the contract's
# 413 (body too large), 415 (content coding) and 429 (limits). A 5xx is not_a_server_error's.
NEGATIVE_EXPECTED = (
    *("400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5XX"),
)
# Statuses that count as accepting valid data: 2xx, credentials, and 409/429 for load.
POSITIVE_EXPECTED = ("2XX", "401", "403", "409", "429", "5XX")
ZUORA_POSITIVE_EXPECTED = (*POSITIVE_EXPECTED, "400", "404")


def _coverage(case: Any) -> Any:
    meta = getattr(case, "meta", None)
    data = meta.phase.data if meta is not None else None
    return data if isinstance(data, CoveragePhaseData) else None


def unjudged_reason(check: str, case: Any) -> str | None:
    """Why the built-in `check` judged nothing of `case`, or None when it judged it."""
    meta = getattr(case, "meta", None)
    if check == "negative_data_rejection":
        negative = meta is not None and meta.generation.mode.is_negative
        return None if negative else "no negative case generated"
    if check == "positive_data_acceptance":
        positive = meta is not None and meta.generation.mode.is_positive
        return None if positive else "no positive case generated"
    data = _coverage(case)
    if check == "missing_required_header":
        missing = (
            data is not None
            and bool(data.parameter)
            and data.parameter_location == ParameterLocation.HEADER
            and data.scenario == CoverageScenario.MISSING_PARAMETER
        )
        return None if missing else "no case left out a required header"
    if check == "unsupported_method":
        other = data is not None and data.scenario == CoverageScenario.UNSPECIFIED_HTTP_METHOD
        return None if other else "no other method tried"
    return None
