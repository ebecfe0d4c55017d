"""The server's replaceable parts and what they speak, for code that builds servers from them.

`refserver`'s own names (`create_app`, `Parts`, `default_parts`, the part protocols) build a
server; this module adds what a variant of one part, a benchmark or a launcher needs beside
them, so nothing outside the package imports a private module:

| group                | names                                                              |
|----------------------|--------------------------------------------------------------------|
| reference parts      | `BillingEngine`, `ContractHeaderPolicy`, `ContractValidator`,      |
|                      | `GzipPolicy`, `HexFulfillmentIds`, `InFlightCounter`,              |
|                      | `TokenAuthenticator`, `UuidRequestIds`, `WindowRateLimiter`        |
| what parts exchange  | `ConcurrencyStatus`, `Created`, `Headers`, `RateStatus`, `Receive`,|
|                      | `Ticket`                                                           |
| helpers of the parts | `fingerprint` (a request's idempotency fingerprint), `wants_gzip`  |
|                      | (whether Accept-Encoding asks for gzip); the contract's types      |
|                      | (`HeaderRule`, `Policies`) come from `fulfillments_contract`       |
| error categories     | `BUSINESS_RULE`, `INTERNAL`, `INVALID_VALUE`, `LOCKING` (the last  |
|                      | two digits of Zuora's 8-digit reason codes)                        |
| billing              | `DEFAULT_UNIT_PRICE` (what a unit costs when the config names none)|
| serving              | `app_from_environment` (the ASGI factory, `refserver.parts:...`),  |
|                      | `Launch` and `serve` (the multi-worker uvicorn launcher)           |
"""

from refserver._auth import TokenAuthenticator
from refserver._basics import HexFulfillmentIds, UuidRequestIds
from refserver._business import BillingEngine
from refserver._cli import app_from_environment
from refserver._compression import GzipPolicy, wants_gzip
from refserver._config import DEFAULT_UNIT_PRICE
from refserver._errors import BUSINESS_RULE, INTERNAL, INVALID_VALUE, LOCKING
from refserver._headers import ContractHeaderPolicy
from refserver._idempotency import fingerprint
from refserver._limits import InFlightCounter, WindowRateLimiter
from refserver._parts import Receive
from refserver._types import ConcurrencyStatus, Created, Headers, RateStatus, Ticket
from refserver._validator import ContractValidator
from refserver._workers import Launch, serve

__all__ = [
    "BUSINESS_RULE",
    "DEFAULT_UNIT_PRICE",
    "INTERNAL",
    "INVALID_VALUE",
    "LOCKING",
    "BillingEngine",
    "ConcurrencyStatus",
    "ContractHeaderPolicy",
    "ContractValidator",
    "Created",
    "GzipPolicy",
    "Headers",
    "HexFulfillmentIds",
    "InFlightCounter",
    "Launch",
    "RateStatus",
    "Receive",
    "Ticket",
    "TokenAuthenticator",
    "UuidRequestIds",
    "WindowRateLimiter",
    "app_from_environment",
    "fingerprint",
    "serve",
    "wants_gzip",
]
