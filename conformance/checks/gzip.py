"""Content coding in both directions, judged on the raw bytes of the suite's own requests.

| check                          | kind | guards    | zuora profile                         |
|--------------------------------|------|-----------|---------------------------------------|
| gzip_large_bodies_compressed   | raw  | Zuora     | strict                                |
| gzip_small_bodies_plain        | raw  | Zuora     | strict                                |
| gzip_only_when_asked           | raw  | Zuora     | strict                                |
| content_encoding_honest        | raw  | Zuora     | strict                                |
| content_length_matches         | raw  | Zuora     | strict                                |
| compressed_body_matches_schema | raw  | Zuora     | strict                                |
| gzip_request_accepted          | seq  | Zuora     | strict                                |
| corrupt_gzip_rejected          | seq  | published | relaxed (any 4xx)                     |
| unknown_coding_rejected        | seq  | published | skipped (415 not documented by Zuora) |
"""

from __future__ import annotations

from conformance.checks._compare import masked
from conformance.checks._read import shown
from conformance.client import Exchange, header_of
from conformance.context import active
from conformance.failures import GzipViolation
from conformance.profiles import Guard, relaxed, skipped
from conformance.registry import judge, raw_check

__all__ = [
    "accepts_gzip",
    "compressed_body_matches_schema",
    "content_encoding_honest",
    "content_length_matches",
    "corrupt_gzip_rejected",
    "gzip_large_bodies_compressed",
    "gzip_only_when_asked",
    "gzip_request_accepted",
    "gzip_small_bodies_plain",
    "unknown_coding_rejected",
]

GZIP_MAGIC = b"\x1f\x8b"  # RFC 1952: the first two bytes of every gzip member


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding value makes gzip acceptable (RFC 9110 section 12.5.3)."""
    if accept_encoding is None:
        return False
    qualities: dict[str, float] = {}
    for element in accept_encoding.split(","):
        coding, *parameters = (part.strip() for part in element.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if coding:
            # RFC 9110 section 8.4.1.3: a recipient takes x-gzip as gzip.
            qualities["gzip" if coding.lower() == "x-gzip" else coding.lower()] = quality
    if "gzip" in qualities:
        return qualities["gzip"] > 0
    return qualities.get("*", 0.0) > 0


def _coding(exchange: Exchange) -> str | None:
    value = exchange.header("Content-Encoding")
    if value is None or value.strip().lower() in ("", "identity"):
        return None
    return value.strip().lower()


def _asked(exchange: Exchange) -> bool:
    return accepts_gzip(header_of(exchange.request.headers, "Accept-Encoding"))


def _threshold() -> int:
    return active().contract.policies.gzip_threshold


@raw_check(guards=Guard.ZUORA, area="gzip")
def gzip_large_bodies_compressed(exchange: Exchange) -> None:
    """Catches a body over 1000 bytes sent uncompressed to a client that accepts gzip."""
    size = len(exchange.content)
    asked_and_large = _asked(exchange) and exchange.decode_error is None and size > _threshold()
    if asked_and_large and _coding(exchange) != "gzip":
        raise GzipViolation(
            "Large body not compressed for a client that accepts gzip",
            expected=f"Content-Encoding: gzip for a {size}-byte body (over {_threshold()})",
            received=f"Content-Encoding: {shown(exchange.header('Content-Encoding'))}",
            requests=(exchange.request,),
        )


@raw_check(guards=Guard.ZUORA, area="gzip")
def gzip_small_bodies_plain(exchange: Exchange) -> None:
    """Catches a body of 1000 bytes or less compressed, which Zuora leaves plain."""
    size = len(exchange.content)
    if _asked(exchange) and size <= _threshold() and _coding(exchange) is not None:
        raise GzipViolation(
            "Small body compressed",
            expected=f"no Content-Encoding for a {size}-byte body (at most {_threshold()})",
            received=f"Content-Encoding: {exchange.header('Content-Encoding')}",
            requests=(exchange.request,),
        )


@raw_check(guards=Guard.ZUORA, area="gzip")
def gzip_only_when_asked(exchange: Exchange) -> None:
    """Catches a compressed body sent to a client whose Accept-Encoding did not accept gzip."""
    if not _asked(exchange) and _coding(exchange) is not None:
        asked = header_of(exchange.request.headers, "Accept-Encoding")
        raise GzipViolation(
            "Body compressed for a client that did not accept gzip",
            expected=f"no Content-Encoding (Accept-Encoding: {shown(asked)})",
            received=f"Content-Encoding: {exchange.header('Content-Encoding')}",
            requests=(exchange.request,),
        )


@raw_check(guards=Guard.ZUORA, area="gzip")
def content_encoding_honest(exchange: Exchange) -> None:
    """Catches a body labelled gzip that is not gzip, or gzip bytes sent without the label."""
    coding = _coding(exchange)
    if coding is not None and exchange.decode_error is not None:
        raise GzipViolation(
            "Content-Encoding does not match the body",
            expected=f"a body that decodes as {coding}",
            received=exchange.decode_error,
            requests=(exchange.request,),
        )
    if coding is None and exchange.raw.startswith(GZIP_MAGIC):
        raise GzipViolation(
            "Gzip body sent without Content-Encoding",
            expected="plain bytes when no Content-Encoding is sent",
            received=f"{len(exchange.raw)} bytes starting with the gzip magic number",
            requests=(exchange.request,),
        )


@raw_check(guards=Guard.ZUORA, area="gzip")
def content_length_matches(exchange: Exchange) -> None:
    """Catches a Content-Length that differs from the number of bytes actually sent."""
    declared = exchange.header("Content-Length")
    if declared is not None and declared.strip() != str(len(exchange.raw)):
        raise GzipViolation(
            "Content-Length does not match the body",
            expected=f"Content-Length: {len(exchange.raw)} (the coded bytes)",
            received=f"Content-Length: {declared}",
            requests=(exchange.request,),
        )


@raw_check(guards=Guard.ZUORA, area="gzip")
def compressed_body_matches_schema(exchange: Exchange) -> None:
    """Catches a compressed body that does not decompress to JSON of the documented schema."""
    if _coding(exchange) != "gzip" or exchange.decode_error is not None:
        return
    body = exchange.json_or_none()
    if body is None:
        raise GzipViolation(
            "Compressed body is not JSON",
            expected="gzip of a JSON document",
            received=shown(exchange.content[:80]),
            requests=(exchange.request,),
        )
    validator = active().contract.response_validator(exchange.status_code)
    if validator is not None:
        errors = [error.message for error in validator.iter_errors(body)]
        if errors:
            raise GzipViolation(
                "Compressed body violates the response schema",
                expected=f"a body valid against the schema of {exchange.status_code}",
                received="; ".join(errors[:3]),
                requests=(exchange.request,),
            )


@judge(guards=Guard.ZUORA, area="gzip")
def gzip_request_accepted(plain: Exchange, coded: Exchange) -> None:
    """Catches a compressed request body answered differently from the same body sent plain."""
    same_status = plain.status_code == coded.status_code
    if not same_status or masked(plain.json_or_none()) != masked(coded.json_or_none()):
        coding = header_of(coded.request.headers, "Content-Encoding")
        raise GzipViolation(
            f"Content-Encoding: {coding} request answered differently",
            expected=f"{plain.status_code} {shown(masked(plain.json_or_none()))}",
            received=f"{coded.status_code} {shown(masked(coded.json_or_none()))}",
            requests=(plain.request, coded.request),
        )


@judge(
    guards=Guard.PUBLISHED,
    area="gzip",
    zuora=relaxed("Zuora does not document the status, so any 4xx is accepted"),
)
def corrupt_gzip_rejected(exchange: Exchange) -> None:
    """Catches a body labelled gzip that is not valid gzip being accepted instead of getting 400."""
    status = exchange.status_code
    fits = 400 <= status < 500 if active().relaxed("corrupt_gzip_rejected") else status == 400
    if not fits:
        raise GzipViolation(
            "Corrupt gzip request body not rejected with 400",
            expected="400" if not active().relaxed("corrupt_gzip_rejected") else "a 4xx",
            received=f"{status} {shown(exchange.json_or_none())}",
            requests=(exchange.request,),
        )


@judge(
    guards=Guard.PUBLISHED,
    area="gzip",
    zuora=skipped("Zuora does not document its answer to an unknown content coding"),
)
def unknown_coding_rejected(exchange: Exchange) -> None:
    """Catches a request body in an unsupported content coding answered with anything but 415."""
    if exchange.status_code != 415:
        coding = header_of(exchange.request.headers, "Content-Encoding")
        raise GzipViolation(
            f"Content-Encoding: {coding} not rejected with 415",
            expected="415 Unsupported Media Type",
            received=f"{exchange.status_code} {shown(exchange.json_or_none())}",
            requests=(exchange.request,),
        )
