"""Content coding in both directions, judged on the raw bytes of the suite's own requests.

| check                          | kind | guards    | zuora profile                         |
|--------------------------------|------|-----------|---------------------------------------|
| gzip_large_bodies_compressed   | raw  | Zuora     | strict                                |
| gzip_small_bodies_plain        | raw  | Zuora     | strict                                |
| gzip_only_when_asked           | raw  | Zuora     | strict                                |
| content_encoding_honest        | raw  | Zuora     | strict                                |
| content_length_matches         | seq  | Zuora     | strict (raw socket bytes, read to EOF)|
| compressed_body_matches_schema | raw  | Zuora     | strict                                |
| gzip_request_accepted          | seq  | Zuora     | strict                                |
| corrupt_gzip_rejected          | seq  | published | relaxed (any 4xx)                     |
| unknown_coding_rejected        | seq  | published | skipped (415 not documented by Zuora) |
"""

from __future__ import annotations

from conformance.checks._compare import masked
from conformance.checks._judged import NotJudged, not_judged
from conformance.checks._read import shown
from conformance.checks._wire import WireAnswer
from conformance.client import Exchange, header_of
from conformance.context import active
from conformance.failures import GzipViolation
from conformance.open_points import refusal_fits, soft_failure_fits
from conformance.profiles import Guard, relaxed, skipped
from conformance.registry import judge, raw_check
from conformance.spec import response_validator

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
def gzip_large_bodies_compressed(exchange: Exchange) -> NotJudged | None:
    """Catches a body over 1000 bytes sent uncompressed to a client that accepts gzip."""
    size = len(exchange.content)
    asked_and_large = _asked(exchange) and exchange.decode_error is None and size > _threshold()
    if not asked_and_large:
        return not_judged(f"no answer over {_threshold()} bytes to a client accepting gzip")
    if _coding(exchange) != "gzip":
        raise GzipViolation(
            "Large body not compressed for a client that accepts gzip",
            expected=f"Content-Encoding: gzip for a {size}-byte body (over {_threshold()})",
            received=f"Content-Encoding: {shown(exchange.header('Content-Encoding'))}",
            requests=(exchange.request,),
        )
    return None


@raw_check(guards=Guard.ZUORA, area="gzip")
def gzip_small_bodies_plain(exchange: Exchange) -> NotJudged | None:
    """Catches a body of 1000 bytes or less compressed, which Zuora leaves plain."""
    size = len(exchange.content)
    if not _asked(exchange) or size > _threshold():
        return not_judged(f"no answer of at most {_threshold()} bytes to a client accepting gzip")
    if _coding(exchange) is not None:
        raise GzipViolation(
            "Small body compressed",
            expected=f"no Content-Encoding for a {size}-byte body (at most {_threshold()})",
            received=f"Content-Encoding: {exchange.header('Content-Encoding')}",
            requests=(exchange.request,),
        )
    return None


@raw_check(guards=Guard.ZUORA, area="gzip")
def gzip_only_when_asked(exchange: Exchange) -> NotJudged | None:
    """Catches a compressed body sent to a client whose Accept-Encoding did not accept gzip."""
    if _asked(exchange):
        return not_judged("every request accepted gzip")
    if _coding(exchange) is not None:
        asked = header_of(exchange.request.headers, "Accept-Encoding")
        raise GzipViolation(
            "Body compressed for a client that did not accept gzip",
            expected=f"no Content-Encoding (Accept-Encoding: {shown(asked)})",
            received=f"Content-Encoding: {exchange.header('Content-Encoding')}",
            requests=(exchange.request,),
        )
    return None


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


@judge(guards=Guard.ZUORA, area="gzip")
def content_length_matches(answer: WireAnswer) -> NotJudged | None:
    """Catches a Content-Length that differs from the number of body bytes the socket carried."""
    if answer.status_code < 200 or answer.status_code in (204, 304):
        return not_judged("no answer with a body")
    if answer.headers.get("transfer-encoding"):
        return not_judged("answers sent chunked, without Content-Length")
    declared = answer.headers.get("content-length", [])
    if not declared:
        return not_judged("no Content-Length declared")
    if len(set(declared)) != 1 or declared[0].strip() != str(len(answer.body)):
        raise GzipViolation(
            "Content-Length does not match the body",
            expected=f"Content-Length: {len(answer.body)} (the bytes read until the server closed)",
            received=f"Content-Length: {', '.join(declared)}",
            requests=(answer.request,),
        )
    return None


@raw_check(
    guards=Guard.ZUORA,
    area="gzip",
    zuora=relaxed("a failure Zuora reports as 200 with success: false fits its own shape"),
)
def compressed_body_matches_schema(exchange: Exchange) -> NotJudged | None:
    """Catches a compressed body that does not decompress to JSON of the documented schema."""
    if _coding(exchange) != "gzip":
        return not_judged("no gzip answer seen")
    if exchange.decode_error is not None:
        return not_judged("no gzip answer that decompresses")
    body = exchange.json_or_none()
    if body is None:
        raise GzipViolation(
            "Compressed body is not JSON",
            expected="gzip of a JSON document",
            received=shown(exchange.content[:80]),
            requests=(exchange.request,),
        )
    validator = response_validator(active().contract, exchange.status_code)
    soft = soft_failure_fits("compressed_body_matches_schema", exchange.status_code, body)
    if validator is not None and not soft:
        errors = [error.message for error in validator.iter_errors(body)]
        if errors:
            raise GzipViolation(
                "Compressed body violates the response schema",
                expected=f"a body valid against the schema of {exchange.status_code}",
                received="; ".join(errors[:3]),
                requests=(exchange.request,),
            )
    return None


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
    zuora=relaxed("Zuora does not document the answer: any 4xx, or 200 with success: false"),
)
def corrupt_gzip_rejected(exchange: Exchange) -> None:
    """Catches a body labelled gzip that is not valid gzip being accepted instead of getting 400."""
    status = exchange.status_code
    if not refusal_fits("corrupt_gzip_rejected", status, exchange.json_or_none(), published=400):
        relaxed_now = active().relaxed("corrupt_gzip_rejected")
        raise GzipViolation(
            "Corrupt gzip request body not rejected with 400",
            expected="a 4xx, or 200 with success: false" if relaxed_now else "400",
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
