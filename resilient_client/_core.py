"""One logical call, shared by the sync and async clients: its key, its headers, and the
decision after each attempt (return, raise, or wait and retry with the same key)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fulfillments_client.models import (
    CommonErrorResponse,
    CommonResponse,
    CreateFulfillmentsRequest,
    CreateFulfillmentsResponse,
    ProxyUnauthorizedResponse,
)
from fulfillments_client.types import UNSET

from resilient_client._errors import (
    WHY_NOT_RETRIED,
    AttemptRecord,
    CorrectionNeeded,
    RetriesExhausted,
    UnexpectedResponse,
)
from resilient_client._info import ResponseInfo
from resilient_client._limits import check_headers
from resilient_client._policy import RetryPolicy, is_retried_status

__all__ = ["PARSE_ERRORS", "Call", "FulfillmentsResult", "optional_headers", "request_body"]

# What the generated parser raises on a body that is not the documented JSON.
PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError)


@dataclass(frozen=True)
class FulfillmentsResult:
    """A created (or replayed) result: the parsed body, the typed headers, and the history."""

    body: CreateFulfillmentsResponse
    info: ResponseInfo
    idempotency_key: str
    attempts: tuple[AttemptRecord, ...]


def request_body(body: CreateFulfillmentsRequest | Mapping[str, Any]) -> CreateFulfillmentsRequest:
    """The generated model for `body`, which may be given as the model or as plain JSON data."""
    if isinstance(body, CreateFulfillmentsRequest):
        return body
    return CreateFulfillmentsRequest.from_dict(dict(body))


def _reasons(parsed: Any) -> list[tuple[str, str]]:
    if isinstance(parsed, CommonResponse):
        return [(str(reason.code), reason.message) for reason in parsed.reasons]
    if isinstance(parsed, CommonErrorResponse):
        return [(str(parsed.code), parsed.message)]
    if isinstance(parsed, ProxyUnauthorizedResponse):
        return [("", str(parsed.message))]
    return []


def _describe(status: int | None, error: BaseException | None) -> str:
    if status is not None:
        try:
            return f"{status} {HTTPStatus(status).phrase}"
        except ValueError:
            return str(status)
    return f"{type(error).__name__}: {error}" if error else "no response"


def optional_headers(
    *, track_id: str | None, entity_ids: str | None, org_ids: str | None, version: str | None
) -> dict[str, str | None]:
    """The optional Zuora request headers of one call, by their wire names."""
    return {
        "Zuora-Track-Id": track_id,
        "Zuora-Entity-Ids": entity_ids,
        "Zuora-Org-Ids": org_ids,
        "Zuora-Version": version,
    }


class Call:
    """The state of one logical call across its attempts."""

    def __init__(
        self,
        policy: RetryPolicy,
        key: str | None,
        headers: Mapping[str, str | None],
        *,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        jitter: Callable[[], float],
    ) -> None:
        self.key = key if key is not None else str(uuid.uuid4())
        sent = {name: value for name, value in headers.items() if value is not None}
        check_headers({"Idempotency-Key": self.key, **sent})  # before anything is sent
        self.headers = sent
        self._policy = policy
        self._clock = clock
        self._wall_clock = wall_clock
        self._jitter = jitter
        self._start = clock()
        self._records: list[AttemptRecord] = []

    def endpoint_arguments(self) -> dict[str, Any]:
        """The generated endpoint's keyword arguments: this call's key and the headers it sends."""
        return {
            "idempotency_key": self.key,
            "zuora_track_id": self.headers.get("Zuora-Track-Id", UNSET),
            "zuora_entity_ids": self.headers.get("Zuora-Entity-Ids", UNSET),
            "zuora_org_ids": self.headers.get("Zuora-Org-Ids", UNSET),
            "zuora_version": self.headers.get("Zuora-Version", UNSET),
        }

    def judge(
        self,
        status: int | None,
        headers: Mapping[str, str],
        content: bytes,
        parsed: Any,
        error: BaseException | None = None,
    ) -> FulfillmentsResult | float:
        """The result, or the seconds to wait before retrying; raises when the call ends."""
        info = None
        if status is not None:
            info = ResponseInfo.from_headers(status, headers, self._wall_clock())
        what = _describe(status, error)
        if info is not None and status == HTTPStatus.OK:
            self._record(status, None, 0.0)
            if not isinstance(parsed, CreateFulfillmentsResponse):
                raise UnexpectedResponse(
                    info, content, "the body is not a CreateFulfillmentsResponse"
                )
            return FulfillmentsResult(parsed, info, self.key, tuple(self._records))
        if info is not None and info.status in WHY_NOT_RETRIED:
            self._record(status, None, 0.0)
            raise CorrectionNeeded(info, parsed, _reasons(parsed), self.key)
        if info is not None and not is_retried_status(info.status):
            self._record(status, None, 0.0)
            raise UnexpectedResponse(info, content, f"{what} is not an answer this call retries")
        failures = len(self._records) + 1
        if failures >= self._policy.max_attempts:
            self._record(status, what if error else None, 0.0)
            raise RetriesExhausted(
                f"{failures} attempt(s) failed, the last with {what}",
                self.key,
                tuple(self._records),
            )
        delay = self._policy.wait(failures, self._jitter(), info.retry_after if info else None)
        elapsed = self._clock() - self._start
        if elapsed + delay > self._policy.max_total_seconds:
            self._record(status, what if error else None, 0.0)
            raise RetriesExhausted(
                f"the next attempt would start {elapsed + delay:.1f} s after the first, past the "
                f"{self._policy.max_total_seconds:g} s budget; the last attempt got {what}",
                self.key,
                tuple(self._records),
            )
        self._record(status, what if error else None, delay)
        return delay

    def _record(self, status: int | None, error: str | None, waited: float) -> None:
        self._records.append(AttemptRecord(status, error, waited))
