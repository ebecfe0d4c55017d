"""Tests of the clients: the generated client and the resilient client, against the reference
server.
"""

__all__: list[str] = []
