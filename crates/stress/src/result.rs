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
