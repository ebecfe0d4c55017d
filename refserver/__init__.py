"""The reference server: a faithful, stateful stand-in for Zuora's POST /v1/fulfillments."""

from fulfillments_contract import Contract, load_contract

from refserver._app import ReferenceServer, create_app
from refserver._build import build_parts, default_parts
from refserver._config import Client, LineItem, Quotas, ServerConfig, Tenant, load_tokens_file
from refserver._errors import Problem, Shape
from refserver._parts import (
    Authenticator,
    BusinessEngine,
    Clock,
    CompressionPolicy,
    ConcurrencyCounter,
    FulfillmentIds,
    HeaderPolicy,
    IdempotencyEngine,
    Parts,
    RateLimiter,
    RequestIds,
    RequestValidator,
)
from refserver._spelling import SpelledHttpToolsProtocol

__all__ = [
    "Authenticator",
    "BusinessEngine",
    "Client",
    "Clock",
    "CompressionPolicy",
    "ConcurrencyCounter",
    "Contract",
    "FulfillmentIds",
    "HeaderPolicy",
    "IdempotencyEngine",
    "LineItem",
    "Parts",
    "Problem",
    "Quotas",
    "RateLimiter",
    "ReferenceServer",
    "RequestIds",
    "RequestValidator",
    "ServerConfig",
    "Shape",
    "SpelledHttpToolsProtocol",
    "Tenant",
    "build_parts",
    "create_app",
    "default_parts",
    "load_contract",
    "load_tokens_file",
]
