//! The result of a stress run, in the JSON shape of spec section 6.

use serde::{Deserialize, Serialize};

/// Statistics of one quantity in one plan year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearStats {
    /// "2016/17".
    pub year: String,
    /// Mean over scenarios.
    pub mean: f64,
    /// Standard deviation (divisor n − 1).
    pub sd: f64,
    /// 5th percentile (type 7).
    pub p5: f64,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Share of scenarios with a value ≤ 0.
    pub p_balance: f64,
    /// Standard error of `mean`.
    pub se_mean: f64,
    /// Standard error of `p_balance`.
    pub se_p_balance: f64,
}

impl YearStats {
    /// Each figure with its name in the JSON, in the JSON's order.
    pub fn named(&self) -> [(&'static str, f64); 10] {
        [
            ("mean", self.mean),
            ("sd", self.sd),
            ("p5", self.p5),
            ("p10", self.p10),
            ("p50", self.p50),
            ("p90", self.p90),
            ("p95", self.p95),
            ("p_balance", self.p_balance),
            ("se_mean", self.se_mean),
            ("se_p_balance", self.se_p_balance),
        ]
    }
}

/// The final plan year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinalYear {
    /// P(Gap_Y ≤ 0).
    pub p_balance: f64,
    /// Its standard error.
    pub se_p_balance: f64,
    /// Mean of max(Gap_Y, 0).
    pub expected_shortfall: f64,
}

/// One-off capital.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapitalStats {
    /// Mean.
    pub mean: f64,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// The gap with every value at its median.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MedianPlan {
    /// Gap_t per plan year.
    pub gap: Vec<f64>,
}

/// One bar of the tornado.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoBar {
    /// Variable name.
    pub variable: String,
    /// Gap_Y with the variable at its P10.
    pub low: f64,
    /// Gap_Y with the variable at its P90.
    pub high: f64,
    /// |high − low|.
    pub swing: f64,
}

/// Sample Spearman correlation between a variable and Gap_Y.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankCorrelation {
    /// Variable name.
    pub variable: String,
    /// Spearman's rho.
    pub rho: f64,
}

/// A credibility flag (see docs/stress-checks.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// Rule id, e.g. `savings-rate`.
    pub rule: String,
    /// `warning` or `info`.
    pub severity: String,
    /// Plain-English explanation.
    pub message: String,
}

/// The result for one plan (or the national sum).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StressResult {
    /// Always 1.
    pub format: u32,
    /// Footprint name, or "national".
    pub name: String,
    /// Scenario count.
    pub samples: u64,
    /// Seed.
    pub seed: u64,
    /// Sampling method.
    pub method: String,
    /// Year labels.
    pub years: Vec<String>,
    /// Gap_t.
    pub gap: Vec<YearStats>,
    /// DoNothingGap_t.
    pub do_nothing_gap: Vec<YearStats>,
    /// Σ savings.
    pub savings: Vec<YearStats>,
    /// The final year.
    pub final_year: FinalYear,
    /// Capital.
    pub capital: CapitalStats,
    /// Median plan.
    pub median_plan: MedianPlan,
    /// Tornado, largest swing first.
    pub tornado: Vec<TornadoBar>,
    /// Rank correlations, largest |rho| first.
    pub rank_correlation: Vec<RankCorrelation>,
    /// Credibility flags.
    pub flags: Vec<Flag>,
}

impl StressResult {
    /// The first figure that is not a finite number, named as the JSON names it (for example
    /// `gap[2016/17].sd`): amounts so large that the arithmetic overflows give infinities and
    /// NaNs, which are no result. `None` when every figure is finite.
    pub fn first_non_finite(&self) -> Option<String> {
        let years = [
            ("gap", &self.gap),
            ("do_nothing_gap", &self.do_nothing_gap),
            ("savings", &self.savings),
        ];
        for (quantity, rows) in years {
            for y in rows.iter() {
                if let Some((name, _)) = y.named().iter().find(|(_, v)| !v.is_finite()) {
                    return Some(format!("{quantity}[{}].{name}", y.year));
                }
            }
        }
        let f = &self.final_year;
        let c = &self.capital;
        let single = [
            ("final_year.p_balance", f.p_balance),
            ("final_year.se_p_balance", f.se_p_balance),
            ("final_year.expected_shortfall", f.expected_shortfall),
            ("capital.mean", c.mean),
            ("capital.p10", c.p10),
            ("capital.p50", c.p50),
            ("capital.p90", c.p90),
        ];
        if let Some((name, _)) = single.iter().find(|(_, v)| !v.is_finite()) {
            return Some((*name).to_string());
        }
        if let Some((y, _)) = self
            .years
            .iter()
            .zip(&self.median_plan.gap)
            .find(|(_, g)| !g.is_finite())
        {
            return Some(format!("median_plan.gap[{y}]"));
        }
        if let Some(b) = self
            .tornado
            .iter()
            .find(|b| !(b.low.is_finite() && b.high.is_finite() && b.swing.is_finite()))
        {
            return Some(format!("tornado[{}]", b.variable));
        }
        self.rank_correlation
            .iter()
            .find(|r| !r.rho.is_finite())
            .map(|r| format!("rank_correlation[{}]", r.variable))
    }
}

/// The result of national mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NationalResult {
    /// Always 1.
    pub format: u32,
    /// One result per footprint, in file-name order.
    pub footprints: Vec<StressResult>,
    /// The sum of the footprints.
    pub national: StressResult,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(v: f64) -> YearStats {
        YearStats {
            year: "2016/17".into(),
            mean: v,
            sd: 1.0,
            p5: 0.0,
            p10: 0.0,
            p50: 0.0,
            p90: 0.0,
            p95: 0.0,
            p_balance: 0.5,
            se_mean: 0.1,
            se_p_balance: 0.01,
        }
    }

    #[test]
    fn non_finite_figures_are_named() {
        let mut r = StressResult {
            format: 1,
            name: "X".into(),
            samples: 1000,
            seed: 0,
            method: "latin-hypercube".into(),
            years: vec!["2016/17".into()],
            gap: vec![year(1.0)],
            do_nothing_gap: vec![year(2.0)],
            savings: vec![year(3.0)],
            final_year: FinalYear {
                p_balance: 0.5,
                se_p_balance: 0.01,
                expected_shortfall: 1.0,
            },
            capital: CapitalStats {
                mean: 0.0,
                p10: 0.0,
                p50: 0.0,
                p90: 0.0,
            },
            median_plan: MedianPlan { gap: vec![1.0] },
            tornado: vec![TornadoBar {
                variable: "v".into(),
                low: 0.0,
                high: 1.0,
                swing: 1.0,
            }],
            rank_correlation: vec![RankCorrelation {
                variable: "v".into(),
                rho: 0.5,
            }],
            flags: Vec::new(),
        };
        assert_eq!(r.first_non_finite(), None);
        r.tornado[0].high = f64::INFINITY;
        assert_eq!(r.first_non_finite().as_deref(), Some("tornado[v]"));
        r.median_plan.gap[0] = f64::NAN;
        assert_eq!(r.first_non_finite().as_deref(), Some("median_plan.gap[2016/17]"));
        r.do_nothing_gap[0].sd = f64::INFINITY;
        assert_eq!(r.first_non_finite().as_deref(), Some("do_nothing_gap[2016/17].sd"));
    }
}
