"""Faults on demand, so an integrator can test the retries of a client against a stateful server.

| `Prefer`                   | `--faults`           | what the server does                     |
|----------------------------|----------------------|------------------------------------------|
| `code=429` (409, 500, 503) | `429=0.02`           | answers as Zuora would, processes nothing |
| `delay=<ms>`               | `delay=200@0.1`      | processes; the key stays in progress <ms> |
| `fault=lost-response`      | `lost-response=0.05` | commits, then closes without answering   |
| `fault=reset`              | `reset=0.01`         | resets the connection, reads nothing     |

No fault breaks a promise of the server: a status fault stores nothing, a delay holds the
key in progress (a retry meets 409), a lost answer is stored first (a retry replays it). A
`Prefer` fault that processes (delay, lost response) acts only on the request that processes
the key, so a client that repeats the header on its retry still gets the stored answer. Unknown
preferences are ignored (RFC 7240); an applied one is named in `Preference-Applied`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import socket
import struct
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from refserver._errors import INTERNAL, LIMIT_EXCEEDED, LOCKING, Problem, render
from refserver._respond import Send, send_response

if TYPE_CHECKING:
    from fulfillments_contract import Contract

    from refserver._config import Tenant
    from refserver._parts import Parts
    from refserver._types import Ticket
    from refserver.store import Effects, StoredResponse

__all__ = ["Fault", "FaultInjector", "FaultPlan", "parse_prefer"]

_log = logging.getLogger("refserver")
STATUSES = (409, 429, 500, 503)  # the statuses Zuora answers a retried request with
MAX_DELAY_MS = 60_000  # a minute; a hold past the 30 s lease lets a retry take the key (once)
_RETRY_AFTER = "1"  # seconds; a forced fault is over at once, so a client need not wait long
_TEMPORARY = 61  # Zuora's reason category "Temporary error (retry)"
_SETTLE_TICKS = 20  # event-loop turns allowed for the server to notice a closed connection
_MESSAGES = {
    409: (LOCKING, "A request with this Idempotency-Key is still in progress; retry later"),
    429: (LIMIT_EXCEEDED, "The rate limit of {limit} requests per minute is exceeded"),
    500: (INTERNAL, "An unexpected error occurred; retry with the same Idempotency-Key"),
    503: (_TEMPORARY, "The service is temporarily unavailable; retry later"),
}


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault: `kind` is status, delay, lost-response or reset."""

    kind: str
    status: int = 0
    delay_ms: int = 0

    @property
    def preference(self) -> str:
        """The preference that asks for this fault, as `Preference-Applied` names it."""
        if self.kind == "status":
            return f"code={self.status}"
        if self.kind == "delay":
            return f"delay={self.delay_ms}"
        return f"fault={self.kind}"


def _preference(name: str, value: str) -> Fault | None:
    if name == "code" and value.isdigit() and int(value) in STATUSES:
        return Fault("status", status=int(value))
    if name == "delay" and value.isdigit() and int(value) <= MAX_DELAY_MS:
        return Fault("delay", delay_ms=int(value))
    if name == "fault" and value in ("lost-response", "reset"):
        return Fault(value)
    return None


def parse_prefer(header: str | None) -> Fault | None:
    """The first fault a `Prefer` header asks for; anything else in it is ignored (RFC 7240)."""
    if not header:
        return None
    for preference in header.split(","):
        token = preference.split(";", 1)[0]
        name, _, value = token.partition("=")
        fault = _preference(name.strip().lower(), value.strip().strip('"').lower())
        if fault is not None:
            return fault
    return None


def _plan_entry(entry: str) -> tuple[Fault, float]:
    name, equals, chance_text = entry.partition("=")
    name = name.strip().lower()
    if not equals:
        raise ValueError(f"{entry!r}: expected NAME=PROBABILITY")
    if name == "delay":
        delay_text, at, chance_text = chance_text.partition("@")
        fault = _preference("delay", delay_text.strip()) if at else None
        if fault is None:
            raise ValueError(f"{entry!r}: expected delay=MILLISECONDS@PROBABILITY")
    elif name.isdigit() and int(name) in STATUSES:
        fault = Fault("status", status=int(name))
    elif name in ("lost-response", "reset"):
        fault = Fault(name)
    else:
        raise ValueError(f"{entry!r}: unknown fault (lost-response, reset, delay, 409, 429, ...)")
    try:
        chance = float(chance_text)
    except ValueError:
        raise ValueError(f"{entry!r}: the probability is not a number") from None
    if not 0.0 <= chance <= 1.0:
        raise ValueError(f"{entry!r}: the probability must be between 0 and 1")
    return fault, chance


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """Which faults a server injects: `Prefer` on request, and each fault's probability."""

    chances: tuple[tuple[Fault, float], ...] = ()
    seed: int | None = None
    prefer: bool = True  # honour `Prefer` faults

    @classmethod
    def parse(cls, text: str, *, seed: int | None = None) -> FaultPlan:
        """`lost-response=0.05,429=0.02,reset=0.01,delay=200@0.1`; `off` disables `Prefer` too."""
        if text.strip().lower() == "off":
            return cls(seed=seed, prefer=False)
        chances = tuple(_plan_entry(entry) for entry in text.split(",") if entry.strip())
        if sum(chance for _, chance in chances) > 1.0 + 1e-9:
            raise ValueError("the probabilities of the faults add up to more than 1")
        return cls(chances, seed)

    @property
    def active(self) -> bool:
        """Whether any request may get a fault."""
        return self.prefer or bool(self.chances)


class _Held:
    """An idempotency engine that holds each completion, so the key stays in progress longer."""

    def __init__(self, inner: Any, seconds: float) -> None:
        self._inner = inner
        self._seconds = seconds
        self.held = False

    async def begin(self, tenant: Tenant, headers: Any, document: Any, now: float) -> Any:
        return await self._inner.begin(tenant, headers, document, now)

    async def finish(
        self, ticket: Ticket, response: StoredResponse, effects: Effects, now: float
    ) -> bool:
        self.held = True
        await asyncio.sleep(self._seconds)
        return bool(await self._inner.finish(ticket, response, effects, now))

    async def abort(self, ticket: Ticket) -> None:
        await self._inner.abort(ticket)


class _Captured:
    """A `send` that keeps the response instead of writing it."""

    def __init__(self) -> None:
        self.messages: list[MutableMapping[str, Any]] = []

    async def __call__(self, message: MutableMapping[str, Any]) -> None:
        self.messages.append(message)

    def carries(self, header: bytes) -> bool:
        """Whether the kept response has the (lower-case) header, e.g. the replay marker."""
        start = next((m for m in self.messages if m["type"] == "http.response.start"), {})
        return any(name.lower() == header for name, _ in start.get("headers", ()))


def _with_header(send: Send, name: str, value: str, when: Callable[[], bool]) -> Send:
    async def sending(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start" and when():
            headers = [*message["headers"], (name.encode("latin-1"), value.encode("latin-1"))]
            message = {**message, "headers": headers}
        await send(message)

    return sending


async def _sever(send: Send, *, reset: bool) -> None:
    """Close the connection under `send` without a response: RST when `reset`, else FIN."""
    cycle = getattr(send, "__self__", None)  # uvicorn's request-response cycle owns `send`
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("the server offers no connection to close")
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()
    for _ in range(_SETTLE_TICKS):  # let the server see it, or it would answer 500 for us
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)


Handler = Callable[["Parts", Send], Awaitable[None]]


class FaultInjector:
    """Decides each request's fault, if any, and applies it around the fulfillments handler."""

    def __init__(self, plan: FaultPlan, contract: Contract) -> None:
        self.plan = plan
        self._contract = contract
        self._random = random.Random(plan.seed)

    def _choose(self, raw: Any) -> tuple[Fault, bool] | None:
        """The fault asked for, else the one drawn; every request draws, so a seed repeats."""
        drawn = None
        if self.plan.chances:
            draw, total = self._random.random(), 0.0
            for fault, chance in self.plan.chances:
                total += chance
                if draw < total:
                    drawn = fault
                    break
        if self.plan.prefer:
            values = [value for name, value in raw if name.lower() == b"prefer"]
            asked = parse_prefer(b", ".join(values).decode("latin-1")) if values else None
            if asked is not None:
                return asked, True
        return None if drawn is None else (drawn, False)

    async def serve(
        self, parts: Parts, scope: Mapping[str, Any], send: Send, handler: Handler
    ) -> None:
        """Answer one request through `handler`, with the fault chosen for it applied."""
        if not self.plan.active:
            await handler(parts, send)
            return
        chosen = self._choose(scope["headers"])
        if chosen is None:
            await handler(parts, send)
            return
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        tenant = parts.authenticator.authenticate(headers.get("authorization"), parts.clock.now())
        if tenant is None or not tenant.faults:
            await handler(parts, send)
            return
        fault, asked = chosen
        _log.debug("fault %s (%s)", fault.preference, "asked" if asked else "drawn")
        if fault.kind == "reset":
            await _sever(send, reset=True)
        elif fault.kind == "status":
            await self._answer(parts, tenant, headers, fault, send, asked=asked)
        elif fault.kind == "delay":
            held = _Held(parts.idempotency, fault.delay_ms / 1000)
            marked = _with_header(send, "Preference-Applied", fault.preference, lambda: held.held)
            await handler(dataclasses.replace(parts, idempotency=held), marked if asked else send)
        else:
            captured = _Captured()
            await handler(parts, captured)
            replay = self._contract.policies.replay_header.lower().encode("latin-1")
            if asked and captured.carries(replay):
                for message in captured.messages:
                    await send(message)
            else:
                await _sever(send, reset=False)

    async def _answer(
        self,
        parts: Parts,
        tenant: Tenant,
        headers: Mapping[str, str],
        fault: Fault,
        send: Send,
        *,
        asked: bool,
    ) -> None:
        category, message = _MESSAGES[fault.status]
        out = [("Zuora-Request-Id", parts.request_ids.request_id())]
        out.extend(parts.headers.echo(headers))
        if fault.status != 500:
            out.append(("Retry-After", _RETRY_AFTER))
        if fault.status == 429:
            limit = tenant.quotas.per_minute
            out += [("RateLimit-Limit", str(limit)), ("RateLimit-Remaining", "0")]
            out.append(("RateLimit-Reset", _RETRY_AFTER))
        if asked:
            out.append(("Preference-Applied", fault.preference))
        policies = self._contract.policies
        body = render(
            Problem.of(fault.status, category, message.format(limit=tenant.quotas.per_minute)),
            resource=policies.resource_code,
            auth_resource=policies.auth_resource_code,
            process_id=parts.request_ids.process_id(),
            request_id=out[0][1],
        )
        await send_response(send, fault.status, body, out, declared=None)
