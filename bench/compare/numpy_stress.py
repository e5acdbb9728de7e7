#!/usr/bin/env python3
"""The stress model (specs/stress-model.md, format 1) in vectorised NumPy, written from the spec.

    numpy_stress.py PLAN.toml [--samples N] [--seed S] [--threads T]

prints the JSON result of spec section 6 (with `"flags": []`: the credibility checks are the
engine's, not the model's). It is a second, independent implementation for the side-by-side
benchmark in this folder, and a cross-check of the engine's figures.

Sampling is plain Monte Carlo. Uncorrelated values use NumPy's direct samplers (PERT as
a + (b - a)·Beta(α, β)); the values named in [[correlation]] use a Gaussian copula: Pearson
2·sin(π·ρ/6) gives exactly the target Spearman ρ between normal scores, and the marginals are
scipy.stats' exact quantile functions of the normal CDF of the correlated scores. Every
variable, and the copula, has its own random stream spawned from the seed, so the result does
not depend on --threads. National mode (spec section 7) is not implemented.
"""
import argparse
import ctypes
import json
import math
import os
import re
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

SETTINGS = {"acute", "community", "primary", "mental-health", "social-care", "prevention",
            "specialised", "corporate", "unidentified"}
CONFIDENCE = {"high": (0.7, 0.9, 1.0), "medium": (0.4, 0.7, 0.95), "low": (0.1, 0.4, 0.8)}
# Initiative values in the order their variables are listed; the default applies when absent.
INITIATIVE_VALUES = {"saving": None, "delivery": None, "slippage_months": 0.0,
                     "recurrent_cost": 0.0, "double_running": 0.0, "capital": 0.0,
                     "cost_overrun": 1.0}
QUANTILES = (0.05, 0.10, 0.50, 0.90, 0.95)
# Scenarios per model evaluation: large enough that NumPy's per-call overhead is negligible,
# small enough that the (initiatives x block) temporaries stay in cache.
BLOCK = 2048


def keep_freed_memory():
    """Stop glibc handing freed blocks back to the kernel.

    The model's temporaries are a few hundred kB per block; by default glibc unmaps or trims
    them when freed and the next block faults every page back in, which cost more than the
    arithmetic itself (keeping them halved the model's time). Elsewhere than glibc this does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3
    libc.mallopt(m_mmap_threshold, 32 << 20)   # glibc's largest allowed value
    libc.mallopt(m_trim_threshold, 1 << 30)
    libc.mallopt(m_top_pad, 64 << 20)


class PlanError(Exception):
    pass


def fail(path, msg):
    raise PlanError(f"{path}: {msg}")


def number(raw, path):
    # TOML booleans are Python ints: a `true` where a number belongs must not pass as 1.
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        fail(path, "expected a finite number")
    return float(raw)


def integer(raw, path, lo, hi=None):
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < lo or (hi is not None and raw > hi):
        fail(path, f"expected a whole number from {lo}" + (f" to {hi}" if hi is not None else ""))
    return raw


def check_keys(table, allowed, path, required=()):
    if not isinstance(table, dict):
        fail(path, "expected a table")
    for k in table:
        if k not in allowed:
            fail(f"{path}.{k}" if path else k, f"unknown key (expected one of {', '.join(sorted(allowed))})")
    for k in required:
        if k not in table:
            fail(f"{path}.{k}" if path else k, "required key is missing")


@dataclass(frozen=True)
class Dist:
    kind: str      # fixed | uniform | triangular | pert | normal | lognormal
    p: tuple       # the parameters in the order of the spec's table

    @property
    def fixed(self):
        return self.kind == "fixed"

    def lower(self):
        """Lowest point of the support, for the spec's "support must not go below 0" rules."""
        return {"fixed": lambda: self.p[0], "normal": lambda: -math.inf,
                "lognormal": lambda: 0.0}.get(self.kind, lambda: self.p[0])()

    def frozen(self):
        """The scipy.stats distribution: its ppf is exact, which median_plan and tornado need."""
        k, p = self.kind, self.p
        if k == "uniform":
            return stats.uniform(loc=p[0], scale=p[1] - p[0])
        if k == "triangular":
            a, c, b = p
            return stats.triang((c - a) / (b - a), loc=a, scale=b - a)
        if k == "pert":
            a, c, b = p
            return stats.beta(1 + 4 * (c - a) / (b - a), 1 + 4 * (b - c) / (b - a), loc=a, scale=b - a)
        if k == "normal":
            return stats.norm(loc=p[0], scale=p[1])
        if k == "lognormal":
            return stats.lognorm(p[1], scale=math.exp(p[0]))
        raise ValueError(k)

    def sample(self, rng, n):
        k, p = self.kind, self.p
        if k == "uniform":
            return rng.uniform(p[0], p[1], n)
        if k == "triangular":
            return rng.triangular(p[0], p[1], p[2], n)
        if k == "pert":
            a, c, b = p
            return a + (b - a) * rng.beta(1 + 4 * (c - a) / (b - a), 1 + 4 * (b - c) / (b - a), n)
        if k == "normal":
            return rng.normal(p[0], p[1], n)
        if k == "lognormal":
            return rng.lognormal(p[0], p[1], n)
        raise ValueError(k)

    def from_normal_scores(self, z):
        """The marginal's value at normal score z, i.e. ppf(Φ(z)), for the copula."""
        # Normal and lognormal are closed forms of z itself: going through Φ would lose the
        # far tails to rounding (Φ(z) is 1.0 in floating point beyond z ≈ 8.3).
        if self.kind == "normal":
            return self.p[0] + self.p[1] * z
        if self.kind == "lognormal":
            return np.exp(self.p[0] + self.p[1] * z)
        return self.frozen().ppf(special.ndtr(z))


DIST_KEYS = {"fixed": ("value",), "uniform": ("min", "max"), "triangular": ("min", "mode", "max"),
             "pert": ("min", "mode", "max"), "normal": ("mean", "sd"), "lognormal": ("mu", "sigma")}


def parse_value(raw, path):
    if not isinstance(raw, dict):
        return Dist("fixed", (number(raw, path),))
    if "national" in raw:
        fail(path, "national values need national mode, which this implementation does not have")
    kind = raw.get("dist")
    if kind not in DIST_KEYS:
        fail(f"{path}.dist", f"expected one of {', '.join(DIST_KEYS)}")
    names = DIST_KEYS[kind]
    check_keys(raw, {"dist", *names}, path, names)
    p = tuple(number(raw[k], f"{path}.{k}") for k in names)
    if kind == "uniform" and not p[0] < p[1]:
        fail(path, "expected min < max")
    if kind in ("triangular", "pert") and not (p[0] <= p[1] <= p[2] and p[0] < p[2]):
        fail(path, "expected min <= mode <= max and min < max")
    if kind in ("normal", "lognormal") and not p[1] > 0:
        fail(f"{path}.{names[1]}", "expected a number > 0")
    return Dist(kind, p)


@dataclass
class Slot:
    """Where one value of the plan comes from: a constant, or row `var` of the draws."""
    const: float
    var: int | None = None


class Plan:
    def __init__(self, doc):
        check_keys(doc, {"format", "name", "code", "first_year", "years", "run", "baseline",
                         "confidence", "initiative", "correlation"}, "",
                   ("format", "name", "first_year", "years", "baseline"))
        if doc["format"] != 1 or isinstance(doc["format"], bool):
            fail("format", "expected 1")
        if not isinstance(doc["name"], str) or not doc["name"]:
            fail("name", "expected a non-empty string")
        self.name = doc["name"]
        self.first_year = integer(doc["first_year"], "first_year", 2000, 2100)
        self.Y = Y = integer(doc["years"], "years", 1, 20)
        run = doc.get("run", {})
        check_keys(run, {"samples", "seed"}, "run")
        self.samples = integer(run.get("samples", 100_000), "run.samples", 1000, 10_000_000)
        self.seed = integer(run.get("seed", 0), "run.seed", 0, 2**64 - 1)

        self.names, self.dists = [], []   # the uncertain variables, in spec section 5 naming

        b = doc["baseline"]
        check_keys(b, {"funding", "spend", "funding_growth", "demand_growth", "cost_inflation",
                       "other_income"}, "baseline",
                   ("funding", "spend", "funding_growth", "demand_growth", "cost_inflation"))
        for k in ("funding", "spend"):
            d = parse_value(b[k], f"baseline.{k}")
            if not d.fixed or d.p[0] <= 0:
                fail(f"baseline.{k}", "expected a fixed number > 0")
            setattr(self, k, d.p[0])
        self.demand_growth = self.slot(b["demand_growth"], "baseline.demand_growth")
        self.cost_inflation = self.slot(b["cost_inflation"], "baseline.cost_inflation")
        fg = b["funding_growth"]
        if not isinstance(fg, list) or len(fg) != Y:
            fail("baseline.funding_growth", f"expected a list of {Y} values, one per plan year")
        self.funding_growth = [self.slot(v, f"baseline.funding_growth[{k + 1}]") for k, v in enumerate(fg)]
        oi = b.get("other_income", [0.0] * Y)
        if not isinstance(oi, list) or len(oi) != Y:
            fail("baseline.other_income", f"expected a list of {Y} numbers, one per plan year")
        self.other_income = np.array([number(v, f"baseline.other_income[{k + 1}]") for k, v in enumerate(oi)])

        words = dict(CONFIDENCE)
        conf = doc.get("confidence", {})
        check_keys(conf, set(CONFIDENCE), "confidence")
        for w, row in conf.items():
            check_keys(row, {"min", "mode", "max"}, f"confidence.{w}", ("min", "mode", "max"))
            d = parse_value({"dist": "pert", **row}, f"confidence.{w}")
            if d.lower() < 0:
                fail(f"confidence.{w}.min", "a delivery share cannot go below 0")
            words[w] = d.p

        inits = doc.get("initiative", [])
        if not isinstance(inits, list):
            fail("initiative", "expected an array of tables ([[initiative]])")
        I = len(inits)
        self.start = np.zeros(I)
        self.ramp = np.ones(I)
        self.ids = []
        fields = {k: [] for k in INITIATIVE_VALUES}
        for i, it in enumerate(inits):
            at = f"initiative[{i + 1}]"
            check_keys(it, {"id", "name", "setting", "start_month", "ramp_months", *INITIATIVE_VALUES}, at,
                       ("id", "name", "setting", "saving", "start_month", "ramp_months", "delivery"))
            iid = it["id"]
            if not isinstance(iid, str) or not re.fullmatch(r"[a-z0-9-]+", iid):
                fail(f"{at}.id", "expected lower-case letters, digits and hyphens")
            if iid in self.ids:
                fail(f"{at}.id", f"'{iid}' is used by an earlier initiative")
            self.ids.append(iid)
            if not isinstance(it["name"], str) or not it["name"]:
                fail(f"{at}.name", "expected a non-empty string")
            if it["setting"] not in SETTINGS:
                fail(f"{at}.setting", f"expected one of {', '.join(sorted(SETTINGS))}")
            self.start[i] = integer(it["start_month"], f"{at}.start_month", 0, 12 * Y - 1)
            self.ramp[i] = integer(it["ramp_months"], f"{at}.ramp_months", 1)
            for k, default in INITIATIVE_VALUES.items():
                raw = it.get(k, default)
                if k == "delivery" and isinstance(raw, str):
                    if raw not in words:
                        fail(f"{at}.delivery", "expected a value or high | medium | low")
                    raw = {"dist": "pert", "min": words[raw][0], "mode": words[raw][1], "max": words[raw][2]}
                s = self.slot(raw, f"{at}.{k}", name=f"initiative.{iid}.{k}")
                if k in ("delivery", "slippage_months"):
                    low = self.dists[s.var].lower() if s.var is not None else s.const
                    if low < 0:
                        fail(f"{at}.{k}", "the distribution's support must not go below 0")
                fields[k].append(s)

        # Initiatives whose slippage is uncertain come first, so that both groups are views
        # (slices) of the per-field matrices: the others' monthly shares are computed once here.
        order = sorted(range(I), key=lambda i: fields["slippage_months"][i].var is None)
        self.n_slipping = sum(fields["slippage_months"][i].var is not None for i in order)
        self.start, self.ramp = self.start[order], self.ramp[order]
        self.fields = {}   # per field: constants, then the rows and variables that overwrite them
        for k, slots in fields.items():
            slots = [slots[i] for i in order]
            rows = [(i, sl.var) for i, sl in enumerate(slots) if sl.var is not None]
            self.fields[k] = (np.array([sl.const for sl in slots]), np.array([r[0] for r in rows], dtype=np.intp),
                              np.array([r[1] for r in rows], dtype=np.intp))
        u = self.n_slipping
        t = np.arange(1, Y + 1)[:, None]
        # Months of each plan year at or after the planned start, which the running cost pays for.
        self.months_running = np.clip(12 * t - np.maximum(self.start[None, :], 12 * (t - 1)), 0, 12)
        # Σφ by year of the initiatives whose slippage is fixed: the same in every scenario.
        shares = CumulativeShares(self.start[u:] + self.fields["slippage_months"][0][u:], self.ramp[u:])
        cum = np.array([shares(12.0 * y).copy() for y in range(Y + 1)])
        self.phi_fixed = np.diff(cum, axis=0)   # (years, fixed-slippage initiatives)

        self.correlated, self.pearson = self.parse_correlations(doc.get("correlation", []))

    def slot(self, raw, path, name=None):
        d = parse_value(raw, path)
        if d.fixed:
            return Slot(d.p[0])
        self.names.append(name or path)
        self.dists.append(d)
        return Slot(float("nan"), len(self.dists) - 1)

    def parse_correlations(self, rows):
        if not isinstance(rows, list):
            fail("correlation", "expected an array of tables ([[correlation]])")
        index = {n: j for j, n in enumerate(self.names)}
        pairs = {}
        for c, row in enumerate(rows):
            at = f"correlation[{c + 1}]"
            check_keys(row, {"variables", "rank"}, at, ("variables", "rank"))
            v = row["variables"]
            if not isinstance(v, list) or len(v) != 2 or not all(isinstance(x, str) for x in v):
                fail(f"{at}.variables", "expected two variable names")
            for x in v:
                if x not in index:
                    fail(f"{at}.variables", f"'{x}' is not an uncertain variable of this plan")
            if v[0] == v[1]:
                fail(f"{at}.variables", f"'{v[0]}' is paired with itself")
            key = frozenset(v)
            if key in pairs:
                fail(f"{at}.variables", f"the pair {v[0]}, {v[1]} is given twice")
            rho = number(row["rank"], f"{at}.rank")
            if not -1 < rho < 1:
                fail(f"{at}.rank", "expected -1 < rank < 1")
            pairs[key] = (index[v[0]], index[v[1]], rho)
        members = sorted({j for a, b, _ in pairs.values() for j in (a, b)})
        pos = {j: k for k, j in enumerate(members)}
        target = np.eye(len(members))
        for a, b, rho in pairs.values():
            target[pos[a], pos[b]] = target[pos[b], pos[a]] = rho
        pearson = 2 * np.sin(np.pi * target / 6)
        for m, what in ((target, "rank correlation"), (pearson, "normal-score correlation")):
            try:
                np.linalg.cholesky(m)
            except np.linalg.LinAlgError:
                fail("correlation", f"the {what} matrix is not positive definite; variables: "
                     + ", ".join(self.names[j] for j in members))
        return np.array(members, dtype=np.intp), pearson

    # The model of spec section 4 for a block of B scenarios: X is (variables, B).
    def evaluate(self, X):
        Y, B, u = self.Y, X.shape[1], self.n_slipping

        def scalar(sl):
            return X[sl.var] if sl.var is not None else np.full(B, sl.const)

        def field(k):
            const, rows, vars_ = self.fields[k]
            if len(rows) == 0:
                return const[:, None]
            m = np.empty((len(const), B))
            m[:] = const[:, None]
            m[rows] = X[vars_]
            return m

        t = np.arange(1, Y + 1)[:, None]
        growth = 1 + scalar(self.demand_growth) + scalar(self.cost_inflation)
        spend = self.spend * growth[None, :] ** t
        funding = self.funding * np.cumprod(np.vstack([1 + scalar(sl) for sl in self.funding_growth]), axis=0)
        do_nothing = spend - funding - self.other_income[:, None]

        # Per initiative and scenario, in £m a year: the saving at full effect as delivered, the
        # double running with its overrun, and running plus double running with its overrun.
        overrun = field("cost_overrun")
        double_running = field("double_running")
        saving = np.broadcast_to(field("saving") * field("delivery"), (len(self.start), B))
        double = np.broadcast_to(overrun * double_running, (len(self.start), B))
        running = overrun * (field("recurrent_cost") + double_running)
        capital = np.broadcast_to((overrun * field("capital")).sum(axis=0), (B,))

        # Double running pays for the months after the planned start not yet taken over,
        # months_running - Σφ, since φ is 0 before the planned start (a >= start).
        # Everything below is twelve times the spec's monthly sums until the division by 12.
        savings = np.broadcast_to(self.phi_fixed @ saving[u:], (Y, B)).copy()
        costs = np.broadcast_to(self.months_running @ running - self.phi_fixed @ double[u:], (Y, B)).copy()
        if u:
            a = self.start[:u, None] + X[self.fields["slippage_months"][2]]
            shares = CumulativeShares(a, self.ramp[:u, None])
            prev_savings = prev_double = 0.0
            for y in range(Y):
                cum = shares(12.0 * (y + 1))
                cum_savings = np.einsum("ib,ib->b", saving[:u], cum)
                cum_double = np.einsum("ib,ib->b", double[:u], cum)
                savings[y] += cum_savings - prev_savings
                costs[y] -= cum_double - prev_double
                prev_savings, prev_double = cum_savings, cum_double
        savings = np.broadcast_to(savings / 12, (Y, B))
        gap = do_nothing - savings + costs / 12
        return gap, np.broadcast_to(do_nothing, (Y, B)), savings, capital


class CumulativeShares:
    """Σφ(m) over the first K months (m = 0 … K-1), for effective starts a and ramps r.

    With a = s + f (s = floor(a)) and j = m + 1 - s, φ is (j - f)/r for 1 <= j <= r and 1
    beyond, so the sum is J'(J' + 1 - 2f)/(2r) + max(J - r, 0), with J = K - s and J' = J
    clipped to [0, r]: a handful of operations per scenario instead of clipping every month.
    A year's Σφ is the difference of two of these. The arithmetic dominates the model's run
    time and fresh temporaries cost more than the operations, so it works in place, in
    buffers made once per block: each call's result is overwritten by the next call.
    """

    def __init__(self, a, r):
        self.s = np.floor(a)
        self.g = 1 - 2 * (a - self.s)
        self.r, self.inv2r = r, 1 / (2 * r)
        self.j, self.jc, self.out = np.empty_like(a), np.empty_like(a), np.empty_like(a)

    def __call__(self, K):
        j, jc, out = self.j, self.jc, self.out
        np.subtract(K, self.s, out=j)
        np.maximum(j, 0, out=jc)
        np.minimum(jc, self.r, out=jc)
        np.add(jc, self.g, out=out)
        out *= jc
        out *= self.inv2r
        j -= self.r
        np.maximum(j, 0, out=j)
        out += j
        return out


def draw(plan, n, seed, pool):
    """(variables, n) draws: each variable from its own stream, the correlated ones by copula."""
    V = len(plan.dists)
    streams = np.random.SeedSequence(seed).spawn(V + 1)
    X = np.empty((V, n))
    copula = set(plan.correlated.tolist())

    def one(j):
        if j not in copula:
            X[j] = plan.dists[j].sample(np.random.default_rng(streams[j]), n)

    list(pool.map(one, range(V)))
    if len(plan.correlated):
        z = np.random.default_rng(streams[V]).standard_normal((len(plan.correlated), n))
        z = np.linalg.cholesky(plan.pearson) @ z

        def marginal(k):
            X[plan.correlated[k]] = plan.dists[plan.correlated[k]].from_normal_scores(z[k])

        list(pool.map(marginal, range(len(plan.correlated))))
    return X


def centred_ranks(x):
    order = np.argsort(x)
    xs = x[order]
    if np.any(xs[1:] == xs[:-1]):
        r = stats.rankdata(x)   # mid-ranks for ties, as Spearman's definition has them
    else:
        r = np.empty(len(x))
        r[order] = np.arange(1, len(x) + 1)
    return r - (len(x) + 1) / 2


def summary(rows, years):
    n = rows.shape[1]
    q = np.quantile(rows, QUANTILES, axis=1)   # linear interpolation: "type 7"
    out = []
    for y, row in enumerate(rows):
        mean, sd, p = row.mean(), row.std(ddof=1), np.count_nonzero(row <= 0) / n
        out.append({"year": years[y], "mean": float(mean), "sd": float(sd),
                    **{f"p{round(100 * qq)}": float(q[k, y]) for k, qq in enumerate(QUANTILES)},
                    "p_balance": p, "se_mean": float(sd / math.sqrt(n)),
                    "se_p_balance": math.sqrt(p * (1 - p) / n)})
    return out


def stress(plan, n, seed, threads):
    Y, V = plan.Y, len(plan.dists)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        X = draw(plan, n, seed, pool)
        gap, dng, sav, cap = np.empty((Y, n)), np.empty((Y, n)), np.empty((Y, n)), np.empty(n)

        def block(s):
            e = min(s + BLOCK, n)
            gap[:, s:e], dng[:, s:e], sav[:, s:e], cap[s:e] = plan.evaluate(X[:, s:e])

        list(pool.map(block, range(0, n, BLOCK)))

        # Deterministic runs: every variable at its median, then each at its P10 and P90 alone.
        q = np.array([d.frozen().ppf([0.5, 0.1, 0.9]) for d in plan.dists]).reshape(V, 3)
        Xd = np.repeat(q[:, :1], 1 + 2 * V, axis=1)
        Xd[np.arange(V), 1 + 2 * np.arange(V)] = q[:, 1]
        Xd[np.arange(V), 2 + 2 * np.arange(V)] = q[:, 2]
        det = plan.evaluate(Xd)[0]

        rg = centred_ranks(gap[Y - 1])
        sg = math.sqrt(rg @ rg)

        def spearman(j):
            rv = centred_ranks(X[j])
            return float(rv @ rg / (math.sqrt(rv @ rv) * sg)) if sg > 0 else 0.0

        rhos = list(pool.map(spearman, range(V)))

    years = [f"{plan.first_year + y}/{(plan.first_year + y + 1) % 100:02d}" for y in range(Y)]
    final = gap[Y - 1]
    p = np.count_nonzero(final <= 0) / n
    cq = np.quantile(cap, (0.1, 0.5, 0.9))
    tornado = [{"variable": plan.names[j], "low": float(det[Y - 1, 1 + 2 * j]),
                "high": float(det[Y - 1, 2 + 2 * j]),
                "swing": float(abs(det[Y - 1, 2 + 2 * j] - det[Y - 1, 1 + 2 * j]))} for j in range(V)]
    tornado.sort(key=lambda t: (-t["swing"], t["variable"]))
    ranks = sorted(({"variable": plan.names[j], "rho": rhos[j]} for j in range(V)),
                   key=lambda t: (-abs(t["rho"]), t["variable"]))
    return {
        "format": 1, "name": plan.name, "samples": n, "seed": seed, "method": "monte-carlo",
        "years": years,
        "gap": summary(gap, years), "do_nothing_gap": summary(dng, years), "savings": summary(sav, years),
        "final_year": {"p_balance": p, "se_p_balance": math.sqrt(p * (1 - p) / n),
                       "expected_shortfall": float(np.maximum(final, 0).mean())},
        "capital": {"mean": float(cap.mean()), "p10": float(cq[0]), "p50": float(cq[1]), "p90": float(cq[2])},
        "median_plan": {"gap": [float(x) for x in det[:, 0]]},
        "tornado": tornado,
        "rank_correlation": ranks,
        "flags": [],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("plan")
    ap.add_argument("--samples", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    keep_freed_memory()
    try:
        with open(args.plan, "rb") as f:
            doc = json.load(f) if args.plan.endswith(".json") else tomllib.load(f)
        plan = Plan(doc)
        n = plan.samples if args.samples is None else integer(args.samples, "--samples", 1000, 10_000_000)
        seed = plan.seed if args.seed is None else integer(args.seed, "--seed", 0, 2**64 - 1)
    except (PlanError, tomllib.TOMLDecodeError, json.JSONDecodeError, OSError) as e:
        print(f"{args.plan}: {e}", file=sys.stderr)
        sys.exit(2)
    json.dump(stress(plan, n, seed, max(1, args.threads)), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
