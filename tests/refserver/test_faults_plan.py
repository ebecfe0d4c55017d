"""Server-wide faults (`--faults`, `--fault-seed`), the switches that turn faults off, and a soak.

The parsing tests call the functions; the rest run `python -m refserver` over a socket.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest

from conformance.target import EmbeddedServer
from refserver._cli import main
from refserver._config import load_tokens_file
from refserver._faults import Fault, FaultPlan, parse_prefer
from tests._exactly_once_fixtures import PostgresLedger, SqliteLedger, port_of
from tests._postgres import throwaway_schema
from tests._server_fixtures import ServerProcess, serve
from tests._wire import Reply, post, request_bytes
from tests.soak.fault_soak import FaultSoak, run_soak

_TOKENS = """\
tenants:
  - id: faulty
    tokens: [faulty-token]
  - id: steady
    tokens: [steady-token]
    faults: false
"""
_SEQUENCE = 40  # requests per seeded run; two different seeds agree on all with odds 2**-40


@pytest.mark.parametrize(
    ("header", "fault"),
    [
        ("code=429", Fault("status", status=429)),
        ('CODE="503"', Fault("status", status=503)),
        ("wait=5, delay=250", Fault("delay", delay_ms=250)),
        ("fault=lost-response; strict", Fault("lost-response")),
        ("fault=reset, code=500", Fault("reset")),
        ("delay=60000", Fault("delay", delay_ms=60_000)),
        ("delay=60001", None),
        ("code=404", None),
        ("respond-async", None),
        ("", None),
        (None, None),
    ],
)
def test_prefer_asks_for_the_first_supported_fault(header: str | None, fault: Fault | None) -> None:
    assert parse_prefer(header) == fault


def test_a_plan_lists_each_fault_with_its_probability() -> None:
    plan = FaultPlan.parse("lost-response=0.05,429=0.02, reset=0.01,delay=200@0.1", seed=3)
    assert plan.chances == (
        (Fault("lost-response"), 0.05),
        (Fault("status", status=429), 0.02),
        (Fault("reset"), 0.01),
        (Fault("delay", delay_ms=200), 0.1),
    )
    assert (plan.seed, plan.prefer, plan.active) == (3, True, True)
    assert FaultPlan.parse("").chances == ()
    off = FaultPlan.parse("off")
    assert (off.prefer, off.active) == (False, False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lost-response", "expected NAME=PROBABILITY"),
        ("teapot=0.1", "unknown fault"),
        ("404=0.1", "unknown fault"),
        ("delay=0.1", "delay=MILLISECONDS@PROBABILITY"),
        ("reset=often", "not a number"),
        ("reset=1.5", "between 0 and 1"),
        ("reset=0.6,429=0.6", "more than 1"),
    ],
)
def test_a_bad_plan_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultPlan.parse(text)


def test_the_command_line_refuses_a_bad_plan(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--faults", "reset=2"])
    assert exited.value.code == 2
    assert "--faults: 'reset=2': the probability must be between 0 and 1" in capsys.readouterr().err


def test_the_tokens_file_switches_faults_per_tenant(tmp_path: Path) -> None:
    path = tmp_path / "tokens.yaml"
    path.write_text(_TOKENS)
    tenants = load_tokens_file(path).tenants
    assert (tenants["faulty"].faults, tenants["steady"].faults) == (True, False)
    path.write_text(_TOKENS.replace("faults: false", "faults: 'no'"))
    with pytest.raises(ValueError, match="faults must be true or false"):
        load_tokens_file(path)


def _request(token: str, prefer: str | None = None) -> bytes:
    item = {"orderLineItemId": "f" * 32, "fulfillmentDate": "2022-01-01", "quantity": 1}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if prefer is not None:
        headers["Prefer"] = prefer
    return request_bytes("/v1/fulfillments", headers, orjson.dumps({"fulfillments": [item]}))


async def _statuses(server: ServerProcess, request: bytes, times: int) -> list[int]:
    return [(await post(port_of(server), request)).status for _ in range(times)]


def _replies(server: ServerProcess, *requests: bytes) -> list[Reply]:
    async def run() -> list[Reply]:
        return [await post(port_of(server), request) for request in requests]

    return asyncio.run(run())


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tokens") / "tokens.yaml"
    path.write_text(_TOKENS)
    return path


def _seeded(folder: Path, tokens: Path, seed: int) -> list[int]:
    args = ("--store", "memory://", "--tokens", str(tokens), "--faults", "429=0.5")
    with serve(*args, "--fault-seed", str(seed), folder=folder) as server:
        return asyncio.run(_statuses(server, _request("faulty-token"), _SEQUENCE))


def test_a_seed_repeats_the_faults_request_for_request(tmp_path: Path, tokens: Path) -> None:
    first, again, other = (_seeded(tmp_path, tokens, seed) for seed in (7, 7, 8))
    assert set(first) == {200, 429}
    assert first == again
    assert first != other


def test_a_tenant_switched_off_gets_no_fault_of_either_kind(tmp_path: Path, tokens: Path) -> None:
    args = ("--store", "memory://", "--tokens", str(tokens), "--faults", "500=1")
    with serve(*args, folder=tmp_path) as server:
        faulty, steady, asked = _replies(
            server,
            _request("faulty-token"),
            _request("steady-token"),
            _request("steady-token", "code=503"),
        )
    assert faulty.status == 500
    assert faulty.header("Preference-Applied") is None  # drawn, not asked for
    assert (steady.status, asked.status) == (200, 200)
    assert asked.header("Preference-Applied") is None


def test_faults_off_ignores_prefer(tmp_path: Path) -> None:
    with serve("--store", "memory://", "--faults", "off", folder=tmp_path) as server:
        (reply,) = _replies(server, _request("dev-token", "code=500"))
    assert reply.status == 200
    assert reply.header("Preference-Applied") is None


def test_the_suites_embedded_server_runs_without_faults() -> None:
    with EmbeddedServer(token="dev-token", timeout=10.0) as server:
        port = int(server.url.rsplit(":", 1)[1])
        reply = asyncio.run(post(port, _request("dev-token", "code=500")))
    assert reply.status == 200
    assert reply.header("Preference-Applied") is None


def _assert_soak_held(soak: FaultSoak) -> None:
    assert soak.problems == []
    assert soak.sent >= 300
    assert soak.created == len(soak.lines) == len(soak.final)
    assert soak.lost > 0  # the faults really happened: lost answers,
    assert soak.reset > 0  # resets,
    assert soak.statuses[429] > 0  # forced 429s,
    assert soak.replayed > 0  # and retries that got a committed answer replayed


def test_a_small_soak_keeps_every_promise_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    soak = run_soak(
        f"sqlite:///{path}", SqliteLedger(path), tmp_path, requests=300, clients=8, seed=11
    )
    _assert_soak_held(soak)


@pytest.mark.postgres
def test_a_small_soak_keeps_every_promise_on_postgresql(tmp_path: Path, postgres_dsn: str) -> None:
    with throwaway_schema(postgres_dsn) as url:
        soak = run_soak(url, PostgresLedger(url), tmp_path, requests=300, clients=8, seed=11)
    _assert_soak_held(soak)
