"""A remote-like target on loopback: the reference server behind a small asyncio proxy.

The proxy stands in for what lies between a real user and Zuora (a TLS terminator, a gateway
with a quota, a long network path) and can, each on its own or together:

| option      | what it does                                                                 |
|-------------|------------------------------------------------------------------------------|
| `tls`       | terminates TLS with a certificate from a private `trustme` CA (`ca_file`)     |
| `quota`     | answers 429 + Retry-After + RateLimit-* above N requests a second per token   |
| `latency`   | adds that many seconds before every answer                                   |
| `chunked`   | re-frames every body as chunked and closes the connection after each answer   |
| `required`  | refuses (403) any request without this header and value, as a gateway would  |

The proxy is a process of its own (`tests._remote_proxy`), as a real gateway is; the reference
server runs as `python -m refserver` (`tests._server_process.serve`), optionally OAuth-only: a
tokens file with client credentials, no static token, short tokens.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import select
import socket
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import trustme

from tests._remote_proxy import ProxyCounts, ProxyOptions
from tests._server_process import ROOT, serve, stop

__all__ = [
    "OAUTH_CLIENTS",
    "Proxy",
    "ProxyCounts",
    "ProxyOptions",
    "oauth_tokens_file",
    "remote_target",
]

_START_SECONDS = 20.0  # for the proxy process to say where it listens

OAUTH_CLIENTS = {  # identity -> (client id, client secret) of the OAuth-only tenants
    "TOKEN": ("6f1c2e9a-0000-4000-8000-0000000000a1", "secret-one"),
    "TOKEN2": ("6f1c2e9a-0000-4000-8000-0000000000b2", "secret-two"),
}
TOKEN_LIFETIME = 20  # seconds: a run of the suite outlives several tokens


def oauth_tokens_file(folder: Path) -> Path:
    """A tokens file with two OAuth-only tenants whose tokens live TOKEN_LIFETIME seconds."""
    (one_id, one_secret), (two_id, two_secret) = OAUTH_CLIENTS.values()
    text = f"""oauth_secret: remote-test-secret
token_ttl: {TOKEN_LIFETIME}
tenants:
  - id: "1"
    clients: [{{client_id: {one_id}, client_secret: {one_secret}}}]
    entity_ids: [8a8aa2f27c4aef03017c4b4a4a8b1f00]
    org_ids: [8a8aa2f27c4aef03017c4b4a4a8b1f01, 8a8aa2f27c4aef03017c4b4a4a8b1f02]
  - id: "2"
    clients: [{{client_id: {two_id}, client_secret: {two_secret}}}]
    entity_ids: [8a8aa2f27c4aef03017c4b4a4a8b2f00]
    org_ids: [8a8aa2f27c4aef03017c4b4a4a8b2f01, 8a8aa2f27c4aef03017c4b4a4a8b2f02]
"""
    path = folder / "tokens.yaml"
    path.write_text(text, encoding="utf-8")
    return path


class Proxy:
    """The proxy process, forwarding to `upstream`, for the length of a `with` block."""

    def __init__(self, upstream: str, options: ProxyOptions, folder: Path) -> None:
        self.upstream = upstream
        self.options = options
        self.url = ""
        self.ca_file: Path | None = None
        self._folder = folder
        self._control = 0
        self._final: ProxyCounts | None = None
        self._process: subprocess.Popen[str] | None = None

    def _tls_arguments(self) -> list[str]:
        if not self.options.tls:
            return []
        ca = trustme.CA(key_type=trustme.KeyType.ECDSA)  # quicker to make than RSA
        leaf = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = self._folder / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        cert, key = self._folder / "proxy-cert.pem", self._folder / "proxy-key.pem"
        leaf.cert_chain_pems[0].write_to_path(str(cert))
        leaf.private_key_pem.write_to_path(str(key))
        return ["--cert", str(cert), "--key", str(key)]

    @property
    def counts(self) -> ProxyCounts:
        """What the proxy has seen so far (after the block: everything it saw)."""
        if self._final is not None:
            return self._final
        with socket.create_connection(("127.0.0.1", self._control), timeout=10) as sock:
            raw = b"".join(iter(lambda: sock.recv(65536), b""))
        fields = json.loads(raw)
        fields["per_token"] = defaultdict(int, fields["per_token"])
        return ProxyCounts(**fields)

    def __enter__(self) -> Proxy:
        options = json.dumps(dataclasses.asdict(self.options))
        command = [sys.executable, "-m", "tests._remote_proxy", "--upstream", self.upstream]
        command += ["--options", options, *self._tls_arguments()]
        log = (self._folder / "proxy.log").open("w")
        self._process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True
        )
        log.close()
        assert self._process.stdout is not None
        started = select.select([self._process.stdout], [], [], _START_SECONDS)[0]
        line = self._process.stdout.readline().split() if started else []
        if len(line) != 2:
            self._stop()
            output = (self._folder / "proxy.log").read_text(errors="replace")
            raise RuntimeError(f"the proxy did not start:\n{output}")
        self.url, self._control = line[0], int(line[1])
        return self

    def _stop(self) -> None:
        if self._process is not None:
            stop(self._process)

    def __exit__(self, failure: type[BaseException] | None, *_: object) -> None:
        try:
            self._final = self.counts
        except OSError:
            if failure is None:  # a block that failed keeps its own error, not this one
                raise
        finally:
            self._stop()
            if self._process is not None and self._process.stdout is not None:
                self._process.stdout.close()


@contextlib.contextmanager
def remote_target(
    folder: Path, options: ProxyOptions, *, oauth_only: bool = False
) -> Iterator[Proxy]:
    """The reference server (OAuth-only when asked) behind a proxy doing what `options` say."""
    args = ["--store", f"sqlite:///{folder / 'store.db'}"]
    if oauth_only:
        args += ["--tokens", str(oauth_tokens_file(folder))]
    with serve(*args, folder=folder) as server, Proxy(server.url, options, folder) as proxy:
        yield proxy
