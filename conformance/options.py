"""What one run of the suite is asked to do: the options `run_suite` takes, and their defaults.

Every default of a run is defined here, once, with the reason for its value: the command line
and its help, the pytest plugin, `make conformance`, `ci/conformance-gate.sh` and the GitHub
action leave a value out to get it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fulfillments_contract import DEFAULT_SPEC

from conformance.profiles import Profile

__all__ = [
    "ALL_PHASES",
    "DEFAULT_HYPOTHESIS_PROFILE",
    "DEFAULT_MAX_EXAMPLES",
    "DEFAULT_REPORT_DIR",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOKEN",
    "DEFAULT_TOKEN2",
    "DEFAULT_WORKERS",
    "HYPOTHESIS_PROFILES",
    "PROPERTY_SHARE",
    "SEED_BITS",
    "SuiteOptions",
    "hypothesis_profile_default",
]

DEFAULT_TOKEN = "dev-token"  # the reference server's development tenants
DEFAULT_TOKEN2 = "dev-token-2"
DEFAULT_MAX_EXAMPLES = 50  # fuzzing cases; with coverage and properties, under a minute here
DEFAULT_WORKERS = 2  # the schema phase beside one property group: both cores of a small runner
DEFAULT_TIMEOUT = 10.0  # seconds to wait for each answer
DEFAULT_REPORT_DIR = Path("reports")  # junit.xml and conformance.html, beside the run
HYPOTHESIS_PROFILES = ("dev", "ci")  # dev: new examples each run; ci: derandomised
DEFAULT_HYPOTHESIS_PROFILE = "dev"  # "ci" where the CI variable is set
SEED_BITS = 32  # a random seed is a 32-bit number, short enough to type back in with --seed
PROPERTY_SHARE = 5  # a property runs max_examples / 5 examples (each is several requests)
ALL_PHASES = frozenset({"schema", "properties"})  # the two halves of a whole run


@dataclass(frozen=True, slots=True)
class SuiteOptions:
    """Everything a run needs; every field has the CLI's default.

    A tenant with a client id gets OAuth tokens (client credentials win over a token);
    `token2=None`, `token2=""` or `client_id2=""` means no second tenant.
    """

    target: str | None = None
    token: str = DEFAULT_TOKEN
    token2: str | None = DEFAULT_TOKEN2
    line_item_ids: tuple[str, ...] = ()
    seed: int | None = None
    max_examples: int = DEFAULT_MAX_EXAMPLES
    workers: int = DEFAULT_WORKERS
    profile: Profile = Profile.DEFAULT
    hypothesis_profile: str = DEFAULT_HYPOTHESIS_PROFILE
    timeout: float = DEFAULT_TIMEOUT
    spec: Path = DEFAULT_SPEC
    phases: frozenset[str] = ALL_PHASES
    only: frozenset[str] = frozenset()  # Schemathesis phases and property tests; empty: all
    require_exercised: bool = False  # a strict check that judged nothing fails the run
    replay_after: float = 0.0  # seconds the end-of-run replay of early keys waits for at least
    client_id: str | None = None
    client_secret: str | None = None
    client_id2: str | None = None
    client_secret2: str | None = None
    token_url: str | None = None  # default: <target>/oauth/token
    headers: tuple[tuple[str, str], ...] = ()  # sent on every request of both phases
    secret_headers: frozenset[str] = frozenset()  # header names shown as $NAME in curl lines
    ca_bundle: str | None = None
    insecure: bool = False
    rate_limit: float | None = None  # requests per second, all threads together
    waivers: tuple[tuple[str, str], ...] = ()  # (check name, reason)

    @property
    def has_second_tenant(self) -> bool:
        """Whether a second tenant's credentials were given (or left at the default)."""
        if self.client_id2 == "":
            return False
        return bool(self.client_id2) or bool(self.token2)

    @property
    def property_examples(self) -> int:
        """Examples per property (scaled by each property's share)."""
        return max(1, self.max_examples // PROPERTY_SHARE)


def hypothesis_profile_default(environ: Mapping[str, str]) -> str:
    """The Hypothesis profile of a run that names none: `ci` where a CI sets `CI`, else `dev`."""
    return "ci" if environ.get("CI") else DEFAULT_HYPOTHESIS_PROFILE
