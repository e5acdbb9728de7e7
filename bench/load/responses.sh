#!/usr/bin/env bash
# Consultation responses under load: 200 responses a second to one consultation for 60 s on
# loopback, against the release build with the demo loaded, on SQLite (and on PostgreSQL when
# POSTGRES_URL is set). The load tool (crates/web/examples/respond_load.rs) counts every
# response: no error, none lost, none counted twice (one in fifty is sent twice at once, as a
# double-clicked submit would be).
#
#   bench/load/responses.sh                     # 200/s for 60 s
#   RATE=400 DURATION=30 bench/load/responses.sh
#   POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test bench/load/responses.sh
#
# All responses come from one address, so the server runs with a per-address limit high enough
# for them (--responses-per-hour); the default limit is 30 an hour.
set -euo pipefail
cd "$(dirname "$0")/../.."
rate="${RATE:-200}"
seconds="${DURATION:-60}"

cargo build --release --locked -p footprint -q
cargo build --release --locked -p footprint-web --example respond_load -q
target="${CARGO_TARGET_DIR:-target}/release"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
wait_for() { for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

run() { # label database-url port
    FOOTPRINT_LOG=warn "$target/footprint" serve --demo --responses-per-hour 0 \
        --database-url "$2" --listen "127.0.0.1:$3" >"$tmp/serve-$3.out" 2>&1 & pids+=($!)
    wait_for "http://127.0.0.1:$3/ready"
    echo "== $1: $rate responses/s for $seconds s"
    "$target/examples/respond_load" "http://127.0.0.1:$3" /footprints/DEMO01/consultations/1 "$rate" "$seconds"
}

run SQLite "sqlite://$tmp/load.db" 18190
if [ -n "${POSTGRES_URL:-}" ]; then
    db="footprint_responses_$$"
    psql "$POSTGRES_URL" -qc "CREATE DATABASE $db" >/dev/null
    run PostgreSQL "${POSTGRES_URL%/*}/$db" 18191
    kill "${pids[-1]}"; sleep 1
    psql "$POSTGRES_URL" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
fi
