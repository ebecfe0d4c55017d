"""The checks of promises the suite once left untested, called directly on made-up answers."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from fulfillments_contract import load_contract
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.checks import (
    gzip_threshold_honoured,
    header_names_spelled_as_zuora,
    invalid_enum_rejected,
    late_replay_matches,
    rate_limit_headers_present,
)
from conformance.checks._judged import NotJudged
from conformance.checks.gzip import accepts_gzip
from conformance.checks.spelling import ZUORA_SPELLINGS
from conformance.cli import options_from
from conformance.client import Exchange
from conformance.failures import (
    ErrorBodyViolation,
    GzipViolation,
    HeaderViolation,
    IdempotencyViolation,
)
from conformance.properties.enums import request_enums
from conformance.properties.threshold import knob_reaching
from conformance.strategies import invalid_enum_requests
from tests._conformance_fixtures import exchange, json_bytes, schemathesis_pair, zuora_profile

THRESHOLD = 1000  # the contract's x-policies.gzip.thresholdBytes
ERROR = {"success": False, "processId": "P", "reasons": [{"code": 53600020, "message": "no"}]}
RATE = {"RateLimit-Limit": "50000", "RateLimit-Remaining": "49999", "RateLimit-Reset": "30"}


def _sized(size: int, **options: Any) -> Exchange:
    body: dict[str, Any] = {"success": True, "fulfillments": [], "processId": ""}
    body["processId"] = "p" * (size - len(json_bytes(body)))
    return exchange(200, body, **options)


# gzip_threshold_honoured


@pytest.mark.parametrize("size", [990, 1000])
@pytest.mark.parametrize("accept", ["gzip", "*", "x-gzip"])
def test_threshold_fails_on_a_compressed_answer_of_at_most_1000_bytes(
    size: int, accept: str
) -> None:
    answer = _sized(size, gzip_body=True, request_headers={"Accept-Encoding": accept})
    with pytest.raises(GzipViolation, match=f"{size}-byte answer"):
        gzip_threshold_honoured(answer)


@pytest.mark.parametrize("size", [1001, 1010])
def test_threshold_fails_on_a_plain_answer_over_1000_bytes_to_a_client_that_asked(
    size: int,
) -> None:
    with pytest.raises(GzipViolation):
        gzip_threshold_honoured(_sized(size, request_headers={"Accept-Encoding": "gzip"}))
    with pytest.raises(GzipViolation, match="Accept-Encoding: None"):
        gzip_threshold_honoured(_sized(size, gzip_body=True, request_headers={}))


@pytest.mark.parametrize("accept", [None, "gzip;q=0", "identity"])
def test_threshold_fails_on_compression_nobody_asked_for(accept: str | None) -> None:
    headers = {} if accept is None else {"Accept-Encoding": accept}
    with pytest.raises(GzipViolation):
        gzip_threshold_honoured(_sized(1005, gzip_body=True, request_headers=headers))
    assert gzip_threshold_honoured(_sized(1005, request_headers=headers)) is None


def test_threshold_passes_the_rule_kept_on_both_sides() -> None:
    asked = {"Accept-Encoding": "gzip"}
    assert gzip_threshold_honoured(_sized(1000, request_headers=asked)) is None
    assert gzip_threshold_honoured(_sized(1001, gzip_body=True, request_headers=asked)) is None


@pytest.mark.parametrize("size", [989, 1011, 200])
def test_threshold_does_not_judge_answers_outside_the_window(size: int) -> None:
    verdict = gzip_threshold_honoured(_sized(size, gzip_body=True, request_headers={}))
    assert isinstance(verdict, NotJudged)
    assert str(size) in verdict.reason


# invalid_enum_rejected


def test_enum_passes_a_400_with_zuoras_error_body() -> None:
    assert invalid_enum_rejected(exchange(400, ERROR), "fulfillments[0].state") is None


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"success": True, "fulfillments": []}),
        (422, ERROR),
        (400, {"message": "bad"}),
        (500, ERROR),
    ],
)
def test_enum_fails_an_accepted_or_misshapen_answer(status: int, body: Any) -> None:
    with pytest.raises(ErrorBodyViolation, match=r"fulfillments\[0\]\.state"):
        invalid_enum_rejected(exchange(status, body), "fulfillments[0].state")


def test_enum_accepts_a_soft_failure_only_in_the_zuora_profile() -> None:
    soft = exchange(200, ERROR)
    with pytest.raises(ErrorBodyViolation):
        invalid_enum_rejected(soft, "fulfillments[0].state")
    with zuora_profile():
        assert invalid_enum_rejected(soft, "fulfillments[0].state") is None
        with pytest.raises(ErrorBodyViolation):
            invalid_enum_rejected(exchange(200, {"success": True}), "fulfillments[0].state")


def test_enum_does_not_judge_an_answer_that_never_read_the_body() -> None:
    assert isinstance(invalid_enum_rejected(exchange(429, ERROR), "x"), NotJudged)


def test_every_enum_of_the_request_body_is_found() -> None:
    names = {field.name: field.allowed for field in request_enums(load_contract())}
    assert names == {
        "fulfillments[0].fulfillmentType": ("Delivery", "Return"),
        "fulfillments[0].state": ("Executing", "Booked", "SentToBilling", "Complete", "Cancelled"),
        "processingOptions.applicationOrder[0]": ("CreditMemo", "UnappliedPayment"),
        "processingOptions.billingOptions.chargeTypeToExclude[0]": (
            "OneTime",
            "Recurring",
            "Usage",
            "Others",
        ),
    }


@pytest.mark.parametrize("field", request_enums(load_contract()), ids=lambda field: field.name)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_invalid_enum_requests_break_only_their_enum(field: Any, data: st.DataObject) -> None:
    strategy = invalid_enum_requests(
        path=field.path, allowed=field.allowed, companions=field.companions
    )
    document = data.draw(strategy)
    node: Any = document
    for step in field.path:
        node = node[step]
    assert isinstance(node, str)
    assert node not in field.allowed
    options = document.get("processingOptions", {})
    if "billingOptions" in field.path:
        assert options["runBilling"] is True
    if "applicationOrder" in field.path:
        assert options["applyCredit"] is True


def test_knob_search_finds_the_smallest_setting_reaching_a_size() -> None:
    measured: list[int] = []

    def size_at(n: int) -> int:
        measured.append(n)
        return 200 + 3 * n

    assert knob_reaching(1000, size_at, low=1, high=400) == 267
    # Even growth: the interpolated guesses land where halving would take nine round trips.
    assert len(set(measured)) <= 5
    assert knob_reaching(2000, size_at, low=1, high=400) is None


@settings(max_examples=300, deadline=None)
@given(
    start=st.integers(0, 1200),
    steps=st.lists(st.sampled_from([0, 1, 2, 3, 30, 200]), min_size=1, max_size=300),
    target=st.integers(0, 3000),
    data=st.data(),
)
def test_knob_search_agrees_with_halving_on_any_growth(
    start: int, steps: list[int], target: int, data: st.DataObject
) -> None:
    sizes = [start]
    for step in steps:
        sizes.append(sizes[-1] + step)
    high = data.draw(st.integers(0, len(sizes) - 1))
    low = data.draw(st.integers(0, high))
    asked: set[int] = set()

    def size_at(n: int) -> int:
        asked.add(n)
        return sizes[n]

    reaching = [n for n in range(low, high + 1) if sizes[n] >= target]
    assert knob_reaching(target, size_at, low=low, high=high) == (reaching[0] if reaching else None)
    assert len(asked) <= 2 * (high - low).bit_length() + 4  # never far past plain halving


# rate_limit_headers_present


@pytest.mark.parametrize("status", [200, 400, 401, 403])
def test_rate_limit_fails_a_documented_status_without_the_headers(status: int) -> None:
    response, case = schemathesis_pair(status, ERROR, headers={"RateLimit-Limit": "1"})
    with pytest.raises(HeaderViolation, match=f"on {status}"):
        rate_limit_headers_present(None, response, case)
    response, case = schemathesis_pair(status, ERROR, headers=RATE)
    assert rate_limit_headers_present(None, response, case) is None


def test_rate_limit_judges_the_suites_own_exchanges_and_nothing_else() -> None:
    with pytest.raises(HeaderViolation):
        rate_limit_headers_present(None, exchange(401, {"message": "x"}), exchange().request)
    response, case = schemathesis_pair(409, ERROR)
    assert isinstance(rate_limit_headers_present(None, response, case), NotJudged)


def test_rate_limit_stays_strict_in_the_zuora_profile() -> None:
    response, case = schemathesis_pair(403, {"code": 1, "message": "no"})
    with zuora_profile(), pytest.raises(HeaderViolation):
        rate_limit_headers_present(None, response, case)


# header_names_spelled_as_zuora


def _named(*names: str) -> Exchange:
    return dataclasses.replace(exchange(), header_names=names)


def test_spelling_passes_zuoras_spelling() -> None:
    names = ("Content-Type", "Zuora-Request-Id", "Zuora-Track-Id", "RateLimit-Limit", "Vary")
    assert header_names_spelled_as_zuora(_named(*names, "date", "server")) is None


@pytest.mark.parametrize("name", ["zuora-track-id", "ZUORA-TRACK-ID", "Ratelimit-Limit"])
def test_spelling_fails_another_spelling_of_a_name_zuoras_sdk_documents(name: str) -> None:
    with pytest.raises(HeaderViolation, match="not spelled"):
        header_names_spelled_as_zuora(_named("Content-Type", name))
    with zuora_profile(), pytest.raises(HeaderViolation):
        header_names_spelled_as_zuora(_named(name))


def test_spelling_of_published_names_is_held_only_in_the_default_profile() -> None:
    with pytest.raises(HeaderViolation):
        header_names_spelled_as_zuora(_named("idempotent-replayed", "Zuora-Request-Id"))
    with zuora_profile():
        assert (
            header_names_spelled_as_zuora(_named("idempotent-replayed", "Zuora-Request-Id")) is None
        )


def test_spellings_zuoras_sdk_documents_are_the_contracts_own() -> None:
    assert set(ZUORA_SPELLINGS) <= set(load_contract().response_header_names)


@pytest.mark.parametrize("name", ["retry-after", "VARY", "accept-encoding"])
def test_spelling_of_other_declared_names_comes_from_the_contract(name: str) -> None:
    with pytest.raises(HeaderViolation, match="not spelled"):
        header_names_spelled_as_zuora(_named(name))
    with zuora_profile():
        assert isinstance(header_names_spelled_as_zuora(_named(name)), NotJudged)


def test_spelling_does_not_judge_an_answer_without_names_it_holds() -> None:
    assert isinstance(header_names_spelled_as_zuora(_named("date")), NotJudged)
    assert isinstance(header_names_spelled_as_zuora(exchange()), NotJudged)


# late_replay_matches


def test_late_replay_passes_the_stored_answer_and_fails_a_new_one() -> None:
    first = exchange(200, {"success": True, "fulfillments": [{"id": "a" * 32}]})
    assert late_replay_matches(first, exchange(200, first.json()), 30.0) is None
    new = exchange(200, {"success": True, "fulfillments": [{"id": "b" * 32}]})
    with pytest.raises(IdempotencyViolation, match="30 seconds"):
        late_replay_matches(first, new, 30.0)
    with pytest.raises(IdempotencyViolation):
        late_replay_matches(exchange(400, ERROR), exchange(200, first.json()), 5.0)


def test_late_replay_does_not_judge_an_answer_that_is_never_stored() -> None:
    assert isinstance(late_replay_matches(exchange(409, ERROR), exchange(200), 1.0), NotJudged)
    assert isinstance(late_replay_matches(exchange(500, ERROR), exchange(200), 1.0), NotJudged)


def test_replay_after_is_read_from_the_option_and_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert options_from([])[0].replay_after == 0.0
    assert options_from(["--replay-after", "90"])[0].replay_after == 90.0
    monkeypatch.setenv("CONFORMANCE_REPLAY_AFTER", "12.5")
    assert options_from([])[0].replay_after == 12.5
    with pytest.raises(SystemExit):
        options_from(["--replay-after", "-1"])


@pytest.mark.parametrize(
    ("header", "expected"), [("x-gzip", True), ("x-gzip;q=0", False), ("X-GZIP, br", True)]
)
def test_x_gzip_is_taken_as_gzip(header: str, expected: bool) -> None:
    assert accepts_gzip(header) is expected
