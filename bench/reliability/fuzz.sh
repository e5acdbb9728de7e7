#!/usr/bin/env bash
# Fuzzing: the stress-model plan parser (TOML and JSON; plans it accepts are also run) and the
# XLSX financial model import, with cargo-fuzz (libFuzzer) on the nightly toolchain, each for a
# bounded time, starting from the project's own plans and workbooks. A crash leaves its input in
# fuzz/artifacts/TARGET/ and fails the script.
#
#   bench/reliability/fuzz.sh [SECONDS_PER_TARGET]    # default 300
#
# Writes bench/reliability/last-fuzz.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-300}"
if ! cargo +nightly fuzz --version > /dev/null 2>&1; then
  cargo +nightly install -q cargo-fuzz --version 0.13.2 --locked
fi
# Seeds: every plan file and workbook the project ships or tests with.
mkdir -p fuzz/corpus/plan_file fuzz/corpus/xlsx_import
for f in data/example-plan.toml data/demo/*.toml data/demo/national/*.toml crates/stress/tests/vectors/*.toml crates/stress/tests/vectors/*.json; do
  [ -f "$f" ] && cp "$f" "fuzz/corpus/plan_file/$(basename "$f")"
done
build_log="$(mktemp)"
if ! cargo +nightly fuzz build -O --fuzz-dir fuzz > "$build_log" 2>&1; then
  cat "$build_log"
  exit 1
fi
rm -f "$build_log"
if [ ! -f fuzz/corpus/xlsx_import/demo.xlsx ]; then
  # A workbook as Footprint writes it, from the demo plan.
  cargo run -q -p footprint-xlsx --example write_demo_workbook -- fuzz/corpus/xlsx_import/demo.xlsx
fi
out="${REPORT_DIR:-bench/reliability}/last-fuzz.txt"
: > "$out"
status=0
for t in plan_file xlsx_import; do
  echo "== $t, $seconds s" | tee -a "$out"
  if ! cargo +nightly fuzz run -O --fuzz-dir fuzz "$t" "fuzz/corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 2>&1 \
      | grep -E "^#[0-9]+ +(DONE|INITED)|Done [0-9]+ runs|ERROR|panicked|SUMMARY" | tee -a "$out"; then
    :
  fi
  if ls "fuzz/artifacts/$t"/crash-* > /dev/null 2>&1; then
    echo "crashes in fuzz/artifacts/$t" | tee -a "$out"
    status=1
  fi
done
exit "$status"
