"""One function turns a store URL into an open store, so the CLI and tests never pick classes."""

from __future__ import annotations

import importlib

from refserver.store._protocol import Store
from refserver.store.memory import MemoryStore
from refserver.store.sqlite import SqliteStore

__all__ = ["open_store"]


async def open_store(url: str) -> Store:
    """Open `memory://`, `sqlite:///rel.db`, `sqlite:////abs.db` or `postgresql://...`."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "memory":
        return await MemoryStore.open(url)
    if scheme == "sqlite":
        return await SqliteStore.open(url)
    if scheme in {"postgresql", "postgres"}:
        # imported only when asked for, so the other backends work without psycopg
        try:
            postgres = importlib.import_module("refserver.store.postgres")
        except ModuleNotFoundError as missing:
            if missing.name not in {"psycopg", "psycopg_pool"}:
                raise
            raise ModuleNotFoundError(
                f"a postgresql:// store needs {missing.name}, which the kit's postgresql extra "
                "installs: pip install 'fulfillments-contract-kit[postgresql]'",
                name=missing.name,
            ) from missing
        store: Store = await postgres.PostgresStore.open(url)
        return store
    raise ValueError(
        f"unknown store URL scheme {scheme!r}: use memory://, sqlite:/// or postgresql://"
    )
