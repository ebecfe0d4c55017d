from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.processing_options_application_order_item import (
    ProcessingOptionsApplicationOrderItem,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.billing_options import BillingOptions
    from ..models.electronic_payment_options import ElectronicPaymentOptions
    from ..models.write_off_behavior import WriteOffBehavior


T = TypeVar("T", bound="ProcessingOptions")


@_attrs_define
class ProcessingOptions:
    """What to do after creating the fulfillments (Zuora's shared 3.21.0 `ProcessingOptions`; every
    field is accepted). Rules, each answered with `400` and a category-30 reason code:
    `collectPayment` needs `runBilling`; `refundAmount` is required when `refund` is true;
    `applicationOrder` needs `applyCredit`; `billingOptions` needs `runBilling`.

        Attributes:
            run_billing (bool | Unset): Generate a billing document (invoice for deliveries, credit memo for returns) in
                this call.
            billing_options (BillingOptions | Unset): Parameters of the billing run.
            collect_payment (bool | Unset): Collect payment for the generated invoices; cannot be true unless `runBilling`
                is true.
            allow_payment_failure (bool | Unset): With `runBilling` and `collectPayment`, a failed payment does not fail the
                whole request. Default: False.
            electronic_payment_options (ElectronicPaymentOptions | Unset): Gateway and payment-method overrides for the
                payment.
            apply_credit (bool | Unset): Apply credit memos and unapplied payments to the generated invoices.
            application_order (list[ProcessingOptionsApplicationOrderItem] | Unset): The order in which credit is applied;
                only valid when `applyCredit` is true.
            apply_credit_balance (bool | Unset): Apply the account's credit balance to the generated invoices.
            refund (bool | Unset): Refund after cancellation (order context).
            refund_amount (float | Unset): The amount to refund; required when `refund` is true.
            refund_reason_code (str | Unset): An existing payment refund reason code; empty or absent means the default.
            re_association (bool | Unset): Re-associate a commitment with a newly created account (order context).
            write_off (bool | Unset): Write off the invoice balance after the refund.
            write_off_behavior (WriteOffBehavior | Unset): How the write-off is booked.
    """

    run_billing: bool | Unset = UNSET
    billing_options: BillingOptions | Unset = UNSET
    collect_payment: bool | Unset = UNSET
    allow_payment_failure: bool | Unset = False
    electronic_payment_options: ElectronicPaymentOptions | Unset = UNSET
    apply_credit: bool | Unset = UNSET
    application_order: list[ProcessingOptionsApplicationOrderItem] | Unset = UNSET
    apply_credit_balance: bool | Unset = UNSET
    refund: bool | Unset = UNSET
    refund_amount: float | Unset = UNSET
    refund_reason_code: str | Unset = UNSET
    re_association: bool | Unset = UNSET
    write_off: bool | Unset = UNSET
    write_off_behavior: WriteOffBehavior | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        run_billing = self.run_billing

        billing_options: dict[str, Any] | Unset = UNSET
        if not isinstance(self.billing_options, Unset):
            billing_options = self.billing_options.to_dict()

        collect_payment = self.collect_payment

        allow_payment_failure = self.allow_payment_failure

        electronic_payment_options: dict[str, Any] | Unset = UNSET
        if not isinstance(self.electronic_payment_options, Unset):
            electronic_payment_options = self.electronic_payment_options.to_dict()

        apply_credit = self.apply_credit

        application_order: list[str] | Unset = UNSET
        if not isinstance(self.application_order, Unset):
            application_order = []
            for application_order_item_data in self.application_order:
                application_order_item = application_order_item_data.value
                application_order.append(application_order_item)

        apply_credit_balance = self.apply_credit_balance

        refund = self.refund

        refund_amount = self.refund_amount

        refund_reason_code = self.refund_reason_code

        re_association = self.re_association

        write_off = self.write_off

        write_off_behavior: dict[str, Any] | Unset = UNSET
        if not isinstance(self.write_off_behavior, Unset):
            write_off_behavior = self.write_off_behavior.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if run_billing is not UNSET:
            field_dict["runBilling"] = run_billing
        if billing_options is not UNSET:
            field_dict["billingOptions"] = billing_options
        if collect_payment is not UNSET:
            field_dict["collectPayment"] = collect_payment
        if allow_payment_failure is not UNSET:
            field_dict["allowPaymentFailure"] = allow_payment_failure
        if electronic_payment_options is not UNSET:
            field_dict["electronicPaymentOptions"] = electronic_payment_options
        if apply_credit is not UNSET:
            field_dict["applyCredit"] = apply_credit
        if application_order is not UNSET:
            field_dict["applicationOrder"] = application_order
        if apply_credit_balance is not UNSET:
            field_dict["applyCreditBalance"] = apply_credit_balance
        if refund is not UNSET:
            field_dict["refund"] = refund
        if refund_amount is not UNSET:
            field_dict["refundAmount"] = refund_amount
        if refund_reason_code is not UNSET:
            field_dict["refundReasonCode"] = refund_reason_code
        if re_association is not UNSET:
            field_dict["reAssociation"] = re_association
        if write_off is not UNSET:
            field_dict["writeOff"] = write_off
        if write_off_behavior is not UNSET:
            field_dict["writeOffBehavior"] = write_off_behavior

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.billing_options import BillingOptions  # noqa: PLC0415
        from ..models.electronic_payment_options import ElectronicPaymentOptions  # noqa: PLC0415
        from ..models.write_off_behavior import WriteOffBehavior  # noqa: PLC0415

        d = dict(src_dict)
        run_billing = d.pop("runBilling", UNSET)

        _billing_options = d.pop("billingOptions", UNSET)
        billing_options: BillingOptions | Unset
        if isinstance(_billing_options, Unset):
            billing_options = UNSET
        else:
            billing_options = BillingOptions.from_dict(_billing_options)

        collect_payment = d.pop("collectPayment", UNSET)

        allow_payment_failure = d.pop("allowPaymentFailure", UNSET)

        _electronic_payment_options = d.pop("electronicPaymentOptions", UNSET)
        electronic_payment_options: ElectronicPaymentOptions | Unset
        if isinstance(_electronic_payment_options, Unset):
            electronic_payment_options = UNSET
        else:
            electronic_payment_options = ElectronicPaymentOptions.from_dict(
                _electronic_payment_options
            )

        apply_credit = d.pop("applyCredit", UNSET)

        _application_order = d.pop("applicationOrder", UNSET)
        application_order: list[ProcessingOptionsApplicationOrderItem] | Unset = UNSET
        if _application_order is not UNSET:
            application_order = []
            for application_order_item_data in _application_order:
                application_order_item = ProcessingOptionsApplicationOrderItem(
                    application_order_item_data
                )

                application_order.append(application_order_item)

        apply_credit_balance = d.pop("applyCreditBalance", UNSET)

        refund = d.pop("refund", UNSET)

        refund_amount = d.pop("refundAmount", UNSET)

        refund_reason_code = d.pop("refundReasonCode", UNSET)

        re_association = d.pop("reAssociation", UNSET)

        write_off = d.pop("writeOff", UNSET)

        _write_off_behavior = d.pop("writeOffBehavior", UNSET)
        write_off_behavior: WriteOffBehavior | Unset
        if isinstance(_write_off_behavior, Unset):
            write_off_behavior = UNSET
        else:
            write_off_behavior = WriteOffBehavior.from_dict(_write_off_behavior)

        processing_options = cls(
            run_billing=run_billing,
            billing_options=billing_options,
            collect_payment=collect_payment,
            allow_payment_failure=allow_payment_failure,
            electronic_payment_options=electronic_payment_options,
            apply_credit=apply_credit,
            application_order=application_order,
            apply_credit_balance=apply_credit_balance,
            refund=refund,
            refund_amount=refund_amount,
            refund_reason_code=refund_reason_code,
            re_association=re_association,
            write_off=write_off,
            write_off_behavior=write_off_behavior,
        )

        return processing_options
