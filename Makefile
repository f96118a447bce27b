# Every target sets itself up: a fresh machine needs python3 (3.11+) and make; `make test` and
# `make build` also need Python 3.13, the Lambda runtime's, for sam build (see python313 below).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.txt | sha1sum | cut -c1-12)
# checkov lives in its own venv: its pins (boto3, networkx, ...) clash with the dev environment's.
SEC_VENV := .venv-security
SEC_STAMP := $(SEC_VENV)/.installed-$(shell cat requirements/security.txt | sha1sum | cut -c1-12)
SCAN_DIR := build/security
# The cold-start bench runs the handlers on the Lambda runtime's Python (3.13) when pyenv has it, in a
# venv of their own with dev.txt's exact pins of what the Lambda sees: Powertools' layer and the SDK.
BENCH313 := .venv-bench313
BENCH313_STAMP := $(BENCH313)/.installed-$(shell cat requirements/dev.txt | sha1sum | cut -c1-12)
BENCH313_PINS := aws.lambda.powertools|aws.xray.sdk|wrapt|jmespath|typing.extensions|boto3|botocore|s3transfer|urllib3|python.dateutil|six
CHECKOV_ENV := CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE
# sam build uses the Lambda's Python (3.13) when pyenv has it, else whatever python3.13 is on PATH.
PY313 := $(shell pyenv prefix 3.13.0 2>/dev/null)
PY313_FOUND := $(or $(PY313),$(shell command -v python3.13 2>/dev/null))
# Installs use uv (pinned; bootstrapped once per machine with pip into UV_DIR) and fall back to pip.
# uv reads no pip configuration: it installs the same pinned files from PyPI. UV=off forces pip.
UV_VERSION := 0.13.8
UV_DIR ?= $(HOME)/.cache/bedrock-model-import/uv-$(UV_VERSION)
UV ?= $(UV_DIR)/bin/uv
# $(call install,VENV,REQUIREMENTS[,PYTHON]): a venv with exactly those pins, by uv when it can be had, else pip.
define install
	@if [ "$(UV)" != off ] && { test -x $(UV) || { mkdir -p $(dir $(UV_DIR)) && t=$$(mktemp -d "$(UV_DIR).XXXX") && \
	    $(PYTHON) -m pip install --quiet --disable-pip-version-check --target $$t uv==$(UV_VERSION) >/dev/null 2>&1 && \
	    mv -T $$t $(UV_DIR); rm -rf "$$t"; test -x $(UV); }; }; then \
	  test -x $(1)/bin/python || $(or $(3),$(PYTHON)) -m venv --without-pip $(1); \
	  echo "uv pip install -r $(2) into $(1)"; $(UV) pip install --quiet --python $(1)/bin/python -r $(2); \
	else \
	  { test -x $(1)/bin/pip || $(or $(3),$(PYTHON)) -m venv $(1); } && \
	  echo "pip install -r $(2) into $(1)" && $(1)/bin/pip install --quiet --disable-pip-version-check -r $(2); \
	fi
endef
SAM_ENV := SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} $(if $(PY313),PATH="$(PY313)/bin:$$PATH")
PY313_MISSING := sam build needs Python 3.13 (the Lambda runtime) and none was found: install it \
	(pyenv install 3.13.0, or your system's python3.13 package), then run make again

.PHONY: setup demo serve status test unit lint build security bench bench313 clean lock lock-security smoke python313

$(STAMP): requirements/dev.txt
	$(call install,$(VENV),requirements/dev.txt)
	@rm -f $(VENV)/.installed-* && touch $@

$(SEC_STAMP): requirements/security.txt
	$(call install,$(SEC_VENV),requirements/security.txt)
	@rm -f $(SEC_VENV)/.installed-* && touch $@

$(BENCH313_STAMP): requirements/dev.txt
	@mkdir -p build && grep -iE '^($(BENCH313_PINS))==' requirements/dev.txt > build/bench313-requirements.txt
	$(call install,$(BENCH313),build/bench313-requirements.txt,$(PY313)/bin/python3)
	@rm -f $(BENCH313)/.installed-* && touch $@

setup: $(STAMP)

# One line, before anything is installed, instead of a failing sam build deep inside `make test`.
python313:
	$(if $(PY313_FOUND),@true,$(error $(PY313_MISSING)))

demo: $(STAMP) ## Run one import end to end in the offline sandbox
	$(BIN)/python -m sandbox run --artifacts examples/nova-micro-demo

serve: $(STAMP) ## The sandbox as a local AWS endpoint for the AWS CLI and SDKs (Ctrl-C stops it)
	$(BIN)/python -m sandbox serve

status: $(STAMP) ## Recent imports of a deployed stack: make status STACK=<stack-name> [ARGS="--since 7d --json"]
	@test -n "$(STACK)" || { echo "usage: make status STACK=<stack-name> [ARGS=\"--since 7d --outcome FAILED --json\"]" >&2; exit 2; }
	$(BIN)/python -m imports list --stack "$(STACK)" $(ARGS)

test: python313 $(STAMP) security ## Every check: checkov, lint, template, unit, handler and workflow tests
	$(SAM_ENV) $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/cfn-lint template.yaml
	$(SAM_ENV) $(BIN)/sam validate --lint

build: python313 $(STAMP) ## sam build with the Lambda runtime's Python (3.13)
	$(SAM_ENV) $(BIN)/sam build

security: $(STAMP) $(SEC_STAMP) ## checkov on template.yaml and on its SAM-transformed form: no failed check
	$(BIN)/python tests/template/loading.py $(SCAN_DIR)/transformed-template.json
	$(CHECKOV_ENV) $(SEC_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation \
		--file template.yaml --file $(SCAN_DIR)/transformed-template.json

bench: $(STAMP) $(if $(PY313),$(BENCH313_STAMP)) ## every figure; cold starts on Python 3.13 when pyenv has it
	$(BIN)/python -m bench

bench313: $(if $(PY313),$(BENCH313_STAMP)) ## the Python 3.13 venv the cold-start bench uses

clean:
	rm -rf .aws-sam .pytest_cache .hypothesis $(SCAN_DIR)
	find . -name __pycache__ -prune -exec rm -rf {} +

lock: ## Re-resolve requirements/dev.in into the pinned requirements/dev.txt
	rm -rf /tmp/lock-venv && $(PYTHON) -m venv /tmp/lock-venv
	/tmp/lock-venv/bin/pip install --quiet -r requirements/dev.in
	{ head -2 requirements/dev.txt; /tmp/lock-venv/bin/pip freeze; } > requirements/dev.txt.new && mv requirements/dev.txt.new requirements/dev.txt

lock-security: ## Re-resolve requirements/security.in into the pinned requirements/security.txt
	rm -rf /tmp/lock-security-venv && $(PYTHON) -m venv /tmp/lock-security-venv
	/tmp/lock-security-venv/bin/pip install --quiet -r requirements/security.in
	{ head -2 requirements/security.txt; /tmp/lock-security-venv/bin/pip freeze; } > requirements/security.txt.new && mv requirements/security.txt.new requirements/security.txt

smoke: $(STAMP) ## After sam deploy: a harmless end-to-end check of a deployed stack (STACK=<name>)
	@test -n "$(STACK)" || { echo "make smoke: give the stack's name: make smoke STACK=<stack-name>" >&2; exit 2; }
	$(BIN)/python scripts/smoke_test.py --stack "$(STACK)"
