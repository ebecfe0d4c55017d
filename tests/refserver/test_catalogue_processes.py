"""Catalogue mode's 100-fulfillments-per-line-item limit, held by two server processes at once.

Each process counts only its own requests in flight, so two processes sharing a store could
pass the limit together; the store counts again inside the transaction that stores the
fulfillments. Both processes are sent many creations for one line item, released together.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import psycopg
import pytest

from refserver._catalogue import MAX_FULFILLMENTS_PER_LINE_ITEM
from tests._postgres import throwaway_schema
from tests._server_fixtures import LINE_ITEM, body, serve

_PER_REQUEST = 10  # fulfillments per creation: ten creations fill the line item exactly
_PER_PROCESS = 12  # creations sent to each process: 240 wanted, more than twice the limit
_TOKENS = f"""\
oauth_secret: catalogue processes
tenants:
  - id: shop
    tokens: [shop-token]
    concurrency_limit: 1000
    line_items: [{{id: {LINE_ITEM}}}]
"""


@contextlib.contextmanager
def _store(kind: str, folder: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'store.db'}"
        return
    with throwaway_schema(request.getfixturevalue("postgres_dsn")) as url:
        yield url


def _stored(kind: str, url: str, folder: Path) -> int:
    """The fulfillments the store holds for the line item, read from the database itself."""
    if kind == "sqlite":
        with contextlib.closing(sqlite3.connect(folder / "store.db")) as conn:
            query = "SELECT count(*) FROM fulfillments WHERE order_line_item_id = ?"
            return int(conn.execute(query, (LINE_ITEM,)).fetchone()[0])
    with psycopg.connect(url) as conn:
        query = "SELECT count(*) FROM refserver_fulfillments WHERE order_line_item_id = %s"
        row = conn.execute(query, (LINE_ITEM,)).fetchone()
        assert row is not None
        return int(row[0])


def _race(urls: list[str]) -> list[httpx.Response]:
    """`_PER_PROCESS` creations to each URL, each on its own connection, released at once."""
    targets = [url for url in urls for _ in range(_PER_PROCESS)]
    start = threading.Barrier(len(targets))
    answers: list[httpx.Response | None] = [None] * len(targets)
    payload = orjson.dumps(body(_PER_REQUEST))
    headers = {"Authorization": "Bearer shop-token", "Content-Type": "application/json"}

    def send(index: int, url: str) -> None:
        with httpx.Client(timeout=60) as client:
            start.wait()
            answers[index] = client.post(
                f"{url}/v1/fulfillments",
                content=payload,
                headers={**headers, "Idempotency-Key": f"race-{index}"},
            )

    threads = [threading.Thread(target=send, args=pair) for pair in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None for answer in answers)
    return [answer for answer in answers if answer is not None]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_processes_never_pass_the_line_item_limit_together(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(_TOKENS, encoding="utf-8")
    with _store(kind, tmp_path, request) as url:
        options = ("--store", url, "--tokens", str(tokens))
        with (
            serve(*options, folder=tmp_path) as one,
            serve(*options, folder=tmp_path) as two,
        ):
            answers = _race([one.url, two.url])
            statuses = sorted(answer.status_code for answer in answers)
            created = statuses.count(200)
            assert set(statuses) <= {200, 400}, statuses
            for answer in answers:
                if answer.status_code == 400:
                    message = answer.json()["reasons"][0]["message"]
                    assert f"at most {MAX_FULFILLMENTS_PER_LINE_ITEM} are allowed" in message
            replayed = httpx.post(
                f"{two.url}/v1/fulfillments",
                content=orjson.dumps(body(_PER_REQUEST)),
                headers={
                    "Authorization": "Bearer shop-token",
                    "Content-Type": "application/json",
                    "Idempotency-Key": "race-0",
                },
                timeout=30,
            )
            assert replayed.status_code == answers[0].status_code  # the outcome was stored
        stored = _stored(kind, url, tmp_path)
    assert stored == created * _PER_REQUEST
    assert stored == MAX_FULFILLMENTS_PER_LINE_ITEM
