"""The shared pacing and throttling policy, judged by counts on a fake clock and real sockets."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import requests

from conformance.paced import PacedAdapter, PacedTransport
from conformance.transport import DEFAULT_WAIT, Throttle, retry_delay
from tests._fake_clock import FakeClock


def test_retry_after_in_seconds_is_the_wait() -> None:
    assert retry_delay(429, {"Retry-After": "3"}) == 3.0


def test_retry_after_as_an_http_date_is_the_time_until_then() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    moment = format_datetime(now + timedelta(seconds=7), usegmt=True)
    assert retry_delay(429, {"retry-after": moment}, now=now) == 7.0


def test_ratelimit_reset_stands_in_for_a_missing_retry_after() -> None:
    assert retry_delay(429, {"RateLimit-Reset": "2"}) == 2.0


def test_a_429_without_a_moment_waits_the_default() -> None:
    assert retry_delay(429, {}) == DEFAULT_WAIT


def test_a_503_is_throttling_only_with_a_moment() -> None:
    assert retry_delay(503, {"Retry-After": "1"}) == 1.0
    assert retry_delay(503, {}) is None


@pytest.mark.parametrize("status", [200, 400, 401, 409, 500])
def test_other_answers_are_not_throttling(status: int) -> None:
    assert retry_delay(status, {"Retry-After": "1"}) is None


def test_a_rate_limit_spaces_requests_at_the_pace() -> None:
    clock = FakeClock()
    throttle = Throttle(rate=10.0, clock=clock, sleep=clock.sleep)
    start = clock.now
    for _ in range(50):
        throttle.before_send()
    # 50 requests at 10 a second: after the first burst, about 4.8 seconds of sleeping.
    assert 4.5 <= clock.now - start <= 5.0


def test_a_known_quota_is_never_passed_in_any_second_bursts_included() -> None:
    clock = FakeClock()
    throttle = Throttle(rate=20.0, clock=clock, sleep=clock.sleep)
    sent: list[float] = []
    for index in range(200):
        if index % 40 == 0:
            clock.now += 3.0  # idle long enough for the bucket to fill: the next burst is whole
        throttle.before_send()
        sent.append(clock.now)
    busiest = max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent)
    assert busiest == 20


def test_threads_that_wake_late_still_leave_within_the_quota() -> None:
    # A loaded machine wakes a third of the sleepers 0.4 s late, beside requests reserved after
    # theirs; they wait again rather than leave together. Real threads, a real clock.
    calls = itertools.count()

    def late_sleep(seconds: float) -> None:
        time.sleep(seconds + (0.4 if next(calls) % 3 == 0 else 0.0))

    throttle = Throttle(rate=20.0, sleep=late_sleep)

    def send() -> None:
        for _ in range(15):
            throttle.before_send()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    busiest = throttle.stats().busiest_second
    assert busiest <= 20  # never past the quota...
    assert busiest >= 10  # ...though the threads pressed against it


def test_a_429_slows_the_pace_down_once_per_burst_and_it_recovers() -> None:
    clock = FakeClock()
    throttle = Throttle(clock=clock, sleep=clock.sleep)
    for _ in range(40):
        throttle.before_send()
    rates = [throttle.rate]
    for _ in range(6):  # six racers throttled together: one slowdown
        assert throttle.throttled(1.0, 0.0)
    rates.append(throttle.rate)
    clock.now += 3.0
    throttle.before_send()
    rates.append(throttle.rate)
    assert rates[0] is None
    assert rates[1] == pytest.approx(40 * 0.8)
    assert (rates[2] or 0) > (rates[1] or 0)


def test_a_request_throttled_past_its_budget_gives_up_and_says_so() -> None:
    clock = FakeClock()
    throttle = Throttle(budget=10.0, clock=clock, sleep=clock.sleep)
    assert throttle.throttled(6.0, 0.0)
    assert not throttle.throttled(6.0, 6.0)
    assert "kept throttling" in (throttle.stats().gave_up or "")


class _QuotaHandler:
    """Answers 429 to every second request, then 200 echoing the body it got."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.keys: list[str | None] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.bodies.append(request.content)
            self.keys.append(request.headers.get("Idempotency-Key"))
            throttled = len(self.bodies) % 2 == 1
        if throttled:
            return httpx.Response(429, headers={"Retry-After": "0"})
        return httpx.Response(200, content=request.content)


def test_the_httpx_transport_resends_the_same_request_and_counts_it() -> None:
    handler = _QuotaHandler()
    clock = FakeClock()
    throttle = Throttle(clock=clock, sleep=clock.sleep)
    transport = PacedTransport(httpx.MockTransport(handler), throttle)
    with httpx.Client(transport=transport) as client:
        for number in range(5):
            body = f'{{"n": {number}}}'.encode()
            response = client.post(
                "http://target/v1", content=body, headers={"Idempotency-Key": f"k{number}"}
            )
            assert response.status_code == 200
            assert response.content == body
    assert handler.bodies[0::2] == handler.bodies[1::2]
    assert handler.keys[0::2] == handler.keys[1::2]
    stats = throttle.stats()
    assert (stats.throttled, stats.answers) == (5, 10)


def test_a_refused_fetched_token_is_renewed_once_and_resent() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200 if request.headers["Authorization"] == "Bearer new" else 401)

    def renew(authorization: str) -> str | None:
        return "Bearer new" if authorization == "Bearer old" else None

    transport = PacedTransport(httpx.MockTransport(handler), Throttle(), renew=renew)
    with httpx.Client(transport=transport) as client:
        assert client.post("http://t/", headers={"Authorization": "Bearer old"}).status_code == 200
        assert (
            client.post("http://t/", headers={"Authorization": "Bearer other"}).status_code == 401
        )
    assert seen == ["Bearer old", "Bearer new", "Bearer other"]


@pytest.fixture
def throttling_server() -> Iterator[tuple[str, list[bytes]]]:
    """A real loopback HTTP server that throttles every other request."""
    import http.server  # noqa: PLC0415 - only this fixture needs it

    bodies: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            bodies.append(body)
            if len(bodies) % 2:
                self.send_response(429)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", bodies
    finally:
        server.shutdown()
        server.server_close()


def test_the_requests_adapter_resends_over_a_real_socket(
    throttling_server: tuple[str, list[bytes]],
) -> None:
    url, bodies = throttling_server
    clock = FakeClock()
    throttle = Throttle(clock=clock, sleep=clock.sleep)
    with requests.Session() as session:
        session.mount("http://", PacedAdapter(throttle))
        for number in range(3):
            response = session.post(url, data=f"body {number}".encode())
            assert response.status_code == 200
            assert response.content == f"body {number}".encode()
    assert bodies == [b"body 0", b"body 0", b"body 1", b"body 1", b"body 2", b"body 2"]
    assert throttle.stats().throttled == 3
