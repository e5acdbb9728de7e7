//! The plan of spec section 3, as validated domain types: a `Plan` can only be built valid.

use crate::dist::Dist;

/// An uncertain value: a distribution, or a national variable's draw (national mode only).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A distribution (fixed values are `Dist::Fixed`).
    Dist(Dist),
    /// `{ national = "name" }`.
    National(String),
}

impl Value {
    /// A fixed value.
    pub fn fixed(v: f64) -> Self {
        Value::Dist(Dist::Fixed(v))
    }

    /// True for a fixed value.
    pub fn is_fixed(&self) -> bool {
        matches!(self, Value::Dist(Dist::Fixed(_)))
    }
}

/// Care settings of an initiative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Setting {
    Acute,
    Community,
    Primary,
    MentalHealth,
    SocialCare,
    Prevention,
    Specialised,
    Corporate,
    Unidentified,
}

impl Setting {
    /// Every setting, in the spec's order.
    pub const ALL: [Setting; 9] = [
        Setting::Acute,
        Setting::Community,
        Setting::Primary,
        Setting::MentalHealth,
        Setting::SocialCare,
        Setting::Prevention,
        Setting::Specialised,
        Setting::Corporate,
        Setting::Unidentified,
    ];

    /// The word used in plan files.
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::Acute => "acute",
            Setting::Community => "community",
            Setting::Primary => "primary",
            Setting::MentalHealth => "mental-health",
            Setting::SocialCare => "social-care",
            Setting::Prevention => "prevention",
            Setting::Specialised => "specialised",
            Setting::Corporate => "corporate",
            Setting::Unidentified => "unidentified",
        }
    }

    /// Reads a plan-file word.
    pub fn parse(s: &str) -> Option<Self> {
        Setting::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A confidence word for delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Confidence {
    High,
    Medium,
    Low,
}

impl Confidence {
    /// The word used in plan files.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }

    /// Reads a plan-file word.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "high" => Some(Confidence::High),
            "medium" => Some(Confidence::Medium),
            "low" => Some(Confidence::Low),
            _ => None,
        }
    }
}

/// The `[confidence]` table: the PERT meaning of each word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConfidenceTable {
    /// `high`: default PERT(0.7, 0.9, 1.0).
    pub high: Dist,
    /// `medium`: default PERT(0.4, 0.7, 0.95).
    pub medium: Dist,
    /// `low`: default PERT(0.1, 0.4, 0.8).
    pub low: Dist,
}

impl Default for ConfidenceTable {
    fn default() -> Self {
        ConfidenceTable {
            high: Dist::Pert {
                min: 0.7,
                mode: 0.9,
                max: 1.0,
            },
            medium: Dist::Pert {
                min: 0.4,
                mode: 0.7,
                max: 0.95,
            },
            low: Dist::Pert {
                min: 0.1,
                mode: 0.4,
                max: 0.8,
            },
        }
    }
}

impl ConfidenceTable {
    /// The distribution a word stands for.
    pub fn get(&self, c: Confidence) -> Dist {
        match c {
            Confidence::High => self.high,
            Confidence::Medium => self.medium,
            Confidence::Low => self.low,
        }
    }
}

/// `[run]`: defaults for the command line.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RunSettings {
    /// Scenario count, 1000..=10_000_000.
    pub samples: Option<u64>,
    /// Seed.
    pub seed: Option<u64>,
}

/// `[baseline]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// £m recurrent funding in the base year.
    pub funding: f64,
    /// £m do-nothing spend in the base year.
    pub spend: f64,
    /// One value per plan year.
    pub funding_growth: Vec<Value>,
    /// Demand growth a year.
    pub demand_growth: Value,
    /// Cost inflation a year.
    pub cost_inflation: Value,
    /// £m other income per plan year.
    pub other_income: Vec<f64>,
}

/// One `[[initiative]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Initiative {
    /// Unique id, `[a-z0-9-]+`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Care setting.
    pub setting: Setting,
    /// £m a year at full effect.
    pub saving: Value,
    /// Planned start month.
    pub start_month: u32,
    /// Months from start to full effect.
    pub ramp_months: u64,
    /// Share of the saving realised.
    pub delivery: Value,
    /// The confidence word, when delivery was given as one.
    pub delivery_word: Option<Confidence>,
    /// Months of slippage.
    pub slippage_months: Value,
    /// £m a year of new running cost.
    pub recurrent_cost: Value,
    /// £m a year of old service kept while the new one ramps.
    pub double_running: Value,
    /// £m one-off capital.
    pub capital: Value,
    /// Multiplier on the three costs.
    pub cost_overrun: Value,
}

/// One `[[correlation]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    /// The two variable names.
    pub variables: [String; 2],
    /// Target Spearman rank correlation.
    pub rank: f64,
}

/// A validated plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Footprint name.
    pub name: String,
    /// ONS code, optional.
    pub code: Option<String>,
    /// First plan year (2016 means 2016/17).
    pub first_year: i32,
    /// Number of plan years.
    pub years: usize,
    /// `[run]`.
    pub run: RunSettings,
    /// `[baseline]`.
    pub baseline: Baseline,
    /// `[confidence]` with defaults filled in.
    pub confidence: ConfidenceTable,
    /// Initiatives in file order.
    pub initiatives: Vec<Initiative>,
    /// Correlations in file order.
    pub correlations: Vec<Correlation>,
}

impl Plan {
    /// Year labels: "2016/17", ...
    pub fn year_labels(&self) -> Vec<String> {
        year_labels(self.first_year, self.years)
    }

    /// Every value of the plan with its variable name (spec section 5), in a stable order:
    /// baseline first, then initiatives in file order.
    pub fn named_values(&self) -> Vec<(String, &Value)> {
        let mut out = Vec::new();
        let b = &self.baseline;
        out.push(("baseline.demand_growth".to_string(), &b.demand_growth));
        out.push(("baseline.cost_inflation".to_string(), &b.cost_inflation));
        for (k, v) in b.funding_growth.iter().enumerate() {
            out.push((format!("baseline.funding_growth[{}]", k + 1), v));
        }
        for i in &self.initiatives {
            for (field, v) in [
                ("saving", &i.saving),
                ("delivery", &i.delivery),
                ("slippage_months", &i.slippage_months),
                ("recurrent_cost", &i.recurrent_cost),
                ("double_running", &i.double_running),
                ("capital", &i.capital),
                ("cost_overrun", &i.cost_overrun),
            ] {
                out.push((format!("initiative.{}.{}", i.id, field), v));
            }
        }
        out
    }
}

/// Year labels for `years` plan years from `first_year`.
pub fn year_labels(first_year: i32, years: usize) -> Vec<String> {
    (0..years)
        .map(|k| {
            let y = first_year + k as i32;
            format!("{}/{:02}", y, (y + 1).rem_euclid(100))
        })
        .collect()
}

/// National variables from `national.toml` (spec section 7).
#[derive(Debug, Clone, PartialEq)]
pub struct NationalSpec {
    /// `[run]`.
    pub run: RunSettings,
    /// Variables by name (without the `national.` prefix), in file order.
    pub variables: Vec<(String, Dist)>,
    /// Correlations between national variables.
    pub correlations: Vec<Correlation>,
}
