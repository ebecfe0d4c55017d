from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.failed_reason import FailedReason


T = TypeVar("T", bound="CommonResponse")


@_attrs_define
class CommonResponse:
    """Zuora's error body for every 4xx and 5xx but 401 and 403.

    Attributes:
        success (bool):
        reasons (list[FailedReason]):
        process_id (str | Unset):
        request_id (str | Unset):
    """

    success: bool
    reasons: list[FailedReason]
    process_id: str | Unset = UNSET
    request_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        success = self.success

        reasons = []
        for reasons_item_data in self.reasons:
            reasons_item = reasons_item_data.to_dict()
            reasons.append(reasons_item)

        process_id = self.process_id

        request_id = self.request_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "success": success,
                "reasons": reasons,
            }
        )
        if process_id is not UNSET:
            field_dict["processId"] = process_id
        if request_id is not UNSET:
            field_dict["requestId"] = request_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.failed_reason import FailedReason  # noqa: PLC0415

        d = dict(src_dict)
        success = d.pop("success")

        reasons = []
        _reasons = d.pop("reasons")
        for reasons_item_data in _reasons:
            reasons_item = FailedReason.from_dict(reasons_item_data)

            reasons.append(reasons_item)

        process_id = d.pop("processId", UNSET)

        request_id = d.pop("requestId", UNSET)

        common_response = cls(
            success=success,
            reasons=reasons,
            process_id=process_id,
            request_id=request_id,
        )

        common_response.additional_properties = d
        return common_response

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
