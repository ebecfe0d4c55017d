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
from dataclasses import replace
from pathlib import Path

from fulfillments_contract import ContractError, load_contract

import conformance.checks  # noqa: F401 - registers every check
from conformance.client import Client
from conformance.context import RunContext, activate
from conformance.keyspace import KeySpace
from conformance.oauth import Credentials, CredentialsError
from conformance.options import (
    ALL_PHASES,
    DEFAULT_MAX_EXAMPLES,
    PROPERTY_SHARE,
    SEED_BITS,
    SuiteOptions,
)
from conformance.properties import (
    LATE_REPLAYS,
    PROPERTIES,
    Harness,
    LateReplays,
    Liveness,
    PropertySpec,
)
from conformance.property_phase import PropertyPlan, run_properties
from conformance.remote import Remote, through_remote
from conformance.results import (
    NOTHING_JUDGED,
    FailureRecord,
    SuiteResult,
    unknown_waivers,
    waived,
)
from conformance.schema_phase import TESTING_PHASES, SchemaPlan, run_schema_phase
from conformance.tally import Tally
from conformance.target import EmbeddedServer, TargetError
from conformance.tenants import probe_tenants, still_answers, tenant_credentials_for
from conformance.transport import Throttle

__all__ = ["DEFAULT_MAX_EXAMPLES", "PROPERTY_SHARE", "SuiteOptions", "run_suite", "selection"]

OUTSIDE_SELECTION = "not run: outside the tests --only and --phases selected"

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
        return replace(options, seed=random.getrandbits(SEED_BITS))
    return options


def selection(only: frozenset[str]) -> tuple[frozenset[str], tuple[PropertySpec, ...]]:
    """The Schemathesis phases and property tests `only` names; all of them when it names none."""
    known = (*TESTING_PHASES, *(spec.name for spec in PROPERTIES), LATE_REPLAYS)
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
    options: SuiteOptions,
    url: str,
    context: RunContext,
    tally: Tally,
    progress: Progress,
    remote: Remote,
    credentials: Credentials,
) -> str | None:
    tokens = credentials.secrets()
    keys = KeySpace(secrets.token_hex(4))
    jobs: list[Callable[[], str | None]] = []
    schema_phases, properties = selection(options.only)
    if "schema" in options.phases and schema_phases:
        plan = SchemaPlan(
            target=url,
            token=tokens["TOKEN"],
            max_examples=options.max_examples,
            seed=options.seed,
            deterministic=options.seed is None and options.hypothesis_profile == "ci",
            timeout=options.timeout,
            phases=schema_phases,
            headers=options.headers,
            tls_verify=remote.tls_verify,
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
    client = Client(
        url,
        timeout=options.timeout,
        tokens=tokens,
        transport=remote.transport(credentials),
        headers=options.headers,
    )
    liveness = Liveness()
    late = _late_replays(options)
    route = remote.raw_route()

    def harness() -> Harness:
        return Harness(
            client=client,
            context=context,
            tally=tally,
            secrets=tokens,
            keys=keys,
            liveness=liveness,
            route=route,
        )

    steps = harness()
    if late is not None:
        late.remember(steps)
    if "properties" in options.phases and properties:
        property_plan = PropertyPlan(
            examples=options.property_examples,
            hypothesis_profile=options.hypothesis_profile,
            seed=options.seed,
            has_second_tenant="TOKEN2" in tokens,
        )
        for group in _split(properties, max(1, options.workers - 1)):
            jobs.append(
                lambda group=group: run_properties(  # type: ignore[misc]
                    group,
                    plan=property_plan,
                    harness=harness,
                    tally=tally,
                    progress=progress,
                )
            )
    with (
        client,
        through_remote(remote, credentials),
        ThreadPoolExecutor(max_workers=max(1, min(options.workers, len(jobs)))) as pool,
    ):
        problems = [problem for problem in pool.map(lambda job: job(), jobs) if problem]
        if late is not None and not problems:
            sent = late.replay(steps)
            progress(f"late      {LATE_REPLAYS:<32} {sent:>3} keys replayed at the end")
    return problems[0] if problems else None


def _restricted(options: SuiteOptions) -> bool:
    """Whether `--only` or `--phases` left some of the suite's tests out of the run."""
    return bool(options.only) or options.phases != ALL_PHASES


def _late_replays(options: SuiteOptions) -> LateReplays | None:
    """The end-of-run replay of early keys, when the run's selection includes it."""
    chosen = not options.only or LATE_REPLAYS in options.only
    if "properties" not in options.phases or not chosen:
        return None
    return LateReplays(wait=options.replay_after)


def run_suite(options: SuiteOptions, *, progress: Progress = _quiet) -> SuiteResult:
    """Run the suite against `options.target` (or the embedded server) and report what it found."""
    options = _resolved_seed(options)
    started = time.monotonic()
    spec = _shown_path(options.spec)
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            progress(line)

    throttle = Throttle(rate=options.rate_limit)
    remote = Remote(
        headers=options.headers,
        ca_bundle=options.ca_bundle,
        insecure=options.insecure,
        throttle=throttle,
    )

    def result(target: str, tally: Tally | None, problem: str | None) -> SuiteResult:
        if tally is not None and _restricted(options):
            tally.note_unreached(OUTSIDE_SELECTION)
        reports = tally.reports(options.profile) if tally is not None else ()
        traffic = throttle.stats()
        if problem is None and traffic.gave_up is not None:
            problem = traffic.gave_up
        if tally is not None and problem is None and not any(r.cases for r in reports):
            problem = NOTHING_JUDGED
        return SuiteResult(
            target,
            spec,
            options.profile,
            options.seed,
            time.monotonic() - started,
            waived(reports, dict(options.waivers)),
            problem,
            traffic=traffic,
            require_exercised=options.require_exercised,
        )

    try:
        selection(options.only)
        unknown_waivers(options.waivers)
    except ValueError as error:
        return result(options.target or "embedded reference server", None, str(error))
    try:
        contract = load_contract(options.spec)
        with contextlib.ExitStack() as stack, _target(options) as url:
            credentials = tenant_credentials_for(options, url, remote)
            stack.callback(credentials.close)
            credentials.start()
            probe_tenants(url, options, remote, credentials)
            context = RunContext(
                contract=contract, profile=options.profile, line_item_ids=options.line_item_ids
            )
            waivers = dict(options.waivers)
            tally = Tally(on_failure=lambda record: say(_failure_line(record, waivers)))
            seed = options.seed if options.seed is not None else "derandomised"
            say(f"target    {url} (profile {options.profile.value}, seed {seed})")
            with activate(context):
                problem = _run_phases(options, url, context, tally, say, remote, credentials)
            if problem is not None and still_answers(problem, url, options, remote, credentials):
                say("target    still answers a plain request: its silences are contract violations")
                problem = None
            return result(url, tally, problem)
    except (TargetError, ContractError, CredentialsError) as error:
        return result(options.target or "embedded reference server", None, str(error))


def _shown_path(path: Path) -> str:
    """`path` relative to the working directory when it lies below it, as people typed it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _failure_line(record: FailureRecord, waivers: dict[str, str]) -> str:
    if record.check in waivers:
        return f"WAIVED    {record.check}: {record.title} ({waivers[record.check]})"
    return f"FAILED    {record.check}: {record.title}"
