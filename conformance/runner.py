"""One run of the suite against one target, as a function that returns what it found.

`run_suite(SuiteOptions(target=url))` is the whole suite: the CLI calls it, and so can a test
that wants to know which checks a deliberately broken server fails (`result.failed_checks`).
"""

from __future__ import annotations

import contextlib
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import conformance.checks  # noqa: F401 - registers every check
from conformance.client import Client
from conformance.context import RunContext, activate
from conformance.keyspace import KeySpace
from conformance.profiles import Profile
from conformance.properties import PROPERTIES, Liveness, PropertySpec
from conformance.property_phase import PropertyPlan, run_properties
from conformance.results import NOTHING_JUDGED, STOPPED_ANSWERING, FailureRecord, SuiteResult
from conformance.schema_phase import TESTING_PHASES, SchemaPlan, run_schema_phase
from conformance.spec import DEFAULT_SPEC, ContractError, load_contract
from conformance.tally import Tally
from conformance.target import EmbeddedServer, TargetError, probe

__all__ = ["DEFAULT_MAX_EXAMPLES", "SuiteOptions", "run_suite", "selection"]

DEFAULT_MAX_EXAMPLES = 50  # fuzzing cases; with coverage and properties, under a minute here
PROPERTY_SHARE = 5  # a property runs max_examples / 5 examples (each is several requests)
_SEED_BITS = 32


@dataclass(frozen=True, slots=True)
class SuiteOptions:
    """Everything a run needs; every field has the CLI's default."""

    target: str | None = None
    token: str = "dev-token"
    token2: str | None = "dev-token-2"
    line_item_ids: tuple[str, ...] = ()
    seed: int | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    workers: int = 2
    profile: Profile = Profile.DEFAULT
    hypothesis_profile: str = "dev"
    timeout: float = 10.0
    spec: Path = DEFAULT_SPEC
    phases: frozenset[str] = field(default_factory=lambda: frozenset({"schema", "properties"}))
    only: frozenset[str] = frozenset()  # Schemathesis phases and property tests; empty: all
    require_exercised: bool = False  # a strict check that judged nothing fails the run

    @property
    def property_examples(self) -> int:
        """Examples per property (scaled by each property's share)."""
        return max(1, self.max_examples // PROPERTY_SHARE)


Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    """Progress sink of a run nobody watches."""


@contextlib.contextmanager
def _target(options: SuiteOptions) -> Iterator[str]:
    if options.target is not None:
        yield options.target
        return
    with EmbeddedServer(token=options.token, timeout=options.timeout) as server:
        yield server.url


def _resolved_seed(options: SuiteOptions) -> SuiteOptions:
    """A dev run without a seed gets a random one, printed so the run can be repeated."""
    if options.seed is None and options.hypothesis_profile != "ci":
        return replace(options, seed=random.getrandbits(_SEED_BITS))
    return options


def selection(only: frozenset[str]) -> tuple[frozenset[str], tuple[PropertySpec, ...]]:
    """The Schemathesis phases and property tests `only` names; all of them when it names none."""
    known = (*TESTING_PHASES, *(spec.name for spec in PROPERTIES))
    unknown = only - set(known)
    if unknown:
        raise ValueError(
            f"--only names no test {', '.join(sorted(unknown))}; known: {', '.join(known)}"
        )
    if not only:
        return frozenset(TESTING_PHASES), PROPERTIES
    return only & frozenset(TESTING_PHASES), tuple(s for s in PROPERTIES if s.name in only)


def _split(specs: tuple[PropertySpec, ...], parts: int) -> list[tuple[PropertySpec, ...]]:
    return [specs[index::parts] for index in range(parts) if specs[index::parts]]


def _run_phases(
    options: SuiteOptions, url: str, context: RunContext, tally: Tally, progress: Progress
) -> str | None:
    tokens = {"TOKEN": options.token} | ({"TOKEN2": options.token2} if options.token2 else {})
    keys = KeySpace(secrets.token_hex(4))
    jobs: list[Callable[[], str | None]] = []
    schema_phases, properties = selection(options.only)
    if "schema" in options.phases and schema_phases:
        plan = SchemaPlan(
            target=url,
            token=options.token,
            max_examples=options.max_examples,
            seed=options.seed,
            deterministic=options.seed is None and options.hypothesis_profile == "ci",
            timeout=options.timeout,
            phases=schema_phases,
        )
        jobs.append(
            lambda: run_schema_phase(
                plan=plan,
                context=context,
                keys=keys,
                tally=tally,
                secrets=tokens,
                progress=progress,
            )
        )
    client = Client(url, timeout=options.timeout, tokens=tokens)
    if "properties" in options.phases and properties:
        property_plan = PropertyPlan(
            examples=options.property_examples,
            hypothesis_profile=options.hypothesis_profile,
            seed=options.seed,
            has_second_tenant=bool(options.token2),
        )
        liveness = Liveness()
        for group in _split(properties, max(1, options.workers - 1)):
            jobs.append(
                lambda group=group: run_properties(  # type: ignore[misc]
                    group,
                    plan=property_plan,
                    client=client,
                    context=context,
                    tally=tally,
                    secrets=tokens,
                    keys=keys,
                    liveness=liveness,
                    progress=progress,
                )
            )
    with client, ThreadPoolExecutor(max_workers=max(1, min(options.workers, len(jobs)))) as pool:
        problems = [problem for problem in pool.map(lambda job: job(), jobs) if problem]
    return problems[0] if problems else None


def _silent_only_to_some(problem: str, url: str, options: SuiteOptions) -> bool:
    """Whether a target that went silent still answers a plain request.

    Then it is up, and the requests it left unanswered (already failures of
    `answers_every_request`) are a broken promise, exit 1, not an unreachable target, exit 2.
    """
    if not problem.startswith(STOPPED_ANSWERING):
        return False
    try:
        probe(url, token=options.token, timeout=options.timeout)
    except TargetError:
        return False
    return True


def run_suite(options: SuiteOptions, *, progress: Progress = _quiet) -> SuiteResult:
    """Run the suite against `options.target` (or the embedded server) and report what it found."""
    options = _resolved_seed(options)
    started = time.monotonic()
    spec = _shown_path(options.spec)
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            progress(line)

    def result(target: str, tally: Tally | None, problem: str | None) -> SuiteResult:
        reports = tally.reports(options.profile) if tally is not None else ()
        if tally is not None and problem is None and not any(r.cases for r in reports):
            problem = NOTHING_JUDGED
        return SuiteResult(
            target,
            spec,
            options.profile,
            options.seed,
            time.monotonic() - started,
            reports,
            problem,
            require_exercised=options.require_exercised,
        )

    try:
        selection(options.only)
    except ValueError as error:
        return result(options.target or "embedded reference server", None, str(error))
    try:
        contract = load_contract(options.spec)
        with _target(options) as url:
            probe(url, token=options.token, timeout=options.timeout)
            if options.token2:
                probe(url, token=options.token2, timeout=options.timeout, variable="TOKEN2")
            context = RunContext(
                contract=contract, profile=options.profile, line_item_ids=options.line_item_ids
            )
            tally = Tally(on_failure=lambda record: say(_failure_line(record)))
            seed = options.seed if options.seed is not None else "derandomised"
            say(f"target    {url} (profile {options.profile.value}, seed {seed})")
            with activate(context):
                problem = _run_phases(options, url, context, tally, say)
            if problem is not None and _silent_only_to_some(problem, url, options):
                say("target    still answers a plain request: its silences are contract violations")
                problem = None
            return result(url, tally, problem)
    except (TargetError, ContractError) as error:
        return result(options.target or "embedded reference server", None, str(error))


def _shown_path(path: Path) -> str:
    """`path` relative to the working directory when it lies below it, as people typed it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _failure_line(record: FailureRecord) -> str:
    return f"FAILED    {record.check}: {record.title}"
