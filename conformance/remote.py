"""How one run reaches its target: TLS, proxies, extra headers, pacing and credentials, once.

The suite talks to a target through two HTTP stacks: its own httpx client (properties, probe,
token fetch) and Schemathesis's `requests` sessions (schema phase). `Remote` configures both
the same way, so a CA bundle, `--insecure`, an extra header or a throttled answer is handled
alike whichever stack sends the request:

| setting       | httpx (suite)                          | requests (Schemathesis)                |
|---------------|----------------------------------------|----------------------------------------|
| CA bundle     | `ssl.create_default_context(cafile=)`  | `tls-verify: <file>`                   |
| `--insecure`  | `verify=False`                         | `tls-verify: false`                    |
| proxies       | HTTPS_PROXY/NO_PROXY (`trust_env`)     | HTTPS_PROXY/NO_PROXY (`trust_env`)     |
| extra headers | added by `Client`, the probe and fetch | `headers:` of the configuration        |
| throttling    | `PacedTransport`                       | `PacedAdapter`, mounted on each session |
"""

from __future__ import annotations

import contextlib
import importlib
import ssl
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import requests
from httpx._utils import get_environment_proxies
from schemathesis.engine import context as engine_context
from urllib3.exceptions import InsecureRequestWarning

from conformance.oauth import Credentials
from conformance.paced import PacedAdapter, PacedTransport
from conformance.properties.wire import RawRoute
from conformance.transport import Throttle

__all__ = ["Remote", "through_remote", "warm_imports"]

# Modules Schemathesis and Hypothesis import lazily, from the run's worker threads. Both are
# pytest plugins, so under pytest their modules are compiled by the assertion rewriter, and
# CPython 3.11 can fail compiling in two threads at once ("AST constructor recursion depth
# mismatch"); importing them first, in one thread, leaves nothing to compile concurrently.
_LAZY_IMPORTS = (
    "hypothesis.strategies._internal.flatmapped",
    "hypothesis.strategies._internal.random",
    "hypothesis.strategies._internal.regex",
    "schemathesis.engine.core",
    "schemathesis.engine.fuzz",
    "schemathesis.engine.run.analysis",
    "schemathesis.engine.run.probes",
    "schemathesis.engine.run.stateful",
    "schemathesis.engine.run.unit",
    "schemathesis.generation.hypothesis.builder",
    "schemathesis.specs.openapi.coverage._operation",
    "schemathesis.specs.openapi.schemas",
    "schemathesis.transport.asgi",
    "schemathesis.transport.wsgi",
)


def warm_imports() -> None:
    """Import what a run would import lazily from several threads, here, in one."""
    for name in _LAZY_IMPORTS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


@dataclass(frozen=True, slots=True)
class Remote:
    """One run's way to its target."""

    headers: tuple[tuple[str, str], ...] = ()
    ca_bundle: str | None = None
    insecure: bool = False
    throttle: Throttle = field(default_factory=Throttle)

    @property
    def tls_verify(self) -> bool | str:
        """What `requests` (and Schemathesis's `tls-verify`) takes: a CA file, or on/off."""
        if self.insecure:
            return False
        return self.ca_bundle if self.ca_bundle is not None else True

    def _verify(self) -> ssl.SSLContext | bool:
        if self.insecure:
            return False
        if self.ca_bundle is not None:
            return ssl.create_default_context(cafile=self.ca_bundle)
        return True

    def raw_route(self) -> RawRoute:
        """The same trust, headers and pace for the run's plain-socket requests."""
        verify = self._verify()
        context: ssl.SSLContext | None
        if verify is False:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        else:
            context = verify if isinstance(verify, ssl.SSLContext) else None
        return RawRoute(ssl_context=context, headers=tuple(self.headers), throttle=self.throttle)

    def transport(self, credentials: Credentials | None = None) -> dict[str, Any]:
        """httpx.Client keyword arguments: paced transports, proxies from the environment."""
        verify = self._verify()
        renew = credentials.renew if credentials is not None else None
        refresh = credentials.refresh if credentials is not None else None

        def paced(proxy: str | None) -> httpx.BaseTransport:
            inner = httpx.HTTPTransport(verify=verify, trust_env=True, proxy=proxy)
            return PacedTransport(inner, self.throttle, renew=renew, refresh=refresh)

        mounts: dict[str, httpx.BaseTransport | None] = {
            pattern: None if proxy is None else paced(proxy)
            for pattern, proxy in get_environment_proxies().items()
        }
        return {"transport": paced(None), "mounts": mounts}

    def http(self, *, timeout: float, credentials: Credentials | None = None) -> httpx.Client:
        """An httpx client that sends the extra headers, paced, through any proxy."""
        return httpx.Client(
            timeout=httpx.Timeout(timeout),
            headers=dict(self.headers),
            follow_redirects=False,
            **self.transport(credentials),
        )

    def adapter(self, credentials: Credentials | None) -> PacedAdapter:
        """A `requests` adapter with the run's pacing and token renewal."""
        if credentials is None:
            return PacedAdapter(self.throttle)
        return PacedAdapter(self.throttle, renew=credentials.renew, refresh=credentials.refresh)


_patch_lock = threading.Lock()


@contextlib.contextmanager
def through_remote(remote: Remote, credentials: Credentials | None) -> Iterator[None]:
    """Mount the run's adapter on every session Schemathesis makes, for one run.

    Schemathesis builds its sessions in `make_session`, with no hook for adapters; the wrapper
    replaces it for the length of the run (runs in one process take turns, as `activate` does).
    """
    original = engine_context.make_session

    def make_session(*args: Any, **kwargs: Any) -> requests.Session:
        session: requests.Session = original(*args, **kwargs)
        adapter = remote.adapter(credentials)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    warm_imports()
    with _patch_lock, warnings.catch_warnings():
        if remote.insecure:
            warnings.simplefilter("ignore", InsecureRequestWarning)
        engine_context.make_session = make_session
        try:
            yield
        finally:
            engine_context.make_session = original
