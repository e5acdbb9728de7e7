//! Governance: how a footprint's bodies decide together. A body has a form (advisory group,
//! committees in common, joint committee, lead provider) and a decision rule (consensus,
//! unanimity or a qualified majority), a quorum, and the members whose consent is required on
//! certain subjects (councils on social care, every statutory commissioner on a commissioning
//! decision). [`outcome`] applies the rule to the members' responses. Pure.

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// The legal form of a footprint's decision-making body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyForm {
    /// An advisory group: members' own boards decide.
    AdvisoryGroup,
    /// Committees in common: each member's committee meets together and decides for its body.
    CommitteesInCommon,
    /// A joint committee with delegated powers.
    JointCommittee,
    /// A lead provider holding the contract for the others.
    LeadProvider,
}

impl BodyForm {
    /// Every form.
    pub const ALL: [BodyForm; 4] = [
        BodyForm::AdvisoryGroup,
        BodyForm::CommitteesInCommon,
        BodyForm::JointCommittee,
        BodyForm::LeadProvider,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            BodyForm::AdvisoryGroup => "advisory-group",
            BodyForm::CommitteesInCommon => "committees-in-common",
            BodyForm::JointCommittee => "joint-committee",
            BodyForm::LeadProvider => "lead-provider",
        }
    }

    /// Words for it.
    pub fn label(self) -> &'static str {
        match self {
            BodyForm::AdvisoryGroup => "Advisory group",
            BodyForm::CommitteesInCommon => "Committees in common",
            BodyForm::JointCommittee => "Joint committee",
            BodyForm::LeadProvider => "Lead provider",
        }
    }

    /// Parses a key.
    pub fn parse(key: &str) -> Option<Self> {
        BodyForm::ALL.into_iter().find(|f| f.key() == key.trim())
    }
}

/// How a body reaches a decision.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Rule {
    /// Carried unless a member present blocks; objections are recorded as dissent.
    Consensus,
    /// Carried only if no member present objects or blocks (abstaining is allowed).
    Unanimity,
    /// Carried if consents are at least `threshold` (a share, 0.5–1) of the votes cast
    /// (consents, objections and blocks; abstentions are not votes).
    QualifiedMajority {
        /// The share needed.
        threshold: f64,
    },
}

impl Rule {
    /// In words.
    pub fn words(self) -> String {
        match self {
            Rule::Consensus => "Consensus: carried unless a member blocks".into(),
            Rule::Unanimity => "Unanimity: carried only if no member objects".into(),
            Rule::QualifiedMajority { threshold } => format!(
                "Qualified majority: carried with at least {:.0}% of the votes cast",
                threshold * 100.0
            ),
        }
    }
}

/// A member's response to a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "reason")]
pub enum Response {
    /// Agrees.
    Consent,
    /// Disagrees, with a reason; under consensus the decision can still be carried.
    Object(String),
    /// Takes no side.
    Abstain,
    /// Stops the decision, with a reason (under consensus); otherwise counts as an objection.
    Block(String),
}

impl Response {
    fn is_against(&self) -> bool {
        matches!(self, Response::Object(_) | Response::Block(_))
    }
}

/// A body's rule with its quorum and required consents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRule {
    /// How it decides.
    pub rule: Rule,
    /// How many members must respond (any response, abstaining included) for a decision.
    pub quorum: usize,
    /// Subjects on which named members must consent: (subject, member ids).
    pub required: Vec<(String, Vec<i64>)>,
}

/// What became of a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Outcome {
    /// Decided.
    Carried,
    /// Not carried under the rule.
    NotCarried,
    /// Stopped by a block.
    Blocked,
    /// Too few members responded.
    NoQuorum,
    /// A member whose consent the subject needs did not give it.
    ConsentMissing,
}

impl Outcome {
    /// Words for it.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Carried => "Carried",
            Outcome::NotCarried => "Not carried",
            Outcome::Blocked => "Blocked",
            Outcome::NoQuorum => "No quorum",
            Outcome::ConsentMissing => "Required consent missing",
        }
    }
}

/// The outcome with its reasons, who agreed and who dissented (member id and reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// What became of it.
    pub outcome: Outcome,
    /// Why, in words.
    pub reasons: Vec<String>,
    /// Members who consented.
    pub agreed: Vec<i64>,
    /// Members who objected or blocked, with their reasons.
    pub dissented: Vec<(i64, String)>,
    /// Members who abstained.
    pub abstained: Vec<i64>,
}

/// Applies a body's rule to the responses of its members on a proposal about `subjects`.
/// `members` are every member's id and name; responses from non-members are ignored (the store
/// refuses them before this point).
pub fn outcome(
    rule: &DecisionRule,
    members: &[(i64, String)],
    responses: &[(i64, Response)],
    subjects: &[String],
) -> Decision {
    let name = |id: i64| {
        members
            .iter()
            .find(|m| m.0 == id)
            .map_or_else(|| format!("member {id}"), |m| m.1.clone())
    };
    let valid: Vec<&(i64, Response)> = responses
        .iter()
        .filter(|(id, _)| members.iter().any(|m| m.0 == *id))
        .collect();
    let agreed: Vec<i64> = valid
        .iter()
        .filter(|(_, r)| *r == Response::Consent)
        .map(|(id, _)| *id)
        .collect();
    let abstained: Vec<i64> = valid
        .iter()
        .filter(|(_, r)| *r == Response::Abstain)
        .map(|(id, _)| *id)
        .collect();
    let dissented: Vec<(i64, String)> = valid
        .iter()
        .filter_map(|(id, r)| match r {
            Response::Object(why) | Response::Block(why) => Some((*id, why.clone())),
            _ => None,
        })
        .collect();
    let blocks: Vec<i64> = valid
        .iter()
        .filter(|(_, r)| matches!(r, Response::Block(_)))
        .map(|(id, _)| *id)
        .collect();
    let decision = |outcome: Outcome, reasons: Vec<String>| Decision {
        outcome,
        reasons,
        agreed: agreed.clone(),
        dissented: dissented.clone(),
        abstained: abstained.clone(),
    };
    if valid.len() < rule.quorum {
        return decision(
            Outcome::NoQuorum,
            vec![format!(
                "{} of {} members responded; the quorum is {}",
                valid.len(),
                members.len(),
                rule.quorum
            )],
        );
    }
    // Required consents come first: without them nothing is carried.
    let mut missing = Vec::new();
    for (subject, needed) in &rule.required {
        if !subjects.iter().any(|s| s.eq_ignore_ascii_case(subject)) {
            continue;
        }
        for m in needed {
            if !agreed.contains(m) {
                missing.push(format!("{} must consent on {subject}", name(*m)));
            }
        }
    }
    if !missing.is_empty() {
        return decision(Outcome::ConsentMissing, missing);
    }
    match rule.rule {
        Rule::Consensus => {
            if blocks.is_empty() {
                let mut reasons = vec!["No member blocked".to_string()];
                if !dissented.is_empty() {
                    reasons.push(format!("{} recorded an objection", dissented.len()));
                }
                decision(Outcome::Carried, reasons)
            } else {
                decision(
                    Outcome::Blocked,
                    blocks.iter().map(|b| format!("Blocked by {}", name(*b))).collect(),
                )
            }
        }
        Rule::Unanimity => {
            if valid.iter().any(|(_, r)| r.is_against()) {
                decision(
                    Outcome::NotCarried,
                    dissented
                        .iter()
                        .map(|(m, _)| format!("{} did not agree", name(*m)))
                        .collect(),
                )
            } else if agreed.is_empty() {
                decision(Outcome::NotCarried, vec!["No member consented".into()])
            } else {
                decision(
                    Outcome::Carried,
                    vec!["Every member present agreed or abstained".into()],
                )
            }
        }
        Rule::QualifiedMajority { threshold } => {
            let cast = agreed.len() + dissented.len();
            let share = if cast == 0 {
                0.0
            } else {
                agreed.len() as f64 / cast as f64
            };
            let words = format!(
                "{} of {cast} votes cast in favour ({:.0}%); {:.0}% needed",
                agreed.len(),
                share * 100.0,
                threshold * 100.0
            );
            // A tiny tolerance for floating-point rounding: 2 of 3 meets a threshold of 2/3.
            if cast > 0 && share + 1e-9 >= threshold {
                decision(Outcome::Carried, vec![words])
            } else {
                decision(Outcome::NotCarried, vec![words])
            }
        }
    }
}

/// Subjects a proposal can be about; a body names the members whose consent each needs.
pub const SUBJECTS: [(&str, &str); 8] = [
    ("social-care", "Adult social care"),
    ("commissioning", "Commissioning"),
    ("service-reconfiguration", "Service reconfiguration"),
    ("finance", "Finance and shared financial risk"),
    ("workforce", "Workforce"),
    ("primary-care", "Primary care"),
    ("estates", "Estates"),
    ("digital", "Digital and information sharing"),
];

/// The words for a subject key (the key itself if it is not one of [`SUBJECTS`]).
pub fn subject_label(key: &str) -> &str {
    SUBJECTS.iter().find(|(k, _)| *k == key).map_or(key, |(_, l)| l)
}

/// Reads the subjects ticked on a form: every key must be one of [`SUBJECTS`].
pub fn parse_subjects(keys: &[String]) -> Result<Vec<String>, Invalid> {
    let mut out: Vec<String> = Vec::new();
    for k in keys {
        let k = k.trim();
        if k.is_empty() {
            continue;
        }
        if !SUBJECTS.iter().any(|(s, _)| *s == k) {
            return Err(Invalid(format!("\"{k}\" is not a subject Footprint knows")));
        }
        if !out.iter().any(|o| o == k) {
            out.push(k.to_string());
        }
    }
    Ok(out)
}

impl Rule {
    /// The stored key of its kind.
    pub fn key(self) -> &'static str {
        match self {
            Rule::Consensus => "consensus",
            Rule::Unanimity => "unanimity",
            Rule::QualifiedMajority { .. } => "qualified-majority",
        }
    }

    /// The threshold as a whole percentage, for a qualified majority.
    pub fn threshold_percent(self) -> Option<u32> {
        match self {
            Rule::QualifiedMajority { threshold } => Some((threshold * 100.0).round() as u32),
            _ => None,
        }
    }

    /// Reads a rule from a form: its kind and, for a qualified majority, the threshold as a
    /// percentage of the votes cast (more than 50, at most 100).
    pub fn parse(kind: &str, threshold: &str) -> Result<Rule, Invalid> {
        match kind.trim() {
            "consensus" => Ok(Rule::Consensus),
            "unanimity" => Ok(Rule::Unanimity),
            "qualified-majority" => {
                let t = threshold.trim().trim_end_matches('%').trim();
                match t.parse::<u32>() {
                    Ok(p) if (51..=100).contains(&p) => Ok(Rule::QualifiedMajority {
                        threshold: f64::from(p) / 100.0,
                    }),
                    _ => Err(Invalid(
                        "Enter the share of votes needed as a whole number from 51 to 100".into(),
                    )),
                }
            }
            "" => Err(Invalid("Choose how the body decides".into())),
            other => Err(Invalid(format!("\"{other}\" is not a decision rule"))),
        }
    }
}

impl Response {
    /// The stored key of its kind.
    pub fn key(&self) -> &'static str {
        match self {
            Response::Consent => "consent",
            Response::Object(_) => "object",
            Response::Abstain => "abstain",
            Response::Block(_) => "block",
        }
    }

    /// Words for it.
    pub fn label(&self) -> &'static str {
        match self {
            Response::Consent => "Consent",
            Response::Object(_) => "Object",
            Response::Abstain => "Abstain",
            Response::Block(_) => "Block",
        }
    }

    /// The reason given, if any.
    pub fn reason(&self) -> &str {
        match self {
            Response::Object(r) | Response::Block(r) => r,
            _ => "",
        }
    }

    /// Reads a response from its kind and reason: an objection or a block needs a reason.
    pub fn parse(kind: &str, reason: &str) -> Result<Response, Invalid> {
        let reason = reason.trim();
        let needs_reason = |what: &str| {
            if reason.is_empty() {
                Err(Invalid(format!("Give the reason for your {what}")))
            } else if reason.chars().count() > MAX_REASON {
                Err(Invalid(format!("Keep the reason to {MAX_REASON} characters or fewer")))
            } else {
                Ok(reason.to_string())
            }
        };
        match kind.trim() {
            "consent" => Ok(Response::Consent),
            "abstain" => Ok(Response::Abstain),
            "object" => Ok(Response::Object(needs_reason("objection")?)),
            "block" => Ok(Response::Block(needs_reason("block")?)),
            "" => Err(Invalid(
                "Choose whether your organisation consents, objects, abstains or blocks".into(),
            )),
            other => Err(Invalid(format!("\"{other}\" is not a response"))),
        }
    }
}

/// The longest reason for an objection or a block, in characters.
pub const MAX_REASON: usize = 5000;

/// The tests NHS England applies to a proposed service reconfiguration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReconfigurationTest {
    /// Strong support from GP commissioners.
    GpSupport,
    /// Strong public and patient engagement.
    PublicEngagement,
    /// A clear clinical evidence base.
    ClinicalEvidence,
    /// Consistency with current and prospective need for patient choice.
    PatientChoice,
    /// From 1 April 2017: where beds close, one of three conditions is met.
    BedClosure,
}

impl ReconfigurationTest {
    /// Every test, in the order NHS England states them.
    pub const ALL: [ReconfigurationTest; 5] = [
        ReconfigurationTest::GpSupport,
        ReconfigurationTest::PublicEngagement,
        ReconfigurationTest::ClinicalEvidence,
        ReconfigurationTest::PatientChoice,
        ReconfigurationTest::BedClosure,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            ReconfigurationTest::GpSupport => "gp-support",
            ReconfigurationTest::PublicEngagement => "public-engagement",
            ReconfigurationTest::ClinicalEvidence => "clinical-evidence",
            ReconfigurationTest::PatientChoice => "patient-choice",
            ReconfigurationTest::BedClosure => "bed-closure",
        }
    }

    /// The test's name.
    pub fn label(self) -> &'static str {
        match self {
            ReconfigurationTest::GpSupport => "Support from GP commissioners",
            ReconfigurationTest::PublicEngagement => "Strength of public and patient engagement",
            ReconfigurationTest::ClinicalEvidence => "Clarity of the clinical evidence base",
            ReconfigurationTest::PatientChoice => "Consistency with patient choice",
            ReconfigurationTest::BedClosure => "The bed-closure test (from April 2017)",
        }
    }

    /// What the evidence must show.
    pub fn asks(self) -> &'static str {
        match self {
            ReconfigurationTest::GpSupport => {
                "The clinical commissioning groups, and the GPs they speak for, support the change."
            }
            ReconfigurationTest::PublicEngagement => {
                "Patients and the public were engaged early and deeply enough to shape the options."
            }
            ReconfigurationTest::ClinicalEvidence => {
                "The clinical case is clear: the evidence that the change improves outcomes or safety."
            }
            ReconfigurationTest::PatientChoice => "The change keeps the choices patients have now and will need.",
            ReconfigurationTest::BedClosure => {
                "Where beds close: enough alternative provision (such as care in the community) is in place,                  or new treatments will cut admissions, or the hospital will use its beds more efficiently                  in line with good practice."
            }
        }
    }

    /// Parses a key.
    pub fn parse(key: &str) -> Option<Self> {
        ReconfigurationTest::ALL.into_iter().find(|t| t.key() == key.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members() -> Vec<(i64, String)> {
        [
            (1, "Trust"),
            (2, "CCG"),
            (3, "County council"),
            (4, "GP federation"),
            (5, "CVS"),
        ]
        .iter()
        .map(|(i, n)| (*i, n.to_string()))
        .collect()
    }

    fn rule(rule: Rule, quorum: usize) -> DecisionRule {
        DecisionRule {
            rule,
            quorum,
            required: vec![("social care".into(), vec![3])],
        }
    }

    use Response::*;

    #[test]
    fn the_decision_rules() {
        let m = members();
        let none: Vec<String> = Vec::new();
        let social = vec!["Social care".to_string()];
        let obj = || Object("cost".into());
        let blk = || Block("safety".into());
        let qm = |t: f64| Rule::QualifiedMajority { threshold: t };
        // (rule, quorum, responses, subjects, expected outcome)
        type Row<'a> = (Rule, usize, Vec<(i64, Response)>, &'a Vec<String>, Outcome);
        let table: Vec<Row> = vec![
            (
                Rule::Consensus,
                3,
                vec![(1, Consent), (2, Consent), (3, obj())],
                &none,
                Outcome::Carried,
            ),
            (
                Rule::Consensus,
                3,
                vec![(1, Consent), (2, Consent), (3, blk())],
                &none,
                Outcome::Blocked,
            ),
            (
                Rule::Consensus,
                4,
                vec![(1, Consent), (2, Consent), (3, Consent)],
                &none,
                Outcome::NoQuorum,
            ),
            (
                Rule::Consensus,
                3,
                vec![(1, Consent), (2, Abstain), (4, Abstain)],
                &none,
                Outcome::Carried,
            ),
            (
                Rule::Unanimity,
                3,
                vec![(1, Consent), (2, Consent), (3, Abstain)],
                &none,
                Outcome::Carried,
            ),
            (
                Rule::Unanimity,
                3,
                vec![(1, Consent), (2, Consent), (3, obj())],
                &none,
                Outcome::NotCarried,
            ),
            (
                Rule::Unanimity,
                2,
                vec![(1, Abstain), (2, Abstain)],
                &none,
                Outcome::NotCarried,
            ),
            (
                qm(0.75),
                4,
                vec![(1, Consent), (2, Consent), (3, Consent), (4, obj())],
                &none,
                Outcome::Carried,
            ),
            (
                qm(0.8),
                4,
                vec![(1, Consent), (2, Consent), (3, Consent), (4, obj())],
                &none,
                Outcome::NotCarried,
            ),
            (
                qm(2.0 / 3.0),
                3,
                vec![(1, Consent), (2, Consent), (3, blk())],
                &none,
                Outcome::Carried,
            ),
            (
                qm(0.5),
                3,
                vec![(1, Abstain), (2, Abstain), (3, Abstain)],
                &none,
                Outcome::NotCarried,
            ),
            // Required consents: the council must consent on social care.
            (
                Rule::Consensus,
                3,
                vec![(1, Consent), (2, Consent), (3, Abstain)],
                &social,
                Outcome::ConsentMissing,
            ),
            (
                qm(0.5),
                3,
                vec![(1, Consent), (2, Consent), (3, obj())],
                &social,
                Outcome::ConsentMissing,
            ),
            (
                Rule::Consensus,
                3,
                vec![(1, Consent), (2, Consent), (3, Consent)],
                &social,
                Outcome::Carried,
            ),
            // A response from someone who is not a member does not count towards the quorum.
            (
                Rule::Consensus,
                3,
                vec![(1, Consent), (2, Consent), (99, Consent)],
                &none,
                Outcome::NoQuorum,
            ),
        ];
        for (i, (r, quorum, responses, subjects, want)) in table.into_iter().enumerate() {
            let d = outcome(&rule(r, quorum), &m, &responses, subjects);
            assert_eq!(d.outcome, want, "row {i}: {:?}", d.reasons);
        }
    }

    #[test]
    fn who_agreed_and_who_dissented_and_why() {
        let d = outcome(
            &rule(Rule::Consensus, 3),
            &members(),
            &[
                (1, Consent),
                (2, Object("the travel times".into())),
                (4, Abstain),
                (5, Consent),
            ],
            &[],
        );
        assert_eq!(d.outcome, Outcome::Carried);
        assert_eq!(d.agreed, [1, 5]);
        assert_eq!(d.dissented, [(2, "the travel times".to_string())]);
        assert_eq!(d.abstained, [4]);
        let d = outcome(
            &rule(Rule::Consensus, 1),
            &members(),
            &[(3, Block("no social care funding".into()))],
            &[],
        );
        assert_eq!(d.reasons, ["Blocked by County council"]);
        let d = outcome(
            &rule(Rule::Consensus, 2),
            &members(),
            &[(1, Consent), (2, Consent)],
            &["social care".into()],
        );
        assert_eq!(d.reasons, ["County council must consent on social care"]);
        assert_eq!(BodyForm::parse("joint-committee"), Some(BodyForm::JointCommittee));
        assert!(Rule::QualifiedMajority { threshold: 0.75 }.words().contains("75%"));
    }

    #[test]
    fn responses_and_rules_are_read_from_forms() {
        assert_eq!(Response::parse("consent", ""), Ok(Response::Consent));
        assert_eq!(
            Response::parse("object", " too soon "),
            Ok(Response::Object("too soon".into()))
        );
        assert!(
            Response::parse("object", "  ")
                .unwrap_err()
                .0
                .contains("reason for your objection")
        );
        assert!(
            Response::parse("block", "")
                .unwrap_err()
                .0
                .contains("reason for your block")
        );
        assert!(Response::parse("", "").is_err());
        assert!(Response::parse("veto", "").unwrap_err().0.contains("\"veto\""));
        assert!(Response::parse("block", &"x".repeat(MAX_REASON + 1)).is_err());
        assert_eq!(Rule::parse("consensus", "90"), Ok(Rule::Consensus));
        assert_eq!(
            Rule::parse("qualified-majority", "75%"),
            Ok(Rule::QualifiedMajority { threshold: 0.75 })
        );
        assert!(Rule::parse("qualified-majority", "50").is_err());
        assert!(Rule::parse("qualified-majority", "101").is_err());
        assert!(Rule::parse("qualified-majority", "two thirds").is_err());
        assert_eq!(
            Rule::QualifiedMajority { threshold: 0.67 }.threshold_percent(),
            Some(67)
        );
        assert_eq!(
            parse_subjects(&["social-care".into(), "social-care".into(), "".into()]),
            Ok(vec!["social-care".to_string()])
        );
        assert!(parse_subjects(&["hats".into()]).is_err());
        assert_eq!(subject_label("commissioning"), "Commissioning");
        for t in ReconfigurationTest::ALL {
            assert_eq!(ReconfigurationTest::parse(t.key()), Some(t));
        }
    }
}
