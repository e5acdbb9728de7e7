#!/usr/bin/env bash
# The JSON API against its own OpenAPI document: schemathesis (from PyPI, in a virtual
# environment of its own) generates requests from /api/v1/openapi.json and checks every answer:
# no server errors, every response valid for its schema, status codes and content types as
# documented. The release server runs with the demo on a fresh SQLite database; requests carry
# an API token of the demo lead, so the writing operations are exercised too.
#
#   bench/reliability/schemathesis.sh [MAX_EXAMPLES]      # default 100 per operation
#
# Writes bench/reliability/last-schemathesis.txt; exits 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
examples="${1:-100}"
target="${CARGO_TARGET_DIR:-target}"
# FOOTPRINT_PROFILE=dev builds without optimisation (quicker to build: the short runs in CI).
profile="${FOOTPRINT_PROFILE:-release}"
dir="$([ "$profile" = dev ] && echo debug || echo "$profile")"
venv="${SCHEMATHESIS_VENV:-$HOME/.cache/footprint/schemathesis}"
version="4.32.5"
if [ ! -x "$venv/bin/st" ] || ! "$venv/bin/python" -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '$version')" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$version"
fi
cargo build --profile "$profile" -q -p footprint
work="$(mktemp -d)"
port=18435
"$target/$dir/footprint" serve --demo --listen "127.0.0.1:$port" --database-url "sqlite://$work/api.db" \
  --log-level warn > "$work/serve.txt" 2> "$work/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  grep -q "Footprint is running" "$work/serve.txt" 2>/dev/null && break
  sleep 0.2
done
# Sign in as the demo lead and make an API token, as a person does on the account page.
token="$("$venv/bin/python" - "$port" "$work/serve.txt" <<'PY'
import re, sys, urllib.request, urllib.parse, http.cookiejar
port, printed = sys.argv[1], open(sys.argv[2]).read()
email, password = re.search(r"Footprint lead / programme office\s+(\S+)\s+(\S+)", printed).groups()
jar = http.cookiejar.CookieJar()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
base = f"http://127.0.0.1:{port}"
def token_on(path):
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', web.open(base + path).read().decode()).group(1)
def post(path, fields):
    try:
        return web.open(base + path, urllib.parse.urlencode(fields).encode()).read().decode()
    except urllib.error.HTTPError as e:
        return e.read().decode()
post("/sign-in", {"email": email, "password": password, "csrf_token": token_on("/sign-in")})
page = post("/account/tokens", {"token_name": "schemathesis", "csrf_token": token_on("/account")})
print(re.search(r"<code>(fp_[0-9a-f]+)</code>", page).group(1))
PY
)"
out="${REPORT_DIR:-bench/reliability}/last-schemathesis.txt"
status=0
"$venv/bin/st" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --checks all --max-examples "$examples" --header "Authorization: Bearer $token" \
  --no-color ${SCHEMATHESIS_ARGS:-} > "$out" 2>&1 || status=$?
# On a failure the whole report: the failing request, its answer and how to reproduce it come
# before the summary.
if [ "$status" -ne 0 ]; then cat "$out"; else tail -40 "$out"; fi
exit "$status"
