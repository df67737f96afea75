# The README's two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
# The suite runs in parallel, one pytest-xdist worker per CPU, each with its own test database;
# `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

.PHONY: run test install lint migrations-check test-sqlite test-postgres browser demo worker bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	@scripts/ensure-system-deps
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Installs, migrates, loads the content packs and the demo organisation, then serves the app
# with a background worker. Safe to run again.
run: install demo
	@echo "Starting the background worker and the web server on http://127.0.0.1:8000 (Ctrl+C stops both)"
	@$(BIN)/python manage.py worker --no-startup-delay & WORKER=$$!; \
	  $(BIN)/python manage.py schedule_periodic >/dev/null & SCHEDULER=$$!; \
	  trap 'kill $$WORKER $$SCHEDULER 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000 --noreload

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_packs
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_practice

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

browser:
	@scripts/ensure-chromium

# ruff, the migrations check and the whole suite on SQLite, then on PostgreSQL when
# DATABASE_URL is set (and always under CI=true, against the local server).
test: lint migrations-check browser test-sqlite test-postgres

test-sqlite: install
	env -u DATABASE_URL $(PYTEST)

test-postgres: install
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== PostgreSQL: $$DATABASE_URL"; $(PYTEST); \
	elif [ "$$CI" = "true" ]; then \
	  echo "== PostgreSQL (CI): $(PG_URL)"; DATABASE_URL=$(PG_URL) $(PYTEST); \
	else \
	  echo "== PostgreSQL run skipped: set DATABASE_URL=$(PG_URL) to include it"; \
	fi

worker: install
	$(BIN)/python manage.py worker
