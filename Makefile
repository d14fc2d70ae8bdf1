# Awn: the two commands a newcomer needs, and the pieces they are made of.
#
#   make run     set up .venv, install Awn, migrate, load the demo, serve http://127.0.0.1:8000
#   make test    install what the tests need, then lint, migrations check and the whole suite on
#                SQLite, on PostgreSQL and in Chromium (what CI runs, through .ci/run)
#
# Overridable: make run HOST=0.0.0.0 PORT=8080 · make test AWN_TEST_DATABASE_URL=postgres://…/other
# (an empty AWN_TEST_DATABASE_URL skips the PostgreSQL run).

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
AWN_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1/awn

BIN := $(VENV)/bin
AWN := $(BIN)/awn
PYTEST := $(BIN)/pytest
STAMP := $(VENV)/.awn-installed
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.DEFAULT_GOAL := help
.PHONY: help install run test check lint typecheck migrations-check messages makemessages system-packages services \
	test-sqlite test-postgres test-e2e bench

help:
	@echo "make run        install, migrate, load the demo and serve http://$(HOST):$(PORT)"
	@echo "make test       everything CI checks: lint, migrations, tests on SQLite, PostgreSQL, Chromium"
	@echo "make check      ruff and the migrations check (make typecheck runs mypy)"
	@echo "make bench      how to measure Awn (bench/README.md)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled only when pyproject.toml changes (the package itself is installed editable).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

install: $(STAMP)

run: install
	$(AWN) init
	AWN_BASE_URL=$${AWN_BASE_URL:-http://$(HOST):$(PORT)} $(AWN) demo
	@echo
	@echo "Starting Awn on http://$(HOST):$(PORT)/ — press Ctrl-C to stop."
	AWN_BASE_URL=$${AWN_BASE_URL:-http://$(HOST):$(PORT)} $(AWN) run --host $(HOST) --port $(PORT)

# --- test ----------------------------------------------------------------------------------------
# Every stage runs even when an earlier one fails, so one CI log shows every problem; the summary at
# the end names the stages that failed and the exit status is non-zero if any did.
test: install system-packages services
	@failed=""; \
	for stage in messages lint migrations-check; do \
		echo; echo "=== $$stage ==="; \
		$(MAKE) --no-print-directory $$stage || failed="$$failed $$stage"; \
	done; \
	mkdir -p var; \
	echo; echo "=== test-sqlite and test-postgres, side by side (one core each) ==="; \
	$(MAKE) --no-print-directory test-sqlite > var/test-sqlite.log 2>&1 & sqlite=$$!; \
	AWN_TEST_REDIS_URL=redis://127.0.0.1:6379/13 \
		$(MAKE) --no-print-directory test-postgres > var/test-postgres.log 2>&1 & postgres=$$!; \
	wait $$sqlite || failed="$$failed test-sqlite"; \
	wait $$postgres || failed="$$failed test-postgres"; \
	for stage in test-sqlite test-postgres; do echo; echo "=== $$stage ==="; cat var/$$stage.log; done; \
	echo; echo "=== test-e2e ==="; \
	$(MAKE) --no-print-directory test-e2e || failed="$$failed test-e2e"; \
	echo; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	echo "make test: all stages passed"

# Debian's chromium for the browser tests (Playwright drives it; no browser download), gettext
# for compilemessages and dovecot as the real IMAP server of the email tests; installed only when missing.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null 2>&1 || missing="$$missing gettext"; \
	[ -x /usr/sbin/dovecot ] || missing="$$missing dovecot-imapd"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# PostgreSQL and Redis are started by these machines; start them if they are not running.
services:
	@if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1; then \
		echo "Starting PostgreSQL"; \
		$(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | tail -1) main start || true; \
	fi
	@if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then \
		echo "Starting Redis"; \
		$(SUDO) redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true; \
	fi

messages: install
	@if ls src/awn/locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		AWN_TESTING=1 $(AWN) manage compilemessages --ignore=.venv --ignore=var --ignore=node_modules -v 0; \
	else echo "no translation catalogs yet"; fi

# Extract every marked string into the one catalog per language (src/awn/locale, docs/development.md).
makemessages: install
	cd src/awn && AWN_TESTING=1 ../../$(AWN) manage makemessages -l ar -l fa --ignore 'bench/*' -v 0

# AWN_TEST_DATABASE_URL is emptied where SQLite is meant, in case the caller's environment sets it.
test-sqlite: install
	AWN_TEST_DATABASE_URL= $(PYTEST) -m "not e2e" -q

test-postgres: install
	@if [ -z "$(AWN_TEST_DATABASE_URL)" ]; then echo "AWN_TEST_DATABASE_URL is empty: PostgreSQL run skipped"; \
	else echo "PostgreSQL: $(AWN_TEST_DATABASE_URL)"; \
		AWN_TEST_DATABASE_URL=$(AWN_TEST_DATABASE_URL) $(PYTEST) -m "not e2e" -q; fi

# Exit status 5 is pytest's "no tests collected": fine while tests/e2e holds none yet.
test-e2e: install
	@if [ -d tests/e2e ]; then AWN_TEST_DATABASE_URL= $(PYTEST) -m e2e -q tests/e2e || [ $$? -eq 5 ]; \
	else echo "no browser tests (tests/e2e) yet"; fi

# --- check ---------------------------------------------------------------------------------------
check: lint migrations-check

lint: install
	$(BIN)/ruff check $(wildcard src tests bench)
	$(BIN)/ruff format --check $(wildcard src tests bench)

typecheck: install
	AWN_TESTING=1 $(BIN)/mypy src

migrations-check: install
	AWN_TESTING=1 AWN_TEST_DATABASE_URL= $(BIN)/python manage.py makemigrations --check --dry-run

bench:
	@echo "Benchmarks: see bench/README.md and docs/performance.md, e.g."
	@echo "  $(AWN) bench generate --tickets 100000 && $(AWN) bench run"
