"""The planted-bug table: every variant, the part it breaks, and the checks that must catch it.

`provoke` names what the quick run (tests/conformance/test_planted_bugs.py) runs against the
variant: the property tests and Schemathesis phases whose traffic meets the bug, with
`examples` as the run's budget per property (1 keeps the fuzzing phase to a handful of cases).
`python -m tests.planted table` runs the whole default suite against every variant instead.
"""

from __future__ import annotations

from tests.planted._variant import Variant
from tests.planted._variants_answers import ANSWER_VARIANTS
from tests.planted._variants_coverage import COVERAGE_VARIANTS
from tests.planted._variants_keys import KEY_VARIANTS
from tests.planted._variants_wire import WIRE_VARIANTS
from tests.planted._variants_zuora import WIRE_LIAR_VARIANTS, ZUORA_ALTERNATIVES, ZUORA_VARIANTS

__all__ = ["VARIANTS", "ZUORA_ALTERNATIVES", "variant_named"]

VARIANTS: tuple[Variant, ...] = (
    *KEY_VARIANTS,
    *WIRE_VARIANTS,
    *WIRE_LIAR_VARIANTS,
    *ANSWER_VARIANTS,
    *ZUORA_VARIANTS,
    *COVERAGE_VARIANTS,
)


def variant_named(name: str) -> Variant:
    """The variant called `name`."""
    for variant in VARIANTS:
        if variant.name == name:
            return variant
    raise KeyError(f"no planted variant {name!r}; known: {', '.join(v.name for v in VARIANTS)}")
