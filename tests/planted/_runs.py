"""The two ways the suite is run against a variant: quick (the tests) and whole (the table)."""

from __future__ import annotations

from collections.abc import Iterable

from conformance import SuiteOptions
from conformance.profiles import Profile
from conformance.runner import PROPERTY_SHARE
from tests.planted._variant import Variant

__all__ = ["QUICK_SEED", "QUICK_TIMEOUT", "quick_options", "reference_runs", "whole_options"]

QUICK_SEED = 20261127  # fixed, so a quick run sends the same requests every time
QUICK_TIMEOUT = 2.0  # seconds per answer: a loopback server answers in milliseconds
WHOLE_TIMEOUT = 5.0  # the default suite's 10 s, halved: a variant that hangs costs less


def quick_options(
    url: str,
    *,
    provoke: Iterable[str],
    examples: int,
    replay_after: float = 0.0,
    profile: Profile = Profile.DEFAULT,
) -> SuiteOptions:
    """Only the tests that provoke a bug, with `examples` examples per property."""
    return SuiteOptions(
        target=url,
        only=frozenset(provoke),
        max_examples=examples * PROPERTY_SHARE,
        seed=QUICK_SEED,
        timeout=QUICK_TIMEOUT,
        replay_after=replay_after,
        profile=profile,
    )


def whole_options(url: str, *, seed: int, profile: Profile = Profile.DEFAULT) -> SuiteOptions:
    """The whole suite, every phase and property, with a fixed seed."""
    return SuiteOptions(target=url, seed=seed, timeout=WHOLE_TIMEOUT, profile=profile)


def reference_runs(
    variants: Iterable[Variant],
) -> list[tuple[tuple[str, ...], int, Profile]]:
    """The quick runs of `variants`, merged by example count and profile: what the reference
    must pass.

    A property gets the same examples (same seed, same count) in the merged run as in each
    variant's own, so the reference is held to exactly the traffic the variants met.
    """
    merged: dict[tuple[int, Profile], set[str]] = {}
    for variant in variants:
        merged.setdefault((variant.examples, variant.profile), set()).update(variant.provoke)
    return [
        (tuple(sorted(names)), examples, profile)
        for (examples, profile), names in sorted(merged.items())
    ]
