//! Credibility checks on a plan's assumptions. Each rule, its default threshold and its
//! rationale are documented in `docs/stress-checks.md`; thresholds are set with
//! [`CheckSettings`] (on the command line: `--check RULE=VALUE`).

use crate::model::ramp_sum;
use crate::plan::{Confidence, Plan, Setting, Value};
use crate::result::{Flag, StressResult};

/// Thresholds of the credibility checks.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckSettings {
    /// `savings-rate`: largest credible new recurrent savings a year, as a share of spend.
    pub savings_rate: f64,
    /// `unidentified`: largest credible share of savings not yet identified.
    pub unidentified: f64,
    /// `high-confidence`: smallest credible share of savings rated high confidence.
    pub high_confidence: f64,
    /// `long-ramp`: a ramp at least this many months long should carry double running.
    pub long_ramp: f64,
    /// `hockey-stick`: largest credible share of savings landing in the last two years.
    pub hockey_stick: f64,
    /// `balance`: smallest comfortable final-year P(balance).
    pub balance: f64,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings {
            savings_rate: 0.02,
            unidentified: 0.10,
            high_confidence: 0.30,
            long_ramp: 18.0,
            hockey_stick: 0.50,
            balance: 0.50,
        }
    }
}

impl CheckSettings {
    /// Rule names, for messages.
    pub const RULES: [&'static str; 6] = [
        "savings-rate",
        "unidentified",
        "high-confidence",
        "long-ramp",
        "hockey-stick",
        "balance",
    ];

    /// Sets one threshold from `RULE=VALUE`.
    pub fn set(&mut self, spec: &str) -> Result<(), String> {
        let (rule, value) = spec
            .split_once('=')
            .ok_or_else(|| format!("expected RULE=VALUE, found \"{spec}\""))?;
        let v: f64 = value
            .trim()
            .parse()
            .map_err(|_| format!("the value of {rule} must be a number, found \"{value}\""))?;
        if !v.is_finite() || v < 0.0 {
            return Err(format!(
                "the value of {rule} must be a number of 0 or more, found {value}"
            ));
        }
        let share = |v: f64| {
            if v <= 1.0 {
                Ok(v)
            } else {
                Err(format!("{rule} is a share between 0 and 1, found {v}"))
            }
        };
        match rule.trim() {
            "savings-rate" => self.savings_rate = share(v)?,
            "unidentified" => self.unidentified = share(v)?,
            "high-confidence" => self.high_confidence = share(v)?,
            "long-ramp" => self.long_ramp = v,
            "hockey-stick" => self.hockey_stick = share(v)?,
            "balance" => self.balance = share(v)?,
            other => {
                return Err(format!(
                    "unknown check \"{other}\"; expected one of: {}",
                    Self::RULES.join(", ")
                ));
            }
        }
        Ok(())
    }
}

fn median(v: &Value) -> f64 {
    match v {
        Value::Dist(d) => d.median(),
        Value::National(_) => f64::NAN,
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// Planned recurrent saving of each initiative in each year at full delivery and median slippage.
fn planned(plan: &Plan) -> Vec<Vec<f64>> {
    plan.initiatives
        .iter()
        .map(|i| {
            let slip = median(&i.slippage_months);
            let slip = if slip.is_finite() { slip } else { 0.0 };
            let a = f64::from(i.start_month) + slip;
            let s = median(&i.saving);
            (1..=plan.years)
                .map(|t| s * ramp_sum(a, i.ramp_months as f64, t) / 12.0)
                .collect()
        })
        .collect()
}

/// Runs every check on a plan and its result.
pub fn check(plan: &Plan, result: &StressResult, settings: &CheckSettings) -> Vec<Flag> {
    let mut flags = Vec::new();
    let y = plan.years;
    let per_init = planned(plan);
    let total: Vec<f64> = (0..y).map(|t| per_init.iter().map(|p| p[t].max(0.0)).sum()).collect();
    let final_total = total[y - 1];
    let warn = |rule: &str, message: String| Flag {
        rule: rule.into(),
        severity: "warning".into(),
        message,
    };

    // savings-rate: planned savings as a share of do-nothing spend, averaged over the years.
    let b = &plan.baseline;
    let growth = 1.0 + median(&b.demand_growth) + median(&b.cost_inflation);
    if growth.is_finite() && final_total > 0.0 {
        let mut worst = (0.0, 0usize);
        let mut prev = 0.0;
        for (t, &s) in total.iter().enumerate() {
            let spend_t = b.spend * growth.powi(t as i32 + 1);
            let rate = (s - prev) / spend_t;
            if rate > worst.0 {
                worst = (rate, t);
            }
            prev = s;
        }
        let spend_y = b.spend * growth.powi(y as i32);
        let average = final_total / spend_y / y as f64;
        if average > settings.savings_rate {
            flags.push(warn(
                "savings-rate",
                format!(
                    "The plan needs new recurrent savings of {} of spend a year on average (the most, {}, in {}), above the {} a year that NHS bodies have historically delivered.",
                    pct(average),
                    pct(worst.0),
                    result.years[worst.1],
                    pct(settings.savings_rate)
                ),
            ));
        }
    }

    // unidentified: savings still to be found.
    if final_total > 0.0 {
        let unidentified: f64 = plan
            .initiatives
            .iter()
            .zip(&per_init)
            .filter(|(i, _)| i.setting == Setting::Unidentified)
            .map(|(_, p)| p[y - 1].max(0.0))
            .sum();
        let share = unidentified / final_total;
        if share > settings.unidentified {
            flags.push(warn(
                "unidentified",
                format!(
                    "{} of the planned savings (£{:.1}m a year by {}) are not yet identified, more than the {} a credible plan leaves unidentified.",
                    pct(share),
                    unidentified,
                    result.years[y - 1],
                    pct(settings.unidentified)
                ),
            ));
        }

        // high-confidence: savings rated high confidence.
        let high: f64 = plan
            .initiatives
            .iter()
            .zip(&per_init)
            .filter(|(i, _)| is_high_confidence(plan, i))
            .map(|(_, p)| p[y - 1].max(0.0))
            .sum();
        let share = high / final_total;
        if share < settings.high_confidence {
            flags.push(warn(
                "high-confidence",
                format!(
                    "Only {} of the planned savings are rated high confidence; a credible plan has at least {} of its savings at high confidence.",
                    pct(share),
                    pct(settings.high_confidence)
                ),
            ));
        }

        // hockey-stick: most of the savings landing at the end.
        let window = if y >= 3 { 2 } else { 1 };
        if y >= 2 {
            let before = total[y - 1 - window];
            let late = (final_total - before) / final_total;
            if late > settings.hockey_stick {
                let span = if window == 2 {
                    format!("{} and {}", result.years[y - 2], result.years[y - 1])
                } else {
                    result.years[y - 1].clone()
                };
                flags.push(warn(
                    "hockey-stick",
                    format!(
                        "{} of the savings arrive in {span}, the last {} of the plan: a \"hockey stick\" that leaves little time to recover if delivery slips (threshold {}).",
                        pct(late),
                        if window == 2 { "two years" } else { "year" },
                        pct(settings.hockey_stick)
                    ),
                ));
            }
        }
    }

    // long-ramp: long ramps with no double running.
    let long: Vec<&str> = plan
        .initiatives
        .iter()
        .filter(|i| {
            i.ramp_months as f64 >= settings.long_ramp
                && matches!(i.double_running, Value::Dist(d) if d.is_fixed() && d.median() == 0.0)
        })
        .filter(|i| median(&i.saving) > 0.0 && !matches!(i.setting, Setting::Unidentified | Setting::Prevention))
        .map(|i| i.id.as_str())
        .collect();
    if !long.is_empty() {
        flags.push(warn(
            "long-ramp",
            format!(
                "{} ramp{} up over {} months or more with no double running: the old service usually has to keep going while the new one grows ({}).",
                if long.len() == 1 { "One initiative".to_string() } else { format!("{} initiatives", long.len()) },
                if long.len() == 1 { "s" } else { "" },
                settings.long_ramp,
                long.join(", ")
            ),
        ));
    }

    // balance: final-year P(balance).
    if result.final_year.p_balance < settings.balance {
        flags.push(warn(
            "balance",
            format!(
                "The plan balances in {} in only {} of scenarios (±{}); the expected shortfall is £{:.1}m.",
                result.years[y - 1],
                pct(result.final_year.p_balance),
                pct(result.final_year.se_p_balance),
                result.final_year.expected_shortfall
            ),
        ));
    }
    flags
}

/// The checks that apply to a national sum: only `balance` (the others are about one plan).
pub fn check_national(result: &StressResult, settings: &CheckSettings) -> Vec<Flag> {
    let y = result.years.len();
    if result.final_year.p_balance < settings.balance {
        vec![Flag {
            rule: "balance".into(),
            severity: "warning".into(),
            message: format!(
                "The footprints together balance in {} in only {} of scenarios (±{}); the expected national shortfall is £{:.1}m.",
                result.years[y - 1],
                pct(result.final_year.p_balance),
                pct(result.final_year.se_p_balance),
                result.final_year.expected_shortfall
            ),
        }]
    } else {
        Vec::new()
    }
}

/// Rated high confidence: the word `high`, or a delivery whose P10 is at least 0.7 (the default
/// `high` row's minimum).
fn is_high_confidence(_plan: &Plan, i: &crate::plan::Initiative) -> bool {
    if let Some(w) = i.delivery_word {
        return w == Confidence::High;
    }
    match &i.delivery {
        Value::Dist(d) => d.quantile(0.1) >= 0.7,
        Value::National(_) => false,
    }
}
