#!/usr/bin/env python3
"""The stress model in squigglepy (the Python port of the Squiggle language), for the benchmark.

    squiggle_stress.py PLAN.toml [--samples N] [--seed S]

prints JSON with the mean gap of each plan year and the final year's P(balance) with its
standard error: the figures the side-by-side table needs, not the full result of the spec.

Every uncertain value of the plan becomes a squigglepy distribution (sq.pert, sq.triangular,
sq.uniform, sq.norm, sq.lognorm). Each is then drawn once per scenario with `dist @ n` and the
model is plain arithmetic on those sample arrays. That is deliberate: squigglepy's lazy
distribution algebra draws every occurrence of a distribution afresh, so `(x + x) @ n` has the
spread of two independent draws, while the stress model uses one draw in several places
(demand growth in every year, slippage in both the savings and the double running). Drawing
first gives Squiggle's own sample-set semantics. squigglepy's other idiom for shared draws,
a Python function of `~dist` draws sampled with `sq.sample(model, n)`, runs the whole model
in the interpreter once per scenario and cannot take `sq.correlate`.

Correlations use sq.correlate, squigglepy's Iman-Conover reordering. It imposes the matrix it
is given on normal scores, so it is given 2·sin(π·ρ/6), the normal-score correlation whose
Spearman correlation is the plan's ρ: the same dependence as the engine's.

The time model is the spec's monthly sum written out month by month, as a modeller would.
"""
import argparse
import json
import math
import sys
import tomllib

import numpy as np
import squigglepy as sq

CONFIDENCE = {"high": (0.7, 0.9, 1.0), "medium": (0.4, 0.7, 0.95), "low": (0.1, 0.4, 0.8)}
DEFAULTS = {"slippage_months": 0.0, "recurrent_cost": 0.0, "double_running": 0.0,
            "capital": 0.0, "cost_overrun": 1.0}


def distribution(v):
    """A plan value as a squigglepy distribution, or a float when it is fixed."""
    if not isinstance(v, dict):
        return float(v)
    kind = v["dist"]
    if kind == "fixed":
        return float(v["value"])
    if kind == "uniform":
        return sq.uniform(v["min"], v["max"])
    if kind == "triangular":
        return sq.triangular(v["min"], v["mode"], v["max"])
    if kind == "pert":
        return sq.pert(v["min"], v["mode"], v["max"], lam=4)
    if kind == "normal":
        return sq.norm(mean=v["mean"], sd=v["sd"])
    if kind == "lognormal":
        return sq.lognorm(norm_mean=v["mu"], norm_sd=v["sigma"])
    raise ValueError(f"unknown distribution {kind!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("plan")
    ap.add_argument("--samples", type=int)
    ap.add_argument("--seed", type=int)
    args = ap.parse_args()
    with open(args.plan, "rb") as f:
        plan = tomllib.load(f)
    n = args.samples or plan.get("run", {}).get("samples", 100_000)
    seed = args.seed if args.seed is not None else plan.get("run", {}).get("seed", 0)
    Y, first = plan["years"], plan["first_year"]
    base = plan["baseline"]
    words = {**CONFIDENCE, **{w: (r["min"], r["mode"], r["max"]) for w, r in plan.get("confidence", {}).items()}}

    # Every value of the plan by its spec variable name.
    values = {"baseline.demand_growth": distribution(base["demand_growth"]),
              "baseline.cost_inflation": distribution(base["cost_inflation"])}
    for k, v in enumerate(base["funding_growth"]):
        values[f"baseline.funding_growth[{k + 1}]"] = distribution(v)
    for it in plan.get("initiative", []):
        for key in ("saving", "delivery", *DEFAULTS):
            v = it.get(key, DEFAULTS.get(key))
            if key == "delivery" and isinstance(v, str):
                v = {"dist": "pert", "min": words[v][0], "mode": words[v][1], "max": words[v][2]}
            values[f"initiative.{it['id']}.{key}"] = distribution(v)

    corr = plan.get("correlation", [])
    if corr:
        names = sorted({x for c in corr for x in c["variables"]})
        m = np.eye(len(names))
        for c in corr:
            i, j = (names.index(x) for x in c["variables"])
            m[i, j] = m[j, i] = 2 * math.sin(math.pi * c["rank"] / 6)
        for name, d in zip(names, sq.correlate(tuple(values[x] for x in names), m)):
            values[name] = d

    sq.set_seed(seed)
    draws = {name: (sq.sample(d, n=n, verbose=False) if not isinstance(d, float) else d)
             for name, d in values.items()}

    growth = 1 + draws["baseline.demand_growth"] + draws["baseline.cost_inflation"]
    funding = base["funding"]
    income = base.get("other_income", [0.0] * Y)
    gap = []
    for t in range(1, Y + 1):
        funding = funding * (1 + draws[f"baseline.funding_growth[{t}]"])
        gap.append(base["spend"] * growth ** t - funding - income[t - 1])

    for it in plan.get("initiative", []):
        d = {key: draws[f"initiative.{it['id']}.{key}"] for key in ("saving", "delivery", *DEFAULTS)}
        start, ramp = it["start_month"], it["ramp_months"]
        a = start + d["slippage_months"]
        for t in range(1, Y + 1):
            months = np.arange(12 * (t - 1), 12 * t)
            phi = np.clip((months[:, None] + 1 - np.reshape(a, (1, -1))) / ramp, 0, 1)
            after_start = (months >= start)[:, None]
            share = phi.sum(axis=0) / 12
            running = np.count_nonzero(after_start) / 12
            tapering = ((1 - phi) * after_start).sum(axis=0) / 12
            gap[t - 1] = (gap[t - 1] - d["saving"] * d["delivery"] * share
                          + d["cost_overrun"] * (d["recurrent_cost"] * running + d["double_running"] * tapering))

    final = np.broadcast_to(gap[-1], (n,))
    p = np.count_nonzero(final <= 0) / n
    json.dump({"implementation": f"squigglepy {sq.__version__}", "method": "monte-carlo",
               "samples": n, "seed": seed,
               "years": [f"{first + y}/{(first + y + 1) % 100:02d}" for y in range(Y)],
               "mean_gap": [float(np.mean(g)) for g in gap],
               "final_year": {"p_balance": p, "se_p_balance": math.sqrt(p * (1 - p) / n)}},
              sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
