"""A conformance suite for Zuora's POST /v1/fulfillments: point it at any URL, get a verdict.

It reads only the contract (`openapi/fulfillments.yaml`) and talks HTTP to a base URL: schema
conformance with Schemathesis, and idempotency, header, gzip, auth and error-shape promises
with the suite's own checks and Hypothesis property tests.

    from conformance import SuiteOptions, run_suite

    result = run_suite(SuiteOptions(target="http://127.0.0.1:8080"))
    result.exit_code      # 0 passed, 1 a contract violation, 2 unreachable or misconfigured
    result.failed_checks  # names of the checks that failed
"""

from conformance.profiles import Guard, Profile, Treatment
from conformance.registry import CHECKS, CheckInfo, Kind
from conformance.results import CheckReport, CheckStatus, FailureRecord, SuiteResult
from conformance.runner import DEFAULT_MAX_EXAMPLES, SuiteOptions, run_suite

__all__ = [
    "CHECKS",
    "DEFAULT_MAX_EXAMPLES",
    "CheckInfo",
    "CheckReport",
    "CheckStatus",
    "FailureRecord",
    "Guard",
    "Kind",
    "Profile",
    "SuiteOptions",
    "SuiteResult",
    "Treatment",
    "run_suite",
]
