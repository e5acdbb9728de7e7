#!/usr/bin/env bash
# The engine's whole run (read the files, run, write the JSON: what `footprint stress --format
# json` does) of two builds, alternated: this checkout and BASE, a commit. Each is built from
# crates/stress/examples/stress_json.rs, without the web crates. Three cases: 44 footprints ×
# 100,000 scenarios in national mode (the demo national plans, copied as the criterion benchmark
# copies them), plan60 at 1,000,000 scenarios, and plan60 at 1,000 (mostly the fixed costs).
# Prints every run's wall and CPU seconds, each build's range, and whether the two builds'
# outputs are the same byte for byte.
#
#   bench/engine-ab.sh 689bd42          # five alternations of each case
#   RUNS=8 bench/engine-ab.sh 689bd42
#
# BASE is built in a git worktree with a target directory of its own (target/engine-ab-base):
# sharing one, cargo can take one tree's build of the engine library for the other's, and the
# two "builds" then run the same code.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: bench/engine-ab.sh BASE-COMMIT}
runs=${RUNS:-5}
target=${CARGO_TARGET_DIR:-$PWD/target}
work=$(mktemp -d)
cleanup() {
    git worktree remove --force "$work/tree" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

cargo build --release --locked -q -p footprint-stress --example stress_json
cp "$target/release/examples/stress_json" "$work/new"
git worktree add -q --detach "$work/tree" "$base"
mkdir -p "$work/tree/crates/stress/examples"
cp crates/stress/examples/stress_json.rs "$work/tree/crates/stress/examples/"
(cd "$work/tree" && CARGO_TARGET_DIR="$target/engine-ab-base" \
    cargo build --release --locked -q -p footprint-stress --example stress_json)
cp "$target/engine-ab-base/release/examples/stress_json" "$work/base"

# 44 footprints: the demo national plans in turn, each renamed (as benches/engine.rs does).
mkdir "$work/national44"
cp data/demo/national/national.toml "$work/national44/"
mapfile -t plans < <(find data/demo/national -name '*.toml' ! -name national.toml | sort)
for k in $(seq 0 43); do
    sed "0,/(fictional)/s//(fictional $k)/" "${plans[$((k % ${#plans[@]}))]}" \
        > "$work/national44/$(printf 'footprint-%02d.toml' "$k")"
done

run_case() {
    local name=$1
    shift
    echo "== $name: $* ($runs alternations)"
    for i in $(seq "$runs"); do
        for build in base new; do
            /usr/bin/time -f "$build %e %U %S" -o "$work/time" "$work/$build" "$@" > "$work/$build-$name.json"
            read -r b wall user sys < "$work/time"
            printf '%s run %d: %.2f s wall, %.2f s CPU\n' "$b" "$i" "$wall" "$(echo "$user + $sys" | bc)"
            echo "$b $wall $(echo "$user + $sys" | bc)" >> "$work/all-$name"
        done
    done
    for build in base new; do
        awk -v b="$build" '$1 == b {
                if (n == 0 || $2 < w0) w0 = $2; if (n == 0 || $2 > w1) w1 = $2
                if (n == 0 || $3 < c0) c0 = $3; if (n == 0 || $3 > c1) c1 = $3; n++ }
            END { printf "%s: wall %.2f–%.2f s, CPU %.2f–%.2f s\n", b, w0, w1, c0, c1 }' "$work/all-$name"
    done
    if cmp -s "$work/base-$name.json" "$work/new-$name.json"; then
        echo "outputs: the same byte for byte"
    else
        echo "outputs: differ"
    fi
}
echo "base: $(git rev-parse --short "$base"); new: this checkout ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', with uncommitted changes'))"
run_case national44 "$work/national44"
run_case plan60-1M bench/compare/plan60.toml 1000000
run_case plan60-1k bench/compare/plan60.toml 1000
