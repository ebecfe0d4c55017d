# The one entry point for people and CI. Every target installs what it needs by itself
# (a virtual environment in .venv, the hashed pins of requirements-dev.lock, the npm tools in
# tools/npm) and is quick the second time, because the installs are stamped.

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
FAULTS ?=
FAULT_SEED ?=

# Lock files (make lock): UPGRADE=name [name ...] moves those packages to their newest allowed
# version, UPGRADE=all every package; otherwise the pins already in the lock files are kept.
UPGRADE ?=
LOCK_UPGRADE := $(if $(filter all,$(UPGRADE)),--upgrade,$(foreach p,$(UPGRADE),--upgrade-package $(p)))
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.11 \
	--custom-compile-command 'make lock'
# Conformance suite (make conformance): short names here, passed on as CONFORMANCE_* (the suite
# reads only prefixed variables, so an unrelated TOKEN in a CI job never reaches a target). A
# variable left unset, or only set in the caller's environment, is not passed on; one given empty
# on the command line is (TOKEN2= means "no second tenant").
# Nothing is given a default here: the suite applies its own (conformance/options.py).
CONFORMANCE_VARIABLES := TARGET TOKEN TOKEN2 CLIENT_ID CLIENT_SECRET CLIENT_ID2 CLIENT_SECRET2 \
	TOKEN_URL HEADERS SECRET_HEADERS CA_BUNDLE INSECURE RATE_LIMIT CONFIG WAIVE PROFILE TIMEOUT \
	WORKERS SEED MAX_EXAMPLES LINE_ITEM_IDS REPORT_DIR REPLAY_AFTER REQUIRE_EXERCISED
$(foreach name,$(CONFORMANCE_VARIABLES),$(if $(filter-out undefined default environment,$(origin $(name))),\
	$(eval export CONFORMANCE_$(name) = $$($(name)))))
# Contract diff (make contract-diff): the git ref of the old contract; auto = before its last change
BASE ?= auto

.PHONY: help install lock generate check-generated lint typecheck test ci serve conformance docs clean \
	contract-diff contract-gate soak conformance-soak planted fuzz-soak fault-soak \
	bench bench-load bench-scale bench-multiproc bench-suite bench-stack

help:  ## List the targets
	@grep -E '^[a-z][a-z -]*:.*## ' $(MAKEFILE_LIST) | \
	  awk -F ':.*## ' '{ n = split($$1, names, " "); for (i = 1; i <= n; i++) printf "%-20s%s\n", names[i], $$2 }'

# requirements-dev.lock: the kit, its postgresql extra and the dev tools, every file hashed;
# requirements.lock: the kit alone (what the GitHub action installs). Both from `make lock`.
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
	  -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(NPM_STAMP): $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(NPM_STAMP)  ## Create .venv and install the hashed Python lock and the npm tools

lock: $(STAMP)  ## Re-resolve requirements-dev.lock, then requirements.lock as its runtime part (UPGRADE=names|all)
	$(UV_COMPILE) --extra postgresql --extra dev --overrides requirements-overrides.txt \
	  $(LOCK_UPGRADE) -o requirements-dev.lock
	$(UV_COMPILE) --constraint requirements-dev.lock -o requirements.lock

generate: $(STAMP)  ## Regenerate the typed client in generated/ from the contract
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/openapi-python-client generate --path $(SPEC) \
	  --config $(CLIENT_CONFIG) --meta none --output-path $(CLIENT) --overwrite

check-generated: $(STAMP)  ## Fail when the committed client differs from what the contract generates
	$(PY) tools/check_generated.py

lint: $(STAMP) $(NPM_STAMP)  ## Lint the contract (validator + Redocly), the code (ruff), the dependencies (deptry)
	$(BIN)/openapi-spec-validator $(SPEC)
	NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	  $(REDOCLY) lint --config redocly.yaml $(SPEC) 2>&1 | grep -v -E '[╔║╚]' || exit 1
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/deptry .
	$(BIN)/deptry . --exclude '\.venv' --exclude '\.git' --extend-exclude build --ignore DEP002,DEP004

typecheck: $(STAMP)  ## mypy --strict over the hand-written packages, the tests and the generated client
	$(BIN)/mypy

contract-diff: $(STAMP)  ## List every contract change since BASE (a git ref), breaking or compatible
	$(PY) -m contract_diff --base '$(BASE)'

contract-gate: $(STAMP)  ## Fail on a breaking contract change without a major bump and changelog entry
	$(PY) -m contract_diff --base auto --gate

test: lint typecheck check-generated contract-gate  ## The project's own tests (lint, types, stale client, contract gate, pytest)
	$(PY) -m pytest -q -p no:cacheprovider

ci: test conformance  ## What CI runs: the tests, then the suite against the reference server

serve: $(STAMP)  ## Run the reference server (HOST, PORT, STORE, TOKENS, FAULTS, FAULT_SEED)
	@mkdir -p data
	$(PY) -m refserver --host $(HOST) --port $(PORT) --store '$(STORE)' $(if $(TOKENS),--tokens '$(TOKENS)') $(if $(FAULTS),--faults '$(FAULTS)') $(if $(FAULT_SEED),--fault-seed $(FAULT_SEED))

conformance: $(STAMP)  ## Run the conformance suite against TARGET, or the embedded reference server
	$(PY) -m conformance

soak: $(STAMP)  ## Long crash (20 SIGKILLs) and multi-process (100 keys x 64) runs, on SQLite and PostgreSQL
	REFSERVER_SOAK=1 $(PY) -m pytest -q -p no:cacheprovider tests/refserver/test_multiprocess.py tests/refserver/test_crash_restart.py

conformance-soak: $(STAMP)  ## The suite against the reference server with 20 different seeds in a row
	$(PY) -m conformance --soak 20

planted: $(STAMP)  ## The whole suite against every planted-bug variant; writes tests/planted/RESULTS.md
	$(PY) -m tests.planted table

fault-soak: $(STAMP)  ## 10,000 requests, 32 retrying clients, random faults; SQLite, and PostgreSQL with PG_DSN
	$(PY) -m tests.soak.fault_soak --requests $(or $(REQUESTS),10000) --clients 32 $(if $(FAULT_SEED),--seed $(FAULT_SEED))

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
