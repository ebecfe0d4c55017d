"""What a property test holds: the client, the run, the tally, and the rules for judging.

Every request a property sends goes through `Harness.post`, which judges its response with
every single-response and raw check as well, so the suite's own traffic is held to the same
promises as Schemathesis's. Every judge of an example is evaluated and recorded, passing,
failing or not judged (`not_judged(reason)`); an example in which a judge of the property
failed ends with `PropertyFailed`, which stops Hypothesis from trying further examples of a
broken promise. Hypothesis then replays the failing example to report it; that replay is not
counted again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from conformance.checks._judged import NotJudged
from conformance.checks._wire import WireAnswer, parse_answer
from conformance.checks.transport import answers_every_request
from conformance.client import Client, Exchange, SentRequest, TransportProblem
from conformance.context import RunContext
from conformance.curl import curl_command
from conformance.failures import ContractViolation
from conformance.keyspace import KeySpace
from conformance.properties.wire import RawRoute, post_over_socket
from conformance.registry import RAW_CHECKS, RESPONSE_CHECKS
from conformance.results import FailureRecord
from conformance.strategies import encoded
from conformance.tally import Tally
from conformance.transport import retry_delay

__all__ = ["Harness", "Liveness", "PropertyFailed", "TargetDown", "record_violation"]

SILENCES_TO_GIVE_UP = 3  # unanswered requests in a row after which the target counts as down
WIRE_CHECK = "content_length_matches"  # the one check that judges plain-socket answers
WIRE_TIMEOUT = 10.0  # seconds a plain-socket request may take, the CLI's default timeout


class PropertyFailed(AssertionError):
    """A judge failed in this example; the failure is already recorded in the tally."""


class TargetDown(Exception):
    """The target stopped answering; the run cannot go on."""


class Liveness:
    """Counts unanswered requests in a row, over every property of a run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._silent = 0
        self.reason: str | None = None

    def answered(self) -> None:
        """A request got an HTTP answer."""
        with self._lock:
            self._silent = 0

    def silent(self, reason: str) -> bool:
        """A request got no answer; True once the target counts as down."""
        with self._lock:
            self._silent += 1
            if self._silent >= SILENCES_TO_GIVE_UP:
                self.reason = reason
            return self.reason is not None


def record_violation(
    tally: Tally,
    check: str,
    violation: ContractViolation,
    secrets: Mapping[str, str],
    *,
    judged: Sequence[SentRequest] = (),
) -> None:
    """Put a violation into the tally, with a curl command for each request it involves.

    A response check names no request of its own; then the request whose answer it judged
    (`judged`) is the one to reproduce.
    """
    commands = tuple(
        curl_command(
            request.method,
            request.url,
            request.headers,
            request.body,
            secrets=secrets,
            plain_body=request.plain_body,
        )
        for request in (violation.requests or judged)
    )
    tally.failed(FailureRecord(check, violation.title, violation.message, commands))


def _judged(args: Sequence[Any]) -> tuple[SentRequest, ...]:
    """The requests whose answers a check was handed, each once."""
    found: list[SentRequest] = []
    for arg in args:
        request = arg.request if isinstance(arg, Exchange) else arg
        if isinstance(request, SentRequest) and all(request is not seen for seen in found):
            found.append(request)
    return tuple(found)


class Harness:
    """One property's view of the run."""

    def __init__(
        self,
        *,
        client: Client,
        context: RunContext,
        tally: Tally,
        secrets: Mapping[str, str],
        keys: KeySpace,
        liveness: Liveness,
        route: RawRoute | None = None,
        wire_timeout: float = WIRE_TIMEOUT,
    ) -> None:
        self.client = client
        self.route = route if route is not None else RawRoute()
        self.wire_timeout = wire_timeout
        self.context = context
        self.tally = tally
        self.secrets = secrets
        self._keys = keys
        self._liveness = liveness
        self._failed_now = False
        self._done = False

    @property
    def line_item_ids(self) -> tuple[str, ...]:
        """The caller's line item ids (empty: any Zuora-shaped id)."""
        return self.context.line_item_ids

    def fresh_key(self, length: int) -> str:
        """An Idempotency-Key of exactly `length` characters that no earlier run has used."""
        return self._keys.fresh(length)

    @contextmanager
    def example(self) -> Iterator[None]:
        """Bracket one Hypothesis example: raise PropertyFailed at its end if a judge failed."""
        self._failed_now = False
        try:
            yield
        finally:
            # Hypothesis stops generating after a failure and only replays it to report it.
            self._done = self._done or self._failed_now
        if self._failed_now:
            raise PropertyFailed("a check failed; see the tally")

    def judge(self, check: Callable[..., object], *args: Any, ends_example: bool = True) -> bool:
        """Run one judge unless the profile skips it; record and return whether it held.

        Every judge is recorded: passed, failed, or not judged with its reason (which counts
        as held, not as passed). A failing judge of the property itself ends the example once
        the example's other judges have run; a failing response check (`ends_example=False`)
        is recorded and the property goes on testing its own promise.
        """
        name = check.__name__
        if self.context.skips(name):
            return True
        try:
            verdict = check(*args)
        except ContractViolation as violation:
            if not self._done:
                record_violation(self.tally, name, violation, self.secrets, judged=_judged(args))
            if ends_example:
                self._failed_now = True
            return False
        if self._done:
            return True
        if isinstance(verdict, NotJudged):
            self.tally.not_judged(name, verdict.reason)
        else:
            self.tally.passed(name)
        return True

    def post(
        self,
        body: Any,
        *,
        headers: Mapping[str, str] | None = None,
        identity: str | None = "TOKEN",
        authorization: str | None = None,
        plain_body: bytes | None = None,
    ) -> Exchange:
        """Send one request and judge its response with every response and raw check."""
        if self._liveness.reason is not None:
            raise TargetDown(self._liveness.reason)
        payload = body if isinstance(body, bytes) else encoded(body)
        try:
            exchange = self.client.post(
                payload,
                headers=headers,
                identity=identity,
                authorization=authorization,
                plain_body=plain_body,
            )
        except TransportProblem as problem:
            self.judge(answers_every_request, problem)
            if self._liveness.silent(problem.reason):
                raise TargetDown(problem.reason) from problem
            raise PropertyFailed(problem.reason) from problem
        self._liveness.answered()
        self.judge(answers_every_request, None)
        for check in RESPONSE_CHECKS:
            self.judge(check, None, exchange, exchange.request, ends_example=False)
        for raw in RAW_CHECKS:
            self.judge(raw, exchange, ends_example=False)
        return exchange

    def post_over_socket(
        self, body: Any, *, headers: Mapping[str, str] | None = None
    ) -> WireAnswer | None:
        """Send one request over a plain socket as TOKEN; the answer as the socket carried it.

        None when no HTTP answer came back (recorded as a failure of `answers_every_request`)
        or when the target is reached through a proxy (recorded as not judged). A throttled
        answer is waited out and the same request sent again, as the HTTP clients do.
        """
        if self._liveness.reason is not None:
            raise TargetDown(self._liveness.reason)
        route = self.route
        if route.proxied(self.client.url):
            self.tally.not_judged(WIRE_CHECK, "the target is reached through a proxy")
            return None
        payload = body if isinstance(body, bytes) else encoded(body)
        sent = {"Content-Type": "application/json"} | dict(route.headers)
        sent |= {"Authorization": f"Bearer {self.secrets['TOKEN']}"} | dict(headers or {})
        request = SentRequest("POST", self.client.url, sent, payload, "TOKEN")
        spent = 0.0
        try:
            while True:
                route.throttle.before_send()
                started = time.monotonic()
                data = post_over_socket(
                    self.client.url,
                    payload,
                    sent,
                    timeout=self.wire_timeout,
                    ssl_context=route.ssl_context,
                )
                answer = parse_answer(request, data)
                route.throttle.answered(time.monotonic() - started)
                first = {name: values[0] for name, values in answer.headers.items() if values}
                delay = retry_delay(answer.status_code, first)
                if delay is None or not route.throttle.throttled(delay, spent):
                    break
                route.throttle.wait(delay)
                spent += delay
        except (OSError, ValueError) as error:
            reason = f"{type(error).__name__}: {error}"
            self.judge(answers_every_request, TransportProblem(reason, request))
            return None
        self._liveness.answered()
        return answer
