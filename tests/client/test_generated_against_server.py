"""The generated client against the real reference server: it creates, replays and reads errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fulfillments_client import AuthenticatedClient
from fulfillments_client.api.fulfillments import create_fulfillment
from fulfillments_client.models import (
    BillingOptions,
    CommonResponse,
    CreateFulfillment,
    CreateFulfillmentsRequest,
    CreateFulfillmentsResponse,
    FulfillmentType,
    ProcessingOptions,
    ProxyUnauthorizedResponse,
)

from tests._server_process import ServerProcess, serve

LINE_ITEM = "4028828c82819b74018286e02e041bd6"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("client-server")
    with serve("--store", f"sqlite:///{folder / 'store.db'}", folder=folder) as running:
        yield running


def _client(server: ServerProcess, token: str = "dev-token") -> AuthenticatedClient:
    return AuthenticatedClient(base_url=server.url, token=token, raise_on_unexpected_status=True)


def _request(fulfillment_type: FulfillmentType, *, bill: bool) -> CreateFulfillmentsRequest:
    return CreateFulfillmentsRequest(
        fulfillments=[
            CreateFulfillment(
                order_line_item_id=LINE_ITEM,
                fulfillment_date=date(2021, 2, 1),
                quantity=2,
                fulfillment_type=fulfillment_type,
            )
        ],
        processing_options=ProcessingOptions(
            run_billing=bill, billing_options=BillingOptions(target_date=date(2021, 2, 1))
        )
        if bill
        else ProcessingOptions(),
    )


def test_a_billed_return_parses_with_its_nulls(server: ServerProcess) -> None:
    with _client(server) as client:
        response = create_fulfillment.sync_detailed(
            client=client, body=_request(FulfillmentType.RETURN, bill=True), zuora_track_id="t-1"
        )
    parsed = response.parsed
    assert response.status_code == 200
    assert isinstance(parsed, CreateFulfillmentsResponse)
    assert parsed.success is True
    assert parsed.invoice_numbers is None
    assert parsed.payment_number is None
    assert parsed.paid_amount is None
    assert isinstance(parsed.credit_memo_numbers, list)
    assert len(parsed.credit_memo_numbers) == 1
    assert len(parsed.fulfillments[0].id) == 32
    assert parsed.fulfillments[0].fulfillment_number.startswith("F-")
    assert response.headers["Zuora-Track-Id"] == "t-1"
    assert len(response.headers["Zuora-Request-Id"]) == 36


def test_the_same_key_replays_the_same_fulfillments(server: ServerProcess) -> None:
    body = _request(FulfillmentType.DELIVERY, bill=False)
    with _client(server) as client:
        first = create_fulfillment.sync_detailed(client=client, body=body, idempotency_key="gen-1")
        again = create_fulfillment.sync_detailed(client=client, body=body, idempotency_key="gen-1")
    assert isinstance(first.parsed, CreateFulfillmentsResponse)
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Zuora-Request-Id"] == first.headers["Zuora-Request-Id"]


def test_errors_parse_into_zuoras_shapes(server: ServerProcess) -> None:
    body = _request(FulfillmentType.DELIVERY, bill=False)
    body.processing_options = ProcessingOptions(collect_payment=True)
    with _client(server) as client:
        rule = create_fulfillment.sync_detailed(client=client, body=body)
    assert rule.status_code == 400
    assert isinstance(rule.parsed, CommonResponse)
    assert rule.parsed.success is False
    assert str(rule.parsed.reasons[0].code).endswith("30")
    with _client(server, token="not-a-token") as stranger:
        denied = create_fulfillment.sync_detailed(client=stranger, body=body)
    assert denied.status_code == 401
    assert isinstance(denied.parsed, ProxyUnauthorizedResponse)
    assert "Bearer" in denied.headers["WWW-Authenticate"]
