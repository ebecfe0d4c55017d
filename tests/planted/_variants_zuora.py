"""The zuora profile's variants, and the server that lies about Content-Length.

Where Zuora's documentation leaves a point open (`conformance/open_points.py`), two kinds of
variant pin the zuora profile down:

| kind                    | default profile | zuora profile | listed in               |
|-------------------------|-----------------|---------------|-------------------------|
| documented alternative  | fails           | must PASS     | `ZUORA_ALTERNATIVES`    |
| breaks the contract     | fails           | must FAIL     | `ZUORA_VARIANTS`        |

A documented alternative is a variant of the default table (it differs from the spec's published
choice, so the default profile catches it); its name is listed again here so the zuora profile's
quick run and the results table show it passing.
"""

from __future__ import annotations

from conformance.profiles import Profile
from tests.planted import _answers as answers
from tests.planted import _headers as headers
from tests.planted import _idempotency as keys
from tests.planted import _wire_bugs as wire
from tests.planted._plants import (
    BROKEN,
    CODED,
    ECHOES,
    FAILED,
    INVALID,
    KEY,
    LIMITS,
    RACES,
    REPLAYS,
    engine,
    on,
    rule,
)
from tests.planted._variant import Variant, keep

__all__ = ["WIRE_LIAR_VARIANTS", "ZUORA_ALTERNATIVES", "ZUORA_VARIANTS"]

INVALID_TRACK = ("invalid_track_ids_are_refused",)
SHORTER_KEY_LIMIT = 200  # well under the 254 characters Zuora's guide promises

_ALTERNATIVE_VARIANTS = (
    Variant(
        "failures-as-200",
        "every 400 is answered 200 with the same {success: false, reasons} body",
        "transport",
        ("invalid_body_rejected", "failed_response_replayed", "overlong_key_rejected"),
        keep,
        # The whole table's runs add the schema phases: response_schema_conformance meets the
        # 200s there (its zuora rule is also tested on Schemathesis's results directly).
        (*INVALID, *FAILED, *LIMITS, *BROKEN, *INVALID_TRACK),
        wrap=wire.FailuresAs200,
    ),
    Variant(
        "replay-keys-reordered",
        "a replay carries the stored JSON with its keys in another order",
        "idempotency",
        ("replay_body_matches", "concurrent_requests_create_once"),
        engine(keys.ReplayKeysReordered),
        (*REPLAYS, *RACES),
    ),
    Variant(
        "track-id-processed-unechoed",
        "an invalid Zuora-Track-Id is processed as if valid, and not echoed",
        "headers",
        ("invalid_track_id_rejected",),
        on("headers", headers.TrackIdProcessedUnechoed),
        (*INVALID_TRACK, *ECHOES),
    ),
)

# Names of the variants that keep an answer Zuora's documentation allows: the zuora profile
# must pass every one of them (the default profile fails each, as its `expected` says).
ZUORA_ALTERNATIVES = (
    "failures-as-200",
    "replay-keys-reordered",
    "replay-reserialised",
    "key-limit-off-by-one",
    "track-id-processed-unechoed",
)
# Not among them: track-id-unchecked echoes the invalid id it accepted, and a 65-character
# Zuora-Track-Id breaks the response header's documented 64-character limit in any profile.

_ZUORA = Profile.ZUORA
_BREAKING = (
    Variant(
        "zuora-failures-as-200-without-reasons",
        "every 400 is answered 200 {success: false}, without reasons",
        "transport",
        ("invalid_body_rejected", "failed_response_replayed"),
        keep,
        (*INVALID, *FAILED),
        profile=_ZUORA,
        wrap=wire.FailuresAs200WithoutReasons,
    ),
    Variant(
        "zuora-keys-ignored",
        "Idempotency-Key is never read: a replay is a new creation, not the stored answer",
        "idempotency",
        ("replay_body_matches", "concurrent_requests_create_once"),
        engine(keys.KeysIgnored),
        (*REPLAYS, *RACES),
        profile=_ZUORA,
    ),
    Variant(
        "zuora-key-limit-200",
        f"keys over {SHORTER_KEY_LIMIT} characters are refused",
        "headers",
        ("longest_key_accepted",),
        rule(KEY, max_length=SHORTER_KEY_LIMIT),
        LIMITS,
        profile=_ZUORA,
    ),
    Variant(
        "zuora-invalid-track-id-500",
        "an invalid Zuora-Track-Id makes the server fail with 500",
        "headers",
        ("invalid_track_id_rejected", "no_server_error"),
        on("headers", headers.InvalidTrackIdCrashes),
        INVALID_TRACK,
        profile=_ZUORA,
    ),
    Variant(
        "zuora-validation-422",
        "a body that breaks the schema gets 422 (neither 400 nor 200 with success: false)",
        "validator",
        ("invalid_body_rejected",),
        on("validator", answers.Validation422),
        INVALID,
        profile=_ZUORA,
    ),
)

WIRE_LIAR_VARIANTS = (
    Variant(
        "content-length-of-plain-body",
        "a gzipped answer declares the Content-Length of the uncompressed body",
        "transport",
        ("content_length_matches",),
        keep,
        CODED,
        wrap=wire.PlainLengthOnGzip,
    ),
)

ZUORA_VARIANTS = (*_ALTERNATIVE_VARIANTS, *_BREAKING)
