"""Hypothesis settings profiles for the property tests: `dev` is fast, `ci` is derandomised.

| profile            | derandomize | shrink | why                                               |
|--------------------|-------------|--------|---------------------------------------------------|
| `conformance-dev`  | no          | no     | new examples each run; a failure is reported as   |
|                    |             |        | found, with its curl, instead of minutised slowly |
| `conformance-ci`   | yes         | no     | the same examples on every CI run                 |

Both use `deadline=None` (a network round trip is not a bug), no example database (a target
is not the same server twice) and quiet output (the suite prints its own reports). A given
seed (`SEED`) always wins over derandomisation, so `--soak` can walk through seeds.
"""

from __future__ import annotations

from collections.abc import Callable

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, settings

__all__ = ["CI", "DEV", "apply_settings", "property_settings"]

DEV = "conformance-dev"
CI = "conformance-ci"

settings.register_profile(
    DEV,
    deadline=None,
    database=None,
    derandomize=False,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    verbosity=Verbosity.quiet,
    print_blob=False,
    suppress_health_check=(
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ),
)
settings.register_profile(CI, parent=settings.get_profile(DEV), derandomize=True)


def property_settings(*, profile: str, max_examples: int, seeded: bool) -> settings:
    """The settings of one property: its profile, its share of examples, the seed rule."""
    base = settings.get_profile(CI if profile == "ci" else DEV)
    return settings(base, max_examples=max_examples, derandomize=base.derandomize and not seeded)


def apply_settings(
    test: Callable[[], None], *, chosen: settings, seed: int | None
) -> Callable[[], None]:
    """`test` with `chosen` settings and, when given, a fixed seed."""
    configured: Callable[[], None] = chosen(test)
    if seed is not None and not chosen.derandomize:
        configured = hypothesis.seed(seed)(configured)
    return configured
