"""Property tests of single exchanges: headers, content coding, credentials and invalid bodies.

Several of these mostly drive traffic: every response they get is judged by all the
single-response and raw checks (track id echo, compression, Content-Length, error shapes),
and each adds the judge of its own promise.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.auth import bad_credentials_rejected
from conformance.checks.gzip import (
    content_length_matches,
    corrupt_gzip_rejected,
    gzip_request_accepted,
    unknown_coding_rejected,
)
from conformance.checks.rejections import (
    invalid_body_rejected,
    invalid_track_id_rejected,
    longest_track_id_accepted,
)
from conformance.properties.harness import Harness
from conformance.strategies import (
    ACCEPT_ENCODINGS,
    CORRUPTIONS,
    FIXED_BAD_CREDENTIALS,
    INVALID_BODY_RULES,
    TRACK_ID_BREACHES,
    TRACK_ID_MAX,
    UNKNOWN_CODINGS,
    bad_authorizations,
    corrupt_gzip_bodies,
    create_requests,
    encoded,
    invalid_create_requests,
    invalid_track_ids,
    track_ids,
)

__all__ = [
    "bad_credentials_are_refused",
    "broken_codings_are_refused",
    "coded_requests_are_understood",
    "invalid_bodies_are_refused",
    "invalid_track_ids_are_refused",
    "responses_are_coded_as_asked",
    "track_ids_are_echoed",
]

LARGE_ANSWER_FULFILLMENTS = 12  # about 80 bytes per created fulfillment: over 1000 bytes in all


def track_ids_are_echoed(h: Harness) -> Callable[[], None]:
    """Valid track ids, up to 64 characters, come back unchanged; none sent, none returned."""

    @given(
        document=create_requests(line_item_ids=h.line_item_ids),
        track_id=track_ids(),
        longest=track_ids(min_size=TRACK_ID_MAX, max_size=TRACK_ID_MAX),
    )
    def test(document: dict[str, Any], track_id: str, longest: str) -> None:
        with h.example():
            h.post(document, headers={"Zuora-Track-Id": track_id})
            h.post({"fulfillments": []}, headers={"Zuora-Track-Id": track_id})
            h.post(document)
            h.judge(
                longest_track_id_accepted, h.post(document, headers={"Zuora-Track-Id": longest})
            )

    return test


def invalid_track_ids_are_refused(h: Harness) -> Callable[[], None]:
    """Each kind of invalid track id (too long, each forbidden character, non-ASCII) gets 400."""
    breaches = st.tuples(*(invalid_track_ids(breaches=(breach,)) for breach in TRACK_ID_BREACHES))

    @given(document=create_requests(line_item_ids=h.line_item_ids), invalid=breaches)
    def test(document: dict[str, Any], invalid: tuple[str, ...]) -> None:
        with h.example():
            for track_id in invalid:
                answer = h.post(document, headers={"Zuora-Track-Id": track_id})
                h.judge(invalid_track_id_rejected, answer)

    return test


def responses_are_coded_as_asked(h: Harness) -> Callable[[], None]:
    """Large answers are gzipped for clients that accept gzip; small ones and others stay plain.

    A large and a small answer per example also go over a plain socket, read to EOF, where
    Content-Length is judged against the bytes the server really sent.
    """

    @given(
        document=create_requests(
            line_item_ids=h.line_item_ids,
            min_fulfillments=LARGE_ANSWER_FULFILLMENTS,
            max_fulfillments=20,
            max_items=3,
        )
    )
    def test(document: dict[str, Any]) -> None:
        small = {"fulfillments": document["fulfillments"][:1]}
        with h.example():
            # First, before an unanswered request can end the example: over a plain socket.
            for wire in (
                h.post_over_socket(document, headers={"Accept-Encoding": "gzip"}),
                h.post_over_socket(small),
            ):
                if wire is not None:
                    h.judge(content_length_matches, wire)
            # Every Accept-Encoding variant on a large, a small and an error answer.
            for accept in ACCEPT_ENCODINGS:
                headers = {"Accept-Encoding": accept} if accept is not None else {}
                h.post(document, headers=headers)
                h.post(small, headers=headers)
                h.post({"fulfillments": []}, headers=headers)

    return test


def coded_requests_are_understood(h: Harness) -> Callable[[], None]:
    """A gzip or identity request body gets the answer the plain body gets."""
    valid = create_requests(line_item_ids=h.line_item_ids, max_fulfillments=12)
    invalid = invalid_create_requests(line_item_ids=h.line_item_ids).map(lambda case: case[0])

    @given(document=st.one_of(valid, invalid), coding=st.sampled_from(["gzip", "identity"]))
    def test(document: dict[str, Any], coding: str) -> None:
        plain_bytes = encoded(document)
        with h.example():
            plain = h.post(plain_bytes)
            if coding == "gzip":
                coded = h.post(
                    gzip.compress(plain_bytes),
                    headers={"Content-Encoding": "gzip"},
                    plain_body=plain_bytes,
                )
            else:
                coded = h.post(plain_bytes, headers={"Content-Encoding": coding})
            h.judge(gzip_request_accepted, plain, coded)

    return test


def broken_codings_are_refused(h: Harness) -> Callable[[], None]:
    """A body labelled gzip that is not gzip gets 400; each unknown coding gets 415."""
    documents = create_requests(line_item_ids=h.line_item_ids)
    corrupt = st.tuples(
        *(corrupt_gzip_bodies(documents=documents, corruptions=(kind,)) for kind in CORRUPTIONS)
    )

    @given(bodies=corrupt, document=documents)
    def test(bodies: tuple[bytes, ...], document: dict[str, Any]) -> None:
        with h.example():
            for body in bodies:
                h.judge(corrupt_gzip_rejected, h.post(body, headers={"Content-Encoding": "gzip"}))
            for coding in UNKNOWN_CODINGS:
                answer = h.post(document, headers={"Content-Encoding": coding})
                h.judge(unknown_coding_rejected, answer)

    return test


def bad_credentials_are_refused(h: Harness) -> Callable[[], None]:
    """Missing, malformed and unknown credentials get 401 and no data."""

    @given(
        document=create_requests(line_item_ids=h.line_item_ids),
        drawn=bad_authorizations(known=tuple(h.secrets.values())),
    )
    def test(document: dict[str, Any], drawn: tuple[str | None, str]) -> None:
        with h.example():
            for authorization, description in (*FIXED_BAD_CREDENTIALS, drawn):
                answer = h.post(document, identity=None, authorization=authorization)
                h.judge(bad_credentials_rejected, answer, description)

    return test


def invalid_bodies_are_refused(h: Harness) -> Callable[[], None]:
    """Bodies that break each rule Zuora documents get 400 with Zuora's error body."""
    cases = st.tuples(
        *(
            invalid_create_requests(line_item_ids=h.line_item_ids, rules=(rule,))
            for rule in INVALID_BODY_RULES
        )
    )

    @given(cases=cases)
    def test(cases: tuple[tuple[dict[str, Any], str], ...]) -> None:
        with h.example():
            for document, rule in cases:
                h.judge(invalid_body_rejected, h.post(document), rule)

    return test
