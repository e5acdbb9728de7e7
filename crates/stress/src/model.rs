//! One scenario of the model (spec section 4), compiled from a plan for fast evaluation.

use crate::dist::{Dist, Sampler};
use crate::plan::{Plan, Value};

/// Where a model input comes from: a fixed number or an uncertain variable's draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slot {
    /// A fixed number.
    Fixed(f64),
    /// The draw of variable `i` of the model.
    Var(usize),
}

impl Slot {
    #[inline]
    fn get(self, vals: &[f64]) -> f64 {
        match self {
            Slot::Fixed(v) => v,
            Slot::Var(i) => vals[i],
        }
    }
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
pub fn ramp_sum(a: f64, r: f64, t: usize) -> f64 {
    // With j = m + 1, year t holds j = 12(t−1)+1 … 12t.
    let lo = 12 * (t as i64 - 1) + 1;
    let hi = 12 * t as i64;
    // First j with j > a, first j with j ≥ a + r.
    let j0 = (a.floor() as i64) + 1;
    let j1 = (a + r).ceil() as i64;
    let mut s = 0.0;
    let p = lo.max(j0);
    let q = hi.min(j1 - 1);
    if q >= p {
        let count = (q - p + 1) as f64;
        s += count * ((p + q) as f64 * 0.5 - a) / r;
    }
    let p = lo.max(j1);
    if hi >= p {
        s += (hi - p + 1) as f64;
    }
    s
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
                        sampler: Sampler::new(*d),
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
                        sampler: Sampler::new(d),
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
            let ramp = f64::from(i.ramp_months);
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
        let growth = 1.0 + self.demand_growth.get(vals) + self.cost_inflation.get(vals);
        let mut spend = self.spend;
        let mut funding = self.funding;
        for t in 0..self.years {
            spend *= growth;
            funding *= 1.0 + self.funding_growth[t].get(vals);
            let dn = spend - funding - self.other_income[t];
            out.do_nothing[t] = dn;
            out.gap[t] = dn;
            out.savings[t] = 0.0;
        }
        let mut capital = 0.0;
        for i in &self.initiatives {
            let full = i.saving.get(vals) * i.delivery.get(vals) / 12.0;
            let kappa = i.overrun.get(vals);
            let running = kappa * i.recurrent.get(vals) / 12.0;
            let double = kappa * i.double.get(vals) / 12.0;
            capital += kappa * i.capital.get(vals);
            let a = match i.slippage {
                Slot::Fixed(_) => 0.0,
                s => f64::from(i.start) + s.get(vals),
            };
            for t in 0..self.years {
                let phi = match &i.fixed_ramp {
                    Some(r) => r[t],
                    None => ramp_sum(a, i.ramp, t + 1),
                };
                let saving = full * phi;
                let months = i.months_running[t];
                out.savings[t] += saving;
                out.gap[t] += -saving + running * months + double * (months - phi);
            }
        }
        out.capital = capital;
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
