#!/usr/bin/env bash
# Fuzz the live API against its own OpenAPI schema with every schemathesis check.
# Serves rehearse under gunicorn (production settings, the database and cache given in
# DATABASE_URL / REDIS_URL, or a throwaway SQLite database) with the bundled bank
# imported, then runs schemathesis with a bounded number of examples per operation.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${SCHEMATHESIS_PORT:-8765}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-40}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(64))')"
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL=${DATABASE_URL:-sqlite:///$work/schemathesis.sqlite3}
export SECURE_SSL_REDIRECT=false
# Throttling is exercised by its own tests; here it would only hide the other checks.
export THROTTLE_ANON_RATE=1000000/min THROTTLE_USER_RATE=1000000/min
export STATIC_ROOT=$work/static

$BIN/rehearse migrate --noinput --verbosity 0 >/dev/null
$BIN/rehearse import-questions content/*.md --verbosity 0 >/dev/null
$BIN/gunicorn config.wsgi:application --bind 127.0.0.1:$PORT --workers 2 \
    >"$work/gunicorn.log" 2>&1 &
server=$!

$BIN/schemathesis run "http://127.0.0.1:$PORT/api/schema/" \
    --wait-for-schema 30 \
    --checks all \
    --max-examples "$MAX_EXAMPLES" \
    --workers 2 \
    --request-timeout 10 \
    --seed 1 \
    --suppress-health-check all
status=$?
if grep -q "Traceback" "$work/gunicorn.log"; then
    echo "the server logged a traceback during the run:" >&2
    cat "$work/gunicorn.log" >&2
    exit 1
fi
exit $status
