"""The reference parts, assembled from the configuration, the contract and an open store."""

from __future__ import annotations

from fulfillments_contract import Contract, load_contract

from refserver._auth import TokenAuthenticator
from refserver._basics import HexFulfillmentIds, SystemClock, UuidRequestIds
from refserver._business import BillingEngine
from refserver._compression import GzipPolicy
from refserver._config import ServerConfig
from refserver._headers import ContractHeaderPolicy
from refserver._idempotency import StoreIdempotency
from refserver._limits import InFlightCounter, WindowRateLimiter
from refserver._parts import Parts
from refserver._validator import ContractValidator
from refserver.store import Store, open_store

__all__ = ["build_parts", "default_parts"]


def default_parts(config: ServerConfig, store: Store, contract: Contract | None = None) -> Parts:
    """Every reference part, around `store`."""
    contract = contract if contract is not None else load_contract(config.spec_path)
    ids = HexFulfillmentIds()
    return Parts(
        store=store,
        clock=SystemClock(),
        request_ids=UuidRequestIds(),
        fulfillment_ids=ids,
        authenticator=TokenAuthenticator(config),
        headers=ContractHeaderPolicy(contract),
        compression=GzipPolicy(contract),
        validator=ContractValidator(contract),
        idempotency=StoreIdempotency(store, contract.policies, lease_seconds=config.lease_seconds),
        business=BillingEngine(store, ids),
        rate_limiter=WindowRateLimiter(),
        concurrency=InFlightCounter(),
    )


async def build_parts(config: ServerConfig, contract: Contract | None = None) -> Parts:
    """Open the configured store and assemble the reference parts around it."""
    return default_parts(config, await open_store(config.store_url), contract)
