"""The contract's request-header limits, checked before a byte is sent.

The generated client copies header values straight into the request, so an over-long
`Idempotency-Key` or a `Zuora-Track-Id` with a `;` travels to the server and costs a `400`
(and a retry loop that cannot succeed). The rules are the contract's own (`HeaderRule`s read by
`fulfillments_contract` from the operation's header parameters); today they say:

| header            | min | max  | allowed characters                                    |
|-------------------|-----|------|-------------------------------------------------------|
| Idempotency-Key   | 1   | 255  | visible US-ASCII (`!` to `~`)                         |
| Zuora-Track-Id    | 1   | 64   | visible US-ASCII except `:` `;` `"` `'`; inner spaces |
| Zuora-Entity-Ids  | 0   | 1024 | visible US-ASCII and spaces (any valid header value)  |
| Zuora-Org-Ids     | 0   | 1024 | likewise                                              |
| Zuora-Version     | 0   | 64   | likewise                                              |

Where the contract sets no pattern, the value must still be printable US-ASCII: what an
HTTP/1.1 field value may safely hold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from fulfillments_contract import HeaderRule, load_contract

__all__ = ["HEADER_RULES", "HeaderRule", "HeaderValueError", "check_headers"]

_HEADER_VALUE = re.compile("^[ -~]*$")  # printable US-ASCII
_SET_BY_THE_CLIENT = frozenset({"accept-encoding", "content-encoding"})  # never the caller's
# The patterns in words, for error messages; a pattern not listed is quoted as it stands.
_WORDS = {
    "^[!-~]+$": "visible US-ASCII, no spaces",
    "^[!#-&(-9<-~]([ !#-&(-9<-~]*[!#-&(-9<-~])?$": (
        "visible US-ASCII without : ; \" ', spaces only between other characters"
    ),
    _HEADER_VALUE.pattern: "printable US-ASCII",
}

HEADER_RULES: Mapping[str, HeaderRule] = MappingProxyType(
    {
        rule.name: rule
        for rule in load_contract().header_rules.values()
        if rule.key not in _SET_BY_THE_CLIENT
    }
)


class HeaderValueError(ValueError):
    """A request header breaks the contract's limits; nothing was sent."""

    def __init__(self, header: str, reason: str) -> None:
        super().__init__(f"{header}: {reason}; nothing was sent")
        self.header = header
        self.reason = reason


def _first_bad(value: str, whole: re.Pattern[str]) -> tuple[int, str] | None:
    """The first character the pattern refuses, or None when the whole value matches.

    A character outside every class of the pattern is reported first; a value made only of
    allowed characters in a refused place (a track id's leading or trailing space) reports
    that edge.
    """
    if whole.fullmatch(value):
        return None
    anywhere = re.compile("|".join(re.findall(r"\[[^\]]*\]", whole.pattern)))
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
        if rule.max_length is not None and len(value) > rule.max_length:
            raise HeaderValueError(
                name, f"{len(value)} characters; the contract allows at most {rule.max_length}"
            )
        if len(value) < (rule.min_length or 0):
            raise HeaderValueError(name, f"must have at least {rule.min_length} character(s)")
        pattern = rule.pattern or _HEADER_VALUE
        bad = _first_bad(value, pattern)
        if bad is not None:
            index, char = bad
            allowed = _WORDS.get(pattern.pattern, f"characters that match {pattern.pattern}")
            raise HeaderValueError(
                name, f"character {char!r} at position {index} is not allowed ({allowed})"
            )
        if rule.enum is not None and value not in rule.enum:
            raise HeaderValueError(name, f"must be one of {', '.join(sorted(rule.enum))}")
