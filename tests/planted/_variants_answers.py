"""Variants that break credentials, body validation and the 200 body."""

from __future__ import annotations

from tests.planted import _answers as answers
from tests.planted._plants import (
    CREDENTIALS,
    ECHOES,
    INVALID,
    business,
    dashed_ids,
    on,
    token,
)
from tests.planted._variant import Variant

__all__ = ["ANSWER_VARIANTS"]

_ANSWERS = (
    Variant(
        "missing-token-accepted",
        "a request without Authorization is served as the first tenant",
        "authenticator",
        ("bad_credentials_rejected", "ignored_auth"),
        token(answers.MissingTokenIsFirstTenant),
        (*CREDENTIALS, "examples"),
    ),
    Variant(
        "any-bearer-accepted",
        "any non-empty bearer token is accepted",
        "authenticator",
        ("bad_credentials_rejected", "ignored_auth"),
        token(answers.AnyBearerToken),
        (*CREDENTIALS, "examples"),
    ),
    Variant(
        "validation-422",
        "a body that breaks the schema gets 422 (a framework's default)",
        "validator",
        ("invalid_body_rejected",),
        on("validator", answers.Validation422),
        INVALID,
    ),
    Variant(
        "validation-message-shape",
        "a body that breaks the schema gets 400 {message}",
        "validator",
        ("documented_error_shape",),
        on("validator", answers.ValidationMessageShape),
        INVALID,
    ),
    Variant(
        "status-as-category",
        "reason codes carry the HTTP status as category (53600400)",
        "validator",
        ("reason_codes_well_formed",),
        on("validator", answers.StatusAsCategory),
        INVALID,
    ),
    Variant(
        "schema-not-enforced",
        "the body is never validated against the schema",
        "validator",
        ("invalid_body_rejected",),
        on("validator", answers.SchemaNotEnforced),
        INVALID,
    ),
    Variant(
        "bill-target-date-rule",
        "an undocumented rule refuses billTargetDate before fulfillmentDate",
        "validator",
        ("positive_data_acceptance",),
        on("validator", answers.BillTargetDateRule),
        ("examples",),
    ),
    Variant(
        "renamed-number-field",
        "the 200 names the number `fulfillmentNumbers`",
        "business",
        ("response_schema_conformance",),
        business(answers.RenamedNumberField),
        ("examples",),
    ),
    Variant(
        "success-omitted",
        "the 200 leaves out `success`",
        "business",
        ("success_true_on_200",),
        business(answers.SuccessOmitted),
        ECHOES,
    ),
    Variant(
        "zero-for-nothing-paid",
        "paidAmount 0 and invoiceNumbers [] instead of null when nothing was paid or invoiced",
        "business",
        ("nothing_produced_is_null",),
        business(answers.ZeroForNothingPaid),
        ECHOES,
    ),
    Variant(
        "dashed-ids",
        "fulfillment ids keep the UUID's hyphens (36 characters)",
        "fulfillment_ids + business",
        ("response_schema_conformance",),
        dashed_ids,
        ("examples",),
    ),
    Variant(
        "zero-quantity-500",
        "a quantity of 0 divides by zero: 500",
        "business",
        ("not_a_server_error",),
        business(answers.UnitPriceByQuantity),
        ("fuzzing",),
        examples=1,
    ),
)

ANSWER_VARIANTS: tuple[Variant, ...] = (*_ANSWERS,)
