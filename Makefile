# The one entry point for people and CI. Every target installs what it needs by itself
# (a virtual environment in .venv, pinned packages, the npm tools in tools/npm) and is quick
# the second time, because the installs are stamped.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
NPM_DIR := tools/npm
NPM_STAMP := $(NPM_DIR)/node_modules/.installed
REDOCLY := $(NPM_DIR)/node_modules/.bin/redocly
SPEC := openapi/fulfillments.yaml
CLIENT := generated/fulfillments_client
CLIENT_CONFIG := generated/config.yaml

# Reference server (make serve)
HOST ?= 127.0.0.1
PORT ?= 8080
STORE ?= sqlite:///data/fulfillments.db
TOKENS ?=

# Conformance suite (make conformance); also read from the environment by the suite itself
TARGET ?=
TOKEN ?= dev-token
TOKEN2 ?= dev-token-2
LINE_ITEM_IDS ?=
SEED ?=
MAX_EXAMPLES ?=
WORKERS ?=
PROFILE ?=
REPORT_DIR ?= reports
# Contract diff (make contract-diff): the git ref of the old contract; auto = before its last change
BASE ?= auto
export TOKEN TOKEN2 LINE_ITEM_IDS SEED MAX_EXAMPLES WORKERS PROFILE REPORT_DIR

.PHONY: help install generate check-generated lint typecheck test ci serve conformance docs clean \
	contract-diff contract-gate soak conformance-soak planted fuzz-soak \
	bench bench-load bench-scale bench-multiproc bench-suite bench-stack

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check pip==26.3
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(NPM_STAMP): $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(NPM_STAMP)  ## Create .venv and install the pinned Python and npm tools

generate: $(STAMP)  ## Regenerate the typed client in generated/ from the contract
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/openapi-python-client generate --path $(SPEC) \
	  --config $(CLIENT_CONFIG) --meta none --output-path $(CLIENT) --overwrite

check-generated: $(STAMP)  ## Fail when the committed client differs from what the contract generates
	$(PY) tools/check_generated.py

lint: $(STAMP) $(NPM_STAMP)  ## Lint the contract (validator + Redocly, all rules) and the code (ruff)
	$(BIN)/openapi-spec-validator $(SPEC)
	NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	  $(REDOCLY) lint --config redocly.yaml $(SPEC) 2>&1 | grep -v -E '[╔║╚]' || exit 1
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)  ## mypy --strict over the hand-written packages, the tests and the generated client
	$(BIN)/mypy

contract-diff: $(STAMP)  ## List every contract change since BASE (a git ref), breaking or compatible
	$(PY) -m contract_diff --base '$(BASE)'

contract-gate: $(STAMP)  ## Fail on a breaking contract change without a major bump and changelog entry
	$(PY) -m contract_diff --base auto --gate

test: lint typecheck check-generated contract-gate  ## The project's own tests (lint, types, stale client, contract gate, pytest)
	$(PY) -m pytest -q -p no:cacheprovider

ci: test conformance  ## What CI runs: the tests, then the suite against the reference server

serve: $(STAMP)  ## Run the reference server (HOST, PORT, STORE, TOKENS)
	@mkdir -p data
	$(PY) -m refserver --host $(HOST) --port $(PORT) --store '$(STORE)' $(if $(TOKENS),--tokens '$(TOKENS)')

conformance: $(STAMP)  ## Run the conformance suite against TARGET, or the embedded reference server
	$(PY) -m conformance $(if $(TARGET),--target '$(TARGET)') \
		$(if $(filter 1 true yes,$(REQUIRE_EXERCISED)),--require-exercised)

soak: $(STAMP)  ## Long crash (20 SIGKILLs) and multi-process (100 keys x 64) runs, on SQLite and PostgreSQL
	REFSERVER_SOAK=1 $(PY) -m pytest -q -p no:cacheprovider tests/test_multiprocess.py tests/test_crash_restart.py

conformance-soak: $(STAMP)  ## The suite against the reference server with 20 different seeds in a row
	$(PY) -m conformance --soak 20

planted: $(STAMP)  ## The whole suite against every planted-bug variant; writes tests/planted/RESULTS.md
	$(PY) -m tests.planted table

fuzz-soak: $(STAMP)  ## Schemathesis negative then positive, 10,000 cases against the reference server (CASES)
	$(PY) -m tests.soak.fuzz_soak --cases $(or $(CASES),10000)

bench: $(STAMP) $(NPM_STAMP)  ## Every benchmark; the tables go to bench/results.md
	$(PY) -m bench --output bench/results.md

bench-load bench-scale bench-multiproc bench-suite bench-stack: bench-%: $(STAMP) $(NPM_STAMP)  ## One benchmark
	$(PY) -m bench.$*

docs: $(NPM_STAMP)  ## Render the contract's reference to build/docs/index.html
	$(REDOCLY) build-docs $(SPEC) --output build/docs/index.html

clean:  ## Remove the virtual environment, npm tools, reports and build output
	rm -rf $(VENV) $(NPM_DIR)/node_modules reports build .mypy_cache .ruff_cache
