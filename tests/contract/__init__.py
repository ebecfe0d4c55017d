"""Tests of the contract, its one reader, the contract differ and the generated client's golden
record.
"""

__all__: list[str] = []
