# Shopwright: `make run` serves the shop, `make test` runs every test. Both set everything up first.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app backend.wsgi
STAMP := $(VENV)/.installed-$(shell md5sum requirements.txt | cut -c1-12)
# The JS linter (ESLint, frontend/package-lock.json) lives in frontend/node_modules; npm ci empties it first.
JS_STAMP := frontend/node_modules/.installed-$(shell md5sum frontend/package-lock.json | cut -c1-12)

.PHONY: run test test-cluster setup db lint lint-js bench clean-data stop-db

$(STAMP): requirements.txt
	@echo "setup: the first run needs the package registries: pip installs requirements.txt, and the database and browser steps apt-get install mariadb-server, chromium and libatomic1 when missing (as root; otherwise they print the sudo command). Later runs need no network."
	@python3 -m venv $(VENV) 2>/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip >/dev/null && python3 -m venv $(VENV); } || \
	  { echo "setup: python3 cannot make a virtual environment: run sudo apt-get install python3-venv, then make again" >&2; exit 1; }
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

$(JS_STAMP): frontend/package-lock.json
	@echo "lint-js: the first run needs the npm registry (npm ci installs frontend/package-lock.json), and apt-get installs nodejs and npm when missing (as root; otherwise it prints the sudo command). Later runs need no network."
	@command -v npm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; } || \
	  { echo "lint-js: the JS linter needs node and npm: run sudo apt-get install nodejs npm, then make again" >&2; exit 1; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $(JS_STAMP)

# ESLint over frontend/static/js (rules in frontend/eslint.config.mjs).
lint-js: $(JS_STAMP)
	cd frontend && node_modules/.bin/eslint --max-warnings 0 .

# Find or start a MySQL-compatible server (backend/bootstrap.py says what it does), create the database, apply schema.sql.
db: setup
	$(PY) -m backend.bootstrap
	$(FLASK) init-db

run: db
	$(FLASK) seed --products 120 --if-empty
	$(FLASK) create-admin
	$(VENV)/bin/gunicorn -c backend/gunicorn_conf.py backend.wsgi:app

# Tests make their own throwaway database (see tests/conftest.py); browser tests need Chromium.
test: setup
	@[ -n "$$TEST_DATABASE_URL" ] || $(PY) -m backend.bootstrap
	@bash tests/browser/ensure_chromium.sh $(PY)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy backend
	@$(MAKE) --no-print-directory lint-js
	$(PY) -m pytest -q
	@$(MAKE) --no-print-directory test-cluster

# The cluster suite (tests/cluster, also run by `make test`): 3 MariaDB Galera nodes and two gunicorn app servers
# on loopback; removes all it made. Runs as root where mariadb-server and galera-4 are installed (Debian's
# mariadb-server brings galera-4); elsewhere it skips itself, saying why. Ports: nodes in a free block of
# 24000-24999 (or CLUSTER_BASE_PORT), apps and SMTP sink on free ports (or CLUSTER_APP_PORTS, TEST_PORT_RANGE).
test-cluster: setup
	CLUSTER_TESTS=1 $(PY) -m pytest -q tests/cluster

lint: setup lint-js
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy backend

# Each bench script creates and drops its own database; figures go in the README.
bench: db
	for b in pool catalog_http catalog orders accounts admin compression images; do $(PY) bench/$$b.py || exit 1; done

# Stops the private server bootstrap started (data stays in .data/) and waits until it has exited.
stop-db:
	@if [ -x $(PY) ]; then $(PY) -m backend.bootstrap stop; else echo "no private database running"; fi
