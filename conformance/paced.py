"""The two places requests leave the suite, each asking the run's one `Throttle`.

`PacedTransport` wraps the httpx transport of the suite's own client (properties, probe, token
fetch); `PacedAdapter` is mounted on Schemathesis's `requests` sessions. Each waits its turn,
resends a throttled request unchanged (same key, same body) after the wait the target named,
swaps a fetched token for the current one, and renews a refused fetched token once.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import requests
import requests.adapters

from conformance.transport import Refresh, Renewal, Throttle, retry_delay

__all__ = ["PacedAdapter", "PacedTransport"]


class PacedTransport(httpx.BaseTransport):
    """An httpx transport that paces, waits out throttling and renews a refused token once."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        throttle: Throttle,
        *,
        renew: Renewal | None = None,
        refresh: Refresh | None = None,
    ) -> None:
        self._inner = inner
        self._throttle = throttle
        self._renew = renew
        self._refresh = refresh

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        renewed = False
        spent = 0.0
        while True:
            authorization = request.headers.get("Authorization")
            if authorization is not None and self._refresh is not None:
                request.headers["Authorization"] = self._refresh(authorization)
            self._throttle.before_send()
            started = time.monotonic()
            response = self._inner.handle_request(request)
            self._throttle.answered(time.monotonic() - started)
            delay = retry_delay(response.status_code, response.headers)
            if delay is not None:
                if not self._throttle.throttled(delay, spent):
                    return response
                response.read()
                response.close()
                self._throttle.wait(delay)
                spent += delay
                continue
            if response.status_code == 401 and not renewed and self._renew is not None:
                fresh = self._renew(str(request.headers.get("Authorization", "")))
                if fresh is not None:
                    renewed = True
                    response.read()
                    response.close()
                    request.headers["Authorization"] = fresh
                    continue
            return response

    def close(self) -> None:
        self._inner.close()


class PacedAdapter(requests.adapters.HTTPAdapter):
    """The same pacing and waiting for a `requests` session (Schemathesis's stack)."""

    def __init__(
        self, throttle: Throttle, *, renew: Renewal | None = None, refresh: Refresh | None = None
    ) -> None:
        super().__init__()
        self._throttle = throttle
        self._renew = renew
        self._refresh = refresh

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        renewed = False
        spent = 0.0
        while True:
            authorization = request.headers.get("Authorization")
            if authorization is not None and self._refresh is not None:
                request.headers["Authorization"] = self._refresh(str(authorization))
            self._throttle.before_send()
            started = time.monotonic()
            response = super().send(request, **kwargs)
            self._throttle.answered(time.monotonic() - started)
            delay = retry_delay(response.status_code, response.headers)
            if delay is not None:
                if not self._throttle.throttled(delay, spent):
                    return response
                response.close()
                self._throttle.wait(delay)
                spent += delay
                continue
            if response.status_code == 401 and not renewed and self._renew is not None:
                fresh = self._renew(str(request.headers.get("Authorization", "")))
                if fresh is not None:
                    renewed = True
                    response.close()
                    request.headers["Authorization"] = fresh
                    continue
            return response
