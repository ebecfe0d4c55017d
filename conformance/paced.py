"""The two places requests leave the suite, each asking the run's one `Throttle`.

`PacedTransport` wraps the httpx transport of the suite's own client (properties, probe, token
fetch); `PacedAdapter` is mounted on Schemathesis's `requests` sessions. Both run one loop,
`_Pacer.send`: wait its turn, resend a throttled request unchanged (same key, same body) after
the wait the target named, swap a fetched token for the current one, and renew a refused
fetched token once. Only sending and discarding an answer differ between the two stacks.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, Protocol, TypeVar

import httpx
import requests
import requests.adapters

from conformance.transport import Refresh, Renewal, Throttle, retry_delay

__all__ = ["PacedAdapter", "PacedTransport"]


class _Answer(Protocol):
    """What the loop reads of an answer, the same on httpx and requests."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


_A = TypeVar("_A", bound=_Answer)


class _Pacer:
    """The resend loop both stacks share: pace, wait out throttling, renew a refused token once."""

    def __init__(self, throttle: Throttle, renew: Renewal | None, refresh: Refresh | None) -> None:
        self._throttle = throttle
        self._renew = renew
        self._refresh = refresh

    def send(
        self,
        headers: MutableMapping[str, Any],
        send_once: Callable[[], _A],
        discard: Callable[[_A], None],
    ) -> _A:
        """Send through `send_once` until an answer is final; `discard` frees a superseded one."""
        renewed = False
        spent = 0.0
        while True:
            authorization = headers.get("Authorization")
            if authorization is not None and self._refresh is not None:
                headers["Authorization"] = self._refresh(str(authorization))
            self._throttle.before_send()
            started = time.monotonic()
            response = send_once()
            self._throttle.answered(time.monotonic() - started)
            delay = retry_delay(response.status_code, response.headers)
            if delay is not None:
                if not self._throttle.throttled(delay, spent):
                    return response
                discard(response)
                self._throttle.wait(delay)
                spent += delay
                continue
            if response.status_code == 401 and not renewed and self._renew is not None:
                fresh = self._renew(str(headers.get("Authorization", "")))
                if fresh is not None:
                    renewed = True
                    discard(response)
                    headers["Authorization"] = fresh
                    continue
            return response


def _discard_httpx(response: httpx.Response) -> None:
    response.read()
    response.close()


def _discard_requests(response: requests.Response) -> None:
    response.close()


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
        self._pacer = _Pacer(throttle, renew, refresh)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._pacer.send(
            request.headers, lambda: self._inner.handle_request(request), _discard_httpx
        )

    def close(self) -> None:
        self._inner.close()


class PacedAdapter(requests.adapters.HTTPAdapter):
    """The same pacing and waiting for a `requests` session (Schemathesis's stack)."""

    def __init__(
        self, throttle: Throttle, *, renew: Renewal | None = None, refresh: Refresh | None = None
    ) -> None:
        super().__init__()
        self._pacer = _Pacer(throttle, renew, refresh)

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        send_once = functools.partial(super().send, request, **kwargs)
        return self._pacer.send(request.headers, send_once, _discard_requests)
