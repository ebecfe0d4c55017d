"""The synchronous resilient client: the generated client, plus retries that keep one key.

Each call to `create_fulfillment` is one logical request: one Idempotency-Key (the caller's, or
a new UUID), sent unchanged on every attempt, so a retry after a lost response replays the
stored result instead of creating the fulfillments twice.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self

import httpx
from fulfillments_client import AuthenticatedClient
from fulfillments_client.api.fulfillments import create_fulfillment
from fulfillments_client.models import CreateFulfillmentsRequest

from resilient_client._core import (
    PARSE_ERRORS,
    Call,
    FulfillmentsResult,
    optional_headers,
    request_body,
)
from resilient_client._policy import RETRIED_ERRORS, RetryPolicy
from resilient_client._transport import GzipTransport, last_response

__all__ = ["ResilientClient"]


class ResilientClient:
    """Creates fulfillments with retries, header checks, gzip bodies and typed headers."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        policy: RetryPolicy | None = None,
        compress_over: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._jitter = jitter
        transport = GzipTransport(httpx.HTTPTransport(), compress_over)
        self.api = AuthenticatedClient(
            base_url=base_url,
            token=token,
            timeout=httpx.Timeout(self.policy.attempt_timeout),
            httpx_args={"transport": transport},
        )

    def create_fulfillment(
        self,
        body: CreateFulfillmentsRequest | Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
        track_id: str | None = None,
        entity_ids: str | None = None,
        org_ids: str | None = None,
        version: str | None = None,
    ) -> FulfillmentsResult:
        """POST /v1/fulfillments until it succeeds, needs a correction, or the budget runs out.

        Raises HeaderValueError before sending, CorrectionNeeded (never retried),
        RetriesExhausted (retry later with `.idempotency_key`) or UnexpectedResponse.
        """
        headers = optional_headers(
            track_id=track_id, entity_ids=entity_ids, org_ids=org_ids, version=version
        )
        call = Call(
            self.policy,
            idempotency_key,
            headers,
            clock=self._clock,
            wall_clock=self._wall_clock,
            jitter=self._jitter,
        )
        model = request_body(body)
        while True:
            outcome = self._attempt(call, model)
            if isinstance(outcome, FulfillmentsResult):
                return outcome
            self._sleep(outcome)

    def _attempt(self, call: Call, model: CreateFulfillmentsRequest) -> FulfillmentsResult | float:
        last_response.set(None)
        try:
            response = create_fulfillment.sync_detailed(
                client=self.api,
                body=model,
                **call.endpoint_arguments(),
            )
        except RETRIED_ERRORS as error:
            return call.judge(None, {}, b"", None, error)
        except PARSE_ERRORS:
            raw = last_response.get()
            if raw is None:
                raise
            return call.judge(raw.status_code, raw.headers, raw.content, None)
        return call.judge(response.status_code, response.headers, response.content, response.parsed)

    def close(self) -> None:
        """Close the connections."""
        self.api.get_httpx_client().close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
