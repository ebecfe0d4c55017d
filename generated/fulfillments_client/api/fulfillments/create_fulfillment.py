from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.common_error_response import CommonErrorResponse
from ...models.common_response import CommonResponse
from ...models.create_fulfillment_content_encoding import (
    CreateFulfillmentContentEncoding,
)
from ...models.create_fulfillments_request import CreateFulfillmentsRequest
from ...models.create_fulfillments_response import CreateFulfillmentsResponse
from ...models.proxy_unauthorized_response import ProxyUnauthorizedResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: CreateFulfillmentsRequest,
    idempotency_key: str | Unset = UNSET,
    accept_encoding: str | Unset = UNSET,
    content_encoding: CreateFulfillmentContentEncoding | Unset = UNSET,
    zuora_track_id: str | Unset = UNSET,
    zuora_entity_ids: str | Unset = UNSET,
    zuora_org_ids: str | Unset = UNSET,
    zuora_version: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    if not isinstance(accept_encoding, Unset):
        headers["Accept-Encoding"] = accept_encoding

    if not isinstance(content_encoding, Unset):
        headers["Content-Encoding"] = str(content_encoding)

    if not isinstance(zuora_track_id, Unset):
        headers["Zuora-Track-Id"] = zuora_track_id

    if not isinstance(zuora_entity_ids, Unset):
        headers["Zuora-Entity-Ids"] = zuora_entity_ids

    if not isinstance(zuora_org_ids, Unset):
        headers["Zuora-Org-Ids"] = zuora_org_ids

    if not isinstance(zuora_version, Unset):
        headers["Zuora-Version"] = zuora_version

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/fulfillments",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    CommonErrorResponse
    | CommonResponse
    | CreateFulfillmentsResponse
    | ProxyUnauthorizedResponse
    | None
):
    if response.status_code == 200:
        response_200 = CreateFulfillmentsResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = CommonResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ProxyUnauthorizedResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = CommonErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = CommonResponse.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = CommonResponse.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = CommonResponse.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = CommonResponse.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = CommonResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = CommonResponse.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    CommonErrorResponse | CommonResponse | CreateFulfillmentsResponse | ProxyUnauthorizedResponse
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateFulfillmentsRequest,
    idempotency_key: str | Unset = UNSET,
    accept_encoding: str | Unset = UNSET,
    content_encoding: CreateFulfillmentContentEncoding | Unset = UNSET,
    zuora_track_id: str | Unset = UNSET,
    zuora_entity_ids: str | Unset = UNSET,
    zuora_org_ids: str | Unset = UNSET,
    zuora_version: str | Unset = UNSET,
) -> Response[
    CommonErrorResponse | CommonResponse | CreateFulfillmentsResponse | ProxyUnauthorizedResponse
]:
    """Create fulfillments

     Creates one or more fulfillments for order line items and can, in the same call,
    generate invoices (deliveries) or credit memos (returns) and collect payment.

    ## Idempotency policy
    - Send `Idempotency-Key` (at most 255 characters) to make a retry safe. A key is scoped
      to tenant + method + path + key: the same key from another tenant is another key.
    - The first response processed under a key is stored, success or failure: its status,
      body and the headers `Content-Type` and `Zuora-Request-Id`. For 24 hours after the key
      was first used, a request with the same key and the same request body receives that
      stored response again, byte for byte, with `Idempotent-Replayed: true`. The headers that
      describe the current exchange (`Zuora-Track-Id`, `RateLimit-*`, `Concurrency-Limit-*`,
      `Content-Encoding`, `Vary`) are computed for each request.
    - The request fingerprint is the canonical JSON of the decoded body (keys sorted, no
      insignificant white space); headers other than the key do not count.
    - Same key, different body: `422`. Same key while the first request is still in progress:
      `409` with `Retry-After`; nothing is stored for the rejected attempt.
    - A key that is empty, over 255 characters or not visible US-ASCII: `400`.
    - Responses produced before the request is processed are never stored: `400` for invalid
      headers or an unreadable body, `401`, `403`, `409`, `413`, `415`, `422`, `429`, and `500`
      (an unexpected failure releases the key, so a retry is processed anew).
    - Zuora's guide describes `422` for a key reused with another tenant, URL or method.
      Because keys here are scoped by tenant, method and path, such a reuse is a different key;
      `422` means the same scope with a different body.

    ## Compression policy
    - With `Accept-Encoding` naming `gzip` (or `*`) with a non-zero quality, a response body
      over 1000 bytes is compressed with gzip and labelled `Content-Encoding: gzip`. Bodies of
      1000 bytes or less, and every body of a request that did not ask, are sent uncompressed
      with no `Content-Encoding`. Every response carries `Vary: Accept-Encoding`.
    - A request body may be sent gzip-compressed with `Content-Encoding: gzip`. A body that
      is not valid gzip gets `400`; a coding other than `gzip` or `identity` gets `415` with
      `Accept-Encoding: gzip, identity`. Bodies over 4 MiB, compressed or decompressed, get `413`.

    ## Errors
    Errors use Zuora's shapes: `{success: false, processId, reasons: [{code, message}]}` for
    every 4xx and 5xx except `401` (`{message}` with `WWW-Authenticate`) and `403`
    (`{code, message}`). A reason code is Zuora's 8-digit number: a 6-digit resource code
    followed by a 2-digit category (`10` access denied, `11` authentication failed, `20`
    invalid value, `21` unknown field, `22` missing required field, `23` missing required
    parameter, `30` business rule, `40` not found, `50` locking contention, `60` internal
    error, `61` temporary error, `70` request limit exceeded, `90` malformed JSON).
    Published choice: validation and business-rule errors are answered with `400`, never
    with `200` and `success: false`.

    Args:
        idempotency_key (str | Unset):
        accept_encoding (str | Unset):
        content_encoding (CreateFulfillmentContentEncoding | Unset):
        zuora_track_id (str | Unset):
        zuora_entity_ids (str | Unset):
        zuora_org_ids (str | Unset):
        zuora_version (str | Unset):
        body (CreateFulfillmentsRequest): Zuora's `CreateFulfillmentsRequest`. Published choices:
            `fulfillments` is required and
            not empty (`400`, category 22, otherwise), and unknown fields are rejected (`400`,
            category 21, Zuora's category for an unknown field).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CommonErrorResponse | CommonResponse | CreateFulfillmentsResponse | ProxyUnauthorizedResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
        accept_encoding=accept_encoding,
        content_encoding=content_encoding,
        zuora_track_id=zuora_track_id,
        zuora_entity_ids=zuora_entity_ids,
        zuora_org_ids=zuora_org_ids,
        zuora_version=zuora_version,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CreateFulfillmentsRequest,
    idempotency_key: str | Unset = UNSET,
    accept_encoding: str | Unset = UNSET,
    content_encoding: CreateFulfillmentContentEncoding | Unset = UNSET,
    zuora_track_id: str | Unset = UNSET,
    zuora_entity_ids: str | Unset = UNSET,
    zuora_org_ids: str | Unset = UNSET,
    zuora_version: str | Unset = UNSET,
) -> (
    CommonErrorResponse
    | CommonResponse
    | CreateFulfillmentsResponse
    | ProxyUnauthorizedResponse
    | None
):
    """Create fulfillments

     Creates one or more fulfillments for order line items and can, in the same call,
    generate invoices (deliveries) or credit memos (returns) and collect payment.

    ## Idempotency policy
    - Send `Idempotency-Key` (at most 255 characters) to make a retry safe. A key is scoped
      to tenant + method + path + key: the same key from another tenant is another key.
    - The first response processed under a key is stored, success or failure: its status,
      body and the headers `Content-Type` and `Zuora-Request-Id`. For 24 hours after the key
      was first used, a request with the same key and the same request body receives that
      stored response again, byte for byte, with `Idempotent-Replayed: true`. The headers that
      describe the current exchange (`Zuora-Track-Id`, `RateLimit-*`, `Concurrency-Limit-*`,
      `Content-Encoding`, `Vary`) are computed for each request.
    - The request fingerprint is the canonical JSON of the decoded body (keys sorted, no
      insignificant white space); headers other than the key do not count.
    - Same key, different body: `422`. Same key while the first request is still in progress:
      `409` with `Retry-After`; nothing is stored for the rejected attempt.
    - A key that is empty, over 255 characters or not visible US-ASCII: `400`.
    - Responses produced before the request is processed are never stored: `400` for invalid
      headers or an unreadable body, `401`, `403`, `409`, `413`, `415`, `422`, `429`, and `500`
      (an unexpected failure releases the key, so a retry is processed anew).
    - Zuora's guide describes `422` for a key reused with another tenant, URL or method.
      Because keys here are scoped by tenant, method and path, such a reuse is a different key;
      `422` means the same scope with a different body.

    ## Compression policy
    - With `Accept-Encoding` naming `gzip` (or `*`) with a non-zero quality, a response body
      over 1000 bytes is compressed with gzip and labelled `Content-Encoding: gzip`. Bodies of
      1000 bytes or less, and every body of a request that did not ask, are sent uncompressed
      with no `Content-Encoding`. Every response carries `Vary: Accept-Encoding`.
    - A request body may be sent gzip-compressed with `Content-Encoding: gzip`. A body that
      is not valid gzip gets `400`; a coding other than `gzip` or `identity` gets `415` with
      `Accept-Encoding: gzip, identity`. Bodies over 4 MiB, compressed or decompressed, get `413`.

    ## Errors
    Errors use Zuora's shapes: `{success: false, processId, reasons: [{code, message}]}` for
    every 4xx and 5xx except `401` (`{message}` with `WWW-Authenticate`) and `403`
    (`{code, message}`). A reason code is Zuora's 8-digit number: a 6-digit resource code
    followed by a 2-digit category (`10` access denied, `11` authentication failed, `20`
    invalid value, `21` unknown field, `22` missing required field, `23` missing required
    parameter, `30` business rule, `40` not found, `50` locking contention, `60` internal
    error, `61` temporary error, `70` request limit exceeded, `90` malformed JSON).
    Published choice: validation and business-rule errors are answered with `400`, never
    with `200` and `success: false`.

    Args:
        idempotency_key (str | Unset):
        accept_encoding (str | Unset):
        content_encoding (CreateFulfillmentContentEncoding | Unset):
        zuora_track_id (str | Unset):
        zuora_entity_ids (str | Unset):
        zuora_org_ids (str | Unset):
        zuora_version (str | Unset):
        body (CreateFulfillmentsRequest): Zuora's `CreateFulfillmentsRequest`. Published choices:
            `fulfillments` is required and
            not empty (`400`, category 22, otherwise), and unknown fields are rejected (`400`,
            category 21, Zuora's category for an unknown field).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CommonErrorResponse | CommonResponse | CreateFulfillmentsResponse | ProxyUnauthorizedResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
        accept_encoding=accept_encoding,
        content_encoding=content_encoding,
        zuora_track_id=zuora_track_id,
        zuora_entity_ids=zuora_entity_ids,
        zuora_org_ids=zuora_org_ids,
        zuora_version=zuora_version,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateFulfillmentsRequest,
    idempotency_key: str | Unset = UNSET,
    accept_encoding: str | Unset = UNSET,
    content_encoding: CreateFulfillmentContentEncoding | Unset = UNSET,
    zuora_track_id: str | Unset = UNSET,
    zuora_entity_ids: str | Unset = UNSET,
    zuora_org_ids: str | Unset = UNSET,
    zuora_version: str | Unset = UNSET,
) -> Response[
    CommonErrorResponse | CommonResponse | CreateFulfillmentsResponse | ProxyUnauthorizedResponse
]:
    """Create fulfillments

     Creates one or more fulfillments for order line items and can, in the same call,
    generate invoices (deliveries) or credit memos (returns) and collect payment.

    ## Idempotency policy
    - Send `Idempotency-Key` (at most 255 characters) to make a retry safe. A key is scoped
      to tenant + method + path + key: the same key from another tenant is another key.
    - The first response processed under a key is stored, success or failure: its status,
      body and the headers `Content-Type` and `Zuora-Request-Id`. For 24 hours after the key
      was first used, a request with the same key and the same request body receives that
      stored response again, byte for byte, with `Idempotent-Replayed: true`. The headers that
      describe the current exchange (`Zuora-Track-Id`, `RateLimit-*`, `Concurrency-Limit-*`,
      `Content-Encoding`, `Vary`) are computed for each request.
    - The request fingerprint is the canonical JSON of the decoded body (keys sorted, no
      insignificant white space); headers other than the key do not count.
    - Same key, different body: `422`. Same key while the first request is still in progress:
      `409` with `Retry-After`; nothing is stored for the rejected attempt.
    - A key that is empty, over 255 characters or not visible US-ASCII: `400`.
    - Responses produced before the request is processed are never stored: `400` for invalid
      headers or an unreadable body, `401`, `403`, `409`, `413`, `415`, `422`, `429`, and `500`
      (an unexpected failure releases the key, so a retry is processed anew).
    - Zuora's guide describes `422` for a key reused with another tenant, URL or method.
      Because keys here are scoped by tenant, method and path, such a reuse is a different key;
      `422` means the same scope with a different body.

    ## Compression policy
    - With `Accept-Encoding` naming `gzip` (or `*`) with a non-zero quality, a response body
      over 1000 bytes is compressed with gzip and labelled `Content-Encoding: gzip`. Bodies of
      1000 bytes or less, and every body of a request that did not ask, are sent uncompressed
      with no `Content-Encoding`. Every response carries `Vary: Accept-Encoding`.
    - A request body may be sent gzip-compressed with `Content-Encoding: gzip`. A body that
      is not valid gzip gets `400`; a coding other than `gzip` or `identity` gets `415` with
      `Accept-Encoding: gzip, identity`. Bodies over 4 MiB, compressed or decompressed, get `413`.

    ## Errors
    Errors use Zuora's shapes: `{success: false, processId, reasons: [{code, message}]}` for
    every 4xx and 5xx except `401` (`{message}` with `WWW-Authenticate`) and `403`
    (`{code, message}`). A reason code is Zuora's 8-digit number: a 6-digit resource code
    followed by a 2-digit category (`10` access denied, `11` authentication failed, `20`
    invalid value, `21` unknown field, `22` missing required field, `23` missing required
    parameter, `30` business rule, `40` not found, `50` locking contention, `60` internal
    error, `61` temporary error, `70` request limit exceeded, `90` malformed JSON).
    Published choice: validation and business-rule errors are answered with `400`, never
    with `200` and `success: false`.

    Args:
        idempotency_key (str | Unset):
        accept_encoding (str | Unset):
        content_encoding (CreateFulfillmentContentEncoding | Unset):
        zuora_track_id (str | Unset):
        zuora_entity_ids (str | Unset):
        zuora_org_ids (str | Unset):
        zuora_version (str | Unset):
        body (CreateFulfillmentsRequest): Zuora's `CreateFulfillmentsRequest`. Published choices:
            `fulfillments` is required and
            not empty (`400`, category 22, otherwise), and unknown fields are rejected (`400`,
            category 21, Zuora's category for an unknown field).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CommonErrorResponse | CommonResponse | CreateFulfillmentsResponse | ProxyUnauthorizedResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
        accept_encoding=accept_encoding,
        content_encoding=content_encoding,
        zuora_track_id=zuora_track_id,
        zuora_entity_ids=zuora_entity_ids,
        zuora_org_ids=zuora_org_ids,
        zuora_version=zuora_version,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateFulfillmentsRequest,
    idempotency_key: str | Unset = UNSET,
    accept_encoding: str | Unset = UNSET,
    content_encoding: CreateFulfillmentContentEncoding | Unset = UNSET,
    zuora_track_id: str | Unset = UNSET,
    zuora_entity_ids: str | Unset = UNSET,
    zuora_org_ids: str | Unset = UNSET,
    zuora_version: str | Unset = UNSET,
) -> (
    CommonErrorResponse
    | CommonResponse
    | CreateFulfillmentsResponse
    | ProxyUnauthorizedResponse
    | None
):
    """Create fulfillments

     Creates one or more fulfillments for order line items and can, in the same call,
    generate invoices (deliveries) or credit memos (returns) and collect payment.

    ## Idempotency policy
    - Send `Idempotency-Key` (at most 255 characters) to make a retry safe. A key is scoped
      to tenant + method + path + key: the same key from another tenant is another key.
    - The first response processed under a key is stored, success or failure: its status,
      body and the headers `Content-Type` and `Zuora-Request-Id`. For 24 hours after the key
      was first used, a request with the same key and the same request body receives that
      stored response again, byte for byte, with `Idempotent-Replayed: true`. The headers that
      describe the current exchange (`Zuora-Track-Id`, `RateLimit-*`, `Concurrency-Limit-*`,
      `Content-Encoding`, `Vary`) are computed for each request.
    - The request fingerprint is the canonical JSON of the decoded body (keys sorted, no
      insignificant white space); headers other than the key do not count.
    - Same key, different body: `422`. Same key while the first request is still in progress:
      `409` with `Retry-After`; nothing is stored for the rejected attempt.
    - A key that is empty, over 255 characters or not visible US-ASCII: `400`.
    - Responses produced before the request is processed are never stored: `400` for invalid
      headers or an unreadable body, `401`, `403`, `409`, `413`, `415`, `422`, `429`, and `500`
      (an unexpected failure releases the key, so a retry is processed anew).
    - Zuora's guide describes `422` for a key reused with another tenant, URL or method.
      Because keys here are scoped by tenant, method and path, such a reuse is a different key;
      `422` means the same scope with a different body.

    ## Compression policy
    - With `Accept-Encoding` naming `gzip` (or `*`) with a non-zero quality, a response body
      over 1000 bytes is compressed with gzip and labelled `Content-Encoding: gzip`. Bodies of
      1000 bytes or less, and every body of a request that did not ask, are sent uncompressed
      with no `Content-Encoding`. Every response carries `Vary: Accept-Encoding`.
    - A request body may be sent gzip-compressed with `Content-Encoding: gzip`. A body that
      is not valid gzip gets `400`; a coding other than `gzip` or `identity` gets `415` with
      `Accept-Encoding: gzip, identity`. Bodies over 4 MiB, compressed or decompressed, get `413`.

    ## Errors
    Errors use Zuora's shapes: `{success: false, processId, reasons: [{code, message}]}` for
    every 4xx and 5xx except `401` (`{message}` with `WWW-Authenticate`) and `403`
    (`{code, message}`). A reason code is Zuora's 8-digit number: a 6-digit resource code
    followed by a 2-digit category (`10` access denied, `11` authentication failed, `20`
    invalid value, `21` unknown field, `22` missing required field, `23` missing required
    parameter, `30` business rule, `40` not found, `50` locking contention, `60` internal
    error, `61` temporary error, `70` request limit exceeded, `90` malformed JSON).
    Published choice: validation and business-rule errors are answered with `400`, never
    with `200` and `success: false`.

    Args:
        idempotency_key (str | Unset):
        accept_encoding (str | Unset):
        content_encoding (CreateFulfillmentContentEncoding | Unset):
        zuora_track_id (str | Unset):
        zuora_entity_ids (str | Unset):
        zuora_org_ids (str | Unset):
        zuora_version (str | Unset):
        body (CreateFulfillmentsRequest): Zuora's `CreateFulfillmentsRequest`. Published choices:
            `fulfillments` is required and
            not empty (`400`, category 22, otherwise), and unknown fields are rejected (`400`,
            category 21, Zuora's category for an unknown field).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CommonErrorResponse | CommonResponse | CreateFulfillmentsResponse | ProxyUnauthorizedResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
            accept_encoding=accept_encoding,
            content_encoding=content_encoding,
            zuora_track_id=zuora_track_id,
            zuora_entity_ids=zuora_entity_ids,
            zuora_org_ids=zuora_org_ids,
            zuora_version=zuora_version,
        )
    ).parsed
