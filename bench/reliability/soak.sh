#!/usr/bin/env bash
# Load and soak: the release server with the demo on a fresh database, a mixed load at a fixed
# rate for a fixed time (crates/web/examples/soak.rs), on SQLite and, with POSTGRES_URL set, on
# PostgreSQL. Client and server share the machine.
#
#   bench/reliability/soak.sh [SECONDS] [RATE]        # default 600 s at 300 actions/s
#   POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test bench/reliability/soak.sh
#
# Writes bench/reliability/last-soak.md; exits 1 if any run had an error or miscounted.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-600}"
rate="${2:-300}"
target="${CARGO_TARGET_DIR:-target}"
# FOOTPRINT_PROFILE=dev builds without optimisation (quicker to build: the short runs in CI).
profile="${FOOTPRINT_PROFILE:-release}"
dir="$([ "$profile" = dev ] && echo debug || echo "$profile")"
cargo build --profile "$profile" -q -p footprint
cargo build --profile "$profile" -q -p footprint-web --example soak
work="$(mktemp -d)"
out="${REPORT_DIR:-bench/reliability}/last-soak.md"
port=18432
status=0
{
  echo "# Soak: ${seconds} s at ${rate} actions/s ($(date -u +%Y-%m-%d))"
  echo
} > "$out"
run() {
  local name="$1" url="$2"
  "$target/$dir/footprint" serve --demo --listen "127.0.0.1:$port" --database-url "$url" \
    --responses-per-hour 0 --log-level warn > "$work/serve.txt" 2> "$work/serve.err" &
  local pid=$!
  for _ in $(seq 1 100); do
    grep -q "Footprint is running" "$work/serve.txt" 2>/dev/null && break
    sleep 0.2
  done
  echo "## $name" >> "$out"
  echo >> "$out"
  if ! "$target/$dir/examples/soak" "http://127.0.0.1:$port" "$pid" "$seconds" "$rate" "$work/serve.txt" >> "$out"; then
    status=1
  fi
  echo >> "$out"
  kill "$pid"
  wait "$pid" || true
  # The server's warnings and errors, if it logged any: what went wrong, and when.
  if [ -s "$work/serve.err" ]; then
    echo "Server log (warnings and errors; the last 40 lines):" >> "$out"
    echo >> "$out"
    tail -n 40 "$work/serve.err" | sed 's/^/    /' >> "$out"
    echo >> "$out"
  fi
}
# SOAK_SQLITE=0 skips the SQLite run (to measure PostgreSQL alone).
if [ "${SOAK_SQLITE:-1}" = 1 ]; then
  run "SQLite" "sqlite://$work/soak.db"
fi
if [ -n "${POSTGRES_URL:-}" ]; then
  db="footprint_soak_$$"
  base="${POSTGRES_URL%/*}"
  psql "$POSTGRES_URL" -qc "CREATE DATABASE $db"
  run "PostgreSQL" "$base/$db"
  psql "$POSTGRES_URL" -qc "DROP DATABASE $db WITH (FORCE)"
fi
rm -rf "$work"
cat "$out"
exit "$status"
