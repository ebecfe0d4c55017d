"""Idempotency keys no earlier run has used, of any length the contract allows.

A server keeps a key for 24 hours, so a key drawn twice, in this run or an earlier one against
the same server, meets a stored answer: a replay or a 422 where a fresh request was meant.
Every key the suite sends carries the run's nonce and a counter, or is random and long enough
that a collision is not a practical concern.
"""

from __future__ import annotations

import itertools
import secrets
import string
import threading

from conformance.strategies import VISIBLE_ASCII

__all__ = ["MIN_RANDOM_LENGTH", "KeySpace"]

MIN_RANDOM_LENGTH = 8  # 94**8 (about 6e15) random keys: a repeat is not a practical concern
_FILLER = string.ascii_letters + string.digits  # readable in a reproduction command


class KeySpace:
    """Hands out unique keys for one run."""

    def __init__(self, nonce: str) -> None:
        self._nonce = nonce
        self._counter = itertools.count()
        self._lock = threading.Lock()

    def fresh(self, length: int) -> str:
        """A key of exactly `length` characters (at least `MIN_RANDOM_LENGTH` stay unique)."""
        with self._lock:
            serial = next(self._counter)
        stem = f"cf-{self._nonce}-{serial:06d}-"
        if length < len(stem):
            return "".join(secrets.choice(VISIBLE_ASCII) for _ in range(length))
        filler = itertools.islice(itertools.cycle(_FILLER), length - len(stem))
        return stem + "".join(filler)
