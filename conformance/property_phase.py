"""Running the suite's own property tests against the target, one after another.

Each property is a Hypothesis test; a judge that fails records itself in the tally and ends
its property (`PropertyFailed`), so Hypothesis's own exception is expected and swallowed here.
A target that stops answering (`TargetDown`) ends the whole run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from conformance.generation import apply_settings, property_settings
from conformance.properties import Harness, PropertyFailed, PropertySpec, TargetDown
from conformance.results import STOPPED_ANSWERING
from conformance.tally import Tally

__all__ = ["PropertyPlan", "run_properties"]


@dataclass(frozen=True, slots=True)
class PropertyPlan:
    """How many examples, which Hypothesis profile and seed, and which credentials."""

    examples: int
    hypothesis_profile: str
    seed: int | None
    has_second_tenant: bool


def _expected(error: BaseException) -> bool:
    """Whether Hypothesis ended a property with failures that are already in the tally."""
    if isinstance(error, BaseExceptionGroup):
        return all(_expected(inner) for inner in error.exceptions)
    return isinstance(error, PropertyFailed)


def _down(error: BaseException) -> TargetDown | None:
    if isinstance(error, TargetDown):
        return error
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = _down(inner)
            if found is not None:
                return found
    return None


def run_properties(
    specs: Sequence[PropertySpec],
    *,
    plan: PropertyPlan,
    harness: Callable[[], Harness],
    tally: Tally,
    progress: Callable[[str], None],
) -> str | None:
    """Run each property on a fresh `harness()`; return the problem that stopped the run."""
    for spec in specs:
        if spec.needs_second_tenant and not plan.has_second_tenant:
            for judge in spec.judges:
                tally.note(judge, "not run: no second tenant")
            progress(f"property  {spec.name:<32} not run (no second tenant)")
            continue
        examples = spec.examples(plan.examples)
        chosen = property_settings(
            profile=plan.hypothesis_profile, max_examples=examples, seeded=plan.seed is not None
        )
        test = apply_settings(spec.build(harness()), chosen=chosen, seed=plan.seed)
        outcome = "passed"
        try:
            test()
        except Exception as error:
            down = _down(error)
            if down is not None:
                return f"{STOPPED_ANSWERING}: {down}"
            if not _expected(error):
                return f"property {spec.name} could not run: {type(error).__name__}: {error}"
            outcome = "failed"
        progress(f"property  {spec.name:<32} {examples:>3} examples ({outcome})")
    return None
