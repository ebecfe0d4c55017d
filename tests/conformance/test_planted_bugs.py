"""Test the tester: the suite fails against every planted-bug variant, naming the right check.

Each variant is the reference server with one broken part, served on a real loopback socket;
the suite runs only the property tests and Schemathesis phases that meet the bug (the
variant's `provoke`), so the whole file stays quick. The reference server must pass the very
same runs: a check that fails there is a false failure, not a catch. A variant that keeps an
answer Zuora's documentation allows (`ZUORA_ALTERNATIVES`) must also pass the zuora profile.
"""

from __future__ import annotations

import pytest

# Imported here, in the main thread: imported first by the schema phase's worker thread while
# pytest rewrites assertions, Python 3.11's AST constructor can fail ("recursion depth mismatch").
import schemathesis.specs.openapi.schemas  # noqa: F401

from conformance import CHECKS, run_suite
from conformance.profiles import Profile
from conformance.runner import selection
from tests.planted import VARIANTS, ZUORA_ALTERNATIVES, Variant, served, variant_named
from tests.planted._runs import quick_options, reference_runs

MIN_VARIANTS = 30
# Checks no broken part can provoke, and why.
NOT_PLANTABLE = {
    "unsupported_method": "the router answers other methods; no part sees them",
    "content_type_conformance": "a part changes Content-Type only on replays, never generated",
}
# Checks that catch variants only in the coverage phase: the table's whole runs show them.
WHOLE_SUITE_ONLY = {
    "status_code_conformance": "long-headers-431 (431 for an overlong header)",
    "negative_data_rejection": "track-id-unchecked, overlong-keys-accepted",
    "missing_required_header": "missing-token-accepted (Authorization left out)",
}


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.name)
def test_the_suite_catches_the_planted_bug(variant: Variant) -> None:
    with served(variant) as url:
        options = quick_options(
            url,
            provoke=variant.provoke,
            examples=variant.examples,
            replay_after=variant.replay_after,
            profile=variant.profile,
        )
        result = run_suite(options)
    assert result.problem is None, result.problem
    assert result.exit_code == 1
    missing = set(variant.expected) - result.failed_checks
    assert not missing, f"not caught by {sorted(missing)}; failed: {sorted(result.failed_checks)}"


def _run_id(value: object) -> str:
    if isinstance(value, Profile):
        return value.value
    return f"{value}-examples" if isinstance(value, int) else ""


@pytest.mark.parametrize(("provoke", "examples", "profile"), reference_runs(VARIANTS), ids=_run_id)
def test_the_reference_passes_the_same_runs(
    provoke: tuple[str, ...], examples: int, profile: Profile
) -> None:
    with served(None) as url:
        result = run_suite(quick_options(url, provoke=provoke, examples=examples, profile=profile))
    assert result.problem is None, result.problem
    false_failures = {
        name: [failure.message for failure in result.report(name).failures]
        for name in result.failed_checks
    }
    assert not false_failures


@pytest.mark.parametrize("name", ZUORA_ALTERNATIVES)
def test_the_zuora_profile_passes_what_zuoras_documentation_allows(name: str) -> None:
    variant = variant_named(name)
    assert variant.profile is Profile.DEFAULT  # the default profile must catch it (above)
    with served(variant) as url:
        result = run_suite(
            quick_options(
                url, provoke=variant.provoke, examples=variant.examples, profile=Profile.ZUORA
            )
        )
    assert result.problem is None, result.problem
    false_failures = {
        name: [failure.message for failure in result.report(name).failures]
        for name in result.failed_checks
    }
    assert not false_failures
    assert result.exit_code == 0


def test_the_table_names_real_checks_and_tests() -> None:
    assert len(VARIANTS) >= MIN_VARIANTS
    assert len({variant.name for variant in VARIANTS}) == len(VARIANTS)
    for variant in VARIANTS:
        assert variant.expected, variant.name
        assert set(variant.expected) <= set(CHECKS), variant.name
        selection(frozenset(variant.provoke))  # raises on a name the suite does not know


def test_every_check_a_server_can_break_catches_a_variant() -> None:
    caught = {name for variant in VARIANTS for name in variant.expected}
    left_out = set(NOT_PLANTABLE) | set(WHOLE_SUITE_ONLY)
    assert left_out <= set(CHECKS)
    assert not caught & left_out
    assert set(CHECKS) - left_out <= caught
