"""Variants that break the promises the suite once left untested."""

from __future__ import annotations

from refserver import Parts
from tests.planted import _coverage as coverage
from tests.planted._plants import ECHOES, REPLAYS, made, on, threshold
from tests.planted._variant import Reference, Variant, swap

__all__ = ["COVERAGE_VARIANTS", "LATE", "NEAR", "forgetful"]

NEAR = ("answers_near_the_threshold_are_coded_as_asked",)
ENUMS = ("invalid_enums_are_refused",)
LATE = ("keys_outlive_the_run",)
REPLAY_AFTER = 2 * coverage.FORGET_SECONDS  # the quick run waits past the forgetful expiry


def unchanged(reference: Reference) -> Parts:
    """The reference parts as they are: the bug lies in the HTTP layer that serves them."""
    return reference.parts


def forgetful(reference: Reference) -> coverage.KeysForgottenInSeconds:
    """The reference engine, keeping keys for seconds instead of the contract's TTL."""
    ttl = reference.contract.policies.ttl_seconds
    return coverage.KeysForgottenInSeconds(reference.parts.idempotency, ttl_seconds=ttl)


COVERAGE_VARIANTS: tuple[Variant, ...] = (
    Variant(
        "keys-forgotten-in-seconds",
        f"keys kept {coverage.FORGET_SECONDS:.0f} seconds instead of 24 hours",
        "idempotency",
        ("late_replay_matches",),
        swap("idempotency", forgetful),
        (*LATE, *REPLAYS),
        replay_after=REPLAY_AFTER,
    ),
    Variant(
        "gzip-q0-ignored",
        "`gzip;q=0` (gzip refused) answered with gzip",
        "compression",
        ("gzip_threshold_honoured", "gzip_only_when_asked"),
        on("compression", coverage.GzipDespiteZeroQuality),
        NEAR,
    ),
    Variant(
        "threshold-980",
        "answers over 980 bytes compressed, so 990-byte ones too",
        "compression",
        ("gzip_threshold_honoured", "gzip_small_bodies_plain"),
        threshold(980),
        NEAR,
    ),
    Variant(
        "invalid-enum-accepted",
        "the request schema lost its enums: any string is a state or a type",
        "validator",
        ("invalid_enum_rejected",),
        on("validator", coverage.validator_without_enums),
        ENUMS,
    ),
    Variant(
        "rate-limit-headers-dropped",
        "RateLimit-* left out of every answer (200, 400 and 401 alike)",
        "rate_limiter",
        ("rate_limit_headers_present",),
        made("rate_limiter", coverage.RateLimitHeadersDropped),
        (*ECHOES, *ENUMS),
    ),
    Variant(
        "lower-case-header-names",
        "served by stock uvicorn (httptools), which writes every header name in lower case",
        "transport",
        ("header_names_spelled_as_zuora",),
        unchanged,
        NEAR,
        http="httptools",
    ),
)
