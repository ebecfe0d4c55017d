from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WriteOffBehaviorFinanceInformation")


@_attrs_define
class WriteOffBehaviorFinanceInformation:
    """Accounting codes of the write-off.

    Attributes:
        deferred_revenue_accounting_code (str | Unset):
        on_account_accounting_code (str | Unset):
        recognized_revenue_accounting_code (str | Unset):
        revenue_recognition_rule_name (str | Unset):
    """

    deferred_revenue_accounting_code: str | Unset = UNSET
    on_account_accounting_code: str | Unset = UNSET
    recognized_revenue_accounting_code: str | Unset = UNSET
    revenue_recognition_rule_name: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        deferred_revenue_accounting_code = self.deferred_revenue_accounting_code

        on_account_accounting_code = self.on_account_accounting_code

        recognized_revenue_accounting_code = self.recognized_revenue_accounting_code

        revenue_recognition_rule_name = self.revenue_recognition_rule_name

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if deferred_revenue_accounting_code is not UNSET:
            field_dict["deferredRevenueAccountingCode"] = deferred_revenue_accounting_code
        if on_account_accounting_code is not UNSET:
            field_dict["onAccountAccountingCode"] = on_account_accounting_code
        if recognized_revenue_accounting_code is not UNSET:
            field_dict["recognizedRevenueAccountingCode"] = recognized_revenue_accounting_code
        if revenue_recognition_rule_name is not UNSET:
            field_dict["revenueRecognitionRuleName"] = revenue_recognition_rule_name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        deferred_revenue_accounting_code = d.pop("deferredRevenueAccountingCode", UNSET)

        on_account_accounting_code = d.pop("onAccountAccountingCode", UNSET)

        recognized_revenue_accounting_code = d.pop("recognizedRevenueAccountingCode", UNSET)

        revenue_recognition_rule_name = d.pop("revenueRecognitionRuleName", UNSET)

        write_off_behavior_finance_information = cls(
            deferred_revenue_accounting_code=deferred_revenue_accounting_code,
            on_account_accounting_code=on_account_accounting_code,
            recognized_revenue_accounting_code=recognized_revenue_accounting_code,
            revenue_recognition_rule_name=revenue_recognition_rule_name,
        )

        return write_off_behavior_finance_information
