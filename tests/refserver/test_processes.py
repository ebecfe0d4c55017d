"""Server processes: restart after SIGKILL, graceful SIGTERM, workers and processes on one file."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest

from tests._server_fixtures import LINE_ITEM, ROOT, assert_conforms, body, fulfillment, serve

AUTH = {"Authorization": "Bearer dev-token", "Content-Type": "application/json"}


def _post(url: str, payload: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    response = httpx.post(
        f"{url}/v1/fulfillments", content=payload, headers={**AUTH, **(headers or {})}, timeout=10
    )
    assert_conforms(response)
    return response


def _count(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM fulfillments").fetchone()[0])
    finally:
        conn.close()


def test_completed_keys_replay_after_the_process_is_killed(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    payloads = [orjson.dumps(body(i + 1, runBilling=True)) for i in range(5)]
    with serve("--store", store, folder=tmp_path) as first:
        originals = [
            _post(first.url, p, {"Idempotency-Key": f"k{i}"}) for i, p in enumerate(payloads)
        ]
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=10)
    assert _count(tmp_path / "store.db") == 15
    with serve("--store", store, folder=tmp_path) as second:
        for i, (payload, original) in enumerate(zip(payloads, originals, strict=True)):
            replay = _post(second.url, payload, {"Idempotency-Key": f"k{i}"})
            assert replay.status_code == original.status_code == 200
            assert replay.content == original.content
            assert replay.headers["zuora-request-id"] == original.headers["zuora-request-id"]
            assert replay.headers["idempotent-replayed"] == "true"
        numbers = _post(second.url, payloads[0]).json()["fulfillments"][0]["fulfillmentNumber"]
        # The counters survived: the new process starts a fresh block after the first
        # process's block of 100 (refserver/_numbers.py), so no number is ever reused.
        assert numbers == "F-00000101"
    assert _count(tmp_path / "store.db") == 16


def test_sigterm_lets_an_in_flight_request_finish(tmp_path: Path) -> None:
    payload = orjson.dumps(body())
    with serve("--store", f"sqlite:///{tmp_path / 'store.db'}", folder=tmp_path) as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                b"POST /v1/fulfillments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dev-token\r\n"
                b"Content-Type: application/json\r\nIdempotency-Key: term\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload[:10])
            )
            probe = httpx.post(
                f"{server.url}/v1/fulfillments", content=payload, headers=AUTH, timeout=10
            )
            assert probe.status_code == 200  # the first request is in flight by now
            server.process.send_signal(signal.SIGTERM)
            sock.sendall(payload[10:])
            sock.settimeout(10)
            answer = b""
            while b"}" not in answer.rpartition(b"\r\n\r\n")[2][-1:]:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        # uvicorn re-raises the captured SIGTERM once its graceful shutdown is done
        assert server.process.wait(timeout=10) in {0, -signal.SIGTERM}
        assert b"Application shutdown complete" in server.log.read_bytes()
    assert _count(tmp_path / "store.db") == 2


def test_two_processes_share_one_file_and_each_others_tokens(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    payload = orjson.dumps(body(2))
    with (
        serve("--store", store, folder=tmp_path) as one,
        serve("--store", store, folder=tmp_path) as two,
    ):
        form = {
            "client_id": "dev-client",
            "client_secret": "dev-secret",
            "grant_type": "client_credentials",
        }
        token = httpx.post(f"{one.url}/oauth/token", data=form, timeout=10).json()["access_token"]
        first = _post(
            two.url, payload, {"Idempotency-Key": "shared", "Authorization": f"Bearer {token}"}
        )
        again = _post(one.url, payload, {"Idempotency-Key": "shared"})
        assert first.status_code == 200
        assert again.content == first.content
        assert again.headers["idempotent-replayed"] == "true"
        numbers = {
            _post(url, orjson.dumps(body()), {}).json()["fulfillments"][0]["fulfillmentNumber"]
            for url in (one.url, two.url, one.url, two.url)
        }
        assert len(numbers) == 4  # one counter for both processes
    assert _count(tmp_path / "store.db") == 6


def test_several_workers_serve_one_port(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    with serve("--store", store, "--workers", "2", folder=tmp_path) as server:
        payload = orjson.dumps(body())
        with httpx.Client(timeout=10) as client:
            answers = [
                client.post(
                    f"{server.url}/v1/fulfillments",
                    content=payload,
                    headers={**AUTH, "Idempotency-Key": f"w{i % 5}", "Connection": "close"},
                )
                for i in range(20)
            ]
        for answer in answers:
            assert_conforms(answer)
        assert {a.status_code for a in answers} == {200}
        assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 15
    assert _count(tmp_path / "store.db") == 5


def test_tokens_file_and_spec_options(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(
        f"""
tenants:
  - id: acme
    tokens: [acme-token]
    concurrency_limit: 1
    line_items: [{{id: {LINE_ITEM}}}]
""",
        encoding="utf-8",
    )
    spec = tmp_path / "fulfillments.yaml"
    text = (ROOT / "openapi" / "fulfillments.yaml").read_text(encoding="utf-8")
    spec.write_text(text.replace("thresholdBytes: 1000", "thresholdBytes: 100"), encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'store.db'}"
    acme = {**AUTH, "Authorization": "Bearer acme-token"}
    payload = orjson.dumps(body())
    with serve(
        "--store", store, "--tokens", str(tokens), "--spec", str(spec), folder=tmp_path
    ) as server:
        assert _post(server.url, payload).status_code == 401  # dev tenants are gone
        created = _post(server.url, payload, {**acme, "Accept-Encoding": "gzip"})
        assert created.status_code == 200
        assert created.headers["content-encoding"] == "gzip"  # the spec's threshold, not 1000
        unknown = orjson.dumps(body() | {"fulfillments": [fulfillment(orderLineItemId="f" * 32)]})
        assert _post(server.url, unknown, acme).json()["reasons"][0]["code"] == 53600040
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                b"POST /v1/fulfillments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer acme-token\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                % (len(payload), payload[:10])
            )
            deadline = time.monotonic() + 5
            busy = _post(server.url, payload, acme)
            while busy.status_code != 429 and time.monotonic() < deadline:
                busy = _post(server.url, payload, acme)  # until the slow request is counted
            assert busy.status_code == 429
            assert busy.headers["concurrency-limit-remaining"] == "0"
            sock.sendall(payload[10:])
            sock.settimeout(10)
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        assert _post(server.url, payload, acme).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "2", "--store", "memory://"], "memory:// lives in one process"),
        (["--workers", "0"], "--workers must be at least 1"),
        (["--lease-seconds", "0"], "--lease-seconds must be positive"),
        (["--tokens", "missing-tokens-file.yaml"], "missing-tokens-file.yaml"),
    ],
)
def test_bad_options_stop_the_cli_before_it_serves(
    args: list[str], message: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "refserver", "--port", "1", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert message in done.stderr


_FREEZE_PROBE = """
import asyncio, gc
from refserver._app import create_app
from refserver._cli import config_from_environment

async def main() -> None:
    app = create_app(config_from_environment())
    before = gc.get_freeze_count()
    await app.startup()
    print(before, gc.get_freeze_count())
    await app.shutdown()

asyncio.run(main())
"""


def test_the_cli_server_freezes_its_startup_heap() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", _FREEZE_PROBE],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    before, after = (int(n) for n in probe.stdout.split())
    assert before == 0
    assert after > 10_000  # the contract, the validator and the modules: never rescanned
