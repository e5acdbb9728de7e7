#!/usr/bin/env bash
# Crash safety: kill -9 the release server repeatedly during writes and check after each kill
# that every acknowledged write is in the database and the audit log agrees
# (crates/web/examples/crash_check.rs), on SQLite and, with POSTGRES_URL set, on PostgreSQL.
#
#   bench/reliability/crash.sh [ROUNDS]               # default 20 kills per database
#   POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test bench/reliability/crash.sh
#
# Writes bench/reliability/last-crash.md; exits 1 if anything acknowledged was lost.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-20}"
target="${CARGO_TARGET_DIR:-target}"
# FOOTPRINT_PROFILE=dev builds without optimisation (quicker to build: the short runs in CI).
profile="${FOOTPRINT_PROFILE:-release}"
dir="$([ "$profile" = dev ] && echo debug || echo "$profile")"
cargo build --profile "$profile" -q -p footprint
cargo build --profile "$profile" -q -p footprint-web --example crash_check
work="$(mktemp -d)"
out="${REPORT_DIR:-bench/reliability}/last-crash.md"
status=0
echo "# Crash safety: ${rounds} kills per database ($(date -u +%Y-%m-%d))" > "$out"
echo >> "$out"
echo "## SQLite" >> "$out"
echo >> "$out"
"$target/$dir/examples/crash_check" "$target/$dir/footprint" "sqlite://$work/crash.db" "$rounds" 18433 >> "$out" || status=1
if [ -n "${POSTGRES_URL:-}" ]; then
  db="footprint_crash_$$"
  base="${POSTGRES_URL%/*}"
  psql "$POSTGRES_URL" -qc "CREATE DATABASE $db"
  echo >> "$out"
  echo "## PostgreSQL" >> "$out"
  echo >> "$out"
  "$target/$dir/examples/crash_check" "$target/$dir/footprint" "$base/$db" "$rounds" 18434 >> "$out" || status=1
  psql "$POSTGRES_URL" -qc "DROP DATABASE $db WITH (FORCE)"
fi
rm -rf "$work"
cat "$out"
exit "$status"
