#!/usr/bin/env bash
# Times the stress model on plan60.toml three ways -- the Rust engine, NumPy, squigglepy -- and
# prints a Markdown table (progress goes to stderr). Runs from any directory; about 5 minutes
# (each case three times: REPEAT=N for another count).
#
#   bench/compare/run.sh > bench/compare/last-run.md
#
# The engine must already be built (cargo build --release); FOOTPRINT=path picks another binary.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
engine="${FOOTPRINT:-$root/target/release/footprint}"
if [ ! -x "$engine" ]; then
    echo "run.sh: no engine at $engine; build it with: cargo build --release" >&2
    exit 1
fi
echo "run.sh: installing the Python implementations' dependencies" >&2
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    -r "$here/requirements.txt" >&2

exec python3 - "$here" "$engine" <<'PY'
import json, math, os, platform, resource, subprocess, sys, tempfile, time
from datetime import datetime, timezone

here, engine = sys.argv[1], sys.argv[2]
plan = os.path.join(here, "plan60.toml")
seed = "2016"
rust = [engine, "stress", plan, "--format", "json", "--seed", seed, "--samples"]
numpy = [sys.executable, os.path.join(here, "numpy_stress.py"), plan, "--seed", seed, "--samples"]
squiggle = [sys.executable, os.path.join(here, "squiggle_stress.py"), plan, "--seed", seed, "--samples"]
# squigglepy is timed at the size that keeps it under about a minute on two cores.
runs = [("Rust engine", rust, 1_000_000), ("Rust engine", rust, 10_000_000),
        ("NumPy", numpy, 100_000), ("NumPy", numpy, 1_000_000),
        ("squigglepy", squiggle, 500_000)]


def run(cmd, n):
    # The result goes to a file rather than a pipe so that the timing includes writing it, as
    # a user's run would, without Python reading it concurrently; it is a few tens of kB.
    with tempfile.TemporaryFile("w+") as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd + [str(n)], stdout=out, check=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        out.seek(0)
        return wall, cpu, json.load(out)


# Untimed small runs first: the first start of Python and the engine reads their files from
# disk, which would otherwise be charged to whichever run came first.
for cmd in (rust, numpy, squiggle):
    run(cmd, 1000)
load = os.getloadavg()[0]

# Each case runs REPEAT times (3 unless the environment says otherwise), one case after the
# other, and the run with the median wall time stands for it: a single run can be charged for
# what the machine does at that moment (on a virtual machine, the first run after a pause can
# spend a second faulting back memory the host took away).
repeat = int(os.environ.get("REPEAT", "3"))
rows = []
spread = []
for name, cmd, n in runs:
    print(f"run.sh: {name}, {n:,} scenarios, {repeat} runs", file=sys.stderr, flush=True)
    timed = sorted((run(cmd, n) for _ in range(repeat)), key=lambda r: r[0])
    wall, cpu, result = timed[len(timed) // 2]
    rows.append((name, n, wall, cpu, result))
    spread.append((timed[0][0], timed[-1][0]))

t_ref = rows[0][2]   # the engine at 1,000,000 scenarios


def final(result):
    return result["final_year"]["p_balance"], result["final_year"]["se_p_balance"]


def mean_gaps(result):
    return result["mean_gap"] if "mean_gap" in result else [g["mean"] for g in result["gap"]]


def versions():
    import numpy, scipy, squigglepy
    v = subprocess.run([engine, "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{v}; Python {platform.python_version()}, NumPy {numpy.__version__}, "
            f"SciPy {scipy.__version__}, squigglepy {squigglepy.__version__}")


cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
years = rows[0][4]["years"]
print(f"# Stress model side by side: plan60.toml (60 initiatives, 5 years)\n")
print(f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores ({cpu}); "
      f"{versions()}. Seed {seed}. Wall time is the whole command: start-up, parsing, sampling, "
      f"every statistic and writing the JSON; CPU time is user plus system time over all threads. "
      f"The engine and NumPy are given every core (their default); squigglepy runs on one. "
      f"Each case ran {repeat} times in a row; the table gives the run with the median wall time "
      f"and the range of all {repeat}. "
      f"Load average before the runs: {load:.2f} (anything above 0 is other work sharing the cores).\n")
print("| implementation | method | scenarios | wall s | wall s, all runs | CPU s | scenarios/s "
      f"| final-year P(balance) | SE of P(balance) | SE at equal wall time ({t_ref:.1f} s, the engine's 1M) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for (name, n, wall, cpu, result), (lo, hi) in zip(rows, spread):
    p, se = final(result)
    # SE ∝ 1/√n and n ∝ time, so in the reference time this implementation would reach
    # se·√(wall/t_ref). Each row uses its own standard error: the engine's Latin hypercube
    # reports a smaller one than plain Monte Carlo's √(p(1-p)/n) at the same n.
    print(f"| {name} | {result['method']} | {n:,} | {wall:.2f} | {lo:.2f}–{hi:.2f} | {cpu:.2f} "
          f"| {n / wall:,.0f} | {p:.4f} | {se:.5f} | {se * math.sqrt(wall / t_ref):.5f} |")
rust_1m = next(w for nm, n, w, _, _ in rows if nm == "Rust engine" and n == 1_000_000)
numpy_1m = next((w for nm, n, w, _, _ in rows if nm == "NumPy" and n == 1_000_000), None)
if numpy_1m:
    print(f"\nAt 1,000,000 scenarios the engine's throughput is {numpy_1m / rust_1m:.1f}× NumPy's "
          f"(median runs, whole commands).")
print("\nMean gap by plan year, £m (a cross-check that the three compute the same model):\n")
print("| implementation | scenarios | " + " | ".join(years) + " |")
print("|---|---:|" + "---:|" * len(years))
for name, n, wall, cpu, result in rows:
    print(f"| {name} | {n:,} | " + " | ".join(f"{g:.2f}" for g in mean_gaps(result)) + " |")
PY
