//! National guidance: versions of what footprints are asked for, each requirement with its
//! deadline; what changed from one version to the next, in plain words; where a footprint stands
//! on each requirement; and the four-point rating national assurance gives. Pure.

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// One requirement of a guidance version. Its key stays the same across versions, so that
/// changes can be followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// Stable key (`[a-z0-9-]+`).
    pub key: String,
    /// What is required, in a line.
    pub title: String,
    /// The detail.
    pub detail: String,
    /// The deadline, `YYYY-MM-DD`, if there is one.
    pub due_on: Option<String>,
    /// Whether it is met by submitting a plan version.
    pub submission: bool,
}

/// A key from a title: lower case, letters and digits, single hyphens.
pub fn key_of(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-')
        .chars()
        .take(60)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// What changed from one version's requirements to the next, in plain words, in the new
/// version's order (removals last).
pub fn changes(old: &[Requirement], new: &[Requirement]) -> Vec<String> {
    let due = |d: &Option<String>| {
        d.as_deref()
            .map_or_else(|| "no deadline".to_string(), crate::consultation::long_date)
    };
    let mut out = Vec::new();
    for n in new {
        match old.iter().find(|o| o.key == n.key) {
            None => out.push(format!("New: {} (due {})", n.title, due(&n.due_on))),
            Some(o) => {
                if o.title != n.title {
                    out.push(format!("\"{}\" is now \"{}\"", o.title, n.title));
                }
                if o.due_on != n.due_on {
                    out.push(format!(
                        "{}: the deadline moved from {} to {}",
                        n.title,
                        due(&o.due_on),
                        due(&n.due_on)
                    ));
                }
                if o.detail != n.detail {
                    out.push(format!("{}: what is asked for changed", n.title));
                }
                if o.submission != n.submission {
                    out.push(if n.submission {
                        format!("{}: now met by submitting a plan version", n.title)
                    } else {
                        format!("{}: no longer needs a plan submission", n.title)
                    });
                }
            }
        }
    }
    for o in old {
        if !new.iter().any(|n| n.key == o.key) {
            out.push(format!("No longer required: {}", o.title));
        }
    }
    out
}

/// Where a footprint stands on a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Done (or, for a submission, a plan version was submitted against it).
    Done,
    /// Past its deadline and not done.
    Overdue,
    /// Due within two weeks.
    DueSoon,
    /// Due later.
    Upcoming,
    /// No deadline and not done.
    Open,
}

impl Standing {
    /// Where a requirement stands on `today`: done, or by its deadline.
    pub fn of(done: bool, due_on: Option<&str>, today: &str) -> Standing {
        if done {
            return Standing::Done;
        }
        match due_on {
            None => Standing::Open,
            Some(d) if d < today => Standing::Overdue,
            Some(d) => match crate::consultation::days_between(today, d) {
                Some(n) if n <= 14 => Standing::DueSoon,
                _ => Standing::Upcoming,
            },
        }
    }

    /// Words for it.
    pub fn label(self) -> &'static str {
        match self {
            Standing::Done => "Done",
            Standing::Overdue => "Overdue",
            Standing::DueSoon => "Due soon",
            Standing::Upcoming => "Not yet due",
            Standing::Open => "Open",
        }
    }

    /// The NHS.UK tag modifier.
    pub fn tag(self) -> &'static str {
        match self {
            Standing::Done => "nhsuk-tag--green",
            Standing::Overdue => "nhsuk-tag--red",
            Standing::DueSoon => "nhsuk-tag--yellow",
            Standing::Upcoming => "nhsuk-tag--blue",
            Standing::Open => "nhsuk-tag--grey",
        }
    }
}

/// The four-point rating of the STP progress dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    /// Needs most improvement.
    NeedsMostImprovement,
    /// Making progress.
    MakingProgress,
    /// Advanced.
    Advanced,
    /// Outstanding.
    Outstanding,
}

impl Rating {
    /// Every rating, best first.
    pub const ALL: [Rating; 4] = [
        Rating::Outstanding,
        Rating::Advanced,
        Rating::MakingProgress,
        Rating::NeedsMostImprovement,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            Rating::Outstanding => "outstanding",
            Rating::Advanced => "advanced",
            Rating::MakingProgress => "making-progress",
            Rating::NeedsMostImprovement => "needs-most-improvement",
        }
    }

    /// Words for it.
    pub fn label(self) -> &'static str {
        match self {
            Rating::Outstanding => "Outstanding",
            Rating::Advanced => "Advanced",
            Rating::MakingProgress => "Making progress",
            Rating::NeedsMostImprovement => "Needs most improvement",
        }
    }

    /// The NHS.UK tag modifier.
    pub fn tag(self) -> &'static str {
        match self {
            Rating::Outstanding => "nhsuk-tag--green",
            Rating::Advanced => "nhsuk-tag--aqua-green",
            Rating::MakingProgress => "nhsuk-tag--yellow",
            Rating::NeedsMostImprovement => "nhsuk-tag--red",
        }
    }

    /// Parses a key.
    pub fn parse(key: &str) -> Result<Rating, Invalid> {
        Rating::ALL
            .into_iter()
            .find(|r| r.key() == key.trim())
            .ok_or_else(|| Invalid("Choose a rating".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(key: &str, title: &str, due: Option<&str>, submission: bool) -> Requirement {
        Requirement {
            key: key.into(),
            title: title.into(),
            detail: format!("About {title}"),
            due_on: due.map(str::to_string),
            submission,
        }
    }

    #[test]
    fn what_changed_in_plain_words() {
        let old = vec![
            req("draft-plan", "Draft plan", Some("2016-06-30"), true),
            req("finance-template", "Financial template", Some("2016-06-30"), true),
            req("engagement", "Engagement plan", None, false),
        ];
        let mut new = vec![
            req("draft-plan", "Draft plan", Some("2016-10-21"), true),
            req(
                "finance-template",
                "Financial template and activity",
                Some("2016-06-30"),
                true,
            ),
            req("estates", "Estates strategy", Some("2016-12-31"), false),
        ];
        new[1].detail = "More".into();
        assert_eq!(
            changes(&old, &new),
            vec![
                "Draft plan: the deadline moved from 30 June 2016 to 21 October 2016".to_string(),
                "\"Financial template\" is now \"Financial template and activity\"".to_string(),
                "Financial template and activity: what is asked for changed".to_string(),
                "New: Estates strategy (due 31 December 2016)".to_string(),
                "No longer required: Engagement plan".to_string(),
            ]
        );
        assert!(changes(&new, &new).is_empty());
    }

    #[test]
    fn standing_by_the_deadline() {
        let today = "2016-10-10";
        assert_eq!(Standing::of(true, Some("2016-01-01"), today), Standing::Done);
        assert_eq!(Standing::of(false, Some("2016-10-09"), today), Standing::Overdue);
        assert_eq!(Standing::of(false, Some("2016-10-10"), today), Standing::DueSoon);
        assert_eq!(Standing::of(false, Some("2016-10-24"), today), Standing::DueSoon);
        assert_eq!(Standing::of(false, Some("2016-10-25"), today), Standing::Upcoming);
        assert_eq!(Standing::of(false, None, today), Standing::Open);
    }

    #[test]
    fn keys_and_ratings() {
        assert_eq!(key_of("  Draft plan (October) – v2 "), "draft-plan-october-v2");
        assert_eq!(key_of("!!!"), "");
        for r in Rating::ALL {
            assert_eq!(Rating::parse(r.key()), Ok(r));
        }
        assert!(Rating::parse("good").is_err());
        assert!(Rating::Outstanding > Rating::NeedsMostImprovement);
    }
}
