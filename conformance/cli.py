"""`python -m conformance`: run the suite, print the summary, write the reports, exit 0, 1 or 2.

Every option also reads the environment variable `make conformance` exports, so the make
target and a direct call behave alike; an option given on the command line wins.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from conformance.profiles import Profile
from conformance.report import render_summary, write_html, write_junit
from conformance.results import SuiteResult
from conformance.runner import DEFAULT_MAX_EXAMPLES, SuiteOptions, run_suite, selection
from conformance.spec import DEFAULT_SPEC

__all__ = ["main", "options_from"]

_SEED_BITS = 32


class _Parser(argparse.ArgumentParser):
    """Misconfiguration is reported in one line, with exit code 2, like an unreachable target."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"conformance: {message}\n")


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m conformance",
        description="Check a server at a URL against the fulfillments contract.",
    )
    add = parser.add_argument
    add(
        "--target",
        default=_env("TARGET"),
        help="base URL of the server (TARGET); default: start the embedded reference server",
    )
    add(
        "--token",
        default=_env("TOKEN", "dev-token"),
        help="bearer token of the first tenant (TOKEN)",
    )
    add(
        "--token2",
        default=_env("TOKEN2", "dev-token-2"),
        help="bearer token of a second tenant (TOKEN2); '' to skip tenant checks",
    )
    add(
        "--line-item-ids",
        default=_env("LINE_ITEM_IDS", ""),
        help="comma-separated valid order line item ids (LINE_ITEM_IDS)",
    )
    add(
        "--seed",
        type=int,
        default=_env("SEED"),
        help="random seed (SEED); default: a new one each run",
    )
    add(
        "--max-examples",
        type=_positive,
        default=_env("MAX_EXAMPLES", str(DEFAULT_MAX_EXAMPLES)),
        help="fuzzing cases; each property runs a fifth of it (MAX_EXAMPLES)",
    )
    add(
        "--workers",
        type=_positive,
        default=_env("WORKERS", "2"),
        help="parallel jobs: schema phase and property groups (WORKERS)",
    )
    add(
        "--profile",
        choices=[p.value for p in Profile],
        default=_env("PROFILE", "default"),
        help="default, or zuora to relax what Zuora never promised (PROFILE)",
    )
    add(
        "--hypothesis-profile",
        choices=["dev", "ci"],
        default=_env("HYPOTHESIS_PROFILE", "ci" if _env("CI") else "dev"),
        help="dev: new examples each run; ci: derandomised (HYPOTHESIS_PROFILE)",
    )
    add(
        "--report-dir",
        type=Path,
        default=Path(_env("REPORT_DIR", "reports") or "reports"),
        help="where junit.xml and conformance.html go (REPORT_DIR)",
    )
    add(
        "--timeout",
        type=float,
        default=float(_env("TIMEOUT", "10") or 10),
        help="seconds to wait for each answer (TIMEOUT)",
    )
    add("--spec", type=Path, default=DEFAULT_SPEC, help="the contract file")
    add(
        "--phases",
        default="schema,properties",
        help="which phases to run: schema, properties or both",
    )
    add(
        "--only",
        default="",
        metavar="NAMES",
        help="comma-separated tests to run (default: all): Schemathesis phases (examples, "
        "coverage, fuzzing) and property tests, e.g. fuzzing,key_limits_hold",
    )
    add(
        "--require-exercised",
        action="store_true",
        default=_env("CONFORMANCE_REQUIRE_EXERCISED", "") in ("1", "true", "yes"),
        help="fail the run when a strict check judged nothing (CONFORMANCE_REQUIRE_EXERCISED=1)",
    )
    add(
        "--soak",
        type=_positive,
        default=None,
        metavar="N",
        help="run N times with different seeds, stop at the first failure",
    )
    return parser


def options_from(argv: Sequence[str] | None = None) -> tuple[SuiteOptions, argparse.Namespace]:
    """Parse the command line and the environment into the options of a run."""
    parser = _parser()
    args = parser.parse_args(argv)
    phases = frozenset(part.strip() for part in args.phases.split(",") if part.strip())
    if not phases or not phases <= {"schema", "properties"}:
        parser.error(f"--phases takes schema, properties or both, not {args.phases!r}")
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    only = frozenset(part.strip() for part in args.only.split(",") if part.strip())
    try:
        selection(only)
    except ValueError as error:
        parser.error(str(error))
    options = SuiteOptions(
        target=args.target,
        token=args.token,
        token2=args.token2 or None,
        line_item_ids=tuple(item.strip() for item in args.line_item_ids.split(",") if item.strip()),
        seed=int(args.seed) if args.seed is not None else None,
        max_examples=int(args.max_examples),
        workers=int(args.workers),
        profile=Profile(args.profile),
        hypothesis_profile=args.hypothesis_profile,
        timeout=args.timeout,
        spec=args.spec,
        phases=phases,
        only=only,
        require_exercised=bool(args.require_exercised),
    )
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
