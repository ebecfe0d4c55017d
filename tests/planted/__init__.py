"""Planted-bug variants of the reference server, to prove the conformance suite catches them.

Each variant is the reference server with one part replaced by a broken one, the kind of bug
a real implementation ships; the suite must fail against it and name the check that should.

    with served(variant_named("keys-ignored")) as url:
        result = run_suite(SuiteOptions(target=url))
        assert "replay_body_matches" in result.failed_checks
"""

from tests.planted._serve import served
from tests.planted._variant import Reference, Variant, swap
from tests.planted._variants import VARIANTS, ZUORA_ALTERNATIVES, variant_named

__all__ = [
    "VARIANTS",
    "ZUORA_ALTERNATIVES",
    "Reference",
    "Variant",
    "served",
    "swap",
    "variant_named",
]
