"""Zuora's official Python SDK and a server for it, shared by the tests that drive the SDK.

The SDK is imported only when a test asks for it: importing it builds thousands of pydantic
models and takes many seconds, which only those tests should pay.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

import pytest

from tests._server_fixtures import ServerProcess, serve

__all__ = ["import_sdk", "sdk_server"]


def import_sdk() -> ModuleType:
    """The `zuora_sdk` package, imported now."""
    return importlib.import_module("zuora_sdk")


@contextmanager
def sdk_server(factory: pytest.TempPathFactory, name: str) -> Iterator[ServerProcess]:
    """A reference server with its own SQLite store in a fresh folder called `name`."""
    folder = factory.mktemp(name)
    with serve("--store", f"sqlite:///{folder / 'store.db'}", folder=folder) as running:
        yield running
