//! The national dashboard's ratings: the four-point scale of the STP progress dashboard, worked
//! out from indicators in four areas (finance, engagement, governance, delivery), each shown with
//! the rating, so that no rating is a finance-only judgement. Pure.

use serde::Serialize;

use crate::guidance::Rating;

/// What is known of a footprint.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Indicators {
    /// P(balance) in the final year, from the latest national run.
    pub p_balance: Option<f64>,
    /// Share of the footprint's stakeholder groups engaged at "involve" or deeper; none when no
    /// engagement has been recorded at all.
    pub engagement: Option<f64>,
    /// Whether a decision-making body with a rule is set up.
    pub has_body: bool,
    /// Decisions recorded.
    pub decisions: i64,
    /// Milestones in the plan, and how many are late.
    pub milestones: Option<(usize, usize)>,
}

/// One area's score (0 to 3) and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    /// Finance, engagement, governance or delivery.
    pub name: &'static str,
    /// 0 (worst) to 3 (best); none when nothing is known.
    pub score: Option<u8>,
    /// Why, in words.
    pub why: String,
}

/// A footprint's rating and the areas behind it; no rating when fewer than three areas are
/// known (in particular, never on the finances alone).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The rating, if there is enough to rate.
    pub rating: Option<Rating>,
    /// The areas.
    pub areas: Vec<Area>,
}

fn band(x: f64, cuts: [f64; 3]) -> u8 {
    if x >= cuts[2] {
        3
    } else if x >= cuts[1] {
        2
    } else if x >= cuts[0] {
        1
    } else {
        0
    }
}

/// Rates a footprint. Finance: the chance of balance (0.5, 0.25, 0.1 for 3, 2, 1). Engagement:
/// the share of groups involved or deeper (0.75, 0.5, 0.25). Governance: a body with a rule and
/// decisions recorded (3), a body only (1), none (0). Delivery: the share of milestones not late
/// (0.9, 0.75, 0.5). The rating is the mean of the known areas: 2.5 or more outstanding, 1.75
/// advanced, 1 making progress, below that needs most improvement.
pub fn assess(i: &Indicators) -> Assessment {
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    let finance = Area {
        name: "Finance",
        score: i.p_balance.map(|p| band(p, [0.1, 0.25, 0.5])),
        why: i.p_balance.map_or_else(
            || "No national run with this footprint's plan yet".to_string(),
            |p| format!("{} chance of balance in the final year", pct(p)),
        ),
    };
    let engagement = Area {
        name: "Engagement",
        score: i.engagement.map(|e| band(e, [0.25, 0.5, 0.75])),
        why: i.engagement.map_or_else(
            || "No stakeholder groups recorded".to_string(),
            |e| format!("{} of stakeholder groups involved or deeper", pct(e)),
        ),
    };
    let governance = Area {
        name: "Governance",
        // Nothing set up and nothing decided is not known to be weak: it is not known.
        score: match (i.has_body, i.decisions) {
            (true, d) if d > 0 => Some(3),
            (true, _) => Some(1),
            (false, d) if d > 0 => Some(1),
            _ => None,
        },
        why: if i.has_body {
            format!("A decision-making body with a rule; {} decisions recorded", i.decisions)
        } else {
            "No decision-making body set up".to_string()
        },
    };
    let delivery = Area {
        name: "Delivery",
        score: i
            .milestones
            .filter(|(n, _)| *n > 0)
            .map(|(n, late)| band(1.0 - late as f64 / n as f64, [0.5, 0.75, 0.9])),
        why: match i.milestones {
            Some((n, late)) if n > 0 => format!("{late} of {n} milestones late"),
            _ => "No milestones in the plan".to_string(),
        },
    };
    let areas = vec![finance, engagement, governance, delivery];
    let known: Vec<u8> = areas.iter().filter_map(|a| a.score).collect();
    let rating = (known.len() >= 3).then(|| {
        let mean = known.iter().map(|s| f64::from(*s)).sum::<f64>() / known.len() as f64;
        if mean >= 2.5 {
            Rating::Outstanding
        } else if mean >= 1.75 {
            Rating::Advanced
        } else if mean >= 1.0 {
            Rating::MakingProgress
        } else {
            Rating::NeedsMostImprovement
        }
    });
    Assessment { rating, areas }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_rest_on_more_than_the_finances() {
        let strong = Indicators {
            p_balance: Some(0.6),
            engagement: Some(0.8),
            has_body: true,
            decisions: 4,
            milestones: Some((10, 0)),
        };
        assert_eq!(assess(&strong).rating, Some(Rating::Outstanding));
        // Finances alone do not rate a footprint.
        let finance_only = Indicators {
            p_balance: Some(0.9),
            ..Default::default()
        };
        let a = assess(&finance_only);
        assert_eq!(a.areas[2].score, None, "no body and no decisions: governance not known");
        assert_eq!(a.rating, None, "finance alone is not rated");
        let two = Indicators {
            p_balance: Some(0.9),
            has_body: true,
            decisions: 1,
            ..Default::default()
        };
        assert_eq!(
            assess(&two).rating,
            None,
            "finance and governance only: two areas, not rated"
        );
        // Balanced books with no engagement and late delivery: 3 + 0 + 1 + 0 = 4 / 4, making
        // progress at best.
        let books_only = Indicators {
            p_balance: Some(0.9),
            engagement: Some(0.1),
            has_body: true,
            decisions: 0,
            milestones: Some((10, 6)),
        };
        assert_eq!(assess(&books_only).rating, Some(Rating::MakingProgress));
        let weak = Indicators {
            p_balance: Some(0.05),
            engagement: Some(0.1),
            has_body: true,
            decisions: 0,
            milestones: Some((10, 6)),
        };
        assert_eq!(assess(&weak).rating, Some(Rating::NeedsMostImprovement));
        let middling = Indicators {
            p_balance: Some(0.3),
            engagement: Some(0.55),
            has_body: true,
            decisions: 2,
            milestones: Some((8, 1)),
        };
        // 2 + 2 + 3 + 2 = 9 / 4 = 2.25: advanced.
        assert_eq!(assess(&middling).rating, Some(Rating::Advanced));
        assert_eq!(assess(&middling).areas[3].why, "1 of 8 milestones late");
    }
}
