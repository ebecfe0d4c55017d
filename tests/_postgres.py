"""A PostgreSQL server for the tests: `PG_DSN` when set, else a throwaway cluster of our own.

The cluster comes from `tools/pg_throwaway.sh`, the same script CI and benchmarks use, so a test
run and a benchmark see the same server settings. Without PostgreSQL binaries the tests that need
it are skipped, except in CI (`CI=true`), where a missing install must fail rather than hide.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, ExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from refserver.store import Store
from refserver.store._postgres_sql import TABLES
from refserver.store.postgres import PostgresStore

__all__ = [
    "postgres_backend",
    "postgres_dsn",
    "throwaway_schema",
    "with_query",
]

_SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "pg_throwaway.sh"
_NOT_INSTALLED = 3  # the script's exit status when no PostgreSQL server binaries exist
_START_TIMEOUT = 60.0  # seconds; initdb and a first start take about two on a loaded machine


def with_query(url: str, **params: str) -> str:
    """`url` with `params` added to its query string, replacing any of the same name."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


@contextmanager
def throwaway_schema(dsn: str) -> Iterator[str]:
    """A new empty schema, as a URL whose connections see only it; dropped afterwards.

    Why a schema and not a database: creating one needs no CREATEDB privilege on a `PG_DSN`
    server, and it takes milliseconds.
    """
    name = f"test_{secrets.token_hex(6)}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield with_query(dsn, options=f"-c search_path={name}")
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


class _Schemas:
    """Schemas for stores that must start empty, emptied and reused rather than made anew.

    Why: creating a schema and its tables costs about 50 ms, emptying one about 5 ms, and a
    property test opens a fresh store for every example. A schema is reused only once the store
    that had it is closed, so two stores open at once never share one.
    """

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._free: list[str] = []
        self._made = ExitStack()

    @asynccontextmanager
    async def fresh_store(self) -> AsyncIterator[Store]:
        if self._free:
            url = self._free.pop()
            with psycopg.connect(url, autocommit=True) as conn:
                for table in TABLES:
                    conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
        else:
            url = self._made.enter_context(throwaway_schema(self._dsn))
        store = await PostgresStore.open(url)
        try:
            yield store
        finally:
            await store.close()
            self._free.append(url)

    def drop(self) -> None:
        self._made.close()


def postgres_backend(
    request: pytest.FixtureRequest,
) -> Callable[[], AbstractAsyncContextManager[Store]]:
    """The PostgreSQL entry of the store-contract tests' backend list: fresh, empty stores."""
    schemas = _Schemas(request.getfixturevalue("postgres_dsn"))
    request.addfinalizer(schemas.drop)
    return schemas.fresh_store


def _start(folder: Path) -> str:
    """Start a cluster in `folder` and return its DSN, or skip (fail in CI) when not installed."""
    done = subprocess.run(
        [str(_SCRIPT), "start", str(folder)],
        capture_output=True,
        text=True,
        timeout=_START_TIMEOUT,
        check=False,
    )
    if done.returncode == _NOT_INSTALLED:
        reason = f"PostgreSQL is not installed ({done.stderr.strip()}); set PG_DSN or install it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    if done.returncode != 0:
        pytest.fail(f"could not start PostgreSQL:\n{done.stderr}", pytrace=False)
    return done.stdout.strip()


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A DSN of a PostgreSQL server the tests may create schemas in."""
    given = os.environ.get("PG_DSN")
    if given:
        yield given
        return
    # Directly under the system's temporary folder: the cluster's owner (postgres, when the tests
    # run as root) must be able to reach it, which pytest's private per-user folders forbid.
    folder = Path(tempfile.mkdtemp(prefix="refserver-pg-"))
    try:
        yield _start(folder)
    finally:
        try:
            subprocess.run(
                [str(_SCRIPT), "stop", str(folder)],
                check=True,
                capture_output=True,
                timeout=_START_TIMEOUT,
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
