#!/usr/bin/env bash
# Contract gate for any CI: start your server, run the conformance suite against it, write the
# reports and a Markdown summary, and exit with the suite's verdict (0 kept the contract, 1 broke
# it, 2 could not be checked). The GitHub action in action.yml runs this same script.
#
#   SERVER_CMD='./run-my-server --port 8080' CONFORMANCE_TARGET=http://127.0.0.1:8080 \
#     ci/conformance-gate.sh [more suite options, e.g. --waive NAME=REASON]
#
# Variables of the gate itself:
#   CONFORMANCE_TARGET      base URL of the server under test (required)
#   CONFORMANCE_REPORT_DIR  where junit.xml, conformance.html and summary.md go (default: the
#                           suite's own, conformance/options.py)
#   SERVER_CMD              started in the background and stopped afterwards; empty when the
#                           server already runs
#   WAIT_SECONDS            how long to wait for the target to answer (default 60)
#   KIT_PYTHON              a Python with the kit installed (default: the kit's own .venv,
#                           installed on demand with `make install`)
#   KIT                     how to run the suite (default: "$KIT_PYTHON -m conformance")
#   GITHUB_STEP_SUMMARY, GITHUB_OUTPUT   when set (as on GitHub Actions), the summary is appended
#                           to the first and report-dir, verdict, failed, not-exercised, junit,
#                           html and summary to the second
# Every other CONFORMANCE_* variable (CONFORMANCE_TOKEN, CONFORMANCE_CLIENT_ID, ...) is read by
# the suite itself; arguments given to this script are passed on to the suite. Bare names
# (TARGET, TOKEN, PROFILE, ...) are never read: in a CI job they often mean something else.
set -euo pipefail

target=${CONFORMANCE_TARGET:-}
if [[ -z "$target" ]]; then
  echo "conformance-gate: set CONFORMANCE_TARGET to the base URL of the server under test" >&2
  exit 2
fi
WAIT_SECONDS=${WAIT_SECONDS:-60}
kit_root=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z "${KIT_PYTHON:-}" ]]; then
  make -C "$kit_root" --no-print-directory install >/dev/null
  KIT_PYTHON="$kit_root/.venv/bin/python"
fi
KIT=${KIT:-"$KIT_PYTHON -m conformance"}
report_dir=${CONFORMANCE_REPORT_DIR:-}
if [[ -z "$report_dir" ]]; then  # the suite's default, defined once on its side
  report_dir=$("$KIT_PYTHON" -c 'from conformance.options import DEFAULT_REPORT_DIR as d; print(d)')
fi
[[ "$report_dir" == /* ]] || report_dir="$PWD/$report_dir"
if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  echo "report-dir=$report_dir" >> "$GITHUB_OUTPUT"
fi

summarise() {  # verdict [why the suite did not run]
  "$KIT_PYTHON" -m conformance.gate_summary --verdict "$1" --problem "${2:-}" \
    --junit "$report_dir/junit.xml" --html "$report_dir/conformance.html" \
    --markdown "$report_dir/summary.md"
}

server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM -- "-$server_pid" 2>/dev/null || kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap stop_server EXIT

if [[ -n "${SERVER_CMD:-}" ]]; then
  set -m  # the server gets its own process group, so stopping it stops its children too
  bash -c "$SERVER_CMD" &
  server_pid=$!
  set +m
fi

# Wait until the target accepts connections (any HTTP answer counts: the suite judges it).
# A stale junit.xml from an earlier run must not be summarised as this run's result.
rm -f "$report_dir/junit.xml" "$report_dir/conformance.html"
deadline=$((SECONDS + WAIT_SECONDS))
curl_tls=()
[[ -n "${CONFORMANCE_CA_BUNDLE:-}" ]] && curl_tls=(--cacert "$CONFORMANCE_CA_BUNDLE")
[[ "${CONFORMANCE_INSECURE:-}" =~ ^(1|true|yes)$ ]] && curl_tls=(--insecure)
until curl --silent --output /dev/null --max-time 2 ${curl_tls[@]+"${curl_tls[@]}"} "$target"; do
  problem=""
  if ((SECONDS >= deadline)); then
    problem="$target did not answer within ${WAIT_SECONDS}s"
  elif [[ -n "$server_pid" ]] && ! kill -0 "$server_pid" 2>/dev/null; then
    problem="the server command exited before answering"
  fi
  if [[ -n "$problem" ]]; then
    echo "conformance-gate: $problem" >&2
    summarise 2 "$problem"
    exit 2
  fi
  sleep 0.5
done

status=0
$KIT --target "$target" --report-dir "$report_dir" "$@" || status=$?
summarise "$status"
echo "conformance-gate: verdict $status; reports in $report_dir/junit.xml," \
  "$report_dir/conformance.html and $report_dir/summary.md"
exit "$status"
