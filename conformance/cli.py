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
from typing import Any

from conformance.arguments import PROFILE_NAMES, build_parser, listed, positive, rate
from conformance.options import (
    DEFAULT_REPORT_DIR,
    DEFAULT_TOKEN,
    DEFAULT_TOKEN2,
    HYPOTHESIS_PROFILES,
    SEED_BITS,
    hypothesis_profile_default,
)
from conformance.profiles import Profile
from conformance.report import render_summary, write_html, write_junit
from conformance.results import SuiteResult
from conformance.runner import SuiteOptions, run_suite, selection
from conformance.settings import (
    FileSettings,
    SettingsError,
    environment,
    load_config,
    parse_header,
    parse_waiver,
)

__all__ = ["main", "options_from"]

_DEFAULTS = SuiteOptions()  # every field at its default, defined once in conformance.options
_EMPTY_MEANS_NONE = frozenset({"token2", "client-id2"})


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
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = args.config or environment("config")
        file = load_config(Path(config) if config else None)
        given = [parse_header(text) for text in listed(args.header, "HEADERS")]
        waivers = [parse_waiver(text) for text in listed(args.waive, "WAIVE")]
    except SettingsError as error:
        parser.error(str(error))
    overridden = {name.lower() for name, _ in given}
    headers = [pair for pair in file.headers if pair[0].lower() not in overridden] + given
    secret = set(listed(args.secret_header, "SECRET_HEADERS")) | set(file.secret_headers)
    value = _Resolver(args, file).raw
    phases = frozenset(part.strip() for part in args.phases.split(",") if part.strip())
    if not phases or not phases <= {"schema", "properties"}:
        parser.error(f"--phases takes schema, properties or both, not {args.phases!r}")
    timeout = _DEFAULTS.timeout
    if given_timeout := value("timeout"):
        timeout = float(_typed(parser, "timeout", given_timeout, float))
    if timeout <= 0:
        parser.error("--timeout must be positive")
    profile = value("profile") or _DEFAULTS.profile.value
    if profile not in {p.value for p in Profile}:
        parser.error(f"--profile takes {PROFILE_NAMES}, not {profile!r}")
    hypothesis_profile = value("hypothesis-profile") or hypothesis_profile_default(os.environ)
    replay_after = _DEFAULTS.replay_after
    if given_replay_after := value("replay-after"):
        replay_after = float(_typed(parser, "replay-after", given_replay_after, float))
    if replay_after < 0:
        parser.error("--replay-after must not be negative")
    if hypothesis_profile not in HYPOTHESIS_PROFILES:
        parser.error(
            f"--hypothesis-profile takes {' or '.join(HYPOTHESIS_PROFILES)}, "
            f"not {hypothesis_profile!r}"
        )
    only = frozenset(part.strip() for part in args.only.split(",") if part.strip())
    try:
        selection(only)
    except ValueError as error:
        parser.error(str(error))
    seed = value("seed")
    per_second = value("rate-limit")
    max_examples = value("max-examples")
    workers = value("workers")
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
        rate_limit=_typed(parser, "rate-limit", per_second, rate) if per_second else None,
        waivers=(*file.waivers, *waivers),
        line_item_ids=tuple(
            item.strip() for item in (value("line-item-ids") or "").split(",") if item.strip()
        ),
        seed=_typed(parser, "seed", seed, int) if seed else None,
        max_examples=_typed(parser, "max-examples", max_examples, positive)
        if max_examples
        else _DEFAULTS.max_examples,
        workers=_typed(parser, "workers", workers, positive) if workers else _DEFAULTS.workers,
        profile=Profile(profile),
        hypothesis_profile=hypothesis_profile,
        timeout=timeout,
        spec=args.spec,
        phases=phases,
        only=only,
        replay_after=replay_after,
        require_exercised=_truthy(value("require-exercised")),
    )
    args.report_dir = Path(value("report-dir") or DEFAULT_REPORT_DIR)
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
    first = options.seed if options.seed is not None else random.getrandbits(SEED_BITS)
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
