"""Fixtures shared by every test module."""

from tests._postgres import postgres_dsn

__all__ = ["postgres_dsn"]
