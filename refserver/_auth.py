"""Bearer tokens: static ones from the configuration and HMAC-signed ones from `/oauth/token`.

Signed tokens carry their tenant and expiry and are verified with the configured secret, so
a token issued by one server process works in every other process that shares the secret.
Tokens are compared through their SHA-256 digests with `hmac.compare_digest`, a presented token
against every configured one, and never logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import orjson

from refserver._config import ServerConfig, Tenant
from refserver._types import IssuedToken

__all__ = ["TokenAuthenticator"]

_PREFIX = "zr1"  # version tag of the signed-token format
_BEARER = "bearer "
_SCOPES = "platform.write service.fulfillments.write"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()


class TokenAuthenticator:
    """Static tokens and signed OAuth tokens, both resolved to a configured tenant."""

    def __init__(self, config: ServerConfig) -> None:
        self._tenants = config.tenants
        self._static = tuple((_digest(token), tenant) for token, tenant in config.tokens.items())
        self._clients = config.clients
        self._secret = config.oauth_secret.encode("utf-8")
        self._ttl = config.token_ttl_seconds

    def authenticate(self, authorization: str | None, now: float) -> Tenant | None:
        """The tenant of a valid `Bearer <token>`, or None for anything else."""
        if authorization is None or authorization[: len(_BEARER)].lower() != _BEARER:
            return None
        token = authorization[len(_BEARER) :].strip()
        if not token:
            return None
        if token.startswith(_PREFIX + "."):
            return self._signed(token, now)
        digest = _digest(token)
        tenant_id: str | None = None
        for known, owner in self._static:  # all compared: the time never tells which one matched
            if hmac.compare_digest(known, digest):
                tenant_id = owner
        return None if tenant_id is None else self._tenants.get(tenant_id)

    def _signed(self, token: str, now: float) -> Tenant | None:
        parts = token.split(".")
        if len(parts) != 3:
            return None
        signed = f"{parts[0]}.{parts[1]}".encode("ascii", "replace")
        expected = hmac.new(self._secret, signed, hashlib.sha256).digest()
        try:
            given = _unb64(parts[2])
            if not hmac.compare_digest(expected, given):
                return None
            claims = orjson.loads(_unb64(parts[1]))
        except (ValueError, orjson.JSONDecodeError):
            return None
        if not isinstance(claims, dict) or float(claims.get("exp", 0)) <= now:
            return None
        return self._tenants.get(str(claims.get("tenant")))

    def issue(self, client_id: str, client_secret: str, now: float) -> IssuedToken | None:
        """A signed token for valid client credentials, or None."""
        client = self._clients.get(client_id)
        known = client.client_secret if client is not None else ""
        secret_ok = hmac.compare_digest(_digest(known), _digest(client_secret))
        if client is None or not secret_ok or client.tenant_id not in self._tenants:
            return None
        jti = secrets.token_hex(16)
        claims = {"tenant": client.tenant_id, "exp": int(now) + self._ttl, "jti": jti}
        body = f"{_PREFIX}.{_b64(orjson.dumps(claims))}"
        signature = hmac.new(self._secret, body.encode("ascii"), hashlib.sha256).digest()
        return IssuedToken(
            access_token=f"{body}.{_b64(signature)}",
            expires_in=self._ttl,
            jti=jti,
            scope=f"tenant.{client.tenant_id} user.{client.client_id} {_SCOPES}",
        )
