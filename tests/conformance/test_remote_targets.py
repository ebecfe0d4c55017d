"""The whole suite against remote-like targets: TLS, OAuth-only, a quota, latency, chunked bodies.

Each setup is the reference server behind `tests._remote_target`'s proxy, and each run must pass
with nothing failed. Every profile meets every setup: the quick setups (OAuth, chunked bodies)
run under both profiles, the slow ones (TLS, a quota, latency) alone under the default profile
and all together under the zuora profile. Pacing and latency are judged by counts (answers,
throttled answers, what the proxy saw), never by how long a run took.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conformance import Profile, SuiteOptions, SuiteResult, run_suite
from conformance.oauth import Credentials, Grant
from conformance.properties import PROPERTIES
from conformance.properties.wire import RawRoute
from tests._remote_target import OAUTH_CLIENTS, Proxy, ProxyOptions, remote_target

SEED = 20261206  # fixed, so every run sends the same requests
EXAMPLES = 5  # fuzzing cases (a property runs one fifth): enough traffic to meet every setup
# Without Schemathesis's coverage phase (500+ cases one after the other), for the setups that
# add 150 ms to every answer; the phase itself is exercised by the setups without latency.
NO_COVERAGE = frozenset({"examples", "fuzzing", *(spec.name for spec in PROPERTIES)})
LATENCY = 0.15
BOTH_STACKS = frozenset({"examples", "track_ids_are_echoed"})  # Schemathesis's, and the suite's


def _oauth() -> dict[str, str]:
    (one_id, one_secret), (two_id, two_secret) = OAUTH_CLIENTS.values()
    return {
        "client_id": one_id,
        "client_secret": one_secret,
        "client_id2": two_id,
        "client_secret2": two_secret,
    }


def _run(proxy: Proxy, profile: Profile, **extra: object) -> SuiteResult:
    options: dict[str, object] = {
        "target": proxy.url,
        "profile": profile,
        "max_examples": EXAMPLES,
        "seed": SEED,
    }
    if proxy.ca_file is not None:
        options["ca_bundle"] = str(proxy.ca_file)
    result = run_suite(SuiteOptions(**(options | extra)))  # type: ignore[arg-type]
    assert result.problem is None, result.problem
    failures = {name: result.report(name).failures for name in result.failed_checks}
    assert not failures
    assert result.exit_code == 0
    return result


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


PROFILES = pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
ALONE = pytest.mark.parametrize("profile", [Profile.DEFAULT], ids=lambda p: p.value)
TOGETHER = pytest.mark.parametrize("profile", [Profile.ZUORA], ids=lambda p: p.value)


@ALONE
def test_tls_with_a_private_ca_given_as_a_bundle(folder: Path, profile: Profile) -> None:
    with remote_target(folder, ProxyOptions(tls=True)) as proxy:
        assert proxy.url.startswith("https://")
        result = _run(proxy, profile)
    # The plain-socket requests took the same TLS trust: Content-Length was judged over TLS.
    assert result.report("content_length_matches").cases > 0
    # Both tenants' requests crossed the TLS proxy, the only way to the server.
    assert proxy.counts.per_token["Bearer dev-token"] > 0
    assert proxy.counts.per_token["Bearer dev-token-2"] > 0


def test_tls_without_the_ca_is_an_unreachable_target_and_insecure_reaches_it(
    folder: Path,
) -> None:
    with remote_target(folder, ProxyOptions(tls=True)) as proxy:
        refused = run_suite(SuiteOptions(target=proxy.url, only=frozenset({"examples"})))
        insecure = run_suite(
            SuiteOptions(target=proxy.url, only=frozenset({"examples"}), insecure=True)
        )
    assert refused.exit_code == 2
    assert "CERTIFICATE_VERIFY_FAILED" in (refused.problem or "")
    assert insecure.exit_code == 0, insecure.problem


@PROFILES
def test_oauth_only_with_client_credentials_for_both_tenants(
    folder: Path, profile: Profile
) -> None:
    with remote_target(folder, ProxyOptions(), oauth_only=True) as proxy:
        result = _run(proxy, profile, **_oauth())
        refused = run_suite(SuiteOptions(target=proxy.url, only=frozenset({"examples"})))
    assert result.report("other_tenant_never_sees_response").cases > 0
    assert refused.exit_code == 2  # the static dev-token does not exist there
    assert "TOKEN was refused" in (refused.problem or "")


def test_tokens_are_renewed_before_they_expire_and_after_a_refusal(folder: Path) -> None:
    now = [0.0]
    with remote_target(folder, ProxyOptions(), oauth_only=True) as proxy:
        client_id, secret = OAUTH_CLIENTS["TOKEN"]
        with httpx.Client() as http:
            credentials = Credentials(
                static={},
                grants={"TOKEN": Grant(client_id, secret)},
                token_url=f"{proxy.url}/oauth/token",
                http=http,
                clock=lambda: now[0],
            )
            credentials.start()
            first = credentials.bearer("TOKEN")
            now[0] += 10.0  # half of a 20-second life: still the same token
            assert credentials.bearer("TOKEN") == first
            now[0] += 6.0  # four seconds left: renewed
            second = credentials.bearer("TOKEN")
            assert second != first
            third = credentials.renew(f"Bearer {second}")
            assert third is not None
            assert third != f"Bearer {second}"
            assert credentials.renew("Bearer a-token-never-fetched-here") is None
            answer = http.post(
                f"{proxy.url}/v1/fulfillments",
                headers={"Authorization": third, "Content-Type": "application/json"},
                content=b"{}",
            )
    assert answer.status_code == 400  # accepted credentials, refused (empty) body


@PROFILES
def test_chunked_bodies_and_connection_close(folder: Path, profile: Profile) -> None:
    with remote_target(folder, ProxyOptions(chunked=True)) as proxy:
        _run(proxy, profile)


@pytest.fixture
def throttling(tmp_path: Path) -> Iterator[Proxy]:
    with remote_target(tmp_path, ProxyOptions(quota=25)) as proxy:
        yield proxy


@pytest.mark.slow
@ALONE
def test_a_quota_of_25_a_second_is_waited_out_never_judged(
    throttling: Proxy, profile: Profile
) -> None:
    result = _run(throttling, profile, only=NO_COVERAGE, workers=8)
    assert result.traffic is not None
    assert throttling.counts.throttled > 0  # the suite did meet the quota...
    assert result.traffic.throttled == throttling.counts.throttled  # ...and waited out each 429
    assert result.traffic.waited > 0
    # Adapting, not hammering: far fewer 429s than answers.
    assert throttling.counts.throttled * 10 < throttling.counts.forwarded


@pytest.mark.slow
@ALONE
def test_150_ms_added_to_every_answer(folder: Path, profile: Profile) -> None:
    with remote_target(folder, ProxyOptions(latency=LATENCY)) as proxy:
        result = _run(proxy, profile, only=NO_COVERAGE, workers=8)
    assert result.traffic is not None
    assert result.traffic.median is not None
    assert result.traffic.median >= LATENCY  # the run saw the latency it had to live with
    assert result.report("concurrent_requests_create_once").cases > 0


@pytest.mark.slow
@TOGETHER
def test_everything_together(folder: Path, profile: Profile) -> None:
    options = ProxyOptions(
        tls=True,
        quota=25,
        latency=LATENCY,
        chunked=True,
        required=("X-Gateway-Key", "gateway-secret"),
    )
    with remote_target(folder, options, oauth_only=True) as proxy:
        result = _run(
            proxy,
            profile,
            only=NO_COVERAGE,
            workers=8,
            headers=(("X-Gateway-Key", "gateway-secret"),),
            secret_headers=frozenset({"X-Gateway-Key"}),
            **_oauth(),
        )
    assert result.traffic is not None
    assert proxy.counts.refused == 0  # the extra header was on every request of both phases
    assert proxy.counts.forwarded > 0
    # The plain-socket requests got through TLS, the quota and the key too: their answers came
    # back chunked, so Content-Length had nothing to judge (and says why).
    wire = result.report("content_length_matches")
    assert wire.shown > 0
    assert wire.unjudged == "answers sent chunked, without Content-Length"


def test_both_http_stacks_go_through_the_proxy_the_environment_names(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with remote_target(folder, ProxyOptions()) as proxy:
        upstream = proxy.upstream
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("http_proxy", proxy.url)
        result = run_suite(
            SuiteOptions(target=upstream, max_examples=EXAMPLES, seed=SEED, only=BOTH_STACKS)
        )
        assert result.exit_code == 0, result.problem
        through_proxy = proxy.counts.forwarded
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        run_suite(SuiteOptions(target=upstream, seed=SEED, only=BOTH_STACKS))
    assert result.traffic is not None
    # Every answer the suite counted crossed the proxy; with NO_PROXY, none did.
    assert through_proxy >= result.traffic.answers > 0
    assert proxy.counts.forwarded == through_proxy


@pytest.mark.slow
def test_a_rate_limit_below_the_quota_is_never_throttled(throttling: Proxy) -> None:
    result = _run(throttling, Profile.DEFAULT, only=NO_COVERAGE, workers=8, rate_limit=20.0)
    assert throttling.counts.forwarded > 100  # enough traffic to meet a 25/s quota unpaced
    assert throttling.counts.throttled == 0
    assert result.traffic is not None
    assert result.traffic.throttled == 0


def test_plain_socket_requests_take_no_route_a_proxy_would_frame_anew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    url = "https://billing.example/v1/fulfillments"
    assert not RawRoute.proxied(url)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    assert RawRoute.proxied(url)
    monkeypatch.setenv("NO_PROXY", "billing.example")
    assert not RawRoute.proxied(url)
