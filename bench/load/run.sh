#!/usr/bin/env bash
# Load test of `footprint serve` (release build, SQLite, the demo loaded) beside an axum
# hello-world measured in the same run, with wrk on loopback. Prints a Markdown table.
#
#   bench/load/run.sh                 # 20 s per target, 200 connections
#   DURATION=10s CONNECTIONS=100 bench/load/run.sh
#   POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test bench/load/run.sh   # also on PostgreSQL
#
# wrk comes from Debian (apt-get install wrk). Client and servers share this machine's cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${DURATION:-20s}"
connections="${CONNECTIONS:-200}"
threads="${THREADS:-2}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }

cargo build --release --locked -p footprint -q
cargo build --release --locked -p footprint-web --example hello -q
target="${CARGO_TARGET_DIR:-target}/release"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

wait_for() { for _ in $(seq 1 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; exit 1; }

"$target/examples/hello" 127.0.0.1:18091 >/dev/null & pids+=($!)
wait_for http://127.0.0.1:18091/

start_footprint() { # url port
    FOOTPRINT_LOG=warn "$target/footprint" serve --demo --database-url "$1" --listen "127.0.0.1:$2" >"$tmp/serve-$2.out" 2>&1 & pids+=($!)
    wait_for "http://127.0.0.1:$2/ready"
}
start_footprint "sqlite://$tmp/load.db" 18090

# wrk's latency report, turned into: requests/s, p50 ms, p99 ms, errors.
measure() { # name url [header]
    local out
    if [ -n "${3:-}" ]; then
        out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -H "$3" "$2")
    else
        out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$2")
    fi
    local rps p50 p99 errors non2xx
    rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    errors=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$out")
    non2xx=$(awk '/Non-2xx/ { print $5 }' <<<"$out")
    printf '| %s | %s | %.0f | %s | %s | %s |\n' "$1" "$2" "$rps" "$p50" "$p99" "$(( ${errors:-0} + ${non2xx:-0} ))"
}

echo "wrk: $threads threads, $connections connections, $duration per target; $(nproc) cores shared by client and server"
echo
echo "| target | URL | requests/s | p50 | p99 | errors |"
echo "|---|---|---:|---:|---:|---:|"
measure "axum hello world (baseline)" http://127.0.0.1:18091/
measure "footprint page, SQLite" http://127.0.0.1:18090/footprints/DEMO01
measure "API list of footprints, SQLite" http://127.0.0.1:18090/api/v1/footprints
# With a session cookie (an unknown one) nothing is served from the public cache: every request
# looks the session up and builds the page from the database.
nocache="Cookie: fp_session=unknown"
measure "footprint page, SQLite, uncached" http://127.0.0.1:18090/footprints/DEMO01 "$nocache"
measure "API list of footprints, SQLite, uncached" http://127.0.0.1:18090/api/v1/footprints "$nocache"
if [ -n "${POSTGRES_URL:-}" ]; then
    db="footprint_load_$$"
    psql "$POSTGRES_URL" -qc "CREATE DATABASE $db" >/dev/null
    pg="${POSTGRES_URL%/*}/$db"
    start_footprint "$pg" 18092
    measure "footprint page, PostgreSQL" http://127.0.0.1:18092/footprints/DEMO01
    measure "API list of footprints, PostgreSQL" http://127.0.0.1:18092/api/v1/footprints
    measure "footprint page, PostgreSQL, uncached" http://127.0.0.1:18092/footprints/DEMO01 "$nocache"
    measure "API list of footprints, PostgreSQL, uncached" http://127.0.0.1:18092/api/v1/footprints "$nocache"
    kill "${pids[-1]}"; sleep 1
    psql "$POSTGRES_URL" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
fi
