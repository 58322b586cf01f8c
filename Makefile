# Duban: `make run` serves the demo park, `make test` proves it works.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
export FLASK_APP := tracker

# Debian packages: WeasyPrint's libraries and CJK fonts to run; a browser, poppler,
# PostgreSQL and Redis to test.
RUN_DEBS := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_DEBS := poppler-utils chromium postgresql redis-server libreoffice-writer-nogui
# Python packages come from the hashed locks compiled from pyproject.toml (make upgrade-deps).
PIP_TOOLS := $(VENV)/piptools/bin/pip-compile
COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(PIP_TOOLS) --quiet --generate-hashes \
	--strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: run test setup test-setup debs test-debs assets lint bench clean lock upgrade-deps

# A try-out: the demo park with its published passwords, marked 演示数据 on every page.
# A real install runs gunicorn itself without DUBAN_DEMO (see README, Production).
run: export DUBAN_DEMO := 1
run: setup
	$(VENV)/bin/flask db upgrade
	@if [ "$$($(VENV)/bin/flask demo-needed)" = "yes" ]; then $(VENV)/bin/flask demo; fi
	@echo "DUBAN_DEMO=1: a try-out with the demo's public passwords (红色“演示数据”横幅). Do not enter real data."
	@if [ -z "$$SMTP_URL" ]; then echo "Mail: SMTP_URL is not set, so e-mails are written to $${INSTANCE_PATH:-instance}/outbox/*.eml"; else echo "Mail: sent through SMTP_URL"; fi
	@# The job worker (brief renders, large imports) runs beside gunicorn and stops with it.
	$(VENV)/bin/flask worker --workers 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - wsgi:app

# The set-up steps side by side (apt, pip and npm each wait on the network or the disk), then
# ruff and the suite.
test:
	@$(MAKE) --no-print-directory -j3 --output-sync=target test-debs $(VENV)/.test-installed assets
	$(VENV)/bin/ruff check .
	bash scripts/run-tests.sh

setup: debs $(VENV)/.installed assets

debs:
	@bash scripts/apt-ensure.sh $(RUN_DEBS)

# Both lists at once: one apt-get update on a fresh machine.
test-debs:
	@bash scripts/apt-ensure.sh $(RUN_DEBS) $(TEST_DEBS)

test-setup: test-debs $(VENV)/.test-installed

$(VENV)/bin/python:
	python3 -m venv $(VENV)

# The versions the suite passed with, each file checked against its hash; then the project
# itself without dependencies, and pip check (a dependency added to pyproject.toml but missing
# from the lock fails here: run make lock).
$(VENV)/.installed: requirements.lock pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.lock
	$(VENV)/bin/pip install --quiet --no-deps -e .
	$(VENV)/bin/pip check
	touch $@

$(VENV)/.test-installed: requirements-test.lock $(VENV)/.installed
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements-test.lock
	$(VENV)/bin/pip check
	touch $@

$(PIP_TOOLS): | $(VENV)/bin/python
	python3 -m venv $(VENV)/piptools
	$(VENV)/piptools/bin/pip install --quiet pip-tools

# lock: pyproject.toml changed, keep every pin that still fits; upgrade-deps: newest of everything.
# The runtime lock first; the test lock adds the test extras on top of the same pins.
lock upgrade-deps: | $(PIP_TOOLS)
	$(COMPILE) $(if $(filter upgrade-deps,$@),--upgrade) -o requirements.lock pyproject.toml
	$(COMPILE) $(if $(filter upgrade-deps,$@),--upgrade) --extra test -c requirements.lock \
		-o requirements-test.lock pyproject.toml

assets: static/vendor/htmx.min.js

static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	touch $@

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .

bench: setup test-setup
	@bash scripts/apt-ensure.sh wrk
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor
