from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.write_off_behavior_finance_information import (
        WriteOffBehaviorFinanceInformation,
    )


T = TypeVar("T", bound="WriteOffBehavior")


@_attrs_define
class WriteOffBehavior:
    """How the write-off is booked.

    Attributes:
        finance_information (WriteOffBehaviorFinanceInformation | Unset): Accounting codes of the write-off.
    """

    finance_information: WriteOffBehaviorFinanceInformation | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        finance_information: dict[str, Any] | Unset = UNSET
        if not isinstance(self.finance_information, Unset):
            finance_information = self.finance_information.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if finance_information is not UNSET:
            field_dict["financeInformation"] = finance_information

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.write_off_behavior_finance_information import (
            WriteOffBehaviorFinanceInformation,  # noqa: PLC0415
        )

        d = dict(src_dict)
        _finance_information = d.pop("financeInformation", UNSET)
        finance_information: WriteOffBehaviorFinanceInformation | Unset
        if isinstance(_finance_information, Unset):
            finance_information = UNSET
        else:
            finance_information = WriteOffBehaviorFinanceInformation.from_dict(_finance_information)

        write_off_behavior = cls(
            finance_information=finance_information,
        )

        return write_off_behavior
