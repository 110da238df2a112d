# The orders service. `make run` starts the local stack; `make test` runs every test.
# Both build .venv with Python 3.13 (the Lambda runtime) on first use.

SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
RPS ?= 100
export AWS_DEFAULT_REGION ?= us-east-1
export AWS_EC2_METADATA_DISABLED := true
export AWS_ACCOUNT_ID_ENDPOINT_MODE := disabled

# Find a Python 3.13: $(PYTHON) if given, else python3.13 on PATH, else pyenv's.
PYTHON ?= $(shell command -v python3.13 >/dev/null 2>&1 && python3.13 -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && echo python3.13 || \
	(command -v pyenv >/dev/null 2>&1 && v=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.[0-9]+)?$$' | tail -1) && [ -n "$$v" ] && echo "$$(pyenv root)/versions/$$v/bin/python3.13"))

.PHONY: help venv run token events outage drill test check demo package reconcile bench bench-quick load cost clean openapi docs-ui docs-screenshot fuzz

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: Python 3.13 not found (the Lambda runtime is python3.13). Install it, e.g. 'pyenv install 3.13', or pass PYTHON=/path/to/python3.13." >&2; exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else 1)' || \
	  { echo "error: $(PYTHON) is not Python 3.13; pass PYTHON=/path/to/python3.13" >&2; exit 1; }
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 13) else 1)'; then rm -rf $(VENV); fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed ## create .venv with Python 3.13 and the pinned requirements

run: venv docs-ui ## run the whole service locally (API on PORT, default 8000), no AWS account needed
	$(PY) -m devstack.run --port $(PORT)

# One line on stdout, the token, so TOKEN=$$(make -s token CUSTOMER=alice) works. TTL in
# seconds (negative: already expired) and AUDIENCE are optional. PORT is checked only when
# given; the stack is found through DEVSTACK_DIR (default .devstack).
token: venv ## print a bearer token for the running stack: CUSTOMER=<id> [TTL=3600] [AUDIENCE=<aud>]
	@$(PY) -m devstack.tokens --customer='$(CUSTOMER)' $(if $(TTL),--ttl='$(TTL)') $(if $(AUDIENCE),--audience='$(AUDIENCE)') \
	  $(if $(filter-out file default,$(origin PORT)),--port='$(PORT)')

# One line per order event as it arrives, until Ctrl-C, read from the queue the stack's example
# rule on the bus targets (it consumes them). ONCE=1 prints what is queued and exits; JSON=1
# prints each EventBridge envelope as JSON. The stack is found as for `make token`.
events: venv ## follow the running stack's order events [ONCE=1] [JSON=1]
	@$(PY) -m devstack.events $(if $(filter-out 0,$(ONCE)),--once) $(if $(filter-out 0,$(JSON)),--json) \
	  $(if $(filter-out file default,$(origin PORT)),--port='$(PORT)')

# The simulated provider answers every call as unavailable for SECONDS (0 ends it). The stack
# is found as for `make token`.
outage: venv ## make the running stack's provider unavailable: SECONDS=<n> [PROVIDER=payments|shipping]
	@$(PY) -m devstack.outage --seconds='$(SECONDS)' --provider='$(or $(PROVIDER),payments)' \
	  $(if $(filter-out file default,$(origin PORT)),--port='$(PORT)')

test: venv docs-ui ## run every test: unit, integration, end-to-end and deployment
	$(PY) -m pytest

check: venv ## static checks: ruff, mypy --strict and the import contracts (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict app.py chalicelib
	$(VENV)/bin/mypy --strict infrastructure devstack benchmarks ops
	$(VENV)/bin/lint-imports

demo: venv ## post a mix of orders to the running stack and watch them settle
	$(PY) -m devstack.demo --url http://127.0.0.1:$(PORT)

package: venv ## write the Terraform root to build/terraform with chalice package
	$(PY) -m infrastructure.package

reconcile: venv ## re-drive orders stuck non-final (OLDER_THAN seconds, default 900)
	$(PY) -m ops.reconcile --older-than $${OLDER_THAN:-900} $${DRY_RUN:+--dry-run}

bench: venv ## run the benchmarks and write benchmarks/results.json
	$(PY) -m benchmarks.run

bench-quick: venv ## the benchmarks as a quick smoke run (CI), the outage drill's included
	$(PY) -m benchmarks.run --quick
	$(PY) -m benchmarks.drill --quick

drill: venv ## outage drill: 10 orders/s for 3 min, a 60 s payment outage after 1 min, beside a run without (~10 min)
	$(PY) -m benchmarks.drill

load: venv ## Locust load run against URL (default: the local stack, started if needed); KEYED=1: every POST keyed
	$(PY) -m benchmarks.load $${URL:+--url $$URL} $${RATE:+--rate $$RATE} $${DURATION:+--duration $$DURATION} \
	  $(if $(filter 1,$(KEYED)),--keyed)

cost: venv ## monthly cost and capacity at RPS orders per second [KEY_SHARE=0..1, default 1] [RETRIED_SHARE=0..1, default 0]
	$(PY) -m ops.cost --rps $(RPS) --inputs benchmarks/results.json $${KEY_SHARE:+--key-share $$KEY_SHARE} \
	  $${RETRIED_SHARE:+--retried-share $$RETRIED_SHARE}

event-schemas: venv ## write the JSON Schemas of the order events into docs/events
	$(PY) -m ops.event_schemas

openapi: venv ## write docs/openapi.json, the OpenAPI document GET /openapi.json serves, from the code
	$(PY) -m ops.openapi

# Swagger UI for the local stack's /docs page, from npm into .docs-ui/ (gitignored): the
# page loads nothing from a CDN. Pinned; install scripts are not run (the assets need none).
SWAGGER_UI_VERSION := 5.35.0
DOCS_UI_STAMP := .docs-ui/swagger-ui-dist-$(SWAGGER_UI_VERSION).installed
$(DOCS_UI_STAMP):
	@command -v npm >/dev/null || { echo "error: npm not found; install Node.js and npm (Debian: apt-get install npm)" >&2; exit 1; }
	rm -rf .docs-ui && mkdir -p .docs-ui
	npm install --prefix .docs-ui --no-save --no-package-lock --ignore-scripts --no-audit --no-fund --loglevel=error swagger-ui-dist@$(SWAGGER_UI_VERSION)
	@touch $@

docs-ui: $(DOCS_UI_STAMP) ## install Swagger UI (npm swagger-ui-dist) for the local stack's /docs page

docs-screenshot: venv docs-ui ## redraw docs/api-docs.png: the /docs page in headless Chromium
	DOCS_SCREENSHOT=docs/api-docs.png $(PY) -m pytest -q tests/e2e/test_docs_page.py -k screenshot

# FUZZ_EXAMPLES: examples per operation (default 150); FUZZ_MIN_REQUESTS: fewer fails (default 2000).
fuzz: venv ## Schemathesis against the local stack (started if needed) with the generated OpenAPI document
	$(PY) -m devstack.fuzz

clean: ## remove build output and the venv
	rm -rf build $(VENV) .pytest_cache .mypy_cache .ruff_cache
