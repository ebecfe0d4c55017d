from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.custom_fields import CustomFields


T = TypeVar("T", bound="FulfillmentItem")


@_attrs_define
class FulfillmentItem:
    """An item that belongs to a fulfillment.

    Attributes:
        custom_fields (CustomFields | Unset): Custom fields of the object, free-form (Zuora names them `<name>__c`).
        description (str | Unset):
        item_identifier (str | Unset):
        fulfillment_id (str | Unset):
        fulfillment_number (str | Unset):
        fulfillment_external_id (str | Unset):
    """

    custom_fields: CustomFields | Unset = UNSET
    description: str | Unset = UNSET
    item_identifier: str | Unset = UNSET
    fulfillment_id: str | Unset = UNSET
    fulfillment_number: str | Unset = UNSET
    fulfillment_external_id: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        custom_fields: dict[str, Any] | Unset = UNSET
        if not isinstance(self.custom_fields, Unset):
            custom_fields = self.custom_fields.to_dict()

        description = self.description

        item_identifier = self.item_identifier

        fulfillment_id = self.fulfillment_id

        fulfillment_number = self.fulfillment_number

        fulfillment_external_id = self.fulfillment_external_id

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if custom_fields is not UNSET:
            field_dict["customFields"] = custom_fields
        if description is not UNSET:
            field_dict["description"] = description
        if item_identifier is not UNSET:
            field_dict["itemIdentifier"] = item_identifier
        if fulfillment_id is not UNSET:
            field_dict["fulfillmentId"] = fulfillment_id
        if fulfillment_number is not UNSET:
            field_dict["fulfillmentNumber"] = fulfillment_number
        if fulfillment_external_id is not UNSET:
            field_dict["fulfillmentExternalId"] = fulfillment_external_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.custom_fields import CustomFields  # noqa: PLC0415

        d = dict(src_dict)
        _custom_fields = d.pop("customFields", UNSET)
        custom_fields: CustomFields | Unset
        if isinstance(_custom_fields, Unset):
            custom_fields = UNSET
        else:
            custom_fields = CustomFields.from_dict(_custom_fields)

        description = d.pop("description", UNSET)

        item_identifier = d.pop("itemIdentifier", UNSET)

        fulfillment_id = d.pop("fulfillmentId", UNSET)

        fulfillment_number = d.pop("fulfillmentNumber", UNSET)

        fulfillment_external_id = d.pop("fulfillmentExternalId", UNSET)

        fulfillment_item = cls(
            custom_fields=custom_fields,
            description=description,
            item_identifier=item_identifier,
            fulfillment_id=fulfillment_id,
            fulfillment_number=fulfillment_number,
            fulfillment_external_id=fulfillment_external_id,
        )

        return fulfillment_item
