#!/usr/bin/env bash
# The national view under its targets: 44 footprints with demo-sized published plans (plus the
# demo) on a fresh SQLite database, release build.
#  - the national stress test as the app runs it (the background job: plans gathered from the
#    database, progress written, summary stored), against the engine alone on the same plans;
#  - the national dashboard (GET /national as national assurance) over loopback HTTP.
#
#   bench/national.sh                 # 100,000 scenarios a footprint, 50 dashboard requests
#   SAMPLES=20000 REQUESTS=20 bench/national.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p footprint-web --example national_bench -q
"${CARGO_TARGET_DIR:-target}/release/examples/national_bench" "${SAMPLES:-100000}" "${REQUESTS:-50}"
