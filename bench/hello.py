"""The ceiling of the stack: a bare ASGI app on the same uvicorn that answers one static JSON body.

It reads the request body to the end, as any real handler must, and sends the same headers a
JSON API sends; everything the reference server does beyond that is its own cost.

`python -m bench.hello --port P --workers N` serves it through the reference server's own
launcher (`refserver.parts.serve`): the same uvicorn settings, and the same way of spreading
connections over N workers.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from refserver.parts import Launch, serve

__all__ = ["BODY", "app", "main"]

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


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the app until SIGTERM, as `python -m refserver` serves the reference server."""
    parser = argparse.ArgumentParser(prog="python -m bench.hello")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    launch = Launch(
        "bench.hello:app",
        factory=False,
        host=args.host,
        port=args.port,
        lifespan="off",
        log_level=args.log_level,
    )
    sys.exit(serve(launch, args.workers))


if __name__ == "__main__":
    main()
