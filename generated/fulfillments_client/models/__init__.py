"""Contains all the data models used in inputs/outputs"""

from .billing_options import BillingOptions
from .charge_type import ChargeType
from .common_error_response import CommonErrorResponse
from .common_response import CommonResponse
from .create_fulfillment import CreateFulfillment
from .create_fulfillment_content_encoding import CreateFulfillmentContentEncoding
from .create_fulfillment_item_response import CreateFulfillmentItemResponse
from .create_fulfillment_response import CreateFulfillmentResponse
from .create_fulfillments_request import CreateFulfillmentsRequest
from .create_fulfillments_response import CreateFulfillmentsResponse
from .custom_fields import CustomFields
from .electronic_payment_options import ElectronicPaymentOptions
from .failed_reason import FailedReason
from .fulfillment_item import FulfillmentItem
from .fulfillment_state import FulfillmentState
from .fulfillment_type import FulfillmentType
from .processing_options import ProcessingOptions
from .processing_options_application_order_item import (
    ProcessingOptionsApplicationOrderItem,
)
from .proxy_unauthorized_response import ProxyUnauthorizedResponse
from .proxy_unauthorized_response_message import ProxyUnauthorizedResponseMessage
from .write_off_behavior import WriteOffBehavior
from .write_off_behavior_finance_information import WriteOffBehaviorFinanceInformation

__all__ = (
    "BillingOptions",
    "ChargeType",
    "CommonErrorResponse",
    "CommonResponse",
    "CreateFulfillment",
    "CreateFulfillmentContentEncoding",
    "CreateFulfillmentItemResponse",
    "CreateFulfillmentResponse",
    "CreateFulfillmentsRequest",
    "CreateFulfillmentsResponse",
    "CustomFields",
    "ElectronicPaymentOptions",
    "FailedReason",
    "FulfillmentItem",
    "FulfillmentState",
    "FulfillmentType",
    "ProcessingOptions",
    "ProcessingOptionsApplicationOrderItem",
    "ProxyUnauthorizedResponse",
    "ProxyUnauthorizedResponseMessage",
    "WriteOffBehavior",
    "WriteOffBehaviorFinanceInformation",
)
