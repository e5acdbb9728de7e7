//! One scenario of the model (spec section 4), compiled from a plan for fast evaluation.

use rayon::prelude::*;

use crate::dist::{BetaTable, Dist, Sampler};
use crate::plan::{Plan, Value};

/// Where a model input comes from: a fixed number or an uncertain variable's draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slot {
    /// A fixed number.
    Fixed(f64),
    /// The draw of variable `i` of the model.
    Var(usize),
}

/// An uncertain variable of a model.
#[derive(Debug, Clone)]
pub struct Var {
    /// Its name (spec section 5), e.g. `initiative.urgent-care.delivery` or `national.demand_growth`.
    pub name: String,
    /// Its distribution.
    pub dist: Dist,
    /// Its fast drawing form.
    pub sampler: Sampler,
    /// True for a national variable (shared by every footprint in a scenario).
    pub national: bool,
}

#[derive(Debug, Clone)]
struct InitiativeModel {
    saving: Slot,
    delivery: Slot,
    slippage: Slot,
    recurrent: Slot,
    double: Slot,
    capital: Slot,
    overrun: Slot,
    start: u32,
    ramp: f64,
    /// Months of each year at or after the planned start.
    months_running: Vec<f64>,
    /// Σ φ over each year's months when slippage is fixed.
    fixed_ramp: Option<Vec<f64>>,
}

/// A plan compiled for evaluation.
#[derive(Debug, Clone)]
pub struct Model {
    /// Plan years.
    pub years: usize,
    /// The uncertain variables, local ones in plan order then the national ones the plan uses.
    pub vars: Vec<Var>,
    funding: f64,
    spend: f64,
    funding_growth: Vec<Slot>,
    demand_growth: Slot,
    cost_inflation: Slot,
    other_income: Vec<f64>,
    initiatives: Vec<InitiativeModel>,
}

/// One scenario's results.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Gap_t.
    pub gap: Vec<f64>,
    /// DoNothingGap_t.
    pub do_nothing: Vec<f64>,
    /// Σ_i Saving_i,t.
    pub savings: Vec<f64>,
    /// Σ_i κ_i · capital_i.
    pub capital: f64,
}

impl Outcome {
    /// An outcome of `years` zeros.
    pub fn zeros(years: usize) -> Self {
        Outcome {
            gap: vec![0.0; years],
            do_nothing: vec![0.0; years],
            savings: vec![0.0; years],
            capital: 0.0,
        }
    }
}

/// Σ over the months m of plan year t (1-based) of φ(m) = min(1, max(0, (m + 1 − a)/r)),
/// in closed form: months before the effective start give 0, months after the ramp give 1,
/// and the months in between form an arithmetic series.
#[inline]
pub fn ramp_sum(a: f64, r: f64, t: usize) -> f64 {
    let hi = (12 * t) as f64;
    ramp_sum_between(a, r, 1.0 / r, hi - 11.0, hi)
}

/// The ramp sum over j = m + 1 in [lo, hi] (whole numbers), for a ≥ 0, r ≥ 1 and inv_r = 1/r. Written with
/// conversions and selects only, so that loops over scenarios vectorise.
#[inline(always)]
pub fn ramp_sum_between(a: f64, r: f64, inv_r: f64, lo: f64, hi: f64) -> f64 {
    let (j0, j1) = ramp_bounds(a, r);
    ramp_sum_known(a.min(RAMP_FAR), j0, j1, inv_r, lo, hi)
}

/// Beyond the last month nothing changes: clamping keeps the integer conversions in range.
pub const RAMP_FAR: f64 = 1.0e6;

/// (j0, j1): the first whole j with j > a, and the first with j ≥ a + r (both clamped far out).
#[inline(always)]
pub fn ramp_bounds(a: f64, r: f64) -> (f64, f64) {
    let a = a.min(RAMP_FAR);
    let e = (a + r).min(RAMP_FAR);
    // Whole numbers in floating point (rounding instructions, which vectorise, where integer
    // conversions did not).
    (a.floor() + 1.0, e.ceil())
}

/// The ramp sum over [lo, hi] given a (clamped) and its bounds from [`ramp_bounds`].
#[inline(always)]
pub fn ramp_sum_known(a: f64, j0: f64, j1: f64, inv_r: f64, lo: f64, hi: f64) -> f64 {
    let p = if lo > j0 { lo } else { j0 };
    let q = if hi < j1 - 1.0 { hi } else { j1 - 1.0 };
    let lin = if q >= p {
        (q - p + 1.0) * ((p + q) * 0.5 - a) * inv_r
    } else {
        0.0
    };
    let p2 = if lo > j1 { lo } else { j1 };
    let full = if hi >= p2 { hi - p2 + 1.0 } else { 0.0 };
    lin + full
}

/// A model input over a block of scenarios: one number for all, or a column.
#[derive(Clone, Copy)]
enum Col<'a> {
    Const(f64),
    Var(&'a [f64]),
}

impl Col<'_> {
    fn is_zero(&self) -> bool {
        matches!(self, Col::Const(v) if *v == 0.0)
    }
}

/// out[j] = a[j] · b[j] · scale, specialised so that each case is a simple loop.
#[inline(always)]
fn product(out: &mut [f64], a: Col<'_>, b: Col<'_>, scale: f64) {
    match (a, b) {
        (Col::Const(x), Col::Const(y)) => out.iter_mut().for_each(|o| *o = x * y * scale),
        (Col::Var(c), Col::Const(y)) => out.iter_mut().zip(c).for_each(|(o, &x)| *o = x * y * scale),
        (Col::Const(x), Col::Var(c)) => out.iter_mut().zip(c).for_each(|(o, &y)| *o = x * y * scale),
        (Col::Var(c), Col::Var(d)) => out
            .iter_mut()
            .zip(c.iter().zip(d))
            .for_each(|(o, (&x, &y))| *o = x * y * scale),
    }
}

/// The outcomes of a block of scenarios: one column per quantity and year.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// Gap_t.
    pub gap: Vec<Vec<f64>>,
    /// DoNothingGap_t.
    pub do_nothing: Vec<Vec<f64>>,
    /// Σ_i Saving_i,t.
    pub savings: Vec<Vec<f64>>,
    /// Capital.
    pub capital: Vec<f64>,
    scratch: [Vec<f64>; 6],
}

impl Block {
    /// A block for `years` plan years and m scenarios.
    pub fn new(years: usize, m: usize) -> Self {
        let col = || vec![0.0; m];
        Block {
            gap: (0..years).map(|_| col()).collect(),
            do_nothing: (0..years).map(|_| col()).collect(),
            savings: (0..years).map(|_| col()).collect(),
            capital: col(),
            scratch: [col(), col(), col(), col(), col(), col()],
        }
    }

    /// Scenario count of the block.
    pub fn len(&self) -> usize {
        self.capital.len()
    }

    /// True for an empty block.
    pub fn is_empty(&self) -> bool {
        self.capital.is_empty()
    }

    /// Resizes every column to m scenarios.
    pub fn resize(&mut self, m: usize) {
        for c in self.gap.iter_mut().chain(&mut self.do_nothing).chain(&mut self.savings) {
            c.resize(m, 0.0);
        }
        self.capital.resize(m, 0.0);
        for c in &mut self.scratch {
            c.resize(m, 0.0);
        }
    }
}

impl Model {
    /// Compiles a validated plan. `national` lists the national variables (name, distribution)
    /// in national mode; the plan's national references must name them.
    pub fn compile(plan: &Plan, national: &[(String, Dist)]) -> Model {
        let mut vars: Vec<Var> = Vec::new();
        let mut national_slots: Vec<Option<usize>> = vec![None; national.len()];
        let mut slot = |name: String, v: &Value, vars: &mut Vec<Var>| -> Slot {
            match v {
                Value::Dist(Dist::Fixed(x)) => Slot::Fixed(*x),
                Value::Dist(d) => {
                    vars.push(Var {
                        name,
                        dist: *d,
                        sampler: Sampler::Exact(*d),
                        national: false,
                    });
                    Slot::Var(vars.len() - 1)
                }
                Value::National(n) => {
                    let k = national
                        .iter()
                        .position(|(m, _)| m == n)
                        .expect("validated national reference");
                    let d = national[k].1;
                    if let Dist::Fixed(x) = d {
                        return Slot::Fixed(x);
                    }
                    if let Some(i) = national_slots[k] {
                        return Slot::Var(i);
                    }
                    vars.push(Var {
                        name: format!("national.{n}"),
                        dist: d,
                        sampler: Sampler::Exact(d),
                        national: true,
                    });
                    national_slots[k] = Some(vars.len() - 1);
                    Slot::Var(vars.len() - 1)
                }
            }
        };
        let b = &plan.baseline;
        let demand_growth = slot("baseline.demand_growth".into(), &b.demand_growth, &mut vars);
        let cost_inflation = slot("baseline.cost_inflation".into(), &b.cost_inflation, &mut vars);
        let funding_growth: Vec<Slot> = b
            .funding_growth
            .iter()
            .enumerate()
            .map(|(k, v)| slot(format!("baseline.funding_growth[{}]", k + 1), v, &mut vars))
            .collect();
        let years = plan.years;
        let mut initiatives = Vec::with_capacity(plan.initiatives.len());
        for i in &plan.initiatives {
            let name = |f: &str| format!("initiative.{}.{}", i.id, f);
            let saving = slot(name("saving"), &i.saving, &mut vars);
            let delivery = slot(name("delivery"), &i.delivery, &mut vars);
            let slippage = slot(name("slippage_months"), &i.slippage_months, &mut vars);
            let recurrent = slot(name("recurrent_cost"), &i.recurrent_cost, &mut vars);
            let double = slot(name("double_running"), &i.double_running, &mut vars);
            let capital = slot(name("capital"), &i.capital, &mut vars);
            let overrun = slot(name("cost_overrun"), &i.cost_overrun, &mut vars);
            let start = i.start_month;
            let ramp = i.ramp_months as f64;
            let months_running = (1..=years)
                .map(|t| {
                    let first = 12 * (t as i64 - 1);
                    let end = 12 * t as i64;
                    (end - first.max(i64::from(start))).clamp(0, 12) as f64
                })
                .collect();
            let fixed_ramp = match slippage {
                Slot::Fixed(s) => Some((1..=years).map(|t| ramp_sum(f64::from(start) + s, ramp, t)).collect()),
                Slot::Var(_) => None,
            };
            initiatives.push(InitiativeModel {
                saving,
                delivery,
                slippage,
                recurrent,
                double,
                capital,
                overrun,
                start,
                ramp,
                months_running,
                fixed_ramp,
            });
        }
        // National variables sit after the local ones so that local indices follow the plan.
        type Indexed = Vec<(usize, Var)>;
        let (mut local, nat): (Indexed, Indexed) = vars.into_iter().enumerate().partition(|(_, v)| !v.national);
        let mut remap = vec![0usize; local.len() + nat.len()];
        let local_len = local.len();
        for (new, (old, _)) in local.iter().enumerate() {
            remap[*old] = new;
        }
        for (k, (old, _)) in nat.iter().enumerate() {
            remap[*old] = local_len + k;
        }
        local.extend(nat);
        let vars: Vec<Var> = local.into_iter().map(|(_, v)| v).collect();
        // Build the PERT tables of distinct shapes in parallel (each is cached by shape).
        let mut shapes: Vec<(u64, u64)> = vars
            .iter()
            .filter_map(|v| match v.dist {
                Dist::Pert { min, mode, max } => {
                    let (a, b) = Dist::pert_shape(min, mode, max);
                    Some((a.to_bits(), b.to_bits()))
                }
                _ => None,
            })
            .collect();
        shapes.sort_unstable();
        shapes.dedup();
        shapes.par_iter().for_each(|&(a, b)| {
            BetaTable::cached(f64::from_bits(a), f64::from_bits(b));
        });
        let vars: Vec<Var> = vars
            .into_iter()
            .map(|v| Var {
                sampler: Sampler::new(v.dist),
                ..v
            })
            .collect();
        let fix = |s: Slot| match s {
            Slot::Var(i) => Slot::Var(remap[i]),
            f => f,
        };
        let initiatives = initiatives
            .into_iter()
            .map(|m| InitiativeModel {
                saving: fix(m.saving),
                delivery: fix(m.delivery),
                slippage: fix(m.slippage),
                recurrent: fix(m.recurrent),
                double: fix(m.double),
                capital: fix(m.capital),
                overrun: fix(m.overrun),
                ..m
            })
            .collect();
        Model {
            years,
            vars,
            funding: b.funding,
            spend: b.spend,
            funding_growth: funding_growth.into_iter().map(fix).collect(),
            demand_growth: fix(demand_growth),
            cost_inflation: fix(cost_inflation),
            other_income: b.other_income.clone(),
            initiatives,
        }
    }

    /// The index of the variable with this name.
    pub fn var_index(&self, name: &str) -> Option<usize> {
        self.vars.iter().position(|v| v.name == name)
    }

    /// Every variable at its median.
    pub fn medians(&self) -> Vec<f64> {
        self.vars.iter().map(|v| v.dist.median()).collect()
    }

    /// Evaluates one scenario with the variables' values `vals`, writing into `out`.
    pub fn evaluate(&self, vals: &[f64], out: &mut Outcome) {
        let cols: Vec<Vec<f64>> = vals.iter().map(|&v| vec![v]).collect();
        let mut block = Block::new(self.years, 1);
        self.evaluate_block(&cols, &mut block);
        for t in 0..self.years {
            out.gap[t] = block.gap[t][0];
            out.do_nothing[t] = block.do_nothing[t][0];
            out.savings[t] = block.savings[t][0];
        }
        out.capital = block.capital[0];
    }

    fn col<'a>(&self, slot: Slot, cols: &'a [Vec<f64>]) -> Col<'a> {
        match slot {
            Slot::Fixed(v) => Col::Const(v),
            Slot::Var(i) => Col::Var(&cols[i]),
        }
    }

    /// Evaluates a block of scenarios: `cols[v]` holds variable v's values, one per scenario.
    pub fn evaluate_block(&self, cols: &[Vec<f64>], out: &mut Block) {
        let Block {
            gap,
            do_nothing,
            savings,
            capital,
            scratch,
        } = out;
        let mut outs: Vec<&mut [f64]> = gap
            .iter_mut()
            .chain(do_nothing.iter_mut())
            .chain(savings.iter_mut())
            .chain(std::iter::once(capital))
            .map(Vec::as_mut_slice)
            .collect();
        self.evaluate_into(cols, scratch, &mut outs);
    }

    /// Evaluates a block of scenarios into `outs`, whose columns (all as long as the block, every
    /// value overwritten) are Gap_t for each year, then DoNothingGap_t for each year, then the
    /// savings for each year, then capital: the order of a simulation's result columns, so that
    /// it can write a replicate's results in place. `cols[v]` holds variable v's values and
    /// `scratch` six columns at least as long.
    #[inline(always)]
    pub fn evaluate_into(&self, cols: &[Vec<f64>], scratch: &mut [Vec<f64>; 6], outs: &mut [&mut [f64]]) {
        assert_eq!(
            outs.len(),
            3 * self.years + 1,
            "a column per year and quantity, and capital"
        );
        let m = outs[0].len();
        let (gap_cols, rest) = outs.split_at_mut(self.years);
        let (dn_cols, rest) = rest.split_at_mut(self.years);
        let (sav_cols, rest) = rest.split_at_mut(self.years);
        let capital = &mut *rest[0];
        let [growth, funding, s1, s2, s3, s4] = scratch;
        product(growth, Col::Const(1.0), Col::Const(1.0), 1.0);
        for slot in [self.demand_growth, self.cost_inflation] {
            match self.col(slot, cols) {
                Col::Const(v) => growth.iter_mut().for_each(|g| *g += v),
                Col::Var(c) => growth.iter_mut().zip(c).for_each(|(g, &v)| *g += v),
            }
        }
        // Spend and funding compound year by year; s1 carries spend.
        s1.iter_mut().for_each(|s| *s = self.spend);
        funding.iter_mut().for_each(|f| *f = self.funding);
        for t in 0..self.years {
            let oi = self.other_income[t];
            match self.col(self.funding_growth[t], cols) {
                Col::Const(v) => funding.iter_mut().for_each(|f| *f *= 1.0 + v),
                Col::Var(c) => funding.iter_mut().zip(c).for_each(|(f, &v)| *f *= 1.0 + v),
            }
            let (dn, gap, sav) = (&mut *dn_cols[t], &mut *gap_cols[t], &mut *sav_cols[t]);
            for j in 0..m {
                s1[j] *= growth[j];
                let d = s1[j] - funding[j] - oi;
                dn[j] = d;
                gap[j] = d;
                sav[j] = 0.0;
            }
        }
        capital.iter_mut().for_each(|c| *c = 0.0);
        // Per initiative: s1 = saving · delivery / 12, growth = running / 12, funding = double / 12,
        // s2 = the effective start when slippage is uncertain.
        for i in &self.initiatives {
            let full = &mut *s1;
            product(full, self.col(i.saving, cols), self.col(i.delivery, cols), 1.0 / 12.0);
            let kappa = self.col(i.overrun, cols);
            let (rc, dr, cap) = (
                self.col(i.recurrent, cols),
                self.col(i.double, cols),
                self.col(i.capital, cols),
            );
            let has_cost = !(rc.is_zero() && dr.is_zero());
            let (run, dbl) = (&mut *growth, &mut *funding);
            if has_cost {
                product(run, kappa, rc, 1.0 / 12.0);
                product(dbl, kappa, dr, 1.0 / 12.0);
            }
            if !cap.is_zero() {
                // Each case a simple loop, so that it vectorises.
                match (kappa, cap) {
                    (Col::Const(k), Col::Const(x)) => capital.iter_mut().for_each(|c| *c += k * x),
                    (Col::Var(k), Col::Const(x)) => capital.iter_mut().zip(k).for_each(|(c, &k)| *c += k * x),
                    (Col::Const(k), Col::Var(x)) => capital.iter_mut().zip(x).for_each(|(c, &x)| *c += k * x),
                    (Col::Var(k), Col::Var(x)) => capital
                        .iter_mut()
                        .zip(k.iter().zip(x))
                        .for_each(|(c, (&k, &x))| *c += k * x),
                }
            }
            // With uncertain slippage: s2 = effective start a, s3 = first month index past a,
            // s4 = first month index at or past the end of the ramp; [lo_a, hi_end] bounds the ramp.
            let mut window = (f64::INFINITY, f64::NEG_INFINITY);
            let slip = match (&i.fixed_ramp, self.col(i.slippage, cols)) {
                (None, Col::Var(c)) => {
                    let start = f64::from(i.start);
                    for (((a, j0), j1), &v) in s2.iter_mut().zip(s3.iter_mut()).zip(s4.iter_mut()).zip(c) {
                        let (x, e) = ramp_bounds(start + v, i.ramp);
                        *a = (start + v).min(RAMP_FAR);
                        *j0 = x;
                        *j1 = e;
                    }
                    for (&j0, &j1) in s3.iter().zip(s4.iter()) {
                        window.0 = window.0.min(j0);
                        window.1 = window.1.max(j1);
                    }
                    true
                }
                _ => false,
            };
            let inv_ramp = 1.0 / i.ramp;
            for t in 0..self.years {
                let months = i.months_running[t];
                let (gap, sav) = (&mut gap_cols[t][..m], &mut sav_cols[t][..m]);
                let (full, run, dbl, starts) = (&full[..m], &run[..m], &dbl[..m], &s2[..m]);
                let (first, end) = (&s3[..m], &s4[..m]);
                match (&i.fixed_ramp, slip) {
                    (Some(r), _) => {
                        let phi = r[t];
                        if phi == 0.0 && (!has_cost || months == 0.0) {
                            continue;
                        }
                        if has_cost {
                            let idle = months - phi;
                            for ((g, s), ((&f, &ru), &db)) in
                                gap.iter_mut().zip(sav.iter_mut()).zip(full.iter().zip(run).zip(dbl))
                            {
                                let saving = f * phi;
                                *s += saving;
                                *g += -saving + ru * months + db * idle;
                            }
                        } else {
                            for ((g, s), &f) in gap.iter_mut().zip(sav.iter_mut()).zip(full) {
                                let saving = f * phi;
                                *s += saving;
                                *g -= saving;
                            }
                        }
                    }
                    _ => {
                        let hi = (12 * (t + 1)) as f64;
                        let lo = hi - 11.0;
                        // The same φ for the whole block before every ramp starts or after every one ends.
                        let constant = if hi < window.0 {
                            Some(0.0)
                        } else if lo >= window.1 {
                            Some(12.0)
                        } else {
                            None
                        };
                        match (constant, has_cost) {
                            (Some(phi), true) => {
                                for ((g, s), ((&f, &ru), &db)) in
                                    gap.iter_mut().zip(sav.iter_mut()).zip(full.iter().zip(run).zip(dbl))
                                {
                                    let saving = f * phi;
                                    *s += saving;
                                    *g += -saving + ru * months + db * (months - phi);
                                }
                            }
                            (Some(phi), false) => {
                                if phi != 0.0 {
                                    for ((g, s), &f) in gap.iter_mut().zip(sav.iter_mut()).zip(full) {
                                        let saving = f * phi;
                                        *s += saving;
                                        *g -= saving;
                                    }
                                }
                            }
                            (None, true) => {
                                for ((g, s), ((((&f, &ru), &db), &a), (&j0, &j1))) in gap
                                    .iter_mut()
                                    .zip(sav.iter_mut())
                                    .zip(full.iter().zip(run).zip(dbl).zip(starts).zip(first.iter().zip(end)))
                                {
                                    let phi = ramp_sum_known(a, j0, j1, inv_ramp, lo, hi);
                                    let saving = f * phi;
                                    *s += saving;
                                    *g += -saving + ru * months + db * (months - phi);
                                }
                            }
                            (None, false) => {
                                for ((g, s), ((&f, &a), (&j0, &j1))) in gap
                                    .iter_mut()
                                    .zip(sav.iter_mut())
                                    .zip(full.iter().zip(starts).zip(first.iter().zip(end)))
                                {
                                    let saving = f * ramp_sum_known(a, j0, j1, inv_ramp, lo, hi);
                                    *s += saving;
                                    *g -= saving;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The final-year gap for the given values.
    pub fn final_gap(&self, vals: &[f64]) -> f64 {
        let mut out = Outcome::zeros(self.years);
        self.evaluate(vals, &mut out);
        out.gap[self.years - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(a: f64, r: f64, t: usize) -> f64 {
        (12 * (t - 1)..12 * t)
            .map(|m| ((m as f64 + 1.0 - a) / r).clamp(0.0, 1.0))
            .sum()
    }

    #[test]
    fn ramp_sum_matches_the_monthly_sum() {
        for &a in &[0.0, 0.5, 3.0, 5.5, 11.999, 12.0, 17.25, 30.0, 59.5, 70.0] {
            for &r in &[1.0, 2.0, 6.0, 12.0, 18.0, 24.0, 30.0, 100.0] {
                for t in 1..=6 {
                    let (x, y) = (ramp_sum(a, r, t), brute(a, r, t));
                    assert!((x - y).abs() < 1e-12, "a={a} r={r} t={t}: {x} vs {y}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn ramp_sum_agrees_for_any_start(a in 0.0f64..120.0, r in 1u32..60, t in 1usize..12) {
            let (x, y) = (ramp_sum(a, f64::from(r), t), brute(a, f64::from(r), t));
            proptest::prop_assert!((x - y).abs() < 1e-9);
        }
    }
}
