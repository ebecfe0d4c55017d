"""The ceiling of the stack: a bare ASGI app on the same uvicorn that answers one static JSON body.

It reads the request body to the end, as any real handler must, and sends the same headers a
JSON API sends; everything the reference server does beyond that is its own cost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["BODY", "app"]

Message = MutableMapping[str, Any]

# The size of a typical creation answer (two fulfillments), so the bytes on the wire are alike.
BODY = (
    b'{"fulfillments":[{"id":"8a90876c880945ab0188097c3b790b01","fulfillmentNumber":"F-00007054",'
    b'"fulfillmentItems":[]},{"id":"8a90876c880945ab0188097c3b790b02","fulfillmentNumber":'
    b'"F-00007055","fulfillmentItems":[]}],"invoiceNumbers":["INV00004321"],'
    b'"creditMemoNumbers":null,"paymentNumber":null,"paidAmount":null,"success":true}'
)
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    """Drain the request and answer 200 with `BODY`."""
    if scope["type"] != "http":
        return
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": BODY})
