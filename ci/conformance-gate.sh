#!/usr/bin/env bash
# Contract gate for any CI: start your server, run the conformance suite against it, publish
# the reports, and exit with the suite's verdict (0 kept the contract, 1 broke it, 2 could not
# be checked). The GitHub action in action.yml runs these same steps.
#
#   SERVER_CMD='./run-my-server --port 8080' TARGET=http://127.0.0.1:8080 ci/conformance-gate.sh
#
# Variables: TARGET (required), SERVER_CMD (optional: started in the background and stopped
# afterwards; leave it empty when the server already runs), TOKEN, TOKEN2, PROFILE,
# MAX_EXAMPLES, SEED, LINE_ITEM_IDS, REPORT_DIR (default reports), WAIT_SECONDS (default 60),
# CLIENT_ID, CLIENT_SECRET, CLIENT_ID2, CLIENT_SECRET2, TOKEN_URL, HEADERS, SECRET_HEADERS,
# CA_BUNDLE, INSECURE, RATE_LIMIT, CONFIG, WAIVE, TIMEOUT, WORKERS (passed on as CONFORMANCE_*),
# KIT (how to run the suite; default: the kit's own virtual environment, installed on demand).
set -euo pipefail

: "${TARGET:?set TARGET to the base URL of the server under test}"
REPORT_DIR=${REPORT_DIR:-reports}
WAIT_SECONDS=${WAIT_SECONDS:-60}
kit_root=$(cd "$(dirname "$0")/.." && pwd)
export REPORT_DIR
# The suite reads only CONFORMANCE_* variables: pass on the short names that are set (an empty
# TOKEN2 or CLIENT_ID2 too, which means "no second tenant").
for name in TARGET TOKEN TOKEN2 CLIENT_ID CLIENT_SECRET CLIENT_ID2 CLIENT_SECRET2 TOKEN_URL \
  HEADERS SECRET_HEADERS CA_BUNDLE INSECURE RATE_LIMIT CONFIG WAIVE PROFILE TIMEOUT WORKERS SEED \
  MAX_EXAMPLES LINE_ITEM_IDS REPORT_DIR; do
  if [[ -n "${!name+set}" ]]; then
    export "CONFORMANCE_$name=${!name}"
  fi
done

if [[ -z "${KIT:-}" ]]; then
  make -C "$kit_root" --no-print-directory install >/dev/null
  KIT="$kit_root/.venv/bin/python -m conformance"
fi

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
deadline=$((SECONDS + WAIT_SECONDS))
until curl --silent --output /dev/null --max-time 2 "$TARGET"; do
  if ((SECONDS >= deadline)); then
    echo "conformance-gate: $TARGET did not answer within ${WAIT_SECONDS}s" >&2
    exit 2
  fi
  if [[ -n "$server_pid" ]] && ! kill -0 "$server_pid" 2>/dev/null; then
    echo "conformance-gate: the server command exited before answering" >&2
    exit 2
  fi
  sleep 0.5
done

status=0
$KIT --target "$TARGET" || status=$?
echo "conformance-gate: verdict $status; reports in $REPORT_DIR/junit.xml and $REPORT_DIR/conformance.html"
exit "$status"
