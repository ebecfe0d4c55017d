"""The contract's request-header limits, checked before a byte is sent.

The generated client copies header values straight into the request, so an over-long
`Idempotency-Key` or a `Zuora-Track-Id` with a `;` travels to the server and costs a `400`
(and a retry loop that cannot succeed). The numbers and patterns below are the contract's
(`components.parameters` in `openapi/fulfillments.yaml`); a test keeps them equal.

| header            | min | max  | allowed characters                                    |
|-------------------|-----|------|-------------------------------------------------------|
| Idempotency-Key   | 1   | 255  | visible US-ASCII (`!` to `~`)                         |
| Zuora-Track-Id    | 1   | 64   | visible US-ASCII except `:` `;` `"` `'`; inner spaces |
| Zuora-Entity-Ids  | 0   | 1024 | visible US-ASCII and spaces (any valid header value)  |
| Zuora-Org-Ids     | 0   | 1024 | likewise                                              |
| Zuora-Version     | 0   | 64   | likewise                                              |
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["HEADER_RULES", "HeaderRule", "HeaderValueError", "check_headers"]

_HEADER_VALUE = "^[ -~]*$"  # printable US-ASCII: what an HTTP/1.1 field value may safely hold


@dataclass(frozen=True)
class HeaderRule:
    """One request header's limits, as the contract states them."""

    min_length: int
    max_length: int
    pattern: str
    allowed: str  # the pattern in words, for error messages


HEADER_RULES: Mapping[str, HeaderRule] = {
    # Zuora's limit is 255; the character set is the contract's published choice.
    "Idempotency-Key": HeaderRule(1, 255, "^[!-~]+$", "visible US-ASCII, no spaces"),
    # Zuora: at most 64 US-ASCII characters, none of : ; " '
    "Zuora-Track-Id": HeaderRule(
        1,
        64,
        "^[!#-&(-9<-~]([ !#-&(-9<-~]*[!#-&(-9<-~])?$",
        "visible US-ASCII without : ; \" ', spaces only between other characters",
    ),
    "Zuora-Entity-Ids": HeaderRule(0, 1024, _HEADER_VALUE, "printable US-ASCII"),
    "Zuora-Org-Ids": HeaderRule(0, 1024, _HEADER_VALUE, "printable US-ASCII"),
    "Zuora-Version": HeaderRule(0, 64, _HEADER_VALUE, "printable US-ASCII"),
}


class HeaderValueError(ValueError):
    """A request header breaks the contract's limits; nothing was sent."""

    def __init__(self, header: str, reason: str) -> None:
        super().__init__(f"{header}: {reason}; nothing was sent")
        self.header = header
        self.reason = reason


def _first_bad(value: str, whole: str) -> tuple[int, str] | None:
    """The first character the pattern refuses, or None when the whole value matches.

    A character outside every class of the pattern is reported first; a value made only of
    allowed characters in a refused place (a track id's leading or trailing space) reports
    that edge.
    """
    if re.fullmatch(whole, value):
        return None
    anywhere = re.compile("|".join(re.findall(r"\[[^\]]*\]", whole)))
    for index, char in enumerate(value):
        if not anywhere.fullmatch(char):
            return index, char
    index = 0 if value[:1].isspace() else len(value) - 1
    return index, value[index]


def check_headers(headers: Mapping[str, str]) -> None:
    """Raise HeaderValueError for the first header that breaks its rule (see the table)."""
    for name, value in headers.items():
        rule = HEADER_RULES.get(name)
        if rule is None:
            continue
        if len(value) > rule.max_length:
            raise HeaderValueError(
                name, f"{len(value)} characters; the contract allows at most {rule.max_length}"
            )
        if len(value) < rule.min_length:
            raise HeaderValueError(name, f"must have at least {rule.min_length} character(s)")
        bad = _first_bad(value, rule.pattern)
        if bad is not None:
            index, char = bad
            raise HeaderValueError(
                name, f"character {char!r} at position {index} is not allowed ({rule.allowed})"
            )
