"""A clock for tests of waiting: time moves only when the code under test sleeps (or is told to)."""

from __future__ import annotations

__all__ = ["FakeClock"]


class FakeClock:
    """Call it for the time; hand `sleep` to the code under test; move `now` to let time pass."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
