"""The published policies: the document's `x-policies` block as one typed, immutable value.

| field                      | `x-policies` key                       | type             |
|----------------------------|----------------------------------------|------------------|
| idempotency_header         | idempotency.header                     | str (as spelled) |
| max_key_length             | idempotency.maxKeyLength               | int              |
| key_scope                  | idempotency.scope                      | tuple[str, ...]  |
| ttl_seconds                | idempotency.ttlSeconds                 | int (seconds)    |
| in_progress_status         | idempotency.inProgressStatus           | int              |
| mismatch_status            | idempotency.mismatchStatus             | int              |
| invalid_key_status         | idempotency.invalidKeyStatus           | int              |
| replay_header              | idempotency.replayHeader               | str (as spelled) |
| stored_headers             | idempotency.storedHeaders              | tuple[str, ...]  |
| gzip_threshold             | gzip.thresholdBytes                    | int (bytes)      |
| response_codings           | gzip.responseCodings                   | tuple[str, ...]  |
| request_codings            | gzip.requestCodings                    | tuple[str, ...]  |
| gzip_aliases               | gzip.gzipAliases                       | tuple[str, ...]  |
| codings_ignore_case        | gzip.codingsIgnoreCase                 | bool             |
| stacked_codings            | gzip.stackedCodings                    | bool             |
| max_request_bytes          | limits.maxRequestBytes                 | int (bytes)      |
| max_header_value_length    | limits.maxHeaderValueLength            | int (characters) |
| max_json_depth             | limits.maxJsonDepth                    | int (levels)     |
| body_deadline_seconds      | limits.bodyDeadlineSeconds             | int (seconds)    |
| resource_code              | reasonCodes.resource                   | int (6 digits)   |
| auth_resource_code         | reasonCodes.authResource               | int (6 digits)   |
| unattributed_resource_code | reasonCodes.unattributedResource       | int (6 digits)   |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._document import ContractError

__all__ = ["Policies", "read_policies"]


@dataclass(frozen=True, slots=True)
class Policies:
    """The machine-readable policy numbers and names the contract publishes (see the table)."""

    idempotency_header: str
    max_key_length: int
    key_scope: tuple[str, ...]
    ttl_seconds: int
    in_progress_status: int
    mismatch_status: int
    invalid_key_status: int
    replay_header: str
    stored_headers: tuple[str, ...]
    gzip_threshold: int
    response_codings: tuple[str, ...]
    request_codings: tuple[str, ...]
    gzip_aliases: tuple[str, ...]
    codings_ignore_case: bool
    stacked_codings: bool
    max_request_bytes: int
    max_header_value_length: int
    max_json_depth: int
    body_deadline_seconds: int
    resource_code: int
    auth_resource_code: int
    unattributed_resource_code: int

    def gzip_names(self) -> frozenset[str]:
        """The request coding names that mean gzip: `gzip` and its aliases (lower case)."""
        return frozenset({"gzip", *(alias.lower() for alias in self.gzip_aliases)})


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {value!r}")
    return tuple(str(item) for item in value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def read_policies(document: Mapping[str, Any]) -> Policies:
    """The `x-policies` block of `document`; a `ContractError` names what is missing."""
    try:
        raw = document["x-policies"]
        key, gzip, limits, codes = (
            raw["idempotency"],
            raw["gzip"],
            raw["limits"],
            raw["reasonCodes"],
        )
        return Policies(
            idempotency_header=str(key["header"]),
            max_key_length=int(key["maxKeyLength"]),
            key_scope=_strings(key["scope"]),
            ttl_seconds=int(key["ttlSeconds"]),
            in_progress_status=int(key["inProgressStatus"]),
            mismatch_status=int(key["mismatchStatus"]),
            invalid_key_status=int(key["invalidKeyStatus"]),
            replay_header=str(key["replayHeader"]),
            stored_headers=_strings(key["storedHeaders"]),
            gzip_threshold=int(gzip["thresholdBytes"]),
            response_codings=_strings(gzip["responseCodings"]),
            request_codings=_strings(gzip["requestCodings"]),
            gzip_aliases=_strings(gzip["gzipAliases"]),
            codings_ignore_case=_flag(gzip["codingsIgnoreCase"]),
            stacked_codings=_flag(gzip["stackedCodings"]),
            max_request_bytes=int(limits["maxRequestBytes"]),
            max_header_value_length=int(limits["maxHeaderValueLength"]),
            max_json_depth=int(limits["maxJsonDepth"]),
            body_deadline_seconds=int(limits["bodyDeadlineSeconds"]),
            resource_code=int(codes["resource"]),
            auth_resource_code=int(codes["authResource"]),
            unattributed_resource_code=int(codes["unattributedResource"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ContractError(f"the spec's x-policies block is incomplete: {exc!r}") from exc
