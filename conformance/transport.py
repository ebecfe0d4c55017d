"""Pacing and throttling for every request the suite sends, whichever HTTP stack sends it.

A remote target answers `429` (or `503`) with `Retry-After` or `RateLimit-Reset` when the suite
goes faster than its quota. Such an answer says nothing about the contract, so no check may see
it: the one `Throttle` of a run holds every thread back until the target's moment, sends the same
request again (same key, same body) and slows the shared pace down. The httpx side wraps a
transport (`conformance.paced.PacedTransport`), Schemathesis's requests side mounts an adapter
(`PacedAdapter`); both ask the same `Throttle`, so neither a check nor a property needs to know.

| answer                                  | what happens                                         |
|-----------------------------------------|------------------------------------------------------|
| 429, any                                | wait (Retry-After, RateLimit-Reset, else 1 s), resend |
| 503 with Retry-After or RateLimit-Reset | the same                                             |
| 401 to a token the suite fetched        | renew the token once, resend                         |
| anything else                           | handed to the checks                                 |
"""

from __future__ import annotations

import email.utils
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["Refresh", "Renewal", "Throttle", "ThrottleStats", "retry_delay"]

DEFAULT_WAIT = 1.0  # seconds after a 429 that names no moment: Zuora's own Retry-After is 1-60
MAX_WAIT = 60.0  # one wait is never longer: Zuora's per-minute window is the longest it names
REQUEST_BUDGET = 120.0  # seconds one request may spend throttled before the run gives up
_SLOWDOWN = 0.8  # after a 429, the pace becomes this share of what was just sent per second
_SLOWDOWN_SECONDS = 1.0  # 429s within this long of a slowdown answer the same burst: one counts
_RECOVERY_SECONDS = 2.0  # a pace set by a 429 grows again after this long without one
_RECOVERY = 1.2  # and by this factor each time, up to the known quota when one was given
_MIN_RATE = 1.0  # requests per second: the slowest the suite ever goes
_BURST_SHARE = 0.25  # a quarter second's worth may go at once, so racing requests still overlap

# Renewal(request headers' Authorization value) -> the new value, or None when not ours.
Renewal = Callable[[str], str | None]
Refresh = Callable[[str], str]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def retry_delay(
    status: int, headers: Mapping[str, str], *, now: datetime | None = None
) -> float | None:
    """Seconds to wait before resending, or None when the answer is not throttling."""
    retry_after = _header(headers, "Retry-After")
    reset = _header(headers, "RateLimit-Reset")
    if status != 429 and not (status == 503 and (retry_after or reset)):
        return None
    for value in (retry_after, reset):
        if value is None or not value.strip():
            continue
        text = value.strip()
        try:
            return min(MAX_WAIT, max(0.0, float(text)))
        except ValueError:
            pass
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - (now or datetime.now(UTC))).total_seconds()
        return min(MAX_WAIT, max(0.0, seconds))
    return DEFAULT_WAIT


@dataclass(frozen=True, slots=True)
class ThrottleStats:
    """What throttling and the target's pace cost a run, for the summary and the reports."""

    answers: int
    throttled: int
    waited: float
    median: float | None
    p99: float | None
    gave_up: str | None = None
    busiest_second: int = 0  # the most requests sent within any one second of the run

    def line(self) -> str:
        """One line for the reports: how fast the target answered, how often it throttled."""
        if self.median is None or self.p99 is None:
            times = "no answers"
        else:
            times = f"median {self.median * 1000:.0f} ms, p99 {self.p99 * 1000:.0f} ms"
        return (
            f"{self.answers} answers ({times}); throttled {self.throttled} times, "
            f"waited {self.waited:.1f} s; at most {self.busiest_second} requests in one second"
        )


class Throttle:
    """One run's shared pace (a token bucket) and its answer to throttled responses."""

    def __init__(
        self,
        *,
        rate: float | None = None,
        budget: float = REQUEST_BUDGET,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep
        self._ceiling = rate  # the user's known quota: never exceeded, even while recovering
        self._rate = rate
        self._budget = budget
        self._tokens = 1.0
        self._filled_at = clock()
        self._hold_until = 0.0
        self._last_throttle = 0.0
        self._last_slowdown = float("-inf")
        self._recent: deque[float] = deque()  # the moments reserved in the last second
        self._sent: deque[float] = deque()  # the moments requests really left, last second
        self._busiest = 0  # the most requests that left within any one second so far
        self._times: list[float] = []
        self._throttled = 0
        self._waited = 0.0
        self._gave_up: str | None = None

    @property
    def rate(self) -> float | None:
        """The current pace in requests per second (None: as fast as the target answers)."""
        with self._lock:
            return self._rate

    def _recover(self, now: float) -> None:
        if self._rate is None or now - self._last_throttle < _RECOVERY_SECONDS:
            return
        if self._last_throttle == 0.0:
            return
        grown = self._rate * _RECOVERY
        self._rate = grown if self._ceiling is None else min(grown, self._ceiling)
        self._last_throttle = now

    def before_send(self) -> None:
        """Wait for this request's turn: after any hold a 429 asked for, and at the pace.

        The pace is a token bucket shared by every thread: it refills at `rate` a second and
        holds a quarter second's worth, so the racing requests of a concurrency check still
        leave together while the average stays below the quota. A thread that wakes late (a
        busy interpreter, a loaded machine) would leave beside the requests reserved after it;
        so the known quota is held twice: once on the moments reserved, and once more on the
        moments the requests really leave.
        """
        with self._lock:
            now = self._clock()
            self._recover(now)
            slot = max(now, self._hold_until)
            if self._rate is not None:
                capacity = max(1.0, self._rate * _BURST_SHARE)
                self._tokens = min(capacity, self._tokens + (slot - self._filled_at) * self._rate)
                self._filled_at = slot
                if self._tokens < 1.0:
                    slot += (1.0 - self._tokens) / self._rate
                    self._filled_at = slot
                    self._tokens = 1.0
                self._tokens -= 1.0
            slot = self._within_ceiling(self._recent, slot)
            self._recent.append(slot)
            while self._recent and self._recent[0] < slot - 1.0:
                self._recent.popleft()
        if slot > now:
            self._sleep(slot - now)
        self._leave()

    def _leave(self) -> None:
        """Record the moment this request leaves, once no second would hold more than the quota."""
        while True:
            with self._lock:
                now = self._clock()
                turn = self._within_ceiling(self._sent, now)
                if turn <= now:
                    self._sent.append(now)
                    while self._sent[0] <= now - 1.0:
                        self._sent.popleft()
                    self._busiest = max(self._busiest, len(self._sent))
                    return
            self._sleep(turn - now)

    def _within_ceiling(self, moments: Sequence[float], slot: float) -> float:
        """`slot`, or later, so no second of `moments` ever holds more than the known quota.

        The bucket keeps the average at the pace but lets a burst ride on top of a full second's
        worth; a quota counted over a sliding second (as gateways count it) would refuse that.
        """
        if self._ceiling is None:
            return slot
        most = max(1, int(self._ceiling))
        if len(moments) >= most and moments[-most] > slot - 1.0:
            return moments[-most] + 1.0
        return slot

    def answered(self, seconds: float) -> None:
        """Record how long the target took to answer one request."""
        with self._lock:
            self._times.append(seconds)

    def throttled(self, delay: float, spent: float) -> bool:
        """Record a throttled answer; False when the request has spent its budget."""
        with self._lock:
            now = self._clock()
            self._throttled += 1
            if spent + delay > self._budget:
                self._gave_up = (
                    f"the target kept throttling one request for more than {self._budget:g} s"
                )
                return False
            self._hold_until = max(self._hold_until, now + delay)
            self._waited += delay
            if now - self._last_slowdown >= _SLOWDOWN_SECONDS:
                sent_per_second = max(_MIN_RATE, float(len(self._recent)))
                current = self._rate if self._rate is not None else sent_per_second
                self._rate = max(_MIN_RATE, min(current, sent_per_second) * _SLOWDOWN)
                self._last_slowdown = now
            self._last_throttle = now
        return True

    def wait(self, delay: float) -> None:
        """Sleep through a throttled answer's delay."""
        if delay > 0:
            self._sleep(delay)

    def stats(self) -> ThrottleStats:
        """The counts so far."""
        with self._lock:
            times = sorted(self._times)
            throttled, waited, gave_up = self._throttled, self._waited, self._gave_up
            busiest = self._busiest
        median = statistics.median(times) if times else None
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))] if times else None
        return ThrottleStats(len(times), throttled, waited, median, p99, gave_up, busiest)
