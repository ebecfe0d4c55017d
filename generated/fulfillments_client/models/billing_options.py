from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.charge_type import ChargeType
from ..types import UNSET, Unset

T = TypeVar("T", bound="BillingOptions")


@_attrs_define
class BillingOptions:
    """Parameters of the billing run.

    Attributes:
        document_date (datetime.date | Unset): The date printed on the billing document.
        target_date (datetime.date | Unset): The date through which charges are calculated.
        generate_draft_invoice (bool | Unset):  Default: False.
        credit_memo_reason_code (str | Unset):
        charge_type_to_exclude (list[ChargeType] | Unset):
    """

    document_date: datetime.date | Unset = UNSET
    target_date: datetime.date | Unset = UNSET
    generate_draft_invoice: bool | Unset = False
    credit_memo_reason_code: str | Unset = UNSET
    charge_type_to_exclude: list[ChargeType] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        document_date: str | Unset = UNSET
        if not isinstance(self.document_date, Unset):
            document_date = self.document_date.isoformat()

        target_date: str | Unset = UNSET
        if not isinstance(self.target_date, Unset):
            target_date = self.target_date.isoformat()

        generate_draft_invoice = self.generate_draft_invoice

        credit_memo_reason_code = self.credit_memo_reason_code

        charge_type_to_exclude: list[str] | Unset = UNSET
        if not isinstance(self.charge_type_to_exclude, Unset):
            charge_type_to_exclude = []
            for charge_type_to_exclude_item_data in self.charge_type_to_exclude:
                charge_type_to_exclude_item = charge_type_to_exclude_item_data.value
                charge_type_to_exclude.append(charge_type_to_exclude_item)

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if document_date is not UNSET:
            field_dict["documentDate"] = document_date
        if target_date is not UNSET:
            field_dict["targetDate"] = target_date
        if generate_draft_invoice is not UNSET:
            field_dict["generateDraftInvoice"] = generate_draft_invoice
        if credit_memo_reason_code is not UNSET:
            field_dict["creditMemoReasonCode"] = credit_memo_reason_code
        if charge_type_to_exclude is not UNSET:
            field_dict["chargeTypeToExclude"] = charge_type_to_exclude

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _document_date = d.pop("documentDate", UNSET)
        document_date: datetime.date | Unset
        if isinstance(_document_date, Unset):
            document_date = UNSET
        else:
            document_date = datetime.date.fromisoformat(_document_date)

        _target_date = d.pop("targetDate", UNSET)
        target_date: datetime.date | Unset
        if isinstance(_target_date, Unset):
            target_date = UNSET
        else:
            target_date = datetime.date.fromisoformat(_target_date)

        generate_draft_invoice = d.pop("generateDraftInvoice", UNSET)

        credit_memo_reason_code = d.pop("creditMemoReasonCode", UNSET)

        _charge_type_to_exclude = d.pop("chargeTypeToExclude", UNSET)
        charge_type_to_exclude: list[ChargeType] | Unset = UNSET
        if _charge_type_to_exclude is not UNSET:
            charge_type_to_exclude = []
            for charge_type_to_exclude_item_data in _charge_type_to_exclude:
                charge_type_to_exclude_item = ChargeType(charge_type_to_exclude_item_data)

                charge_type_to_exclude.append(charge_type_to_exclude_item)

        billing_options = cls(
            document_date=document_date,
            target_date=target_date,
            generate_draft_invoice=generate_draft_invoice,
            credit_memo_reason_code=credit_memo_reason_code,
            charge_type_to_exclude=charge_type_to_exclude,
        )

        return billing_options
