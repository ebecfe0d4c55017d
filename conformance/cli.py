"""`python -m conformance`: run the suite, print the summary, write the reports, exit 0, 1 or 2.

Every option also reads a `CONFORMANCE_*` variable (`--target`: CONFORMANCE_TARGET) and the
config file; `make conformance` passes its short variables (TARGET, TOKEN...) on as those.
Precedence: command line > environment > config file > default.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

from fulfillments_contract import DEFAULT_SPEC

from conformance.oauth import DEFAULT_TOKEN, DEFAULT_TOKEN2
from conformance.profiles import Profile
from conformance.report import render_summary, write_html, write_junit
from conformance.results import SuiteResult
from conformance.runner import DEFAULT_MAX_EXAMPLES, SuiteOptions, run_suite, selection
from conformance.settings import (
    ENV_PREFIX,
    FileSettings,
    SettingsError,
    environment,
    load_config,
    parse_header,
    parse_waiver,
)

__all__ = ["main", "options_from"]

_SEED_BITS = 32


class _Parser(argparse.ArgumentParser):
    """Misconfiguration is reported in one line, with exit code 2, like an unreachable target."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"conformance: {message}\n")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError(text)
    return value


# (option, metavar or None for a flag, help); each reads CONFORMANCE_<OPTION> when not given.
_OPTIONS: tuple[tuple[str, str | None, str], ...] = (
    ("target", "URL", "base URL of the server; default: start the embedded reference server"),
    ("token", "TOKEN", "bearer token of the first tenant (default dev-token without a client id)"),
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
    ("seed", "N", "random seed; default: a new one each run"),
    ("max-examples", "N", "fuzzing cases; each property runs a fifth of it"),
    ("workers", "N", "parallel jobs: schema phase and property groups"),
    ("profile", "NAME", "default, or zuora to relax what Zuora never promised"),
    ("hypothesis-profile", "NAME", "dev: new examples each run; ci: derandomised"),
    ("report-dir", "DIR", "where junit.xml and conformance.html go"),
    ("timeout", "SECONDS", "seconds to wait for each answer"),
    ("replay-after", "SECONDS", "replay the keys set at the run's start no sooner than this"),
    ("require-exercised", None, "fail when a strict check judged nothing (=1)"),
)
_LISTS = (
    ("header", "HEADERS", "'Name: value'", "extra header on every request (repeatable)"),
    ("secret-header", "SECRET_HEADERS", "NAME", "header whose value is shown as $NAME"),
    ("waive", "WAIVE", "NAME=REASON", "waive a check's failures, with the reason (repeatable)"),
)
_EMPTY_MEANS_NONE = frozenset({"token2", "client-id2"})
_SEPARATORS = {"HEADERS": "\n", "SECRET_HEADERS": ",", "WAIVE": "\n"}


def _parser() -> argparse.ArgumentParser:
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
            add(f"--{name}", metavar=metavar, default=None, help=f"{text} ({variable})")
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
        type=_positive,
        default=None,
        metavar="N",
        help="run N times with different seeds, stop at the first failure",
    )
    return parser


def _listed(given: list[str] | None, variable: str) -> list[str]:
    if given is not None:
        return given
    raw = environment(variable) or ""
    return [part.strip() for part in raw.split(_SEPARATORS[variable]) if part.strip()]


class _Resolver:
    """One setting's value: command line, then CONFORMANCE_*, then the config file."""

    def __init__(self, args: argparse.Namespace, file: FileSettings) -> None:
        self._args = args
        self._file = file

    def raw(self, name: str, default: str | None = None) -> str | None:
        """The setting as text; an empty variable counts as unset, except for the tenant-2
        credentials, where an explicit empty value means "no second tenant"."""
        given = getattr(self._args, name.replace("-", "_"))
        if given is not None:
            return str(given).strip()
        from_env = environment(name.replace("-", "_"))
        if from_env or (from_env == "" and name in _EMPTY_MEANS_NONE):
            return from_env
        key = name.replace("-", "_")
        if key in self._file.values:
            return str(self._file.values[key])
        return default


def _truthy(text: str | None) -> bool:
    """Whether a flag's text (a CONFORMANCE_* variable, or True from the command line) says yes."""
    return (text or "").lower() in ("1", "true", "yes")


def _typed(parser: argparse.ArgumentParser, name: str, text: str, kind: Any) -> Any:
    try:
        return kind(text)
    except ValueError:
        parser.error(f"--{name} takes {kind.__name__.strip('_')} values, not {text!r}")


def options_from(argv: Sequence[str] | None = None) -> tuple[SuiteOptions, argparse.Namespace]:
    """Parse the command line, the environment and the config file into a run's options."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config = args.config or environment("config")
        file = load_config(Path(config) if config else None)
        given = [parse_header(text) for text in _listed(args.header, "HEADERS")]
        waivers = [parse_waiver(text) for text in _listed(args.waive, "WAIVE")]
    except SettingsError as error:
        parser.error(str(error))
    overridden = {name.lower() for name, _ in given}
    headers = [pair for pair in file.headers if pair[0].lower() not in overridden] + given
    secret = set(_listed(args.secret_header, "SECRET_HEADERS")) | set(file.secret_headers)
    value = _Resolver(args, file).raw
    phases = frozenset(part.strip() for part in args.phases.split(",") if part.strip())
    if not phases or not phases <= {"schema", "properties"}:
        parser.error(f"--phases takes schema, properties or both, not {args.phases!r}")
    timeout = float(_typed(parser, "timeout", value("timeout", "10") or "10", float))
    if timeout <= 0:
        parser.error("--timeout must be positive")
    profile = value("profile", "default") or "default"
    if profile not in {p.value for p in Profile}:
        parser.error(f"--profile takes {', '.join(p.value for p in Profile)}, not {profile!r}")
    hypothesis_profile = value("hypothesis-profile", "ci" if os.environ.get("CI") else "dev")
    replay_after = float(_typed(parser, "replay-after", value("replay-after") or "0", float))
    if replay_after < 0:
        parser.error("--replay-after must not be negative")
    if hypothesis_profile not in ("dev", "ci"):
        parser.error(f"--hypothesis-profile takes dev or ci, not {hypothesis_profile!r}")
    only = frozenset(part.strip() for part in args.only.split(",") if part.strip())
    try:
        selection(only)
    except ValueError as error:
        parser.error(str(error))
    seed = value("seed")
    rate = value("rate-limit")
    token2 = value("token2", DEFAULT_TOKEN2)
    options = SuiteOptions(
        target=value("target") or None,
        token=value("token") or DEFAULT_TOKEN,
        token2=token2 or None,
        client_id=value("client-id") or None,
        client_secret=value("client-secret") or None,
        client_id2=value("client-id2"),
        client_secret2=value("client-secret2") or None,
        token_url=value("token-url") or None,
        headers=tuple(headers),
        secret_headers=frozenset(secret),
        ca_bundle=value("ca-bundle") or None,
        insecure=_truthy(value("insecure")),
        rate_limit=_typed(parser, "rate-limit", rate, _rate) if rate else None,
        waivers=(*file.waivers, *waivers),
        line_item_ids=tuple(
            item.strip() for item in (value("line-item-ids") or "").split(",") if item.strip()
        ),
        seed=_typed(parser, "seed", seed, int) if seed else None,
        max_examples=_typed(
            parser, "max-examples", value("max-examples") or str(DEFAULT_MAX_EXAMPLES), _positive
        ),
        workers=_typed(parser, "workers", value("workers") or "2", _positive),
        profile=Profile(profile),
        hypothesis_profile=hypothesis_profile,
        timeout=timeout,
        spec=args.spec,
        phases=phases,
        only=only,
        replay_after=replay_after,
        require_exercised=_truthy(value("require-exercised")),
    )
    args.report_dir = Path(value("report-dir") or "reports")
    return options, args


def _progress(line: str) -> None:
    print(line, flush=True)


def _finish(result: SuiteResult, report_dir: Path) -> int:
    print()
    print(render_summary(result), end="", flush=True)
    junit = write_junit(result, report_dir / "junit.xml")
    html = write_html(result, report_dir / "conformance.html")
    print(f"reports   {junit}  {html}")
    if result.problem is not None:
        print(f"conformance: {result.problem}", file=sys.stderr, flush=True)
    return result.exit_code


def _soak(options: SuiteOptions, runs: int, report_dir: Path) -> int:
    first = options.seed if options.seed is not None else random.getrandbits(_SEED_BITS)
    for index in range(runs):
        seed = first + index
        print(f"soak      run {index + 1}/{runs}, seed {seed}", flush=True)
        result = run_suite(replace(options, seed=seed), progress=_progress)
        if result.exit_code != 0 or index == runs - 1:
            if result.exit_code != 0:
                print(f"soak      stopped at run {index + 1}: seed {seed} fails", flush=True)
            return _finish(result, report_dir)
    raise ValueError("a soak runs at least once")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite as the command line asks; return the exit code."""
    options, args = options_from(argv)
    if args.soak is not None:
        return _soak(options, args.soak, args.report_dir)
    return _finish(run_suite(options, progress=_progress), args.report_dir)
