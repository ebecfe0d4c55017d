"""Writing one response: the body, `Content-Length`, and only the headers its status declares.

Every name is written as Zuora spells it (`refserver._spelling`), whatever case it was given
or stored in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from refserver._spelling import spelled

__all__ = ["Send", "send_response"]

Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
_ALWAYS = frozenset({"content-type", "content-length"})


async def send_response(
    send: Send,
    status: int,
    body: bytes,
    headers: Iterable[tuple[str, str]],
    *,
    declared: frozenset[str] | None,
    content_type: str = "application/json",
) -> None:
    """Send the response; with `declared`, headers the contract does not list are left out."""
    raw = [
        (b"Content-Type", content_type.encode("latin-1")),
        (b"Content-Length", str(len(body)).encode("ascii")),
    ]
    for name, value in headers:
        lower = name.lower()
        if lower in _ALWAYS or (declared is not None and lower not in declared):
            continue
        raw.append((spelled(name).encode("latin-1"), value.encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
