"""Zuora's official Python SDK (zuora-sdk 3.21.0) against the reference server over a socket.

The SDK is imported inside a fixture: importing it builds thousands of pydantic models and
takes many seconds, which only these tests should pay.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from refserver._config import DEV_SDK_CLIENT_ID
from tests._sdk import import_sdk, sdk_server
from tests._server_fixtures import LINE_ITEM, ServerProcess

# the SDK's generated models use APIs pydantic has deprecated; that is not ours to fix
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecationWarning"),
]


@pytest.fixture(scope="module")
def sdk() -> ModuleType:
    return import_sdk()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with sdk_server(tmp_path_factory, "sdk") as running:
        yield running


def _request(sdk: Any, **options: object) -> Any:
    fulfillment = sdk.CreateFulfillment(
        order_line_item_id=LINE_ITEM,
        fulfillment_date=datetime.date(2022, 1, 1),
        quantity=5,
        fulfillment_type="Delivery",
        state="SentToBilling",
        fulfillment_items=[sdk.FulfillmentItem(description="box 1")],
    )
    processing = sdk.ProcessingOptions(**options) if options else None
    return sdk.CreateFulfillmentsRequest(fulfillments=[fulfillment], processing_options=processing)


def test_sdk_with_a_static_bearer_token(sdk: Any, server: ServerProcess) -> None:
    configuration = sdk.Configuration(host=server.url, access_token="dev-token")
    with sdk.ApiClient(configuration) as client:
        api = sdk.FulfillmentsApi(client)
        options = {"run_billing": True, "collect_payment": True}
        created = api.create_fulfillment(
            _request(sdk, **options),
            idempotency_key="sdk-1",
            zuora_track_id="sdk-track",
            accept_encoding="gzip",
        )
        assert created.success is True
        assert created.fulfillments[0].fulfillment_number.startswith("F-")
        assert len(created.fulfillments[0].id) == 32
        assert len(created.fulfillments[0].fulfillment_items) == 1
        assert created.invoice_numbers == ["INV00000001"]
        assert created.payment_number == "P-00000001"
        assert created.paid_amount == 150
        again = api.create_fulfillment_with_http_info(
            _request(sdk, **options), idempotency_key="sdk-1"
        )
        assert again.status_code == 200
        headers = {name.lower(): value for name, value in (again.headers or {}).items()}
        assert headers["idempotent-replayed"] == "true"
        assert again.data.fulfillments[0].id == created.fulfillments[0].id
        with pytest.raises(sdk.ApiException) as failure:
            api.create_fulfillment(_request(sdk, collect_payment=True))
        assert failure.value.status == 400
        assert "collectPayment" in str(failure.value.body)


def test_sdk_oauth_flow_against_a_custom_host(sdk: Any, server: ServerProcess) -> None:
    zuora_client = importlib.import_module("zuora_sdk.zuora_client")
    configuration = sdk.Configuration(host=server.url)
    client = zuora_client.ZuoraClient(DEV_SDK_CLIENT_ID, "dev-secret", None, configuration)
    client._auth()  # the token fetch ZuoraClient.initialize runs, without its refresh thread
    assert client.token["access_token"]
    created = sdk.FulfillmentsApi(client.api_client).create_fulfillment(_request(sdk))
    assert created.success is True
    assert created.invoice_numbers is None
    assert created.paid_amount is None
