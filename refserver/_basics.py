"""The default clock and identifier generators."""

from __future__ import annotations

import secrets
import time
import uuid

__all__ = ["HexFulfillmentIds", "SystemClock", "UuidRequestIds"]


class SystemClock:
    """Wall-clock time, so key expiry and rate windows survive a restart."""

    def now(self) -> float:
        """Seconds since the epoch."""
        return time.time()


class UuidRequestIds:
    """A hyphenated UUID (36 characters) per call; a 16-hex-digit process id like Zuora's."""

    def request_id(self) -> str:
        """A fresh random UUID."""
        return str(uuid.uuid4())

    def process_id(self) -> str:
        """Sixteen upper-case hex digits, the form of Zuora's `processId`."""
        return secrets.token_hex(8).upper()


class HexFulfillmentIds:
    """Zuora's ids are 32 lowercase hex characters without hyphens."""

    def new_id(self) -> str:
        """A fresh random id."""
        return uuid.uuid4().hex
