from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ElectronicPaymentOptions")


@_attrs_define
class ElectronicPaymentOptions:
    """Gateway and payment-method overrides for the payment.

    Attributes:
        payment_gateway_id (str | Unset):
        payment_method_id (str | Unset):
    """

    payment_gateway_id: str | Unset = UNSET
    payment_method_id: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        payment_gateway_id = self.payment_gateway_id

        payment_method_id = self.payment_method_id

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if payment_gateway_id is not UNSET:
            field_dict["paymentGatewayId"] = payment_gateway_id
        if payment_method_id is not UNSET:
            field_dict["paymentMethodId"] = payment_method_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        payment_gateway_id = d.pop("paymentGatewayId", UNSET)

        payment_method_id = d.pop("paymentMethodId", UNSET)

        electronic_payment_options = cls(
            payment_gateway_id=payment_gateway_id,
            payment_method_id=payment_method_id,
        )

        return electronic_payment_options
