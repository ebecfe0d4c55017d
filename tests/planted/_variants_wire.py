"""Variants that break identifiers, limit headers and content coding in both directions."""

from __future__ import annotations

from tests.planted import _coding as coding
from tests.planted import _headers as headers
from tests.planted._plants import BROKEN, CODED, ECHOES, GZIP_REQUESTS, REPLAYS, made, on, threshold
from tests.planted._variant import Variant

__all__ = ["WIRE_VARIANTS"]

_IDS_AND_LIMITS = (
    Variant(
        "request-id-32-hex",
        "Zuora-Request-Id is a UUID without hyphens (32 characters)",
        "request_ids",
        ("request_id_present", "response_headers_conformance"),
        made("request_ids", headers.ShortRequestIds),
        (*ECHOES, "examples"),
    ),
    Variant(
        "request-id-once",
        "one Zuora-Request-Id made at start is sent with every answer",
        "request_ids",
        ("request_id_fresh",),
        made("request_ids", headers.RequestIdOnce),
        REPLAYS,
    ),
    Variant(
        "rate-windows-mixed",
        "RateLimit-Limit of the minute window with the day window's remaining",
        "rate_limiter",
        ("rate_limit_headers_well_formed",),
        made("rate_limiter", headers.MixedRateWindows),
        ECHOES,
    ),
    Variant(
        "rate-reset-fractional",
        "RateLimit-Reset in fractional seconds",
        "rate_limiter",
        ("rate_limit_headers_well_formed",),
        made("rate_limiter", headers.FractionalReset),
        ECHOES,
    ),
    Variant(
        "concurrency-pool-unnamed",
        "an empty Concurrency-Limit-Type",
        "concurrency",
        ("concurrency_limit_headers_well_formed",),
        made("concurrency", headers.EmptyPoolName),
        ECHOES,
    ),
)

_CODING = (
    Variant(
        "vary-only-when-compressed",
        "Vary: Accept-Encoding only on compressed answers",
        "compression",
        ("vary_accept_encoding",),
        on("compression", coding.VaryOnlyWhenCompressed),
        ECHOES,
    ),
    Variant(
        "gzip-label-on-plain-body",
        "large answers labelled gzip but sent uncompressed",
        "compression",
        ("content_encoding_honest",),
        on("compression", coding.LabelsPlainBodies),
        CODED,
    ),
    Variant(
        "gzip-unlabelled",
        "large answers compressed without Content-Encoding",
        "compression",
        ("content_encoding_honest",),
        on("compression", coding.UnlabelledGzip),
        CODED,
    ),
    Variant(
        "gzip-small-bodies",
        "bodies of 1000 bytes or less are compressed (threshold 0)",
        "compression",
        ("gzip_small_bodies_plain",),
        threshold(0),
        CODED,
    ),
    Variant(
        "gzip-ignores-q0",
        "Accept-Encoding: gzip;q=0 still gets gzip",
        "compression",
        ("gzip_only_when_asked",),
        on("compression", coding.IgnoresQuality),
        CODED,
    ),
    Variant(
        "gzip-never",
        "responses are never compressed",
        "compression",
        ("gzip_large_bodies_compressed",),
        on("compression", coding.NeverCompresses),
        CODED,
    ),
    Variant(
        "gzip-first-write-only",
        "only the first 1 KiB of a large answer is compressed",
        "compression",
        ("compressed_body_matches_schema",),
        on("compression", coding.FirstWriteBufferOnly),
        CODED,
    ),
    Variant(
        "gzip-request-ignored",
        "Content-Encoding of a request is ignored: gzip bodies get 400 malformed JSON",
        "compression",
        ("gzip_request_accepted",),
        on("compression", coding.GzipRequestIgnored),
        GZIP_REQUESTS,
    ),
    Variant(
        "gzip-request-hangs",
        "a gzip request body is never answered",
        "compression",
        ("answers_every_request",),
        on("compression", coding.GzipRequestHangs),
        GZIP_REQUESTS,
    ),
    Variant(
        "corrupt-gzip-500",
        "a corrupt gzip request body raises and gets 500",
        "compression",
        ("corrupt_gzip_rejected", "no_server_error"),
        on("compression", coding.CorruptGzipCrashes),
        BROKEN,
    ),
    Variant(
        "unknown-coding-as-identity",
        "a body in an unknown coding (br, deflate) is read as plain",
        "compression",
        ("unknown_coding_rejected",),
        on("compression", coding.UnknownCodingAsIdentity),
        BROKEN,
    ),
    Variant(
        "unknown-coding-403-shape",
        "the 415 for an unknown coding has the 403 body shape",
        "compression",
        ("error_shape",),
        on("compression", coding.UnknownCodingForbiddenShape),
        BROKEN,
    ),
)

WIRE_VARIANTS: tuple[Variant, ...] = (
    *_IDS_AND_LIMITS,
    *_CODING,
)
