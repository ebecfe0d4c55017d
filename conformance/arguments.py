"""The options of `python -m conformance`: names, help, and the defaults the help shows.

Each option reads `CONFORMANCE_<OPTION>` when not given; its help names that variable and the
default it takes, read from `conformance.options`, where every default of a run is defined.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from fulfillments_contract import DEFAULT_SPEC

from conformance.options import (
    DEFAULT_HYPOTHESIS_PROFILE,
    DEFAULT_REPORT_DIR,
    DEFAULT_TOKEN,
    DEFAULT_TOKEN2,
    PROPERTY_SHARE,
    SEED_BITS,
    SuiteOptions,
)
from conformance.profiles import Profile
from conformance.settings import ENV_PREFIX, environment

__all__ = ["PROFILE_NAMES", "build_parser", "listed", "positive", "rate"]

_DEFAULTS = SuiteOptions()  # every field at its default


class _Parser(argparse.ArgumentParser):
    """Misconfiguration is reported in one line, with exit code 2, like an unreachable target."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"conformance: {message}\n")


def positive(text: str) -> int:
    """A count of at least one, or ValueError."""
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def rate(text: str) -> float:
    """A rate above zero, or ValueError."""
    value = float(text)
    if not value > 0:
        raise ValueError(text)
    return value


PROFILE_NAMES = " or ".join(profile.value for profile in Profile)
# (option, metavar or None for a flag, help); each reads CONFORMANCE_<OPTION> when not given.
_OPTIONS: tuple[tuple[str, str | None, str], ...] = (
    ("target", "URL", "base URL of the server; default: start the embedded reference server"),
    ("token", "TOKEN", "bearer token of the first tenant"),
    ("token2", "TOKEN", "bearer token of a second tenant; '' skips the two-tenant checks"),
    ("client-id", "ID", "OAuth client id of the first tenant (client credentials)"),
    ("client-secret", "SECRET", "OAuth client secret of the first tenant"),
    ("client-id2", "ID", "OAuth client id of the second tenant; '' skips its checks"),
    ("client-secret2", "SECRET", "OAuth client secret of the second tenant"),
    ("token-url", "URL", "where tokens come from (default <target>/oauth/token)"),
    ("ca-bundle", "FILE", "PEM file of the CA that signed the target's certificate"),
    ("insecure", None, "do not verify the target's TLS certificate (CONFORMANCE_INSECURE=1)"),
    ("rate-limit", "N", "send at most N requests a second, all threads together"),
    ("config", "FILE", "settings file (default: conformance.toml here, when it exists)"),
    ("line-item-ids", "IDS", "comma-separated valid order line item ids"),
    ("seed", "N", "random seed"),
    ("max-examples", "N", f"fuzzing cases; each property runs 1/{PROPERTY_SHARE} of it"),
    ("workers", "N", "parallel jobs: schema phase and property groups"),
    ("profile", "NAME", f"{PROFILE_NAMES}; zuora relaxes what Zuora never promised"),
    ("hypothesis-profile", "NAME", "dev: new examples each run; ci: derandomised"),
    ("report-dir", "DIR", "where junit.xml and conformance.html go"),
    ("timeout", "SECONDS", "seconds to wait for each answer"),
    ("replay-after", "SECONDS", "replay the keys set at the run's start no sooner than this"),
    ("require-exercised", None, "fail when a strict check judged nothing (=1)"),
)
# The default each option's --help shows, read from conformance.options like the values.
_SHOWN_DEFAULTS = {
    "token": f"{DEFAULT_TOKEN} without a client id",
    "token2": f"{DEFAULT_TOKEN2} without a client id",
    "seed": f"a new {SEED_BITS}-bit one each run",
    "max-examples": str(_DEFAULTS.max_examples),
    "workers": str(_DEFAULTS.workers),
    "profile": _DEFAULTS.profile.value,
    "hypothesis-profile": f"{DEFAULT_HYPOTHESIS_PROFILE}, or ci where CI is set",
    "report-dir": str(DEFAULT_REPORT_DIR),
    "timeout": f"{_DEFAULTS.timeout:g}",
    "replay-after": f"{_DEFAULTS.replay_after:g}",
}
_LISTS = (
    ("header", "HEADERS", "'Name: value'", "extra header on every request (repeatable)"),
    ("secret-header", "SECRET_HEADERS", "NAME", "header whose value is shown as $NAME"),
    ("waive", "WAIVE", "NAME=REASON", "waive a check's failures, with the reason (repeatable)"),
)
_SEPARATORS = {"HEADERS": "\n", "SECRET_HEADERS": ",", "WAIVE": "\n"}


def build_parser() -> argparse.ArgumentParser:
    """Every option of `python -m conformance`, each unset (None) unless given."""
    parser = _Parser(
        prog="python -m conformance",
        description="Check a server at a URL against the fulfillments contract. Every option "
        "also reads CONFORMANCE_<OPTION> (for example CONFORMANCE_TARGET); the command line "
        "wins over the environment, which wins over the config file.",
    )
    add = parser.add_argument
    for name, metavar, text in _OPTIONS:
        variable = ENV_PREFIX + name.upper().replace("-", "_")
        if metavar is None:
            add(f"--{name}", action="store_const", const=True, default=None, help=text)
        else:
            shown = f"default {_SHOWN_DEFAULTS[name]}; " if name in _SHOWN_DEFAULTS else ""
            add(f"--{name}", metavar=metavar, default=None, help=f"{text} ({shown}{variable})")
    for name, variable, metavar, text in _LISTS:
        add(
            f"--{name}",
            metavar=metavar,
            action="append",
            default=None,
            help=f"{text} ({ENV_PREFIX}{variable})",
        )
    add("--spec", type=Path, default=DEFAULT_SPEC, help="the contract file")
    add("--phases", default="schema,properties", help="schema, properties or both")
    add(
        "--only",
        default="",
        metavar="NAMES",
        help="comma-separated tests to run (default: all): Schemathesis phases (examples, "
        "coverage, fuzzing) and property tests, e.g. fuzzing,key_limits_hold",
    )
    add(
        "--soak",
        type=positive,
        default=None,
        metavar="N",
        help="run N times with different seeds, stop at the first failure",
    )
    return parser


def listed(given: list[str] | None, variable: str) -> list[str]:
    """A repeatable option's values: as given, else from its CONFORMANCE_* variable."""
    if given is not None:
        return given
    raw = environment(variable) or ""
    return [part.strip() for part in raw.split(_SEPARATORS[variable]) if part.strip()]
