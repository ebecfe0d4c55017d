"""Server configuration: where the store is, which tenants exist and what each token may do.

Without a tokens file two development tenants exist: tokens `dev-token` and `dev-token-2`, and
for the first also the OAuth clients `dev-client` and `DEV_SDK_CLIENT_ID` (secret `dev-secret`).
Both are in default mode: every line item the contract accepts is accepted. A tokens file (YAML,
see the README) replaces them.

OAuth tokens are signed with `oauth_secret`. The development secret below is public (it is in
this file), so it signs tokens of the development tenants only: any other configuration gets
the secret its tokens file or the caller names, or one generated at random for the run, and a
token forged with the development secret is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from fulfillments_contract import DEFAULT_SPEC

from refserver._faults import FaultPlan

__all__ = [
    "DEFAULT_UNIT_PRICE",
    "DEV_SDK_CLIENT_ID",
    "Client",
    "LineItem",
    "Quotas",
    "ServerConfig",
    "Tenant",
    "dev_tenants",
    "generated_secret",
    "load_tokens_file",
]

DEV_SDK_CLIENT_ID = "00000000-0000-4000-8000-000000000001"
DEFAULT_UNIT_PRICE = 30.0  # Zuora's fulfillment tutorial bills its return at 30 per unit
_DEV_SECRET = "refserver-development-secret"  # public: signs the development tenants' tokens only
_SECRET_BYTES = 32  # 256 bits: the length RFC 2104 recommends for an HMAC-SHA-256 key
_BOOKED = "Booked"
_TRIGGER = "TriggerAsFulfillmentOccurs"


def generated_secret() -> str:
    """A signing secret for one run, when no file or variable names one."""
    return secrets.token_urlsafe(_SECRET_BYTES)


@dataclass(frozen=True, slots=True)
class Quotas:
    """Zuora's production API quotas per tenant (requests per window)."""

    per_minute: int = 50_000
    per_hour: int = 2_250_000
    per_day: int = 27_000_000


@dataclass(frozen=True, slots=True)
class LineItem:
    """A seeded order line item (catalogue mode)."""

    id: str
    state: str = _BOOKED
    billing_rule: str = _TRIGGER
    type: str = "Sales"
    unit_price: float = DEFAULT_UNIT_PRICE


@dataclass(frozen=True, slots=True)
class Tenant:
    """A tenant: its reach (entities, orgs), its limits and, in catalogue mode, its line items."""

    id: str
    entity_ids: frozenset[str] = frozenset()
    org_ids: frozenset[str] = frozenset()
    quotas: Quotas = Quotas()
    concurrency_limit: int = 200  # Zuora's default "Total" concurrency limit
    line_items: Mapping[str, LineItem] | None = None
    faults: bool = True  # whether `Prefer` and `--faults` may inject faults into its requests


@dataclass(frozen=True, slots=True)
class Client:
    """An OAuth client allowed to get tokens for one tenant."""

    client_id: str
    client_secret: str
    tenant_id: str


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Everything `create_app` needs; build it with `dev_tenants()` or `load_tokens_file()`."""

    store_url: str = "memory://"
    spec_path: Path = DEFAULT_SPEC
    tenants: Mapping[str, Tenant] = field(default_factory=dict)
    tokens: Mapping[str, str] = field(default_factory=dict)  # static token -> tenant id
    clients: Mapping[str, Client] = field(default_factory=dict)
    oauth_secret: str = field(default_factory=generated_secret)  # random per config
    token_ttl_seconds: int = 3599  # Zuora's OAuth tokens live one hour
    lease_seconds: float = 30.0  # how long a key stays in progress before a retry may take it
    purge_interval_seconds: float = 5.0
    purge_batch: int = 500  # keys per purge transaction, so writers never wait long
    # Exempt what startup built (contract, validator, modules) from the collector, so a full
    # collection under load scans requests only (bench/FINDINGS.md, section 2). Only a process
    # that is nothing but the server (the CLI's) should, since the freeze covers the whole heap.
    freeze_heap: bool = False
    faults: FaultPlan = field(default_factory=FaultPlan)  # `Prefer` faults; `--faults` adds more

    @classmethod
    def development(cls, **overrides: Any) -> ServerConfig:
        """The two development tenants, with any field overridden."""
        tenants, tokens, clients = dev_tenants()
        values: dict[str, Any] = {
            "tenants": tenants,
            "tokens": tokens,
            "clients": clients,
            "oauth_secret": _DEV_SECRET,
        }
        values.update(overrides)
        return cls(**values)


def dev_tenants() -> tuple[dict[str, Tenant], dict[str, str], dict[str, Client]]:
    """Tenant 1 (`dev-token`, client `dev-client`) and tenant 2 (`dev-token-2`)."""
    one = Tenant(
        id="1",
        entity_ids=frozenset({"8a8aa2f27c4aef03017c4b4a4a8b1f00"}),
        org_ids=frozenset({"8a8aa2f27c4aef03017c4b4a4a8b1f01", "8a8aa2f27c4aef03017c4b4a4a8b1f02"}),
    )
    two = Tenant(
        id="2",
        entity_ids=frozenset({"8a8aa2f27c4aef03017c4b4a4a8b2f00"}),
        org_ids=frozenset({"8a8aa2f27c4aef03017c4b4a4a8b2f01", "8a8aa2f27c4aef03017c4b4a4a8b2f02"}),
    )
    return (
        {"1": one, "2": two},
        {"dev-token": "1", "dev-token-2": "2"},
        {
            "dev-client": Client("dev-client", "dev-secret", "1"),
            # Zuora's client ids are 36-character UUIDs, and its SDK refuses any other length
            DEV_SDK_CLIENT_ID: Client(DEV_SDK_CLIENT_ID, "dev-secret", "1"),
        },
    )


def _strings(raw: Any, what: str) -> frozenset[str]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ValueError(f"{what} must be a list of strings")
    return frozenset(raw)


def _switch(raw: Any, what: str) -> bool:
    if not isinstance(raw, bool):
        raise ValueError(f"{what} must be true or false")
    return raw


def _line_items(raw: Any) -> dict[str, LineItem]:
    if not isinstance(raw, list):
        raise ValueError("line_items must be a list")
    items = {}
    for entry in raw:
        item = LineItem(
            id=str(entry["id"]),
            state=str(entry.get("state", _BOOKED)),
            billing_rule=str(entry.get("billing_rule", _TRIGGER)),
            type=str(entry.get("type", "Sales")),
            unit_price=float(entry.get("unit_price", DEFAULT_UNIT_PRICE)),
        )
        items[item.id] = item
    return items


def load_tokens_file(path: Path | str, **overrides: Any) -> ServerConfig:
    """Read a tokens file: tenants with their tokens, OAuth clients, reach, limits, line items.

    The OAuth signing secret is `oauth_secret` in `overrides`, else the file's, else generated
    at random (tokens then work only in processes given this configuration's secret).
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    tenants: dict[str, Tenant] = {}
    tokens: dict[str, str] = {}
    clients: dict[str, Client] = {}
    for entry in data.get("tenants", []):
        tenant_id = str(entry["id"])
        if not tenant_id:
            raise ValueError(f"{path}: a tenant's id cannot be empty")
        quotas = entry.get("quotas", {})
        default = Quotas()
        tenants[tenant_id] = Tenant(
            id=tenant_id,
            entity_ids=_strings(entry.get("entity_ids"), "entity_ids"),
            org_ids=_strings(entry.get("org_ids"), "org_ids"),
            quotas=Quotas(
                per_minute=int(quotas.get("minute", default.per_minute)),
                per_hour=int(quotas.get("hour", default.per_hour)),
                per_day=int(quotas.get("day", default.per_day)),
            ),
            concurrency_limit=int(entry.get("concurrency_limit", 200)),
            line_items=_line_items(entry["line_items"]) if "line_items" in entry else None,
            faults=_switch(entry.get("faults", True), "faults"),
        )
        for token in _strings(entry.get("tokens"), "tokens"):
            if token in tokens:
                raise ValueError("a token is listed for two tenants")
            tokens[token] = tenant_id
        for client in entry.get("clients", []):
            cid = str(client["client_id"])
            clients[cid] = Client(cid, str(client["client_secret"]), tenant_id)
    if not tenants:
        raise ValueError(f"{path}: the tokens file lists no tenants")
    values: dict[str, Any] = {"tenants": tenants, "tokens": tokens, "clients": clients}
    if "oauth_secret" in data:
        values["oauth_secret"] = str(data["oauth_secret"])
    if "token_ttl" in data:  # seconds an OAuth token lives; short ones test a client's renewal
        values["token_ttl_seconds"] = int(data["token_ttl"])
    values.update(overrides)
    return ServerConfig(**values)
