"""Tests of the conformance suite: its checks and properties, its verdicts, remote targets and
planted bugs.
"""

__all__: list[str] = []
