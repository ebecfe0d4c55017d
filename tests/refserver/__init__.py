"""Tests of the reference server: its parts, stores, processes, faults and hostile input."""

__all__: list[str] = []
