"""Response headers read through Zuora's official SDK (zuora-sdk 3.21.0), as integrators read them.

`create_fulfillment_with_http_info` returns an `ApiResponse` whose `headers` is a plain `dict`
copied from urllib3's case-insensitive map, so `headers["Zuora-Track-Id"]` finds the header only
when the server spells it as Zuora does. `ApiException.headers` keeps urllib3's map, which looks
names up in any case but lists them as received; both are checked. Each test runs with a static
bearer token and with the SDK's OAuth flow against the server's `/oauth/token`.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from refserver._config import DEV_SDK_CLIENT_ID
from tests._sdk import import_sdk, sdk_server
from tests._server_fixtures import LINE_ITEM, ServerProcess

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecationWarning"),
]

_RATE = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
_CONCURRENCY = ("Concurrency-Limit-Limit", "Concurrency-Limit-Remaining", "Concurrency-Limit-Type")
_GZIP_THRESHOLD = 1000  # the contract's gzip threshold: bodies over it are compressed
_MANY = 15  # fulfillments whose 200 body is well over the threshold (~120 bytes each)
_OUT_OF_REACH = "8a8aa2f27c4aef03017c4b4a4a8b9f99"  # an org no development token can reach


@pytest.fixture(scope="module")
def sdk() -> ModuleType:
    return import_sdk()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with sdk_server(tmp_path_factory, "sdk-headers") as running:
        yield running


def _static(sdk: Any, url: str) -> Any:
    return sdk.ApiClient(sdk.Configuration(host=url, access_token="dev-token"))


def _oauth(sdk: Any, url: str) -> Any:
    zuora_client = importlib.import_module("zuora_sdk.zuora_client")
    client = zuora_client.ZuoraClient(
        DEV_SDK_CLIENT_ID, "dev-secret", None, sdk.Configuration(host=url)
    )
    client._auth()  # the token fetch ZuoraClient.initialize runs, without its refresh thread
    return client.api_client


@pytest.fixture(params=["static-token", "oauth"])
def api(request: pytest.FixtureRequest, sdk: Any, server: ServerProcess) -> Any:
    make: Callable[[Any, str], Any] = _static if request.param == "static-token" else _oauth
    return sdk.FulfillmentsApi(make(sdk, server.url))


def _request(sdk: Any, count: int = 1, **options: object) -> Any:
    fulfillments = [
        sdk.CreateFulfillment(
            order_line_item_id=LINE_ITEM,
            fulfillment_date=datetime.date(2022, 1, 1),
            quantity=1 + i,
            fulfillment_type="Delivery",
            fulfillment_items=[sdk.FulfillmentItem(description=f"box {i}")],
        )
        for i in range(count)
    ]
    processing = sdk.ProcessingOptions(**options) if options else None
    return sdk.CreateFulfillmentsRequest(fulfillments=fulfillments, processing_options=processing)


def _failure(sdk: Any, call: Callable[[], object]) -> Any:
    with pytest.raises(sdk.ApiException) as caught:
        call()
    return caught.value


def test_a_200_carries_zuoras_header_names(api: Any, sdk: Any) -> None:
    response = api.create_fulfillment_with_http_info(
        _request(sdk), zuora_track_id="trace 1/2", idempotency_key=None
    )
    assert response.status_code == 200
    headers = response.headers
    assert headers["Zuora-Track-Id"] == "trace 1/2"
    assert len(headers["Zuora-Request-Id"]) == 36
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) > 0
    for name in (*_RATE, *_CONCURRENCY):
        assert headers[name], name
    assert response.zuora_track_id == "trace 1/2"  # the SDK's own parsed field agrees


def test_a_replay_carries_zuoras_header_names(api: Any, sdk: Any) -> None:
    key = f"sdk-replay-{id(api)}"
    first = api.create_fulfillment_with_http_info(_request(sdk), idempotency_key=key)
    again = api.create_fulfillment_with_http_info(
        _request(sdk), idempotency_key=key, zuora_track_id="replay-1"
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Zuora-Request-Id"] == first.headers["Zuora-Request-Id"]
    assert again.headers["Zuora-Track-Id"] == "replay-1"
    assert again.headers["Content-Type"] == "application/json"
    for name in _RATE:
        assert again.headers[name], name


def test_a_large_gzip_answer_names_its_content_encoding(api: Any, sdk: Any) -> None:
    response = api.create_fulfillment_with_http_info(_request(sdk, _MANY), accept_encoding="gzip")
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert int(response.headers["Content-Length"]) < len(response.raw_data)  # it was compressed
    assert len(response.raw_data) > _GZIP_THRESHOLD
    assert len(response.data.fulfillments) == _MANY


def test_a_400_carries_zuoras_header_names(api: Any, sdk: Any) -> None:
    error = _failure(
        sdk,
        lambda: api.create_fulfillment_with_http_info(
            _request(sdk, collect_payment=True), zuora_track_id="bad request 1"
        ),
    )
    assert error.status == 400
    assert error.headers["Zuora-Track-Id"] == "bad request 1"
    assert {"Zuora-Track-Id", "Zuora-Request-Id", "Content-Type", *_RATE} <= set(
        error.headers.keys()
    )


def test_a_401_carries_zuoras_header_names(sdk: Any, server: ServerProcess) -> None:
    configuration = sdk.Configuration(host=server.url, access_token="not-a-token")
    api = sdk.FulfillmentsApi(sdk.ApiClient(configuration))
    error = _failure(
        sdk,
        lambda: api.create_fulfillment_with_http_info(_request(sdk), zuora_track_id="who 1"),
    )
    assert error.status == 401
    assert error.headers["Zuora-Track-Id"] == "who 1"
    assert error.headers["WWW-Authenticate"].startswith("Basic realm=Zuora API")
    names = set(error.headers.keys())
    assert {"WWW-Authenticate", "Zuora-Track-Id", "Zuora-Request-Id", "Content-Type"} <= names
    assert set(_RATE) <= names


def test_a_403_carries_zuoras_header_names(api: Any, sdk: Any) -> None:
    error = _failure(
        sdk,
        lambda: api.create_fulfillment_with_http_info(
            _request(sdk), zuora_org_ids=_OUT_OF_REACH, zuora_track_id="reach 1"
        ),
    )
    assert error.status == 403
    assert error.headers["Zuora-Track-Id"] == "reach 1"
    assert {"Zuora-Track-Id", "Zuora-Request-Id", *_RATE, *_CONCURRENCY} <= set(
        error.headers.keys()
    )


def test_the_token_endpoint_spells_its_headers_as_zuora(sdk: Any, server: ServerProcess) -> None:
    oauth = sdk.OAuthApi(sdk.ApiClient(sdk.Configuration(host=server.url)))
    issued = oauth.create_token_with_http_info(
        client_id=DEV_SDK_CLIENT_ID, client_secret="dev-secret", grant_type="client_credentials"
    )
    assert issued.status_code == 200
    assert len(issued.headers["Zuora-Request-Id"]) == 36
    assert issued.headers["Content-Type"] == "application/json"
