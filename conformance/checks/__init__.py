"""Every check of the suite; importing this package registers them all.

Single-response checks take `(ctx, response, case)` like Schemathesis's own and are registered
with it, so they judge every generated case too; raw checks judge the undecoded bytes of the
suite's own requests; judges take the exchanges of a sequence of requests.
"""

from conformance.checks.auth import bad_credentials_rejected, unauthorized_has_challenge
from conformance.checks.builtin import BUILTIN_CHECKS
from conformance.checks.enums import invalid_enum_rejected
from conformance.checks.errors import (
    documented_error_shape,
    error_shape,
    nothing_produced_is_null,
    reason_codes_well_formed,
    success_true_on_200,
)
from conformance.checks.gzip import (
    accepts_gzip,
    compressed_body_matches_schema,
    content_encoding_honest,
    content_length_matches,
    corrupt_gzip_rejected,
    gzip_large_bodies_compressed,
    gzip_only_when_asked,
    gzip_request_accepted,
    gzip_small_bodies_plain,
    unknown_coding_rejected,
)
from conformance.checks.headers import (
    concurrency_limit_headers_well_formed,
    content_type_json,
    invalid_track_id_not_echoed,
    rate_limit_headers_well_formed,
    request_id_present,
    track_id_echoed,
    vary_accept_encoding,
)
from conformance.checks.idempotency import (
    concurrent_requests_create_once,
    conflict_has_retry_after,
    failed_response_replayed,
    key_reuse_with_other_body_rejected,
    replay_body_matches,
    replay_headers_match,
    replay_ignores_json_formatting,
    replay_marker_present,
    replay_status_matches,
    request_id_fresh,
)
from conformance.checks.keys import (
    longest_key_accepted,
    longest_key_length,
    malformed_key_rejected,
    other_tenant_never_sees_response,
    other_tenant_not_blocked,
    overlong_key_rejected,
    shortest_key_accepted,
)
from conformance.checks.late import late_replay_matches
from conformance.checks.rate_limits import rate_limit_headers_present
from conformance.checks.rejections import (
    invalid_body_rejected,
    invalid_track_id_rejected,
    longest_track_id_accepted,
)
from conformance.checks.spelling import header_names_spelled_as_zuora
from conformance.checks.threshold import gzip_threshold_honoured
from conformance.checks.transport import answers_every_request, no_server_error

__all__ = [
    "BUILTIN_CHECKS",
    "accepts_gzip",
    "answers_every_request",
    "bad_credentials_rejected",
    "compressed_body_matches_schema",
    "concurrency_limit_headers_well_formed",
    "concurrent_requests_create_once",
    "conflict_has_retry_after",
    "content_encoding_honest",
    "content_length_matches",
    "content_type_json",
    "corrupt_gzip_rejected",
    "documented_error_shape",
    "error_shape",
    "failed_response_replayed",
    "gzip_large_bodies_compressed",
    "gzip_only_when_asked",
    "gzip_request_accepted",
    "gzip_small_bodies_plain",
    "gzip_threshold_honoured",
    "header_names_spelled_as_zuora",
    "invalid_body_rejected",
    "invalid_enum_rejected",
    "invalid_track_id_not_echoed",
    "invalid_track_id_rejected",
    "key_reuse_with_other_body_rejected",
    "late_replay_matches",
    "longest_key_accepted",
    "longest_key_length",
    "longest_track_id_accepted",
    "malformed_key_rejected",
    "no_server_error",
    "nothing_produced_is_null",
    "other_tenant_never_sees_response",
    "other_tenant_not_blocked",
    "overlong_key_rejected",
    "rate_limit_headers_present",
    "rate_limit_headers_well_formed",
    "reason_codes_well_formed",
    "replay_body_matches",
    "replay_headers_match",
    "replay_ignores_json_formatting",
    "replay_marker_present",
    "replay_status_matches",
    "request_id_fresh",
    "request_id_present",
    "shortest_key_accepted",
    "success_true_on_200",
    "track_id_echoed",
    "unauthorized_has_challenge",
    "unknown_coding_rejected",
    "vary_accept_encoding",
]
