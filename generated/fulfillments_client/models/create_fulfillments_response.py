from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_fulfillment_response import CreateFulfillmentResponse
    from ..models.failed_reason import FailedReason


T = TypeVar("T", bound="CreateFulfillmentsResponse")


@_attrs_define
class CreateFulfillmentsResponse:
    """The result of a successful call. `invoiceNumbers`, `creditMemoNumbers`, `paymentNumber` and
    `paidAmount` are `null` when nothing of that kind was produced, as in Zuora's real responses.

        Attributes:
            success (bool):  Default: True.
            fulfillments (list[CreateFulfillmentResponse]):
            process_id (str | Unset):
            request_id (str | Unset):
            reasons (list[FailedReason] | Unset):
            invoice_numbers (list[str] | None | Unset):
            credit_memo_numbers (list[str] | None | Unset):
            payment_number (None | str | Unset):
            paid_amount (float | None | Unset):
    """

    fulfillments: list[CreateFulfillmentResponse]
    success: bool = True
    process_id: str | Unset = UNSET
    request_id: str | Unset = UNSET
    reasons: list[FailedReason] | Unset = UNSET
    invoice_numbers: list[str] | None | Unset = UNSET
    credit_memo_numbers: list[str] | None | Unset = UNSET
    payment_number: None | str | Unset = UNSET
    paid_amount: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        success = self.success

        fulfillments = []
        for fulfillments_item_data in self.fulfillments:
            fulfillments_item = fulfillments_item_data.to_dict()
            fulfillments.append(fulfillments_item)

        process_id = self.process_id

        request_id = self.request_id

        reasons: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.reasons, Unset):
            reasons = []
            for reasons_item_data in self.reasons:
                reasons_item = reasons_item_data.to_dict()
                reasons.append(reasons_item)

        invoice_numbers: list[str] | None | Unset
        if isinstance(self.invoice_numbers, Unset):
            invoice_numbers = UNSET
        elif isinstance(self.invoice_numbers, list):
            invoice_numbers = self.invoice_numbers

        else:
            invoice_numbers = self.invoice_numbers

        credit_memo_numbers: list[str] | None | Unset
        if isinstance(self.credit_memo_numbers, Unset):
            credit_memo_numbers = UNSET
        elif isinstance(self.credit_memo_numbers, list):
            credit_memo_numbers = self.credit_memo_numbers

        else:
            credit_memo_numbers = self.credit_memo_numbers

        payment_number: None | str | Unset
        if isinstance(self.payment_number, Unset):
            payment_number = UNSET
        else:
            payment_number = self.payment_number

        paid_amount: float | None | Unset
        if isinstance(self.paid_amount, Unset):
            paid_amount = UNSET
        else:
            paid_amount = self.paid_amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "success": success,
                "fulfillments": fulfillments,
            }
        )
        if process_id is not UNSET:
            field_dict["processId"] = process_id
        if request_id is not UNSET:
            field_dict["requestId"] = request_id
        if reasons is not UNSET:
            field_dict["reasons"] = reasons
        if invoice_numbers is not UNSET:
            field_dict["invoiceNumbers"] = invoice_numbers
        if credit_memo_numbers is not UNSET:
            field_dict["creditMemoNumbers"] = credit_memo_numbers
        if payment_number is not UNSET:
            field_dict["paymentNumber"] = payment_number
        if paid_amount is not UNSET:
            field_dict["paidAmount"] = paid_amount

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_fulfillment_response import CreateFulfillmentResponse  # noqa: PLC0415
        from ..models.failed_reason import FailedReason  # noqa: PLC0415

        d = dict(src_dict)
        success = d.pop("success")

        fulfillments = []
        _fulfillments = d.pop("fulfillments")
        for fulfillments_item_data in _fulfillments:
            fulfillments_item = CreateFulfillmentResponse.from_dict(fulfillments_item_data)

            fulfillments.append(fulfillments_item)

        process_id = d.pop("processId", UNSET)

        request_id = d.pop("requestId", UNSET)

        _reasons = d.pop("reasons", UNSET)
        reasons: list[FailedReason] | Unset = UNSET
        if _reasons is not UNSET:
            reasons = []
            for reasons_item_data in _reasons:
                reasons_item = FailedReason.from_dict(reasons_item_data)

                reasons.append(reasons_item)

        def _parse_invoice_numbers(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                invoice_numbers_type_0 = cast(list[str], data)

                return invoice_numbers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        invoice_numbers = _parse_invoice_numbers(d.pop("invoiceNumbers", UNSET))

        def _parse_credit_memo_numbers(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                credit_memo_numbers_type_0 = cast(list[str], data)

                return credit_memo_numbers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        credit_memo_numbers = _parse_credit_memo_numbers(d.pop("creditMemoNumbers", UNSET))

        def _parse_payment_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        payment_number = _parse_payment_number(d.pop("paymentNumber", UNSET))

        def _parse_paid_amount(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        paid_amount = _parse_paid_amount(d.pop("paidAmount", UNSET))

        create_fulfillments_response = cls(
            success=success,
            fulfillments=fulfillments,
            process_id=process_id,
            request_id=request_id,
            reasons=reasons,
            invoice_numbers=invoice_numbers,
            credit_memo_numbers=credit_memo_numbers,
            payment_number=payment_number,
            paid_amount=paid_amount,
        )

        create_fulfillments_response.additional_properties = d
        return create_fulfillments_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
