"""Planted bugs are still caught through a quota of 25 a second and 150 ms on every answer.

Waiting out 429s and living with latency must not hide a broken promise: a sample of the
planted-bug variants (idempotency, concurrency, tenancy, headers, gzip, auth, validation,
the 200 body) is served behind the remote-like proxy and the suite must name the same checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import run_suite
from tests._remote_target import Proxy, ProxyOptions
from tests.planted import Variant, served, variant_named
from tests.planted._runs import quick_options

SAMPLE = (
    "keys-ignored",
    "keys-shared-by-tenants",
    "check-then-insert",
    "duplicate-answered-409",
    "fingerprint-ignored",
    "failures-not-stored",
    "conflict-without-retry-after",
    "overlong-keys-accepted",
    "track-id-not-echoed",
    "any-bearer-accepted",
    "validation-422",
    "renamed-number-field",
)
THROTTLED_AND_SLOW = ProxyOptions(quota=25, latency=0.15)


@pytest.mark.slow
@pytest.mark.parametrize("variant", [variant_named(name) for name in SAMPLE], ids=SAMPLE)
def test_a_planted_bug_is_caught_through_a_quota_and_latency(
    variant: Variant, tmp_path: Path
) -> None:
    with served(variant) as url, Proxy(url, THROTTLED_AND_SLOW, tmp_path) as proxy:
        options = quick_options(proxy.url, provoke=variant.provoke, examples=variant.examples)
        result = run_suite(options)
    assert result.problem is None, result.problem
    missing = set(variant.expected) - result.failed_checks
    assert not missing, f"not caught by {sorted(missing)}; failed: {sorted(result.failed_checks)}"
    assert result.traffic is not None
    assert result.traffic.throttled == proxy.counts.throttled  # every 429 waited out, none judged
