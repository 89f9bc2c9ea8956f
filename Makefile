# rehearse: `make run` serves it, `make test` tests it. Everything else is a helper.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
LOCK := requirements.lock

.PHONY: run test venv check lint format typecheck migrations-check deploy-check \
        schemathesis bench stack stack-down clean

# The virtual environment is rebuilt whenever the lock or the project metadata change.
$(BIN)/rehearse: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[dev]'
	touch $@

venv: $(BIN)/rehearse

## Set everything up and serve rehearse on http://$(HOST):$(PORT)
run: venv
	mkdir -p var
	$(BIN)/rehearse migrate --noinput
	$(BIN)/rehearse import-questions content/*.md
	$(BIN)/rehearse collectstatic --noinput --verbosity 0
	$(BIN)/rehearse runserver $(HOST):$(PORT)

# What the browser tests inject into the pages (axe-core), pinned by package-lock.json.
# Without npm the browser tests skip (with the reason), except on CI where they fail.
node_modules: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund && touch $@; \
	else echo "npm not found: the browser tests will be skipped (see README, Test it)"; fi

## Run the whole test suite (SQLite; set DATABASE_URL / REDIS_URL for PostgreSQL + Redis)
test: venv node_modules
	$(BIN)/python -m pytest -n auto --dist loadfile -q

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: venv
	$(BIN)/mypy .

migrations-check: venv
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/rehearse makemigrations --check --dry-run

## `check --deploy` with production settings and throwaway secrets: must print nothing.
deploy-check: venv
	DJANGO_SETTINGS_MODULE=config.settings.production \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	OIDC_RSA_PRIVATE_KEY="$$($(BIN)/python -m rehearse.oauth.keys)" \
	ALLOWED_HOSTS=rehearse.example.org \
	DATABASE_URL=postgres://rehearse@127.0.0.1:5432/rehearse \
	$(BIN)/rehearse check --deploy --fail-level WARNING

schemathesis: venv
	scripts/schemathesis.sh

check: lint typecheck migrations-check deploy-check test

## The production topology on this machine: nginx (TLS) + 2 gunicorn + PostgreSQL + Redis
stack: venv
	$(BIN)/python deploy/local/stack.py up

stack-down:
	$(PYTHON) deploy/local/stack.py down

## Benchmarks (not tests): see docs/performance.md
bench: venv
	$(BIN)/python bench/question_list.py

lock:
	rm -rf /tmp/rehearse-lock && $(PYTHON) -m venv /tmp/rehearse-lock
	/tmp/rehearse-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/rehearse-lock/bin/pip freeze --exclude-editable | sort > $(LOCK)

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
