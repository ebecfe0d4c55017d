"""Long-running reliability runs of the reference server; not part of `make test`."""

__all__: list[str] = []
