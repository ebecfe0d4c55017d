"""What one run of the suite is asked to do: the options `run_suite` takes, with CLI defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fulfillments_contract import DEFAULT_SPEC

from conformance.oauth import DEFAULT_TOKEN, DEFAULT_TOKEN2
from conformance.profiles import Profile

__all__ = ["ALL_PHASES", "DEFAULT_MAX_EXAMPLES", "PROPERTY_SHARE", "SuiteOptions"]

DEFAULT_MAX_EXAMPLES = 50  # fuzzing cases; with coverage and properties, under a minute here
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
    workers: int = 2
    profile: Profile = Profile.DEFAULT
    hypothesis_profile: str = "dev"
    timeout: float = 10.0
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
