//! Engagement: who was involved, how deeply (the IAP2 spectrum), on which parts of the plan, and
//! whether before or after the options closed. Pure: the coverage and the plain-words gaps are
//! computed from the log.

use serde::{Deserialize, Serialize};

/// Depth of engagement on the IAP2 spectrum of public participation, shallowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Depth {
    /// Told what is happening.
    Inform,
    /// Asked for views on proposals.
    Consult,
    /// Worked with throughout, so that concerns are understood and considered.
    Involve,
    /// Partners in each part of the decision, options included.
    Collaborate,
    /// The final decision is in their hands.
    Empower,
}

impl Depth {
    /// Every depth, shallowest first.
    pub const ALL: [Depth; 5] = [
        Depth::Inform,
        Depth::Consult,
        Depth::Involve,
        Depth::Collaborate,
        Depth::Empower,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            Depth::Inform => "inform",
            Depth::Consult => "consult",
            Depth::Involve => "involve",
            Depth::Collaborate => "collaborate",
            Depth::Empower => "empower",
        }
    }

    /// Parses a key.
    pub fn parse(key: &str) -> Option<Self> {
        Depth::ALL.into_iter().find(|d| d.key() == key.trim())
    }

    /// The name on the spectrum: "Inform", "Consult", …
    pub fn label(self) -> &'static str {
        match self {
            Depth::Inform => "Inform",
            Depth::Consult => "Consult",
            Depth::Involve => "Involve",
            Depth::Collaborate => "Collaborate",
            Depth::Empower => "Empower",
        }
    }

    /// What it means, for a hint.
    pub fn meaning(self) -> &'static str {
        match self {
            Depth::Inform => "told what is happening",
            Depth::Consult => "asked for views on proposals",
            Depth::Involve => "worked with throughout, so that their concerns shape the options",
            Depth::Collaborate => "partners in each part of the decision, developing the options",
            Depth::Empower => "the final decision is in their hands",
        }
    }

    /// The word, lower case, as it reads in a sentence.
    pub fn word(self) -> &'static str {
        match self {
            Depth::Inform => "informed",
            Depth::Consult => "consulted",
            Depth::Involve => "involved",
            Depth::Collaborate => "collaborated with",
            Depth::Empower => "empowered to decide",
        }
    }
}

/// How an activity reached people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// A meeting.
    Meeting,
    /// A workshop.
    Workshop,
    /// A survey.
    Survey,
    /// A public event.
    PublicEvent,
    /// Online.
    Online,
    /// A formal public consultation.
    FormalConsultation,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 6] = [
        Method::Meeting,
        Method::Workshop,
        Method::Survey,
        Method::PublicEvent,
        Method::Online,
        Method::FormalConsultation,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            Method::Meeting => "meeting",
            Method::Workshop => "workshop",
            Method::Survey => "survey",
            Method::PublicEvent => "public-event",
            Method::Online => "online",
            Method::FormalConsultation => "formal-consultation",
        }
    }

    /// Words for it.
    pub fn label(self) -> &'static str {
        match self {
            Method::Meeting => "Meeting",
            Method::Workshop => "Workshop",
            Method::Survey => "Survey",
            Method::PublicEvent => "Public event",
            Method::Online => "Online",
            Method::FormalConsultation => "Formal consultation",
        }
    }

    /// Parses a key.
    pub fn parse(key: &str) -> Option<Self> {
        Method::ALL.into_iter().find(|m| m.key() == key.trim())
    }
}

/// The stakeholder groups every footprint starts with (a footprint adds its own sub-groups, such
/// as carers, young people or a locality, under patients and the public).
pub const DEFAULT_GROUPS: [&str; 13] = [
    "Patients and the public",
    "Healthwatch",
    "Council officers",
    "Elected members",
    "Health and wellbeing board",
    "Overview and scrutiny committee",
    "GPs and primary care",
    "Clinicians",
    "Frontline staff",
    "Foundation trust governors",
    "Voluntary and community sector",
    "NHS providers",
    "CCGs",
];

/// One engagement activity, as far as coverage needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// When, `YYYY-MM-DD`.
    pub date: String,
    /// How deep it went.
    pub depth: Depth,
    /// Which groups it reached.
    pub groups: Vec<String>,
    /// Which plan areas it covered (priority or initiative ids).
    pub areas: Vec<String>,
}

/// The deepest engagement of a group on an area so far, if any.
pub fn deepest(log: &[Activity], group: &str, area: &str) -> Option<Depth> {
    log.iter()
        .filter(|a| a.groups.iter().any(|g| g == group) && a.areas.iter().any(|x| x == area))
        .map(|a| a.depth)
        .max()
}

/// A group's coverage in plain words: "Patients and the public: informed only, on 3 of 5
/// priorities", or none when it was involved or deeper on every area.
pub fn gap_in_words(log: &[Activity], group: &str, areas: &[String], noun: &str) -> Option<String> {
    let depths: Vec<Option<Depth>> = areas.iter().map(|a| deepest(log, group, a)).collect();
    let reached = depths.iter().filter(|d| d.is_some()).count();
    let deepest_any = depths.iter().flatten().max().copied();
    match deepest_any {
        None => Some(format!("{group}: not engaged on any of the {} {noun}", areas.len())),
        Some(d) if d < Depth::Involve => Some(format!(
            "{group}: {} only, on {reached} of {} {noun}",
            d.word(),
            areas.len()
        )),
        Some(_) => {
            let shallow = depths.iter().filter(|d| d.is_none_or(|d| d < Depth::Involve)).count();
            (shallow > 0).then(|| {
                format!(
                    "{group}: involved or deeper on {} of {} {noun}",
                    areas.len() - shallow,
                    areas.len()
                )
            })
        }
    }
}

/// Whether a group was engaged on an area while options were still open (on or before the date
/// the options closed), only after, or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Timing {
    /// Engaged while options were open.
    Early,
    /// Engaged only after the options closed.
    Late,
    /// Not engaged.
    Never,
}

/// The timing of a group's engagement on an area whose options closed on `closed` (YYYY-MM-DD;
/// ISO dates compare as text).
pub fn timing(log: &[Activity], group: &str, area: &str, closed: &str) -> Timing {
    let dates: Vec<&str> = log
        .iter()
        .filter(|a| a.groups.iter().any(|g| g == group) && a.areas.iter().any(|x| x == area))
        .map(|a| a.date.as_str())
        .collect();
    if dates.is_empty() {
        Timing::Never
    } else if dates.iter().any(|d| *d <= closed) {
        Timing::Early
    } else {
        Timing::Late
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(date: &str, depth: Depth, groups: &[&str], areas: &[&str]) -> Activity {
        Activity {
            date: date.into(),
            depth,
            groups: groups.iter().map(|s| s.to_string()).collect(),
            areas: areas.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn coverage_in_plain_words() {
        let areas: Vec<String> = ["a", "b", "c", "d", "e"].iter().map(|s| s.to_string()).collect();
        let log = vec![
            act(
                "2016-05-01",
                Depth::Inform,
                &["Patients and the public"],
                &["a", "b", "c"],
            ),
            act(
                "2016-06-01",
                Depth::Collaborate,
                &["Clinicians"],
                &["a", "b", "c", "d", "e"],
            ),
            act("2016-06-02", Depth::Involve, &["Healthwatch"], &["a"]),
        ];
        assert_eq!(
            gap_in_words(&log, "Patients and the public", &areas, "priorities").as_deref(),
            Some("Patients and the public: informed only, on 3 of 5 priorities")
        );
        assert_eq!(gap_in_words(&log, "Clinicians", &areas, "priorities"), None);
        assert_eq!(
            gap_in_words(&log, "Healthwatch", &areas, "priorities").as_deref(),
            Some("Healthwatch: involved or deeper on 1 of 5 priorities")
        );
        assert_eq!(
            gap_in_words(&log, "CCGs", &areas, "priorities").as_deref(),
            Some("CCGs: not engaged on any of the 5 priorities")
        );
        assert_eq!(deepest(&log, "Clinicians", "e"), Some(Depth::Collaborate));
    }

    #[test]
    fn early_or_late() {
        let log = vec![
            act("2016-05-01", Depth::Consult, &["Elected members"], &["beds"]),
            act("2016-09-01", Depth::Inform, &["Patients and the public"], &["beds"]),
        ];
        assert_eq!(timing(&log, "Elected members", "beds", "2016-06-30"), Timing::Early);
        assert_eq!(
            timing(&log, "Patients and the public", "beds", "2016-06-30"),
            Timing::Late
        );
        assert_eq!(timing(&log, "CCGs", "beds", "2016-06-30"), Timing::Never);
        assert!(Depth::Inform < Depth::Empower && Depth::ALL.len() == 5);
    }
}
