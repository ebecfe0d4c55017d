"""The credentials of a run: static bearer tokens, or OAuth client-credentials tokens that expire.

Zuora hands out tokens through `POST /oauth/token` (form `grant_type=client_credentials`,
`client_id`, `client_secret`) that live about an hour; a run may outlive one. `Credentials`
fetches each tenant's token at the start, renews it shortly before `expires_in` runs out and
once more when the target refuses it, and lends every stack the current one. `secrets()` is a
live view (variable name -> current token) for the reproductions, which show `$TOKEN`, never
the token; `every_pair()` also names the tokens already replaced.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import httpx

from conformance.options import DEFAULT_TOKEN, DEFAULT_TOKEN2

__all__ = [
    "Credentials",
    "CredentialsError",
    "Grant",
    "tenant_credentials",
]

_RENEW_SHARE = 0.25  # renew once a quarter of the token's life is left (15 min of Zuora's hour)
_RENEW_MARGIN = 5.0  # and never later than five seconds before it expires
_BEARER = "Bearer "


class CredentialsError(Exception):
    """A token could not be fetched; the message is the one-line reason."""


@dataclass(frozen=True, slots=True)
class Grant:
    """OAuth client credentials of one tenant."""

    client_id: str
    client_secret: str


@dataclass(slots=True)
class _Held:
    token: str
    renew_at: float  # monotonic; infinity for a static token


class Credentials:
    """Each identity's (`TOKEN`, `TOKEN2`) current bearer token, fetched and renewed as needed."""

    def __init__(
        self,
        *,
        static: Mapping[str, str],
        grants: Mapping[str, Grant],
        token_url: str,
        http: httpx.Client | None = None,
        masked: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._grants = dict(grants)
        self._token_url = token_url
        self._http = http
        self._clock = clock
        self._held = {name: _Held(token, float("inf")) for name, token in static.items()}
        self._issued: dict[str, str] = {}  # every fetched token -> its identity
        # Client secrets and secret headers: never sent as tokens, masked all the same.
        self._client_secrets = {
            name.replace("TOKEN", "CLIENT_SECRET"): grant.client_secret
            for name, grant in grants.items()
        } | dict(masked or {})

    @property
    def identities(self) -> tuple[str, ...]:
        """The identities this run has credentials for."""
        return tuple(sorted({*self._held, *self._grants}))

    def uses_oauth(self, identity: str) -> bool:
        """Whether `identity` gets its tokens from the token URL."""
        return identity in self._grants

    def _fetch(self, identity: str) -> _Held:
        grant = self._grants[identity]
        if self._http is None:
            raise CredentialsError("no HTTP client to fetch OAuth tokens with")
        form = {
            "grant_type": "client_credentials",
            "client_id": grant.client_id,
            "client_secret": grant.client_secret,
        }
        variable = identity.replace("TOKEN", "CLIENT_ID")
        try:
            response = self._http.post(self._token_url, data=form)
        except httpx.HTTPError as exc:
            raise CredentialsError(
                f"cannot fetch a token from {self._token_url}: {type(exc).__name__}: {exc}"
            ) from None
        if response.status_code != 200:
            raise CredentialsError(
                f"{variable} was refused by {self._token_url} ({response.status_code})"
            )
        try:
            body = response.json()
            token = str(body["access_token"])
            lifetime = float(body.get("expires_in") or 3600)
        except (ValueError, KeyError, TypeError):
            raise CredentialsError(f"{self._token_url} answered no access_token") from None
        now = self._clock()
        renew_in = min(lifetime * (1 - _RENEW_SHARE), lifetime - _RENEW_MARGIN)
        self._issued[token] = identity
        return _Held(token, now + max(0.0, renew_in))

    def start(self) -> None:
        """Fetch every OAuth identity's first token; raises CredentialsError when refused."""
        with self._lock:
            for identity in self._grants:
                self._held[identity] = self._fetch(identity)

    def bearer(self, identity: str) -> str:
        """The current token of `identity`, renewed first when it is about to expire."""
        with self._lock:
            held = self._held.get(identity)
            if identity in self._grants and (held is None or self._clock() >= held.renew_at):
                held = self._held[identity] = self._fetch(identity)
            if held is None:
                raise KeyError(identity)
            return held.token

    def refresh(self, authorization: str) -> str:
        """`authorization` with a token this run fetched swapped for its identity's current one."""
        if not authorization.startswith(_BEARER):
            return authorization
        identity = self._issued.get(authorization[len(_BEARER) :])
        if identity is None:
            return authorization
        return _BEARER + self.bearer(identity)

    def renew(self, authorization: str) -> str | None:
        """After a 401: a new token when the refused one was fetched here, else None."""
        if not authorization.startswith(_BEARER):
            return None
        with self._lock:
            identity = self._issued.get(authorization[len(_BEARER) :])
            if identity is None:
                return None
            current = self._held[identity].token
            if current == authorization[len(_BEARER) :]:
                self._held[identity] = self._fetch(identity)
            return _BEARER + self._held[identity].token

    def close(self) -> None:
        """Close the client tokens are fetched with."""
        if self._http is not None:
            self._http.close()

    def secrets(self) -> LiveSecrets:
        """Variable name -> current secret, looked up when read."""
        return LiveSecrets(self)

    def every_pair(self) -> list[tuple[str, str]]:
        """Every secret this run has held, with its variable: replaced tokens too."""
        with self._lock:
            pairs = [(identity, held.token) for identity, held in self._held.items()]
            pairs += [(identity, token) for token, identity in self._issued.items()]
        pairs += list(self._client_secrets.items())
        return pairs


class LiveSecrets(Mapping[str, str]):
    """A mapping of identity -> current bearer token that follows renewals."""

    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials

    def __getitem__(self, identity: str) -> str:
        if identity not in self._credentials.identities:
            raise KeyError(identity)
        return self._credentials.bearer(identity)

    def __iter__(self) -> Iterator[str]:
        return iter(self._credentials.identities)

    def __len__(self) -> int:
        return len(self._credentials.identities)

    def every_pair(self) -> list[tuple[str, str]]:
        """Every secret of the run with its variable name, for masking."""
        return self._credentials.every_pair()


# (token, client id, client secret) of one tenant, as the options give them.
Given = tuple[str | None, str | None, str | None]


def tenant_credentials(
    *,
    first: Given,
    second: Given | None,
    token_url: str,
    http: Callable[[], httpx.Client],
    masked: Mapping[str, str],
) -> Credentials:
    """A tenant with a client id gets OAuth tokens; else its token; else the default token.

    `second` is None when the run has no second tenant; `http` makes the token-fetching
    client, only when some tenant uses OAuth.
    """
    static: dict[str, str] = {}
    grants: dict[str, Grant] = {}
    for identity, given, default in (
        ("TOKEN", first, DEFAULT_TOKEN),
        ("TOKEN2", second, DEFAULT_TOKEN2),
    ):
        if given is None:
            continue
        token, client_id, client_secret = given
        if client_id:
            grants[identity] = Grant(client_id, client_secret or "")
        else:
            static[identity] = token or default
    return Credentials(
        static=static,
        grants=grants,
        token_url=token_url,
        http=http() if grants else None,
        masked=masked,
    )
