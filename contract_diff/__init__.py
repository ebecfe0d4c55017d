"""Placeholder package; its modules land with their tests."""

__all__: list[str] = []
