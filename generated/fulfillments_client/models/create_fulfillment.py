from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.fulfillment_state import FulfillmentState
from ..models.fulfillment_type import FulfillmentType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.custom_fields import CustomFields
    from ..models.fulfillment_item import FulfillmentItem


T = TypeVar("T", bound="CreateFulfillment")


@_attrs_define
class CreateFulfillment:
    """One fulfillment to create.

    Attributes:
        order_line_item_id (str): The order line item this fulfillment belongs to (real IDs are 32 lowercase hex
            characters). Example: 4028828c82819b74018286e02e041bd6.
        fulfillment_date (datetime.date): The date of the fulfillment.
        quantity (float): The quantity fulfilled.
        bill_target_date (datetime.date | Unset): The date on which a bill run picks this fulfillment up.
        carrier (str | Unset): The carrier; the allowed values are configured by the tenant.
        custom_fields (CustomFields | Unset): Custom fields of the object, free-form (Zuora names them `<name>__c`).
        description (str | Unset):
        external_id (str | Unset):
        fulfillment_location (str | Unset): The location; the allowed values are configured by the tenant.
        fulfillment_system (str | Unset): The fulfillment system; the allowed values are configured by the tenant.
        fulfillment_type (FulfillmentType | Unset): Whether the fulfillment delivers or returns goods. Published choice
            - `Delivery` when absent.
        state (FulfillmentState | Unset): The state of the fulfillment; new fulfillments default to `Executing`.
        tracking_number (str | Unset):
        fulfillment_items (list[FulfillmentItem] | Unset):
    """

    order_line_item_id: str
    fulfillment_date: datetime.date
    quantity: float
    bill_target_date: datetime.date | Unset = UNSET
    carrier: str | Unset = UNSET
    custom_fields: CustomFields | Unset = UNSET
    description: str | Unset = UNSET
    external_id: str | Unset = UNSET
    fulfillment_location: str | Unset = UNSET
    fulfillment_system: str | Unset = UNSET
    fulfillment_type: FulfillmentType | Unset = UNSET
    state: FulfillmentState | Unset = UNSET
    tracking_number: str | Unset = UNSET
    fulfillment_items: list[FulfillmentItem] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        order_line_item_id = self.order_line_item_id

        fulfillment_date = self.fulfillment_date.isoformat()

        quantity = self.quantity

        bill_target_date: str | Unset = UNSET
        if not isinstance(self.bill_target_date, Unset):
            bill_target_date = self.bill_target_date.isoformat()

        carrier = self.carrier

        custom_fields: dict[str, Any] | Unset = UNSET
        if not isinstance(self.custom_fields, Unset):
            custom_fields = self.custom_fields.to_dict()

        description = self.description

        external_id = self.external_id

        fulfillment_location = self.fulfillment_location

        fulfillment_system = self.fulfillment_system

        fulfillment_type: str | Unset = UNSET
        if not isinstance(self.fulfillment_type, Unset):
            fulfillment_type = self.fulfillment_type.value

        state: str | Unset = UNSET
        if not isinstance(self.state, Unset):
            state = self.state.value

        tracking_number = self.tracking_number

        fulfillment_items: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.fulfillment_items, Unset):
            fulfillment_items = []
            for fulfillment_items_item_data in self.fulfillment_items:
                fulfillment_items_item = fulfillment_items_item_data.to_dict()
                fulfillment_items.append(fulfillment_items_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "orderLineItemId": order_line_item_id,
                "fulfillmentDate": fulfillment_date,
                "quantity": quantity,
            }
        )
        if bill_target_date is not UNSET:
            field_dict["billTargetDate"] = bill_target_date
        if carrier is not UNSET:
            field_dict["carrier"] = carrier
        if custom_fields is not UNSET:
            field_dict["customFields"] = custom_fields
        if description is not UNSET:
            field_dict["description"] = description
        if external_id is not UNSET:
            field_dict["externalId"] = external_id
        if fulfillment_location is not UNSET:
            field_dict["fulfillmentLocation"] = fulfillment_location
        if fulfillment_system is not UNSET:
            field_dict["fulfillmentSystem"] = fulfillment_system
        if fulfillment_type is not UNSET:
            field_dict["fulfillmentType"] = fulfillment_type
        if state is not UNSET:
            field_dict["state"] = state
        if tracking_number is not UNSET:
            field_dict["trackingNumber"] = tracking_number
        if fulfillment_items is not UNSET:
            field_dict["fulfillmentItems"] = fulfillment_items

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.custom_fields import CustomFields  # noqa: PLC0415
        from ..models.fulfillment_item import FulfillmentItem  # noqa: PLC0415

        d = dict(src_dict)
        order_line_item_id = d.pop("orderLineItemId")

        fulfillment_date = datetime.date.fromisoformat(d.pop("fulfillmentDate"))

        quantity = d.pop("quantity")

        _bill_target_date = d.pop("billTargetDate", UNSET)
        bill_target_date: datetime.date | Unset
        if isinstance(_bill_target_date, Unset):
            bill_target_date = UNSET
        else:
            bill_target_date = datetime.date.fromisoformat(_bill_target_date)

        carrier = d.pop("carrier", UNSET)

        _custom_fields = d.pop("customFields", UNSET)
        custom_fields: CustomFields | Unset
        if isinstance(_custom_fields, Unset):
            custom_fields = UNSET
        else:
            custom_fields = CustomFields.from_dict(_custom_fields)

        description = d.pop("description", UNSET)

        external_id = d.pop("externalId", UNSET)

        fulfillment_location = d.pop("fulfillmentLocation", UNSET)

        fulfillment_system = d.pop("fulfillmentSystem", UNSET)

        _fulfillment_type = d.pop("fulfillmentType", UNSET)
        fulfillment_type: FulfillmentType | Unset
        if isinstance(_fulfillment_type, Unset):
            fulfillment_type = UNSET
        else:
            fulfillment_type = FulfillmentType(_fulfillment_type)

        _state = d.pop("state", UNSET)
        state: FulfillmentState | Unset
        if isinstance(_state, Unset):
            state = UNSET
        else:
            state = FulfillmentState(_state)

        tracking_number = d.pop("trackingNumber", UNSET)

        _fulfillment_items = d.pop("fulfillmentItems", UNSET)
        fulfillment_items: list[FulfillmentItem] | Unset = UNSET
        if _fulfillment_items is not UNSET:
            fulfillment_items = []
            for fulfillment_items_item_data in _fulfillment_items:
                fulfillment_items_item = FulfillmentItem.from_dict(fulfillment_items_item_data)

                fulfillment_items.append(fulfillment_items_item)

        create_fulfillment = cls(
            order_line_item_id=order_line_item_id,
            fulfillment_date=fulfillment_date,
            quantity=quantity,
            bill_target_date=bill_target_date,
            carrier=carrier,
            custom_fields=custom_fields,
            description=description,
            external_id=external_id,
            fulfillment_location=fulfillment_location,
            fulfillment_system=fulfillment_system,
            fulfillment_type=fulfillment_type,
            state=state,
            tracking_number=tracking_number,
            fulfillment_items=fulfillment_items,
        )

        return create_fulfillment
