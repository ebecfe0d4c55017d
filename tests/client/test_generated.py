"""The generated client sends what the contract says and parses every documented response."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fulfillments_client import AuthenticatedClient
from fulfillments_client.api.fulfillments import create_fulfillment
from fulfillments_client.models import (
    BillingOptions,
    CommonErrorResponse,
    CommonResponse,
    CreateFulfillment,
    CreateFulfillmentsRequest,
    CreateFulfillmentsResponse,
    CustomFields,
    FulfillmentItem,
    FulfillmentState,
    FulfillmentType,
    ProcessingOptions,
    ProxyUnauthorizedResponse,
)
from fulfillments_client.types import Unset

from tests._contract import load_spec, resolve
from tests._recording_server import CannedResponse, RecordingServer, recording_server

TOKEN = "dev-token"
OK = CannedResponse(
    200,
    json.dumps(
        resolve(load_spec()["components"]["examples"]["ReturnWithCreditMemoResponse"])["value"]
    ).encode(),
)


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with recording_server() as running:
        yield running


@pytest.fixture
def client(server: RecordingServer) -> Iterator[AuthenticatedClient]:
    with AuthenticatedClient(
        base_url=server.base_url, token=TOKEN, raise_on_unexpected_status=True
    ) as opened:
        yield opened


def _request() -> CreateFulfillmentsRequest:
    custom = CustomFields()
    custom["warehouse__c"] = "north"
    item = FulfillmentItem(description="box 1", item_identifier="SN-0001")
    return CreateFulfillmentsRequest(
        fulfillments=[
            CreateFulfillment(
                order_line_item_id="4028828c82819b74018286e02e041bd6",
                fulfillment_date=date(2022, 1, 1),
                quantity=5,
                fulfillment_type=FulfillmentType.DELIVERY,
                state=FulfillmentState.SENTTOBILLING,
                carrier="CarrierA",
                custom_fields=custom,
                fulfillment_items=[item],
            )
        ],
        processing_options=ProcessingOptions(
            run_billing=True, billing_options=BillingOptions(target_date=date(2022, 1, 1))
        ),
    )


def test_headers_and_body_go_out_as_the_contract_says(
    server: RecordingServer, client: AuthenticatedClient
) -> None:
    server.responses.append(OK)
    create_fulfillment.sync_detailed(
        client=client,
        body=_request(),
        idempotency_key="key-0001",
        zuora_track_id="order-sync-7f3a",
        zuora_entity_ids="entity-1",
        zuora_org_ids="org-1,org-2",
        zuora_version="211.0",
    )
    sent = server.requests[0]
    assert (sent.method, sent.path) == ("POST", "/v1/fulfillments")
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["idempotency-key"] == "key-0001"
    assert sent.headers["zuora-track-id"] == "order-sync-7f3a"
    assert sent.headers["zuora-entity-ids"] == "entity-1"
    assert sent.headers["zuora-org-ids"] == "org-1,org-2"
    assert sent.headers["zuora-version"] == "211.0"
    assert json.loads(sent.body) == {
        "fulfillments": [
            {
                "orderLineItemId": "4028828c82819b74018286e02e041bd6",
                "fulfillmentDate": "2022-01-01",
                "quantity": 5,
                "fulfillmentType": "Delivery",
                "state": "SentToBilling",
                "carrier": "CarrierA",
                "customFields": {"warehouse__c": "north"},
                "fulfillmentItems": [{"description": "box 1", "itemIdentifier": "SN-0001"}],
            }
        ],
        # The contract's documented defaults are sent explicitly by the generated models.
        "processingOptions": {
            "runBilling": True,
            "allowPaymentFailure": False,
            "billingOptions": {"targetDate": "2022-01-01", "generateDraftInvoice": False},
        },
    }


def test_optional_headers_are_not_sent_when_not_given(
    server: RecordingServer, client: AuthenticatedClient
) -> None:
    server.responses.append(OK)
    create_fulfillment.sync_detailed(client=client, body=_request())
    sent = server.requests[0].headers
    assert not {"idempotency-key", "zuora-track-id", "zuora-entity-ids", "zuora-org-ids"} & set(
        sent
    )


def _documented_responses() -> Iterator[tuple[str, str, Any]]:
    operation = load_spec()["paths"]["/v1/fulfillments"]["post"]
    for status, ref in operation["responses"].items():
        media = resolve(ref)["content"]["application/json"]
        for name, example in media["examples"].items():
            yield status, name, resolve(example)["value"]


DOCUMENTED = list(_documented_responses())
PARSED_TYPES: dict[str, type] = {
    "200": CreateFulfillmentsResponse,
    "401": ProxyUnauthorizedResponse,
    "403": CommonErrorResponse,
}


@pytest.mark.parametrize(
    ("status", "name", "body"), DOCUMENTED, ids=[f"{s}-{n}" for s, n, _ in DOCUMENTED]
)
@pytest.mark.parametrize("gzip_coded", [False, True], ids=["plain", "gzip"])
def test_every_documented_response_parses(
    server: RecordingServer,
    client: AuthenticatedClient,
    status: str,
    name: str,
    body: Any,
    gzip_coded: bool,
) -> None:
    server.responses.append(
        CannedResponse(int(status), json.dumps(body).encode(), gzip_coded=gzip_coded)
    )
    response = create_fulfillment.sync_detailed(client=client, body=_request())
    assert response.status_code == int(status)
    parsed = response.parsed
    assert isinstance(parsed, PARSED_TYPES.get(status, CommonResponse)), name
    assert parsed is not None
    assert parsed.to_dict() == body


def test_nulls_of_a_real_response_parse_as_none(
    server: RecordingServer, client: AuthenticatedClient
) -> None:
    server.responses.append(OK)
    parsed = create_fulfillment.sync(client=client, body=_request())
    assert isinstance(parsed, CreateFulfillmentsResponse)
    assert parsed.invoice_numbers is None
    assert parsed.payment_number is None
    assert parsed.paid_amount is None
    assert parsed.credit_memo_numbers == ["CM10208-00007761"]
    assert parsed.fulfillments[0].fulfillment_number == "F-00007053"
    assert not isinstance(parsed.fulfillments[0].fulfillment_items, Unset)
    assert parsed.fulfillments[0].fulfillment_items == []


def test_response_headers_reach_the_caller(
    server: RecordingServer, client: AuthenticatedClient
) -> None:
    request_id = "3b9f1c3e-6a55-4b7e-8d07-0e5a1a2f9c11"
    server.responses.append(
        CannedResponse(
            OK.status,
            OK.body,
            headers=(("Zuora-Request-Id", request_id), ("Zuora-Track-Id", "t-1")),
        )
    )
    response = create_fulfillment.sync_detailed(
        client=client, body=_request(), zuora_track_id="t-1"
    )
    assert response.headers["Zuora-Request-Id"] == request_id
    assert response.headers["Zuora-Track-Id"] == "t-1"
