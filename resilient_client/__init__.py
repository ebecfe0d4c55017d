"""A resilient layer over the generated fulfillments client, for integrators.

It keeps one Idempotency-Key across its own retries (network errors, timeouts, 409, 429, 5xx)
with bounded, jittered exponential backoff; never retries an answer that needs a correction;
checks the contract's header limits before sending; compresses large bodies with real gzip;
and returns the response headers as typed values beside the parsed body.
"""

from resilient_client._async_client import AsyncResilientClient
from resilient_client._client import ResilientClient
from resilient_client._core import FulfillmentsResult
from resilient_client._errors import (
    WHY_NOT_RETRIED,
    AttemptRecord,
    CorrectionNeeded,
    FulfillmentsError,
    RetriesExhausted,
    UnexpectedResponse,
)
from resilient_client._info import ConcurrencyLimit, RateLimit, ResponseInfo
from resilient_client._limits import HEADER_RULES, HeaderRule, HeaderValueError
from resilient_client._policy import RetryPolicy

__all__ = [
    "HEADER_RULES",
    "WHY_NOT_RETRIED",
    "AsyncResilientClient",
    "AttemptRecord",
    "ConcurrencyLimit",
    "CorrectionNeeded",
    "FulfillmentsError",
    "FulfillmentsResult",
    "HeaderRule",
    "HeaderValueError",
    "RateLimit",
    "ResilientClient",
    "ResponseInfo",
    "RetriesExhausted",
    "RetryPolicy",
    "UnexpectedResponse",
]
