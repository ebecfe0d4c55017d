"""Each tenant's credentials for one run: set up, probed before the run, asked again after it.

A run fetches or takes a token per tenant (`tenant_credentials`), proves each one reaches the
target before any test starts (`probe_tenants`), and, when the target went silent mid-run, asks
once more whether it still answers a plain request (`still_answers`).
"""

from __future__ import annotations

from conformance.oauth import Credentials, tenant_credentials
from conformance.options import SuiteOptions
from conformance.remote import Remote
from conformance.results import STOPPED_ANSWERING
from conformance.settings import secret_variable
from conformance.target import TargetError, probe

__all__ = ["probe_tenants", "still_answers", "tenant_credentials_for"]


def tenant_credentials_for(options: SuiteOptions, url: str, remote: Remote) -> Credentials:
    """Each tenant's credentials: client credentials, else a token, else the default token."""
    lowered = {name.lower() for name in options.secret_headers}
    return tenant_credentials(
        first=(options.token, options.client_id, options.client_secret),
        second=(options.token2, options.client_id2, options.client_secret2)
        if options.has_second_tenant
        else None,
        token_url=options.token_url or url.rstrip("/") + "/oauth/token",
        http=lambda: remote.http(timeout=options.timeout),
        masked={
            secret_variable(name): value
            for name, value in options.headers
            if name.lower() in lowered
        },
    )


def probe_tenants(
    url: str, options: SuiteOptions, remote: Remote, credentials: Credentials
) -> None:
    """Raise TargetError unless every tenant's token reaches the target."""
    with remote.http(timeout=options.timeout) as http:
        for identity, token in credentials.secrets().items():
            probe(url, token=token, timeout=options.timeout, variable=identity, http=http)


def still_answers(
    problem: str, url: str, options: SuiteOptions, remote: Remote, credentials: Credentials
) -> bool:
    """Whether a target that went silent still answers a plain request.

    Then it is up, and the requests it left unanswered (already failures of
    `answers_every_request`) are a broken promise, exit 1, not an unreachable target, exit 2.
    """
    if not problem.startswith(STOPPED_ANSWERING):
        return False
    try:
        with remote.http(timeout=options.timeout) as http:
            probe(url, token=credentials.bearer("TOKEN"), timeout=options.timeout, http=http)
    except TargetError:
        return False
    return True
