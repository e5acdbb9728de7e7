//! A footprint's plan as one document (decision 0006): the vision, the three gaps of the planning
//! guidance with their priorities, each initiative's partnership fields, and `model`, the
//! stress-model plan (spec section 3) that carries every financial field.

use footprint_stress::{BadInput, InputError, Plan};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::access::OrganisationId;

/// The three gaps of the planning guidance (*Delivering the Forward View*, December 2015).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gap {
    /// Health and wellbeing.
    HealthAndWellbeing,
    /// Care and quality.
    CareAndQuality,
    /// Finance and efficiency.
    FinanceAndEfficiency,
}

impl Gap {
    /// The three, in the guidance's order.
    pub const ALL: [Gap; 3] = [Gap::HealthAndWellbeing, Gap::CareAndQuality, Gap::FinanceAndEfficiency];

    /// The words of the guidance.
    pub fn label(self) -> &'static str {
        match self {
            Gap::HealthAndWellbeing => "Health and wellbeing",
            Gap::CareAndQuality => "Care and quality",
            Gap::FinanceAndEfficiency => "Finance and efficiency",
        }
    }
}

/// What the plan says about one gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapSection {
    /// Which gap.
    pub gap: Gap,
    /// The gap in the footprint, in words.
    #[serde(default)]
    pub summary: String,
    /// Priorities for closing it.
    #[serde(default)]
    pub priorities: Vec<Priority>,
}

/// A priority under a gap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priority {
    /// Unique within the plan, `[a-z0-9-]+`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// What it means.
    #[serde(default)]
    pub description: String,
}

/// An organisation's part in an initiative (RACI; the lead is the one accountable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartnerRole {
    /// Does the work.
    Responsible,
    /// Asked before decisions.
    Consulted,
    /// Kept informed.
    Informed,
}

/// Whether an initiative changes how care is given or does the same for less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Changes how care is given.
    Transformation,
    /// The same care for less.
    Efficiency,
}

/// Where an initiative stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Being worked up.
    Proposed,
    /// Agreed and under way.
    InDelivery,
    /// Delivered.
    Delivered,
    /// Stopped.
    Stopped,
}

/// A milestone of an initiative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    /// What.
    pub title: String,
    /// When it is due, `YYYY-MM-DD`.
    pub due: String,
    /// Whether it is done.
    #[serde(default)]
    pub done: bool,
}

/// An initiative's partnership fields (its financial fields are in the model, under the same id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitiativeDetails {
    /// The id of the initiative in the model.
    pub id: String,
    /// The priority it serves, if any.
    #[serde(default)]
    pub priority: Option<String>,
    /// Transformation or efficiency.
    pub kind: Kind,
    /// What it is.
    #[serde(default)]
    pub description: String,
    /// The accountable organisation.
    #[serde(default)]
    pub lead: Option<OrganisationId>,
    /// Other organisations and their part.
    #[serde(default)]
    pub partners: Vec<(OrganisationId, PartnerRole)>,
    /// Linked programmes (a vanguard, a devolution deal).
    #[serde(default)]
    pub programmes: Vec<String>,
    /// Milestones.
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// Where it stands.
    pub status: Status,
    /// Edit revision, for refusing a stale save.
    #[serde(default)]
    pub revision: u64,
}

impl InitiativeDetails {
    /// Details to fill in for a new initiative: a proposed transformation with no lead yet.
    pub fn new(id: String) -> Self {
        InitiativeDetails {
            id,
            priority: None,
            kind: Kind::Transformation,
            description: String::new(),
            lead: None,
            partners: Vec::new(),
            programmes: Vec::new(),
            milestones: Vec::new(),
            status: Status::Proposed,
            revision: 0,
        }
    }
}

/// A plan version's whole content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDocument {
    /// The footprint's vision.
    #[serde(default)]
    pub vision: String,
    /// The three gaps, in order.
    pub gaps: Vec<GapSection>,
    /// Each initiative's partnership fields, in the model's order.
    pub initiatives: Vec<InitiativeDetails>,
    /// The stress-model plan (format 1).
    pub model: Value,
}

/// One problem with a plan document, with the key path it is at.
fn problem(path: &str, message: impl Into<String>) -> InputError {
    InputError {
        file: "plan".into(),
        line: None,
        column: None,
        path: path.into(),
        message: message.into(),
    }
}

impl PlanDocument {
    /// A document around a stress-model plan given as TOML or JSON (by the file name): the text
    /// is validated by the stress engine; every initiative gets partnership fields to fill in.
    pub fn from_model_text(text: &str, file: &str) -> Result<Self, BadInput> {
        footprint_stress::parse_plan(text, file)?;
        let model: Value = if file.to_ascii_lowercase().ends_with(".json") {
            serde_json::from_str(text).map_err(|e| BadInput {
                errors: vec![problem("", e.to_string())],
            })?
        } else {
            toml::from_str(text).map_err(|e| BadInput {
                errors: vec![problem("", e.to_string())],
            })?
        };
        let initiatives = model_initiative_ids(&model)
            .into_iter()
            .map(InitiativeDetails::new)
            .collect();
        Ok(PlanDocument {
            vision: String::new(),
            gaps: Gap::ALL
                .iter()
                .map(|&gap| GapSection {
                    gap,
                    summary: String::new(),
                    priorities: Vec::new(),
                })
                .collect(),
            initiatives,
            model,
        })
    }

    /// Checks the whole document and returns the validated stress-model plan.
    pub fn validate(&self) -> Result<Plan, BadInput> {
        let mut errors = Vec::new();
        let order: Vec<Gap> = self.gaps.iter().map(|g| g.gap).collect();
        if order != Gap::ALL {
            errors.push(problem(
                "gaps",
                "the plan must have the three gaps, in the guidance's order",
            ));
        }
        let mut priority_ids = Vec::new();
        for (g, section) in self.gaps.iter().enumerate() {
            for (p, priority) in section.priorities.iter().enumerate() {
                let path = format!("gaps[{}].priorities[{}]", g + 1, p + 1);
                if !is_id(&priority.id) {
                    errors.push(problem(
                        &format!("{path}.id"),
                        "a priority id is lower-case letters, digits and hyphens",
                    ));
                } else if priority_ids.contains(&priority.id) {
                    errors.push(problem(
                        &format!("{path}.id"),
                        format!("the priority id {:?} is used twice", priority.id),
                    ));
                }
                priority_ids.push(priority.id.clone());
                if priority.title.trim().is_empty() {
                    errors.push(problem(&format!("{path}.title"), "enter the priority's title"));
                }
            }
        }
        let ids = model_initiative_ids(&self.model);
        let details: Vec<&str> = self.initiatives.iter().map(|i| i.id.as_str()).collect();
        if ids.iter().map(String::as_str).collect::<Vec<_>>() != details {
            errors.push(problem(
                "initiatives",
                "every initiative of the model needs its details, in the same order",
            ));
        }
        for (k, i) in self.initiatives.iter().enumerate() {
            if let Some(p) = &i.priority
                && !priority_ids.contains(p)
            {
                errors.push(problem(
                    &format!("initiatives[{}].priority", k + 1),
                    format!("no priority has the id {p:?}"),
                ));
            }
            if i.lead.is_some() && i.partners.iter().any(|(o, _)| Some(*o) == i.lead) {
                errors.push(problem(
                    &format!("initiatives[{}].partners", k + 1),
                    "the lead organisation is accountable; it cannot also be listed as a partner",
                ));
            }
            for (m, milestone) in i.milestones.iter().enumerate() {
                if !is_date(&milestone.due) {
                    errors.push(problem(
                        &format!("initiatives[{}].milestones[{}].due", k + 1, m + 1),
                        "a date is YYYY-MM-DD",
                    ));
                }
            }
        }
        let plan = footprint_stress::parse_plan(&self.model.to_string(), "plan.json");
        match plan {
            Ok(plan) if errors.is_empty() => Ok(plan),
            Ok(_) => Err(BadInput { errors }),
            Err(mut bad) => {
                errors.append(&mut bad.errors);
                Err(BadInput { errors })
            }
        }
    }

    /// The model as stress-model TOML.
    pub fn model_toml(&self) -> String {
        toml::to_string(&self.model).expect("a JSON tree of tables, arrays, strings and numbers is TOML")
    }

    /// The model as stress-model JSON.
    pub fn model_json(&self) -> String {
        serde_json::to_string_pretty(&self.model).expect("JSON")
    }

    /// The plan's name, from the model.
    pub fn name(&self) -> &str {
        self.model.get("name").and_then(Value::as_str).unwrap_or("")
    }

    /// How many initiatives the plan has.
    pub fn initiative_count(&self) -> usize {
        self.initiatives.len()
    }
}

fn model_initiative_ids(model: &Value) -> Vec<String> {
    model
        .get("initiative")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../../data/demo/northshire-and-eastvale.toml");

    #[test]
    fn the_demo_plan_becomes_a_document_and_round_trips() {
        let doc = PlanDocument::from_model_text(DEMO, "demo.toml").unwrap();
        assert_eq!(doc.name(), "Northshire and Eastvale (fictional)");
        assert_eq!(doc.initiative_count(), 40);
        let plan = doc.validate().unwrap();
        // TOML out and in again, and JSON out and in again: the same model, the same plan.
        let again = PlanDocument::from_model_text(&doc.model_toml(), "again.toml").unwrap();
        assert_eq!(again.model, doc.model);
        let json = PlanDocument::from_model_text(&doc.model_json(), "again.json").unwrap();
        assert_eq!(json.model, doc.model);
        assert_eq!(again.validate().unwrap(), plan);
        // And the document itself through its JSON form.
        let stored = serde_json::to_string(&doc).unwrap();
        let back: PlanDocument = serde_json::from_str(&stored).unwrap();
        assert_eq!(back, doc);
    }

    #[test]
    fn bad_models_are_refused_with_their_key_path() {
        let bad = DEMO.replacen("ramp_months = 24", "ramp_months = 0", 1);
        let e = PlanDocument::from_model_text(&bad, "plan.toml").unwrap_err();
        assert!(e.errors.iter().any(|e| e.path == "initiative[1].ramp_months"), "{e:?}");
        let mut doc = PlanDocument::from_model_text(DEMO, "plan.toml").unwrap();
        doc.model["initiative"][2]["saving"] = Value::String("lots".into());
        let e = doc.validate().unwrap_err();
        assert!(e.errors.iter().any(|e| e.path == "initiative[3].saving"), "{e:?}");
    }

    #[test]
    fn partnership_fields_are_checked() {
        let mut doc = PlanDocument::from_model_text(DEMO, "plan.toml").unwrap();
        doc.gaps[0].priorities.push(Priority {
            id: "prevention".into(),
            title: "Prevention at scale".into(),
            description: String::new(),
        });
        doc.initiatives[0].priority = Some("prevention".into());
        doc.initiatives[0].lead = Some(1);
        doc.initiatives[0].partners = vec![(2, PartnerRole::Responsible)];
        doc.initiatives[0].milestones.push(Milestone {
            title: "Business case agreed".into(),
            due: "2017-03-31".into(),
            done: false,
        });
        assert!(doc.validate().is_ok());
        doc.initiatives[1].priority = Some("nope".into());
        doc.initiatives[2].partners = vec![(7, PartnerRole::Consulted)];
        doc.initiatives[2].lead = Some(7);
        doc.initiatives[3].milestones.push(Milestone {
            title: "x".into(),
            due: "31/03/2017".into(),
            done: false,
        });
        doc.initiatives.swap(5, 6);
        let paths: Vec<String> = doc.validate().unwrap_err().errors.into_iter().map(|e| e.path).collect();
        assert_eq!(
            paths,
            [
                "initiatives",
                "initiatives[2].priority",
                "initiatives[3].partners",
                "initiatives[4].milestones[1].due"
            ]
        );
    }
}

/// One difference between two plan versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// What part: "Vision", "Baseline", "Priorities", or an initiative's name.
    pub part: String,
    /// Which field, as in the model or the document (`saving`, `lead`, `title`…), empty when a
    /// whole item was added or removed.
    pub field: String,
    /// The value before (none when added).
    pub before: Option<Value>,
    /// The value after (none when removed).
    pub after: Option<Value>,
}

fn differ(out: &mut Vec<Difference>, part: &str, field: &str, before: Option<&Value>, after: Option<&Value>) {
    if before != after {
        out.push(Difference {
            part: part.into(),
            field: field.into(),
            before: before.cloned(),
            after: after.cloned(),
        });
    }
}

/// Every difference between two plan documents, in plan order: vision, gaps and priorities, the
/// baseline and other model settings, then initiatives (changed, removed, added).
pub fn diff(a: &PlanDocument, b: &PlanDocument) -> Vec<Difference> {
    let mut out = Vec::new();
    let s = |x: &str| Value::String(x.to_string());
    differ(&mut out, "Vision", "vision", Some(&s(&a.vision)), Some(&s(&b.vision)));
    for gap in Gap::ALL {
        let (ga, gb) = (
            a.gaps.iter().find(|g| g.gap == gap),
            b.gaps.iter().find(|g| g.gap == gap),
        );
        let summary = |g: Option<&GapSection>| g.map(|g| s(&g.summary));
        differ(
            &mut out,
            gap.label(),
            "summary",
            summary(ga).as_ref(),
            summary(gb).as_ref(),
        );
        let empty = Vec::new();
        let (pa, pb) = (
            ga.map_or(&empty, |g| &g.priorities),
            gb.map_or(&empty, |g| &g.priorities),
        );
        for p in pa {
            match pb.iter().find(|q| q.id == p.id) {
                Some(q) => {
                    differ(
                        &mut out,
                        &format!("{}: priority {}", gap.label(), p.title),
                        "title",
                        Some(&s(&p.title)),
                        Some(&s(&q.title)),
                    );
                    differ(
                        &mut out,
                        &format!("{}: priority {}", gap.label(), q.title),
                        "description",
                        Some(&s(&p.description)),
                        Some(&s(&q.description)),
                    );
                }
                None => differ(
                    &mut out,
                    &format!("{}: priority", gap.label()),
                    "",
                    Some(&s(&p.title)),
                    None,
                ),
            }
        }
        for q in pb.iter().filter(|q| !pa.iter().any(|p| p.id == q.id)) {
            differ(
                &mut out,
                &format!("{}: priority", gap.label()),
                "",
                None,
                Some(&s(&q.title)),
            );
        }
    }
    let (ma, mb) = (&a.model, &b.model);
    for key in ["name", "first_year", "years"] {
        differ(&mut out, "Plan", key, ma.get(key), mb.get(key));
    }
    let keys = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut baseline = keys(ma.get("baseline"));
    baseline.extend(
        keys(mb.get("baseline"))
            .into_iter()
            .filter(|k| !keys(ma.get("baseline")).contains(k)),
    );
    for k in baseline {
        differ(
            &mut out,
            "Baseline",
            &k,
            ma.get("baseline").and_then(|x| x.get(&k)),
            mb.get("baseline").and_then(|x| x.get(&k)),
        );
    }
    for key in ["confidence", "correlation", "run"] {
        differ(&mut out, "Plan", key, ma.get(key), mb.get(key));
    }
    let empty = Vec::new();
    let (ia, ib) = (
        ma.get("initiative").and_then(Value::as_array).unwrap_or(&empty),
        mb.get("initiative").and_then(Value::as_array).unwrap_or(&empty),
    );
    let id = |v: &Value| v.get("id").and_then(Value::as_str).unwrap_or("").to_string();
    let name = |v: &Value| v.get("name").and_then(Value::as_str).unwrap_or("").to_string();
    let details = |d: &PlanDocument, i: &str| -> Option<Value> {
        d.initiatives
            .iter()
            .find(|x| x.id == i)
            .and_then(|x| serde_json::to_value(x).ok())
            .map(|mut v| {
                if let Some(o) = v.as_object_mut() {
                    o.remove("revision");
                    o.remove("id");
                }
                v
            })
    };
    for x in ia {
        let i = id(x);
        match ib.iter().find(|y| id(y) == i) {
            Some(y) => {
                let part = name(y);
                let mut fields = keys(Some(x));
                fields.extend(keys(Some(y)).into_iter().filter(|k| x.get(k).is_none()));
                for f in fields.iter().filter(|f| *f != "id") {
                    differ(&mut out, &part, f, x.get(f.as_str()), y.get(f.as_str()));
                }
                let (da, db) = (details(a, &i), details(b, &i));
                for f in keys(da.as_ref()) {
                    differ(
                        &mut out,
                        &part,
                        &f,
                        da.as_ref().and_then(|v| v.get(&f)),
                        db.as_ref().and_then(|v| v.get(&f)),
                    );
                }
            }
            None => differ(&mut out, "Initiative", "", Some(&s(&name(x))), None),
        }
    }
    for y in ib.iter().filter(|y| !ia.iter().any(|x| id(x) == id(y))) {
        differ(&mut out, "Initiative", "", None, Some(&s(&name(y))));
    }
    out
}

#[cfg(test)]
mod diff_tests {
    use super::*;

    const DEMO: &str = include_str!("../../../data/demo/northshire-and-eastvale.toml");

    #[test]
    fn differences_in_words_and_numbers() {
        let a = PlanDocument::from_model_text(DEMO, "plan.toml").unwrap();
        assert!(diff(&a, &a).is_empty());
        let mut b = a.clone();
        b.vision = "Healthier together".into();
        b.model["baseline"]["spend"] = serde_json::json!(3300.0);
        b.model["initiative"][0]["saving"] = serde_json::json!(30.0);
        b.initiatives[0].lead = Some(4);
        b.initiatives[0].revision = 9;
        b.gaps[1].priorities.push(Priority {
            id: "frailty".into(),
            title: "Frailty".into(),
            description: String::new(),
        });
        let d = diff(&a, &b);
        let seen: Vec<(&str, &str)> = d.iter().map(|x| (x.part.as_str(), x.field.as_str())).collect();
        assert_eq!(
            seen,
            [
                ("Vision", "vision"),
                ("Care and quality: priority", ""),
                ("Baseline", "spend"),
                ("Urgent and emergency care redesign", "saving"),
                ("Urgent and emergency care redesign", "lead"),
            ]
        );
        assert_eq!(d[3].before, Some(serde_json::json!(26.0)));
        assert_eq!(d[3].after, Some(serde_json::json!(30.0)));
        // Removing an initiative (its details too) shows as one removal.
        let mut c = a.clone();
        c.model["initiative"].as_array_mut().unwrap().remove(1);
        c.initiatives.remove(1);
        let d = diff(&a, &c);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].part.as_str(), d[0].after.is_none()), ("Initiative", true));
    }
}

/// Savings and investment of one group of initiatives (a care setting or a kind).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioLine {
    /// The group: a care setting (`acute`) or a kind (`transformation`).
    pub group: String,
    /// How many initiatives.
    pub initiatives: usize,
    /// Expected saving a year at full effect, £m: median saving × median delivery.
    pub savings: f64,
    /// New running cost and double running a year at their medians (with cost overrun), £m.
    pub running: f64,
    /// One-off capital at its median (with cost overrun), £m.
    pub capital: f64,
}

/// The plan's balance of savings and investment by care setting and by kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Portfolio {
    /// By care setting, in the spec's order, settings with no initiative left out.
    pub by_setting: Vec<PortfolioLine>,
    /// By kind.
    pub by_kind: Vec<PortfolioLine>,
    /// Share of savings from acute and specialised settings.
    pub acute_savings_share: f64,
    /// Share of investment (running, double running and capital) in primary, community and
    /// prevention settings.
    pub out_of_hospital_investment_share: f64,
    /// The warning, when acute reconfiguration carries most of the savings while care out of
    /// hospital gets little of the investment.
    pub warning: Option<String>,
}

/// Acute and specialised savings above this share of all savings…
pub const ACUTE_SAVINGS_SHARE: f64 = 0.5;
/// …while primary, community and prevention get less than this share of the investment.
pub const OUT_OF_HOSPITAL_INVESTMENT_SHARE: f64 = 0.25;

/// The portfolio of a validated plan and its initiatives' details.
pub fn portfolio(plan: &Plan, details: &[InitiativeDetails]) -> Portfolio {
    use footprint_stress::plan::{Setting, Value as V};
    let med = |v: &V| match v {
        V::Dist(d) => d.median(),
        V::National(_) => 0.0,
    };
    let figures: Vec<(Setting, Option<Kind>, f64, f64, f64)> = plan
        .initiatives
        .iter()
        .map(|i| {
            let kind = details.iter().find(|d| d.id == i.id).map(|d| d.kind);
            let overrun = med(&i.cost_overrun);
            (
                i.setting,
                kind,
                med(&i.saving) * med(&i.delivery),
                overrun * (med(&i.recurrent_cost) + med(&i.double_running)),
                overrun * med(&i.capital),
            )
        })
        .collect();
    let line = |group: String, rows: Vec<&(Setting, Option<Kind>, f64, f64, f64)>| PortfolioLine {
        group,
        initiatives: rows.len(),
        savings: rows.iter().map(|r| r.2).sum(),
        running: rows.iter().map(|r| r.3).sum(),
        capital: rows.iter().map(|r| r.4).sum(),
    };
    let by_setting: Vec<PortfolioLine> = Setting::ALL
        .iter()
        .map(|s| line(s.as_str().to_string(), figures.iter().filter(|r| r.0 == *s).collect()))
        .filter(|l| l.initiatives > 0)
        .collect();
    let by_kind = [Kind::Transformation, Kind::Efficiency]
        .iter()
        .map(|k| {
            let name = serde_json::to_value(k)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            line(name, figures.iter().filter(|r| r.1 == Some(*k)).collect())
        })
        .collect();
    let total_savings: f64 = figures.iter().map(|r| r.2).sum();
    let total_investment: f64 = figures.iter().map(|r| r.3 + r.4).sum();
    let acute: f64 = figures
        .iter()
        .filter(|r| matches!(r.0, Setting::Acute | Setting::Specialised))
        .map(|r| r.2)
        .sum();
    let ooh: f64 = figures
        .iter()
        .filter(|r| matches!(r.0, Setting::Primary | Setting::Community | Setting::Prevention))
        .map(|r| r.3 + r.4)
        .sum();
    let share = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let (acute_share, ooh_share) = (share(acute, total_savings), share(ooh, total_investment));
    let warning = (acute_share > ACUTE_SAVINGS_SHARE && ooh_share < OUT_OF_HOSPITAL_INVESTMENT_SHARE).then(|| {
        format!(
            "Acute and specialised care carry {:.0}% of the savings, while primary care, community services and prevention get {:.0}% of the investment: the plan leans on hospitals changing without building the care that would let them.",
            acute_share * 100.0,
            ooh_share * 100.0
        )
    });
    Portfolio {
        by_setting,
        by_kind,
        acute_savings_share: acute_share,
        out_of_hospital_investment_share: ooh_share,
        warning,
    }
}

#[cfg(test)]
mod portfolio_tests {
    use super::*;

    const DEMO: &str = include_str!("../../../data/demo/northshire-and-eastvale.toml");

    #[test]
    fn savings_and_investment_add_up_and_the_warning_follows_its_rule() {
        let doc = PlanDocument::from_model_text(DEMO, "plan.toml").unwrap();
        let plan = doc.validate().unwrap();
        let p = portfolio(&plan, &doc.initiatives);
        let n: usize = p.by_setting.iter().map(|l| l.initiatives).sum();
        assert_eq!(n, 40);
        let total: f64 = p.by_setting.iter().map(|l| l.savings).sum();
        let by_kind: f64 = p.by_kind.iter().map(|l| l.savings).sum();
        assert!((total - by_kind).abs() < 1e-9, "every initiative has a kind");
        // A fixed saving with a fixed delivery counts exactly.
        let mut one = doc.clone();
        one.model["initiative"] = serde_json::json!([{
            "id": "a", "name": "A", "setting": "acute", "saving": 10.0, "start_month": 0, "ramp_months": 1,
            "delivery": 0.5, "recurrent_cost": 2.0, "capital": 4.0
        }]);
        one.model.as_object_mut().unwrap().remove("correlation");
        one.initiatives.truncate(1);
        one.initiatives[0].id = "a".into();
        let p = portfolio(&one.validate().unwrap(), &one.initiatives);
        assert_eq!(p.by_setting[0].savings, 5.0);
        assert_eq!((p.by_setting[0].running, p.by_setting[0].capital), (2.0, 4.0));
        assert_eq!(p.acute_savings_share, 1.0);
        assert!(p.warning.is_some(), "all savings acute, no investment out of hospital");
    }
}
