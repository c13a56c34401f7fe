# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FRONTEND_DEPS := frontend/node_modules/.package-lock.json

.PHONY: install frontend run serve migrate test test-python test-frontend lint system-deps schema bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(FRONTEND_DEPS): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend: $(FRONTEND_DEPS)
	cd frontend && npm run build

## run: install, build the frontend, migrate, serve API + GraphiQL + frontend (embedded PostgreSQL by default)
run: install frontend
	$(BIN)/chatbot-agent serve

migrate: install
	$(BIN)/chatbot-agent migrate

## test: every test: Python (pytest, real PostgreSQL/SMTP/browser) and frontend (tsc, codegen check, vitest).
## First installs the Debian packages the tests drive (chromium, postgresql, pgbouncer, wrk) when they are missing
## and it can (root or passwordless sudo); otherwise it says what to install, and pytest lists what it skipped.
test: system-deps install frontend lint test-frontend test-python

## lint: ruff (lint + format check) and mypy (strict on auth/ and db/); the frontend's checks run in test-frontend
lint: install
	$(BIN)/ruff check chatbot-agent tests bench examples
	$(BIN)/ruff format --check chatbot-agent tests bench examples
	$(BIN)/mypy

system-deps:
	bash tests/system-deps.sh

test-frontend: $(FRONTEND_DEPS)
	cd frontend && npm run check

# The real PostgreSQL MCP server (npm) that the check-db tests drive over stdio.
MCP_SERVERS := tests/mcp-servers/node_modules/.package-lock.json
$(MCP_SERVERS): tests/mcp-servers/package.json tests/mcp-servers/package-lock.json
	npm ci --prefix tests/mcp-servers --no-audit --no-fund
	touch $@

# Better Auth 1.7 (npm): the reference server and its own client for the REST tests.
BETTER_AUTH_CLIENT := tests/better-auth-client/node_modules/.package-lock.json
$(BETTER_AUTH_CLIENT): tests/better-auth-client/package.json tests/better-auth-client/package-lock.json
	npm ci --prefix tests/better-auth-client --no-audit --no-fund
	touch $@

# The real OpenID Connect provider (npm oidc-provider) that the social sign-in tests start on loopback.
OIDC_PROVIDER := tests/oidc/node_modules/.package-lock.json
$(OIDC_PROVIDER): tests/oidc/package.json tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund
	touch $@

test-python: system-deps install frontend $(MCP_SERVERS) $(BETTER_AUTH_CLIENT) $(OIDC_PROVIDER)
	$(BIN)/pytest

## schema: re-export the SDL and regenerate the frontend's GraphQL types
schema: install
	$(BIN)/chatbot-agent export-schema -o schema/schema.graphql
	if [ -d frontend/node_modules ]; then cd frontend && npm run codegen; fi

# make bench BENCH_ARGS="--instances 2"  (bench/run.py --help lists every knob)
BENCH_ARGS ?=
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist .pytest_cache tests/oidc/node_modules
