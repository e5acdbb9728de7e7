#!/usr/bin/env python3
"""Compare a `footprint stress --format json` result with an expected result within Monte Carlo
error (the rules of specs/examples/README.md). Usage: compare-results.py EXPECTED ACTUAL."""
import json, math, sys

def se_of(stat, row, n):
    sd = row["sd"]
    if stat in ("mean",):
        return sd / math.sqrt(n)
    if stat == "p_balance":
        p = row["p_balance"]
        return math.sqrt(max(p * (1 - p), 0) / n)
    return 2.5 * sd / math.sqrt(n)

def compare(exp, act, where, out):
    ne, na = exp["samples"], act["samples"]
    for q in ("gap", "do_nothing_gap", "savings"):
        for re_, ra in zip(exp[q], act[q]):
            for stat in ("mean", "p5", "p10", "p50", "p90", "p95", "p_balance", "sd"):
                if stat == "sd":
                    tol = 4 * math.hypot(re_["sd"] / math.sqrt(2 * ne), ra["sd"] / math.sqrt(2 * na)) + 1e-6
                else:
                    tol = 4 * math.hypot(se_of(stat, re_, ne), se_of(stat, ra, na)) + 1e-6
                d = abs(re_[stat] - ra[stat])
                out.append((d / tol, f"{where}{q}[{re_['year']}].{stat}", re_[stat], ra[stat]))
    for k in ("median_plan",):
        for i, (a, b) in enumerate(zip(exp[k]["gap"], act[k]["gap"])):
            out.append((abs(a - b) / (1e-6 * max(abs(a), 1e-3)), f"{where}median_plan.gap[{i}]", a, b))
    et = {t["variable"]: t for t in exp["tornado"]}
    at = {t["variable"]: t for t in act["tornado"]}
    if set(et) != set(at):
        out.append((float("inf"), f"{where}tornado variables differ: {sorted(set(et) ^ set(at))}", 0, 0))
    for v in et:
        if v in at:
            for f in ("low", "high"):
                a, b = et[v][f], at[v][f]
                out.append((abs(a - b) / (1e-6 * max(abs(a), 1e-3)), f"{where}tornado[{v}].{f}", a, b))
    er = {t["variable"]: t["rho"] for t in exp["rank_correlation"]}
    ar = {t["variable"]: t["rho"] for t in act["rank_correlation"]}
    for v in er:
        if v in ar:
            out.append((abs(er[v] - ar[v]) / 0.01, f"{where}rank_correlation[{v}]", er[v], ar[v]))
    ce, ca = exp["capital"], act["capital"]
    out.append((abs(ce["mean"] - ca["mean"]) / (1e-6 + 4 * max(abs(ce["p90"] - ce["p10"]), 1e-9) / math.sqrt(min(ne, na))), f"{where}capital.mean", ce["mean"], ca["mean"]))
    fe, fa = exp["final_year"], act["final_year"]
    out.append((abs(fe["p_balance"] - fa["p_balance"]) / (4 * math.hypot(fe["se_p_balance"], math.sqrt(fa["p_balance"] * (1 - fa["p_balance"]) / na)) + 1e-9), f"{where}final_year.p_balance", fe["p_balance"], fa["p_balance"]))

exp = json.load(open(sys.argv[1])); act = json.load(open(sys.argv[2]))
out = []
if "footprints" in exp:
    for i, (e, a) in enumerate(zip(exp["footprints"], act["footprints"])):
        compare(e, a, f"footprints[{i}].", out)
    compare(exp["national"], act["national"], "national.", out)
else:
    compare(exp, act, "", out)
out.sort(key=lambda r: -r[0])
bad = [r for r in out if r[0] > 1]
for r in out[:8]:
    print(f"{r[0]:8.3f}  {r[1]}  expected {r[2]}  got {r[3]}")
print(f"{len(out)} figures compared, {len(bad)} outside tolerance")
sys.exit(1 if bad else 0)
