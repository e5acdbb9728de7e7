//! The stress test in the app: `footprint-stress` run in-process (on a blocking thread, never a
//! subprocess), its results kept for a while per plan version, revision and scenario count, and
//! the model's variables and values put into words.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use footprint_domain::plan::PlanDocument;
use footprint_stress::{RunOptions, StressResult};
use serde_json::Value;

use crate::error::AppError;

/// Scenarios for the live run after every edit.
pub const LIVE_SAMPLES: u64 = 20_000;
/// Scenarios for the run on demand.
pub const FULL_SAMPLES: u64 = 1_000_000;

/// Results kept: (plan version row, revision, scenarios) → result.
pub struct Results {
    map: Mutex<HashMap<(i64, i64, u64), Arc<StressResult>>>,
    /// One run of a million at a time: it uses every core for seconds.
    full: tokio::sync::Semaphore,
}

impl Default for Results {
    fn default() -> Self {
        Results {
            map: Mutex::default(),
            full: tokio::sync::Semaphore::new(1),
        }
    }
}

impl Results {
    /// A kept result, if there is one.
    pub fn peek(&self, key: (i64, i64), samples: u64) -> Option<Arc<StressResult>> {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(key.0, key.1, samples))
            .cloned()
    }

    /// Forgets every kept result.
    pub fn forget(&self) {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// The result for a version at a revision, run now if it is not kept.
    pub async fn get(&self, key: (i64, i64), doc: &PlanDocument, samples: u64) -> Result<Arc<StressResult>, AppError> {
        let full_key = (key.0, key.1, samples);
        if let Some(r) = self.map.lock().unwrap_or_else(|e| e.into_inner()).get(&full_key) {
            return Ok(r.clone());
        }
        let _permit = if samples > LIVE_SAMPLES {
            Some(
                self.full
                    .acquire()
                    .await
                    .map_err(|e| AppError::internal(e.to_string()))?,
            )
        } else {
            None
        };
        let plan = doc
            .validate()
            .map_err(|e| AppError::internal(format!("a stored plan does not validate: {e}")))?;
        let result = tokio::task::spawn_blocking(move || {
            let opts = RunOptions {
                samples: Some(samples),
                ..RunOptions::default()
            };
            footprint_stress::run_plan(&plan, &opts)
        })
        .await
        .map_err(|e| AppError::internal(format!("the stress run failed: {e}")))?
        .map_err(|e| AppError::internal(format!("the stress run refused a valid plan: {e}")))?;
        let result = Arc::new(result);
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= 256 {
            map.clear();
        }
        map.insert(full_key, result.clone());
        Ok(result)
    }
}

/// The model's initiatives: id → name.
pub fn initiative_names(model: &Value) -> Vec<(String, String)> {
    model
        .get("initiative")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|i| {
                    (
                        i["id"].as_str().unwrap_or("").to_string(),
                        i["name"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A variable name of spec section 5 in words: `initiative.urgent-care.delivery` becomes
/// "Urgent and emergency care redesign: delivery".
pub fn variable_label(name: &str, initiatives: &[(String, String)], years: &[String]) -> String {
    fn field(f: &str) -> &str {
        match f {
            "slippage_months" => "slippage",
            "recurrent_cost" => "running cost",
            "double_running" => "double running",
            "cost_overrun" => "cost overrun",
            other => other,
        }
    }
    if let Some(rest) = name.strip_prefix("initiative.")
        && let Some((id, f)) = rest.rsplit_once('.')
    {
        let title = initiatives
            .iter()
            .find(|(i, _)| i == id)
            .map_or(id, |(_, n)| n.as_str());
        return format!("{title}: {}", field(f));
    }
    match name {
        "baseline.demand_growth" => "Demand growth".into(),
        "baseline.cost_inflation" => "Cost inflation".into(),
        other => {
            if let Some(k) = other
                .strip_prefix("baseline.funding_growth[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|k| k.parse::<usize>().ok())
            {
                return format!(
                    "Funding growth {}",
                    years.get(k.wrapping_sub(1)).map_or("", String::as_str)
                );
            }
            other
                .strip_prefix("national.")
                .map_or_else(|| other.to_string(), |n| format!("National: {n}"))
        }
    }
}

/// A value of the model (a number or a distribution table) in words; `unit` formats numbers.
pub fn value_label(v: &Value, unit: &dyn Fn(f64) -> String) -> String {
    if let Some(x) = v.as_f64() {
        return unit(x);
    }
    if let Some(word) = v.as_str() {
        return format!("{word} confidence");
    }
    let g = |k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    match v.get("dist").and_then(Value::as_str) {
        Some("fixed") => unit(g("value")),
        Some("uniform") => format!("{} to {}, evenly", unit(g("min")), unit(g("max"))),
        Some("triangular") => format!(
            "{} to {}, most likely {}",
            unit(g("min")),
            unit(g("max")),
            unit(g("mode"))
        ),
        Some("pert") => format!(
            "{} to {}, most likely {} (PERT)",
            unit(g("min")),
            unit(g("max")),
            unit(g("mode"))
        ),
        Some("normal") => format!("about {} give or take {}", unit(g("mean")), unit(g("sd"))),
        Some("lognormal") => format!("lognormal (μ {}, σ {})", g("mu"), g("sigma")),
        _ => v
            .get("national")
            .and_then(Value::as_str)
            .map_or_else(|| v.to_string(), |n| format!("national: {n}")),
    }
}

/// Month m of the plan (0 is April of the first year) as "June 2016".
pub fn month_label(first_year: i64, m: i64) -> String {
    const MONTHS: [&str; 12] = [
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "January",
        "February",
        "March",
    ];
    let k = m.rem_euclid(12) as usize;
    let year = first_year + m.div_euclid(12) + i64::from(k >= 9);
    format!("{} {year}", MONTHS[k])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn words_for_variables_values_and_months() {
        let names = vec![(
            "urgent-care".to_string(),
            "Urgent and emergency care redesign".to_string(),
        )];
        let years = vec!["2016/17".to_string(), "2017/18".to_string()];
        assert_eq!(
            variable_label("initiative.urgent-care.slippage_months", &names, &years),
            "Urgent and emergency care redesign: slippage"
        );
        assert_eq!(
            variable_label("baseline.funding_growth[2]", &names, &years),
            "Funding growth 2017/18"
        );
        assert_eq!(
            variable_label("baseline.demand_growth", &names, &years),
            "Demand growth"
        );
        let m = |x: f64| crate::charts::money(x);
        assert_eq!(value_label(&json!(24.0), &m), "£24.0m");
        assert_eq!(value_label(&json!("medium"), &m), "medium confidence");
        assert_eq!(
            value_label(&json!({"dist": "triangular", "min": 1, "mode": 2, "max": 4}), &m),
            "£1.0m to £4.0m, most likely £2.0m"
        );
        assert_eq!(month_label(2016, 0), "April 2016");
        assert_eq!(month_label(2016, 9), "January 2017");
        assert_eq!(month_label(2016, 12), "April 2017");
        assert_eq!(month_label(2016, 23), "March 2018");
    }
}
