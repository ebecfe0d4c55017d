"""Where a run's settings come from: command line > `CONFORMANCE_*` > config file > default.

Only prefixed variables are read, so a CI job's unrelated `TOKEN` never becomes the bearer token
sent to a target; `make conformance` keeps the short names and passes them on. The config file
(`conformance.toml` in the working directory, or `--config FILE`) carries what a team shares:

    target = "https://sandbox.example.com"
    profile = "zuora"
    rate_limit = 20                     # requests per second
    ca_bundle = "certs/gateway-ca.pem"
    headers = { "Zuora-Entity-Ids" = "8a8aa2f27c4aef03017c4b4a4a8b1f00" }
    secret_headers = ["X-Api-Key"]
    [waivers]
    unsupported_method = "nginx answers TRACE itself with 405 and no Allow"

Secrets (tokens, client secrets) are never read from the file: only from the environment or
the command line.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_CONFIG",
    "ENV_PREFIX",
    "FileSettings",
    "SettingsError",
    "environment",
    "load_config",
    "parse_header",
    "parse_waiver",
    "secret_variable",
]

ENV_PREFIX = "CONFORMANCE_"
DEFAULT_CONFIG = Path("conformance.toml")
_SCALARS: dict[str, type | tuple[type, ...]] = {
    "target": str,
    "profile": str,
    "token_url": str,
    "rate_limit": (int, float),
    "ca_bundle": str,
    "insecure": bool,
    "timeout": (int, float),
    "workers": int,
}
_SECRETS = frozenset({"token", "token2", "client_secret", "client_secret2"})


class SettingsError(Exception):
    """A setting is malformed; the message is the one-line reason (exit 2)."""


def environment(name: str) -> str | None:
    """`CONFORMANCE_<NAME>` as set (an empty value too), or None when it is not set at all."""
    value = os.environ.get(ENV_PREFIX + name.upper())
    return None if value is None else value.strip()


def parse_header(text: str) -> tuple[str, str]:
    """`Name: value` as a pair; the name must be a valid header name."""
    name, colon, value = text.partition(":")
    name = name.strip()
    if not colon or not name or any(ch in name for ch in ' \t"(),/;<=>?@[\\]{}'):
        raise SettingsError(f"a header is 'Name: value', not {text!r}")
    return name, value.strip()


def parse_waiver(text: str) -> tuple[str, str]:
    """`check_name=reason` as a pair; a waiver needs a reason on record."""
    name, equals, reason = text.partition("=")
    if not equals or not name.strip() or not reason.strip():
        raise SettingsError(f"a waiver is 'check_name=reason', not {text!r}")
    return name.strip(), reason.strip()


def secret_variable(header: str) -> str:
    """The variable a secret header's value is shown as: `X-Api-Key` -> `X_API_KEY`."""
    return header.upper().replace("-", "_")


@dataclass(frozen=True, slots=True)
class FileSettings:
    """What a config file says: scalar settings, headers, secret headers and waivers."""

    values: Mapping[str, Any]
    headers: tuple[tuple[str, str], ...] = ()
    secret_headers: frozenset[str] = frozenset()
    waivers: tuple[tuple[str, str], ...] = ()


def _table(data: Mapping[str, Any], key: str, where: Path) -> tuple[tuple[str, str], ...]:
    raw = data.get(key, {})
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise SettingsError(f"{where}: {key} is a table of strings")
    return tuple((str(name), value) for name, value in raw.items())


def load_config(path: Path | None) -> FileSettings:
    """The settings in `path`; without one, `conformance.toml` here when it exists, else none."""
    if path is None:
        if not DEFAULT_CONFIG.is_file():
            return FileSettings({})
        path = DEFAULT_CONFIG
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(f"cannot read the config file {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path} is not valid TOML: {error}") from None
    secrets = _SECRETS & data.keys()
    if secrets:
        raise SettingsError(
            f"{path}: {', '.join(sorted(secrets))} must not be in a file; use the environment"
        )
    unknown = data.keys() - {*_SCALARS, "headers", "secret_headers", "waivers"}
    if unknown:
        raise SettingsError(f"{path}: unknown key {', '.join(sorted(unknown))}")
    for key, kind in _SCALARS.items():
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise SettingsError(f"{path}: {key} has the wrong type")
    secret_headers = data.get("secret_headers", [])
    if not isinstance(secret_headers, list) or not all(isinstance(h, str) for h in secret_headers):
        raise SettingsError(f"{path}: secret_headers is a list of header names")
    values = {key: data[key] for key in _SCALARS if key in data}
    if "ca_bundle" in values:  # relative to the file, wherever the run starts
        values["ca_bundle"] = str(path.parent / values["ca_bundle"])
    return FileSettings(
        values=values,
        headers=_table(data, "headers", path),
        secret_headers=frozenset(secret_headers),
        waivers=_table(data, "waivers", path),
    )
