"""The reference server: a faithful, stateful stand-in for Zuora's POST /v1/fulfillments."""

__all__: list[str] = []
