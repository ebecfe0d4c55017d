"""Project tooling: the stale-client check and helper scripts."""

__all__: list[str] = []
