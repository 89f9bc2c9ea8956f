#!/usr/bin/env bash
# Fuzz the live API against its own OpenAPI schema with every schemathesis check,
# anonymously and then signed in as each persona (learner, author, moderator, admin).
# Serves rehearse under gunicorn (production settings, the database and cache given in
# DATABASE_URL / REDIS_URL, or a throwaway SQLite database) with the bundled bank
# imported. Accepted findings, each with its reason, are in schemathesis.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${SCHEMATHESIS_PORT:-8765}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-40}
PERSONA_EXAMPLES=${SCHEMATHESIS_PERSONA_EXAMPLES:-15}
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(64))')"
export OIDC_RSA_PRIVATE_KEY="$($BIN/python -m rehearse.oauth.keys)"
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL=${DATABASE_URL:-sqlite:///$work/schemathesis.sqlite3}
export SECURE_SSL_REDIRECT=false
export STATIC_ROOT=$work/static
export JWT_ACCESS_MINUTES=60
# Rate limits have their own tests; here they would only hide the other checks.
export THROTTLE_ANON_RATE=1000000/min THROTTLE_USER_RATE=1000000/min
export THROTTLE_REGISTER_RATE=1000000/min THROTTLE_TOKEN_RATE=1000000/min
export THROTTLE_REFRESH_RATE=1000000/min THROTTLE_PASSWORD_RATE=1000000/min
export LOGIN_FAILURE_LIMIT=1000000/m

$BIN/rehearse migrate --noinput --verbosity 0 >/dev/null
$BIN/rehearse import-questions content/*.md --verbosity 0 >/dev/null
$BIN/rehearse shell -c '
from rehearse.accounts.models import User
from rehearse.accounts.roles import Role, grant_role
for name, roles, staff in [("learner", [], False), ("author", [Role.AUTHOR], False),
                           ("moderator", [Role.MODERATOR], False), ("admin", [], True)]:
    user = User.objects.create_user(f"{name}@fuzz.example", "fuzzing-passphrase-123", is_staff=staff)
    for role in [Role.LEARNER, *roles]:
        grant_role(user, role)
'
# --limit-request-line 0: the request-line limit belongs to the HTTP server in front
# (nginx answers 414 past 8 KB); here it would only turn long fuzzed URLs into
# gunicorn's own HTML error page instead of letting rehearse answer them.
$BIN/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
    --limit-request-line 0 >"$work/gunicorn.log" 2>&1 &
server=$!
base="http://127.0.0.1:$PORT"

token_for() {
    $BIN/python - "$base" "$1" <<'PY'
import json, sys, time, urllib.request
base, name = sys.argv[1], sys.argv[2]
for _ in range(60):
    try:
        urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
        break
    except OSError:
        time.sleep(0.5)
body = json.dumps({"email": f"{name}@fuzz.example", "password": "fuzzing-passphrase-123"})
request = urllib.request.Request(f"{base}/api/v1/auth/token/", data=body.encode(),
                                 headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(request, timeout=10))["access"])
PY
}

failed=0
run() {  # run LABEL EXAMPLES CHECKS [schemathesis options...]
    local label=$1 examples=$2 checks=$3
    shift 3
    echo "=== schemathesis: $label ==="
    $BIN/schemathesis run "$base/api/schema/" \
        --wait-for-schema 30 --checks "$checks" --max-examples "$examples" --workers 1 \
        --request-timeout 20 --seed 1 --suppress-health-check all "$@" || failed=1
}

run anonymous "$MAX_EXAMPLES" all
# Signed in, the header is always sent, so the checks about missing or invalid
# credentials do not apply; every response must still be a documented, well-formed
# answer and never a server error.
persona_checks=not_a_server_error,status_code_conformance,content_type_conformance
persona_checks=$persona_checks,response_schema_conformance,response_headers_conformance
for persona in learner author moderator admin; do
    token=$(token_for "$persona")
    # Endpoints that would end this persona's own session or account mid-run (sign
    # out, password change, an admin deactivating or demoting itself) are fuzzed
    # anonymously above and tested directly in the test suite.
    run "$persona" "$PERSONA_EXAMPLES" "$persona_checks" -H "Authorization: Bearer $token" \
        --exclude-path-regex '^/api/v1/(auth/(logout|password)/|users/)'
done

if grep -q "Traceback" "$work/gunicorn.log"; then
    echo "the server logged a traceback during the runs:" >&2
    grep -B2 -A30 "Traceback" "$work/gunicorn.log" >&2
    failed=1
fi
exit $failed
