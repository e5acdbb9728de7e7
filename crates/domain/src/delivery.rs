//! Delivery: where each milestone stands, and the savings an initiative was planned to bring in
//! each year against what it has brought in. Pure.

use footprint_stress::plan::{Plan, Value};
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// Where a milestone stands (the NHS.UK tag for each is [`MilestoneStatus::tag`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MilestoneStatus {
    /// Work has not started.
    NotStarted,
    /// On track to be met by its date.
    OnTrack,
    /// At risk of missing its date.
    AtRisk,
    /// Past its date and not done.
    Late,
    /// Done.
    Done,
}

impl MilestoneStatus {
    /// Every status, in order.
    pub const ALL: [MilestoneStatus; 5] = [
        MilestoneStatus::NotStarted,
        MilestoneStatus::OnTrack,
        MilestoneStatus::AtRisk,
        MilestoneStatus::Late,
        MilestoneStatus::Done,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            MilestoneStatus::NotStarted => "not-started",
            MilestoneStatus::OnTrack => "on-track",
            MilestoneStatus::AtRisk => "at-risk",
            MilestoneStatus::Late => "late",
            MilestoneStatus::Done => "done",
        }
    }

    /// Words for it.
    pub fn label(self) -> &'static str {
        match self {
            MilestoneStatus::NotStarted => "Not started",
            MilestoneStatus::OnTrack => "On track",
            MilestoneStatus::AtRisk => "At risk",
            MilestoneStatus::Late => "Late",
            MilestoneStatus::Done => "Done",
        }
    }

    /// The NHS.UK tag modifier.
    pub fn tag(self) -> &'static str {
        match self {
            MilestoneStatus::NotStarted => "nhsuk-tag--grey",
            MilestoneStatus::OnTrack => "nhsuk-tag--blue",
            MilestoneStatus::AtRisk => "nhsuk-tag--yellow",
            MilestoneStatus::Late => "nhsuk-tag--red",
            MilestoneStatus::Done => "nhsuk-tag--green",
        }
    }

    /// Parses a key.
    pub fn parse(key: &str) -> Result<Self, Invalid> {
        MilestoneStatus::ALL
            .into_iter()
            .find(|s| s.key() == key.trim())
            .ok_or_else(|| Invalid("Choose where the milestone stands".into()))
    }
}

/// The status to show: a milestone past its due date that is not done is late, whatever was
/// last recorded; a milestone marked done in the plan is done. Dates are `YYYY-MM-DD` and
/// compare as text.
pub fn effective(recorded: Option<MilestoneStatus>, done_in_plan: bool, due: &str, today: &str) -> MilestoneStatus {
    if done_in_plan || recorded == Some(MilestoneStatus::Done) {
        return MilestoneStatus::Done;
    }
    if due < today {
        return MilestoneStatus::Late;
    }
    recorded.unwrap_or(MilestoneStatus::NotStarted)
}

/// The savings each initiative was planned to bring in, by plan year (£m): its saving at full
/// effect (the central value) phased by its planned start and ramp (spec section 4, with no
/// slippage and the whole saving delivered). National values count as zero.
pub fn planned_savings(plan: &Plan) -> Vec<(String, Vec<f64>)> {
    let central = |v: &Value| match v {
        Value::Dist(d) => d.median(),
        Value::National(_) => 0.0,
    };
    plan.initiatives
        .iter()
        .map(|i| {
            let saving = central(&i.saving);
            let a = f64::from(i.start_month);
            let r = i.ramp_months.max(1) as f64;
            let by_year = (1..=plan.years)
                .map(|t| saving * footprint_stress::model::ramp_sum(a, r, t) / 12.0)
                .collect();
            (i.id.clone(), by_year)
        })
        .collect()
}

/// Reads an amount of money in £m from a form: a number, at most two decimal places, from
/// −10,000 to 10,000.
pub fn parse_amount(text: &str) -> Result<f64, Invalid> {
    let t = text
        .trim()
        .trim_start_matches('£')
        .trim_end_matches('m')
        .replace(',', "");
    let bad = || Invalid("Enter the amount in £ millions, for example 2.5".into());
    let v: f64 = t.trim().parse().map_err(|_| bad())?;
    if !v.is_finite() || v.abs() > 10_000.0 {
        return Err(bad());
    }
    if t.split_once('.').is_some_and(|(_, d)| d.trim().len() > 2) {
        return Err(Invalid("Give the amount to at most two decimal places".into()));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_is_worked_out_from_the_date() {
        use MilestoneStatus::*;
        let today = "2017-04-01";
        // (recorded, done in plan, due, shown)
        let table = [
            (None, false, "2017-06-30", NotStarted),
            (Some(OnTrack), false, "2017-06-30", OnTrack),
            (Some(AtRisk), false, "2017-04-01", AtRisk),
            (Some(OnTrack), false, "2017-03-31", Late),
            (None, false, "2016-12-31", Late),
            (Some(Done), false, "2016-12-31", Done),
            (None, true, "2016-12-31", Done),
            (Some(Late), false, "2017-09-30", Late),
        ];
        for (recorded, done, due, want) in table {
            assert_eq!(effective(recorded, done, due, today), want, "{recorded:?} {due}");
        }
        for s in MilestoneStatus::ALL {
            assert_eq!(MilestoneStatus::parse(s.key()), Ok(s));
        }
        assert!(MilestoneStatus::parse("fine").is_err());
    }

    #[test]
    fn planned_savings_follow_the_start_and_ramp() {
        let plan = footprint_stress::engine::parse_plan(
            r#"
format = 1
name = "Test"
first_year = 2016
years = 3
[baseline]
funding = 100.0
spend = 100.0
funding_growth = [0.0, 0.0, 0.0]
demand_growth = 0.0
cost_inflation = 0.0
[[initiative]]
id = "a"
name = "A"
setting = "acute"
saving = 12.0
start_month = 6
ramp_months = 12
delivery = 1.0
"#,
            "t.toml",
        )
        .unwrap();
        let p = planned_savings(&plan);
        assert_eq!(p[0].0, "a");
        // φ(m) = min(1, max(0, (m + 1 − 6)/12)), summed month by month: year 1 gets 0 + … +
        // 6/12 = 21/12 of a month's saving (£1m a month at full effect), so £1.75m.
        let phi = |m: f64| ((m + 1.0 - 6.0) / 12.0).clamp(0.0, 1.0);
        for (t, got) in p[0].1.iter().enumerate() {
            let want: f64 = (0..12).map(|k| phi((12 * t + k) as f64)).sum::<f64>();
            assert!((got - want).abs() < 1e-9, "year {}: {got} against {want}", t + 1);
        }
        assert!((p[0].1[0] - 1.75).abs() < 1e-9);
        assert!((p[0].1[2] - 12.0).abs() < 1e-9);
    }

    #[test]
    fn amounts_are_read_in_millions() {
        assert_eq!(parse_amount("2.5"), Ok(2.5));
        assert_eq!(parse_amount("£1,200.25m"), Ok(1200.25));
        assert_eq!(parse_amount("-0.4"), Ok(-0.4));
        assert!(parse_amount("lots").is_err());
        assert!(parse_amount("1.234").is_err());
        assert!(parse_amount("20000").is_err());
        assert!(parse_amount("NaN").is_err());
    }
}
