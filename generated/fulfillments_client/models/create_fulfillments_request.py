from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_fulfillment import CreateFulfillment
    from ..models.processing_options import ProcessingOptions


T = TypeVar("T", bound="CreateFulfillmentsRequest")


@_attrs_define
class CreateFulfillmentsRequest:
    """Zuora's `CreateFulfillmentsRequest`. Published choices: `fulfillments` is required and
    not empty (`400`, category 22, otherwise), and unknown fields are rejected (`400`,
    category 21, Zuora's category for an unknown field).

        Attributes:
            fulfillments (list[CreateFulfillment]):
            processing_options (ProcessingOptions | Unset): What to do after creating the fulfillments (Zuora's shared
                3.21.0 `ProcessingOptions`; every
                field is accepted). Rules, each answered with `400` and a category-30 reason code:
                `collectPayment` needs `runBilling`; `refundAmount` is required when `refund` is true;
                `applicationOrder` needs `applyCredit`; `billingOptions` needs `runBilling`.
    """

    fulfillments: list[CreateFulfillment]
    processing_options: ProcessingOptions | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        fulfillments = []
        for fulfillments_item_data in self.fulfillments:
            fulfillments_item = fulfillments_item_data.to_dict()
            fulfillments.append(fulfillments_item)

        processing_options: dict[str, Any] | Unset = UNSET
        if not isinstance(self.processing_options, Unset):
            processing_options = self.processing_options.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "fulfillments": fulfillments,
            }
        )
        if processing_options is not UNSET:
            field_dict["processingOptions"] = processing_options

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_fulfillment import CreateFulfillment  # noqa: PLC0415
        from ..models.processing_options import ProcessingOptions  # noqa: PLC0415

        d = dict(src_dict)
        fulfillments = []
        _fulfillments = d.pop("fulfillments")
        for fulfillments_item_data in _fulfillments:
            fulfillments_item = CreateFulfillment.from_dict(fulfillments_item_data)

            fulfillments.append(fulfillments_item)

        _processing_options = d.pop("processingOptions", UNSET)
        processing_options: ProcessingOptions | Unset
        if isinstance(_processing_options, Unset):
            processing_options = UNSET
        else:
            processing_options = ProcessingOptions.from_dict(_processing_options)

        create_fulfillments_request = cls(
            fulfillments=fulfillments,
            processing_options=processing_options,
        )

        return create_fulfillments_request
