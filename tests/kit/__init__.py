"""Tests of the kit as users install and run it: packaging, locks, the Makefile, the CI gate and
the action.
"""

__all__: list[str] = []
