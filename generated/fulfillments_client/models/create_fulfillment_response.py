from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.create_fulfillment_item_response import CreateFulfillmentItemResponse


T = TypeVar("T", bound="CreateFulfillmentResponse")


@_attrs_define
class CreateFulfillmentResponse:
    """One created fulfillment.

    Attributes:
        id (str): The system-generated ID (32 lowercase hex characters).
        fulfillment_number (str): The system-generated number, for example `F-00007053`.
        fulfillment_items (list[CreateFulfillmentItemResponse]):
    """

    id: str
    fulfillment_number: str
    fulfillment_items: list[CreateFulfillmentItemResponse]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        fulfillment_number = self.fulfillment_number

        fulfillment_items = []
        for fulfillment_items_item_data in self.fulfillment_items:
            fulfillment_items_item = fulfillment_items_item_data.to_dict()
            fulfillment_items.append(fulfillment_items_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "fulfillmentNumber": fulfillment_number,
                "fulfillmentItems": fulfillment_items,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_fulfillment_item_response import (
            CreateFulfillmentItemResponse,  # noqa: PLC0415
        )

        d = dict(src_dict)
        id = d.pop("id")

        fulfillment_number = d.pop("fulfillmentNumber")

        fulfillment_items = []
        _fulfillment_items = d.pop("fulfillmentItems")
        for fulfillment_items_item_data in _fulfillment_items:
            fulfillment_items_item = CreateFulfillmentItemResponse.from_dict(
                fulfillment_items_item_data
            )

            fulfillment_items.append(fulfillment_items_item)

        create_fulfillment_response = cls(
            id=id,
            fulfillment_number=fulfillment_number,
            fulfillment_items=fulfillment_items,
        )

        create_fulfillment_response.additional_properties = d
        return create_fulfillment_response

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
