"""How a variant's broken part is built from the reference, and the traffic that meets it.

Every plant swaps exactly one part of the reference `Parts` (the id generator also goes into
the billing engine, which holds its own), built the way the reference part is built: around
the reference part, from the contract, from the configuration, or from nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from refserver import BusinessEngine, Contract, Parts, ServerConfig
from refserver.parts import BillingEngine, ContractHeaderPolicy, GzipPolicy
from tests.planted import _answers as answers
from tests.planted import _headers as headers
from tests.planted import _idempotency as keys
from tests.planted._variant import Plant, Reference, swap

__all__ = [
    "BROKEN",
    "CODED",
    "CREDENTIALS",
    "ECHOES",
    "FAILED",
    "GZIP_REQUESTS",
    "INVALID",
    "KEY",
    "LIMITS",
    "RACES",
    "REPLAYS",
    "TENANTS",
    "TRACK",
    "business",
    "check_then_insert",
    "dashed_ids",
    "engine",
    "made",
    "on",
    "rule",
    "threshold",
    "token",
]

KEY = "idempotency-key"  # header rules are keyed by lower-case name
TRACK = "zuora-track-id"
REPLAYS = ("replays_are_identical",)
ECHOES = ("track_ids_are_echoed",)
CODED = ("responses_are_coded_as_asked",)
BROKEN = ("broken_codings_are_refused",)
INVALID = ("invalid_bodies_are_refused",)
FAILED = ("failed_answers_are_replayed",)
LIMITS = ("key_limits_hold",)
TENANTS = ("keys_are_scoped_per_tenant",)
RACES = ("concurrent_retries_create_once",)
CREDENTIALS = ("bad_credentials_are_refused",)
GZIP_REQUESTS = ("coded_requests_are_understood",)


def engine(wrapper: type[keys.Wrapped]) -> Plant:
    """The reference idempotency engine inside `wrapper`."""
    return swap("idempotency", lambda ref: wrapper(ref.parts.idempotency))


def business(wrapper: Callable[[BusinessEngine], BusinessEngine]) -> Plant:
    """The reference business engine inside `wrapper`."""
    return swap("business", lambda ref: wrapper(ref.parts.business))


def on(part: str, kind: Callable[[Contract], Any]) -> Plant:
    """`kind` built from the contract, as the reference header, coding and body policies are."""
    return swap(part, lambda ref: kind(ref.contract))


def made(part: str, kind: Callable[[], Any]) -> Plant:
    """`kind` built from nothing, as the reference ids and limit counters are."""
    return swap(part, lambda _: kind())


def rule(header: str, **changes: Any) -> Plant:
    """The reference header policy, read from a contract whose rule for `header` changed."""
    return on("headers", lambda c: ContractHeaderPolicy(headers.with_rule(c, header, **changes)))


def threshold(size: int) -> Plant:
    """The reference gzip policy, read from a contract with another gzip threshold."""

    def build(contract: Contract) -> GzipPolicy:
        policies = dataclasses.replace(contract.policies, gzip_threshold=size)
        return GzipPolicy(dataclasses.replace(contract, policies=policies))

    return on("compression", build)


def token(kind: Callable[[ServerConfig], Any]) -> Plant:
    """`kind` built from the configuration, as the reference authenticator is."""
    return swap("authenticator", lambda ref: kind(ref.config))


def dashed_ids(ref: Reference) -> Parts:
    """Hyphenated ids, in the billing engine too: it holds its own generator, so replacing
    `fulfillment_ids` alone would change nothing."""
    ids = answers.DashedIds()
    business = BillingEngine(ref.parts.store, ids)
    return dataclasses.replace(ref.parts, fulfillment_ids=ids, business=business)


def check_then_insert(ref: Reference) -> keys.CheckThenInsert:
    """The cache-backed engine, on the reference store and the contract's key header."""
    return keys.CheckThenInsert(ref.parts.store, header=ref.contract.policies.idempotency_header)
