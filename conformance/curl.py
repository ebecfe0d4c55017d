"""Copy-paste `curl` commands that reproduce a request, with every secret shown as `$NAME`.

Tokens show as `$TOKEN`/`$TOKEN2` (OAuth tokens too, renewed ones included), client secrets as
`$CLIENT_SECRET`, and a header marked secret as its name in capitals (`X-Api-Key`: `$X_API_KEY`).

A gzipped body is rebuilt from its JSON with `gzip -c` and piped in with `--data-binary @-`;
a body that is not text travels as base64; a request that asked for gzip gets `--compressed`
so the answer is readable, and `-i` shows the headers every check looks at.
"""

from __future__ import annotations

import base64
import shlex
from collections.abc import Mapping

__all__ = ["curl_command"]

# Headers a transport adds by itself; they say nothing about the case being reproduced.
_NOISE = frozenset({"user-agent", "connection", "content-length", "accept", "host"})
_NOISE_PREFIX = "x-schemathesis-"
_TRANSPORT_ACCEPT_ENCODING = frozenset(
    {"gzip, deflate", "gzip, deflate, zstd", "gzip, deflate, br"}
)


def _pairs(secrets: Mapping[str, str]) -> list[tuple[str, str]]:
    """(variable, secret) pairs; a live mapping also names secrets it no longer holds."""
    every = getattr(secrets, "every_pair", None)
    if callable(every):
        return list(every())
    return list(secrets.items())


def _masked(value: str, secrets: Mapping[str, str]) -> tuple[str, bool]:
    """`value` with each secret replaced by its variable; True when one was replaced."""
    replaced = False
    # Longer secrets first, so `dev-token-2` is not masked as `$TOKEN-2`.
    for variable, secret in sorted(_pairs(secrets), key=lambda item: -len(item[1])):
        if secret and secret in value:
            value = value.replace(secret, "$" + variable)
            replaced = True
    return value, replaced


def _header_argument(name: str, value: str, secrets: Mapping[str, str]) -> str:
    masked, replaced = _masked(value, secrets)
    if replaced:
        escaped = masked.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`")
        return f'-H "{name}: {escaped}"'
    return "-H " + shlex.quote(f"{name}: {value}")


def _is_text(body: bytes) -> bool:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\n\r\t" for ch in text)


def curl_command(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    secrets: Mapping[str, str],
    plain_body: bytes | None = None,
) -> str:
    """A shell command that sends this request again.

    `secrets` maps variable names to the tokens they stand for; `plain_body` is the JSON a
    gzipped `body` was made from, so the command can gzip it again instead of shipping bytes.
    """
    parts = ["curl", "-sS", "-i", "-X", method]
    compressed = False
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in _NOISE or lowered.startswith(_NOISE_PREFIX):
            continue
        if lowered == "accept-encoding":
            if value in _TRANSPORT_ACCEPT_ENCODING:
                continue
            compressed = compressed or "gzip" in value.lower() or "*" in value
        parts.append(_header_argument(name, value, secrets))
    if compressed:
        parts.append("--compressed")
    prefix = ""
    if body:
        if plain_body is not None and _is_text(plain_body):
            prefix = f"printf '%s' {shlex.quote(plain_body.decode('utf-8'))} | gzip -c | "
            parts.append("--data-binary @-")
        elif _is_text(body):
            parts.append("--data-binary " + shlex.quote(body.decode("utf-8")))
        else:
            encoded = base64.b64encode(body).decode("ascii")
            prefix = f"printf '%s' {encoded} | base64 -d | "
            parts.append("--data-binary @-")
    parts.append(shlex.quote(url))
    return prefix + " ".join(parts)
