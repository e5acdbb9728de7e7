//! Two plans compared on common random numbers: every uncertain value that both plans share (by
//! its variable name) draws the same number in scenario k of both runs, so the scenario-by-
//! scenario difference in the gap measures the change between the plans, not sampling noise.

use crate::model::Model;
use crate::plan::Plan;
use crate::run::{Sampled, quantiles};

/// Statistics of the change (b − a) in one quantity.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    /// Mean change.
    pub mean: f64,
    /// Its standard error (from the independent replicates).
    pub se_mean: f64,
    /// Percentiles of the scenario-by-scenario change: 5, 10, 50, 90, 95.
    pub p5: f64,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// One plan year compared.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct YearComparison {
    /// "2016/17".
    pub year: String,
    /// P(balance) under plan a.
    pub p_balance_a: f64,
    /// P(balance) under plan b.
    pub p_balance_b: f64,
    /// Change in P(balance), b − a.
    pub p_balance_change: f64,
    /// Its standard error (paired, from the replicates).
    pub se_p_balance_change: f64,
    /// The change in the gap.
    pub gap_change: Change,
}

/// Two plans compared.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comparison {
    /// Scenarios.
    pub samples: u64,
    /// Seed used for both.
    pub seed: u64,
    /// Year by year, in plan order.
    pub years: Vec<YearComparison>,
}

/// Why two plans cannot be compared year by year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotComparable(pub String);

impl std::fmt::Display for NotComparable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Compares plan b with plan a over `samples` scenarios under `seed` (common random numbers).
pub fn compare_plans(a: &Plan, b: &Plan, samples: u64, seed: u64) -> Result<Comparison, NotComparable> {
    if a.first_year != b.first_year || a.years != b.years {
        return Err(NotComparable(format!(
            "the plans cover different years ({} years from {} and {} years from {})",
            a.years, a.first_year, b.years, b.first_year
        )));
    }
    let (ma, mb) = (Model::compile(a, &[]), Model::compile(b, &[]));
    let sa = Sampled::new(&ma, seed, samples, "", &a.correlations, None).simulate(None);
    let sb = Sampled::new(&mb, seed, samples, "", &b.correlations, None).simulate(None);
    let layout = sa.layout;
    let labels = crate::plan::year_labels(a.first_year, a.years);
    let replicate_se = |values: &[f64]| {
        let r = layout.replicates;
        let means: Vec<f64> = (0..r)
            .map(|k| {
                let range = layout.range(k);
                let n = range.len().max(1) as f64;
                values[range].iter().sum::<f64>() / n
            })
            .collect();
        let m = means.iter().sum::<f64>() / r as f64;
        let var = means.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (r.max(2) - 1) as f64;
        (var / r as f64).sqrt()
    };
    let years = (0..a.years)
        .map(|t| {
            let (ga, gb) = (&sa.gap[t], &sb.gap[t]);
            let diff: Vec<f64> = gb.iter().zip(ga).map(|(y, x)| y - x).collect();
            let ind: Vec<f64> = gb
                .iter()
                .zip(ga)
                .map(|(y, x)| f64::from(u8::from(*y <= 0.0)) - f64::from(u8::from(*x <= 0.0)))
                .collect();
            let n = diff.len() as f64;
            let share = |g: &[f64]| g.iter().filter(|v| **v <= 0.0).count() as f64 / n;
            let q = quantiles(&diff, &[0.05, 0.1, 0.5, 0.9, 0.95]);
            YearComparison {
                year: labels[t].clone(),
                p_balance_a: share(ga),
                p_balance_b: share(gb),
                p_balance_change: ind.iter().sum::<f64>() / n,
                se_p_balance_change: replicate_se(&ind),
                gap_change: Change {
                    mean: diff.iter().sum::<f64>() / n,
                    se_mean: replicate_se(&diff),
                    p5: q[0],
                    p10: q[1],
                    p50: q[2],
                    p90: q[3],
                    p95: q[4],
                },
            }
        })
        .collect();
    Ok(Comparison { samples, seed, years })
}
