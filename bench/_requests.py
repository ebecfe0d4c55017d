"""The requests every peer receives, built from the contract's own documentation example.

| body    | what it is                                                        | answer         |
|---------|-------------------------------------------------------------------|----------------|
| small   | the contract's `DeliveriesRequest` (2 deliveries, billed)          | 200, ~300 B    |
| large   | its first delivery repeated `LARGE_COUNT` times, not billed        | 200, > 1000 B  |
| invalid | `DeliveriesRequest` without the required `quantity`               | 400            |
"""

from __future__ import annotations

import copy
import gzip
import http.client
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml
from fulfillments_contract import load_contract

from bench._procs import LOOPBACK

__all__ = [
    "LARGE_COUNT",
    "PATH",
    "ROOT",
    "SPEC",
    "TOKEN",
    "Answer",
    "Bodies",
    "post",
    "write_bodies",
    "write_tokens",
]

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "fulfillments.yaml"
PATH = "/v1/fulfillments"
TOKEN = "bench-token"  # the benchmark tenant's token (see write_tokens)
LARGE_COUNT = 16  # each created fulfillment adds ~100 bytes to the answer: 16 make ~1,700 B
_HUGE_QUOTA = 10**12  # no rate limit may answer 429 in the middle of a measurement
_HUGE_CONCURRENCY = 100_000  # nor the in-flight limit (Zuora's default is 200)
_HTTP_TIMEOUT = 30.0  # seconds for one seeding or probing request


@dataclass(frozen=True, slots=True)
class Bodies:
    """The request bodies, as files wrk reads and bytes Python sends."""

    small: Path
    large: Path
    invalid: Path


def _example(name: str) -> dict[str, Any]:
    value: dict[str, Any] = load_contract(SPEC).document["components"]["examples"][name]["value"]
    return copy.deepcopy(value)


def write_bodies(folder: Path) -> Bodies:
    """Write the three bodies into `folder` as compact JSON."""
    small = _example("DeliveriesRequest")
    large = {"fulfillments": [copy.deepcopy(small["fulfillments"][0]) for _ in range(LARGE_COUNT)]}
    invalid = copy.deepcopy(small)
    del invalid["fulfillments"][0]["quantity"]
    bodies = Bodies(folder / "small.json", folder / "large.json", folder / "invalid.json")
    for path, document in ((bodies.small, small), (bodies.large, large), (bodies.invalid, invalid)):
        path.write_bytes(orjson.dumps(document))
    return bodies


def write_tokens(path: Path, tenants: tuple[tuple[str, str], ...] = (("1", TOKEN),)) -> Path:
    """A tokens file of (tenant id, token) pairs with limits no benchmark reaches."""
    document = {
        "tenants": [
            {
                "id": tenant,
                "tokens": [token],
                "quotas": {"minute": _HUGE_QUOTA, "hour": _HUGE_QUOTA, "day": _HUGE_QUOTA},
                "concurrency_limit": _HUGE_CONCURRENCY,
            }
            for tenant, token in tenants
        ]
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@dataclass(frozen=True, slots=True)
class Answer:
    """One raw answer: status, headers by lower-case name, and the body as sent (not decoded)."""

    status: int
    headers: dict[str, str]
    raw: bytes

    def describe(self) -> str:
        """`200`, `200 gzip`, `200 replayed`, `200 gzip-label-only` and so on."""
        words = [str(self.status)]
        if self.headers.get("content-encoding") == "gzip":
            words.append("gzip" if self.raw[:2] == b"\x1f\x8b" else "gzip-label-only")
        if self.headers.get("idempotent-replayed") == "true":
            words.append("replayed")
        return " ".join(words)

    def size(self) -> str:
        """`1,372 B` or, for a gzip body, `497 B (1,372 B decoded)`."""
        if self.raw[:2] != b"\x1f\x8b":
            return f"{len(self.raw):,} B"
        return f"{len(self.raw):,} B ({len(gzip.decompress(self.raw)):,} B decoded)"


def post(
    port: int,
    body: bytes,
    *,
    key: str | None = None,
    accept_gzip: bool = False,
    token: str = TOKEN,
) -> Answer:
    """One POST /v1/fulfillments over a fresh loopback connection."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    if accept_gzip:
        headers["Accept-Encoding"] = "gzip"
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=_HTTP_TIMEOUT)
    try:
        conn.request("POST", PATH, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        names = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, names, raw)
    finally:
        conn.close()
