"""POST /oauth/token: Zuora's client-credentials flow, answering with Zuora's token body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

import orjson

from refserver._errors import Disconnected
from refserver._parts import Parts, Receive
from refserver._pipeline import read_headers
from refserver._respond import Send, send_response

__all__ = ["serve_token"]

_MAX_FORM_BYTES = 65_536  # a credentials form is a few hundred bytes


async def _read_form(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size > _MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def serve_token(parts: Parts, scope: Mapping[str, Any], receive: Receive, send: Send) -> None:
    """Issue a bearer token for valid client credentials (RFC 6749 errors otherwise)."""
    extra = (("Zuora-Request-Id", parts.request_ids.request_id()),)
    headers = read_headers(scope)
    if not headers.get("content-type", "").lower().startswith("application/x-www-form-urlencoded"):
        body = {"error": "invalid_request", "error_description": "send a form-encoded body"}
        await send_response(send, 400, orjson.dumps(body), extra, declared=None)
        return
    try:
        raw = await _read_form(receive)
    except Disconnected:
        return
    if raw is None:
        body = {"error": "invalid_request", "error_description": "the form is too large"}
        await send_response(send, 413, orjson.dumps(body), extra, declared=None)
        return
    form = {k: v[-1] for k, v in parse_qs(raw.decode("latin-1")).items()}
    if form.get("grant_type") != "client_credentials":
        body = {"error": "unsupported_grant_type"}
        await send_response(send, 400, orjson.dumps(body), extra, declared=None)
        return
    issued = parts.authenticator.issue(
        form.get("client_id", ""), form.get("client_secret", ""), parts.clock.now()
    )
    if issued is None:
        body = {"error": "invalid_client", "error_description": "Bad client credentials"}
        await send_response(send, 401, orjson.dumps(body), extra, declared=None)
        return
    token = {
        "access_token": issued.access_token,
        "token_type": "bearer",
        "expires_in": issued.expires_in,
        "scope": issued.scope,
        "jti": issued.jti,
    }
    await send_response(send, 200, orjson.dumps(token), extra, declared=None)
