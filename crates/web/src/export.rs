//! Open data: a plan version as JSON (the whole plan, organisations by name) and as CSV (one
//! row per initiative), described on the data dictionary page.

use footprint_domain::plan::PlanDocument;
use footprint_store::footprints::Footprint;
use footprint_store::plans::PlanVersion;
use serde_json::{Value, json};

use crate::error::AppError;
use crate::stress::month_label;

fn org_name(orgs: &[(i64, String)], id: Option<i64>) -> Value {
    id.and_then(|id| orgs.iter().find(|(i, _)| *i == id))
        .map_or(Value::Null, |(_, n)| json!(n))
}

/// The plan as one JSON document: what it says, who is accountable, and its financial model.
pub fn plan_json(f: &Footprint, v: &PlanVersion, doc: &PlanDocument, orgs: &[(i64, String)]) -> Value {
    let empty = Vec::new();
    let model_initiatives = doc.model["initiative"].as_array().unwrap_or(&empty);
    let initiatives: Vec<Value> = doc
        .initiatives
        .iter()
        .zip(model_initiatives)
        .map(|(d, m)| {
            json!({
                "id": d.id,
                "name": m["name"],
                "description": d.description,
                "priority": d.priority,
                "kind": d.kind,
                "status": d.status,
                "lead": org_name(orgs, d.lead),
                "partners": d.partners.iter().map(|(o, r)| json!({"organisation": org_name(orgs, Some(*o)), "role": r})).collect::<Vec<_>>(),
                "programmes": d.programmes,
                "milestones": d.milestones,
                "model": m,
            })
        })
        .collect();
    json!({
        "format": 1,
        "footprint": {"code": f.code, "name": f.name, "region": f.region},
        "version": v.number,
        "status": v.status,
        "made_at": footprint_store::format_time(v.created_at),
        "vision": doc.vision,
        "gaps": doc.gaps,
        "initiatives": initiatives,
        "model": doc.model,
    })
}

/// The columns of the CSV, in order, with what each holds (the data dictionary shows these).
pub const CSV_COLUMNS: [(&str, &str); 18] = [
    ("id", "The initiative's id, unique in the plan"),
    ("name", "Its name"),
    ("gap", "The gap of the planning guidance its priority serves"),
    ("priority", "Its priority"),
    (
        "setting",
        "Care setting: acute, community, primary, mental-health, social-care, prevention, specialised, corporate or unidentified",
    ),
    ("kind", "transformation or efficiency"),
    ("status", "proposed, in-delivery, delivered or stopped"),
    ("lead", "The accountable organisation"),
    (
        "partners",
        "Other organisations and their part (responsible, consulted, informed), separated by semicolons",
    ),
    (
        "saving_low",
        "Saving a year at full effect, £m: the lowest of its range (empty when fixed)",
    ),
    (
        "saving_most_likely",
        "Saving a year at full effect, £m: the fixed value or the most likely",
    ),
    (
        "saving_high",
        "Saving a year at full effect, £m: the highest of its range (empty when fixed)",
    ),
    (
        "delivery",
        "Confidence in delivery (high, medium, low) or the share of the saving realised",
    ),
    ("start", "Planned start month"),
    ("ramp_months", "Months from start to full effect"),
    (
        "recurrent_cost",
        "New running cost a year, £m (fixed value or most likely)",
    ),
    (
        "double_running",
        "Old service kept while the new one ramps, £m a year (fixed value or most likely)",
    ),
    ("capital", "One-off capital, £m (fixed value or most likely)"),
];

fn point(v: &Value) -> (String, String, String) {
    let n = |x: &Value| x.as_f64().map(|f| f.to_string()).unwrap_or_default();
    match v.get("dist").and_then(Value::as_str) {
        Some("triangular") | Some("pert") => (n(&v["min"]), n(&v["mode"]), n(&v["max"])),
        Some("uniform") => (n(&v["min"]), String::new(), n(&v["max"])),
        Some("fixed") => (String::new(), n(&v["value"]), String::new()),
        Some("normal") => (String::new(), n(&v["mean"]), String::new()),
        _ => (String::new(), n(v), String::new()),
    }
}

/// The plan as CSV: one row per initiative.
pub fn plan_csv(doc: &PlanDocument, orgs: &[(i64, String)]) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| AppError::internal(format!("writing CSV: {e}"));
    w.write_record(CSV_COLUMNS.iter().map(|(c, _)| *c)).map_err(err)?;
    let first_year = doc.model["first_year"].as_i64().unwrap_or(0);
    let empty = Vec::new();
    let model_initiatives = doc.model["initiative"].as_array().unwrap_or(&empty);
    let name = |id: Option<i64>| org_name(orgs, id).as_str().unwrap_or("").to_string();
    for (d, m) in doc.initiatives.iter().zip(model_initiatives) {
        let (gap, priority) = doc
            .gaps
            .iter()
            .find_map(|g| {
                g.priorities
                    .iter()
                    .find(|p| Some(&p.id) == d.priority.as_ref())
                    .map(|p| (g.gap.label().to_string(), p.title.clone()))
            })
            .unwrap_or_default();
        let (lo, mid, hi) = point(&m["saving"]);
        let word = |v: &Value| {
            serde_json::to_value(v)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let partners = d
            .partners
            .iter()
            .map(|(o, r)| format!("{} ({})", name(Some(*o)), word(&json!(r))))
            .collect::<Vec<_>>()
            .join("; ");
        let delivery = m["delivery"]
            .as_str()
            .map_or_else(|| point(&m["delivery"]).1, str::to_string);
        let cost = |k: &str| m.get(k).map(|v| point(v).1).unwrap_or_else(|| "0".into());
        w.write_record([
            d.id.clone(),
            m["name"].as_str().unwrap_or("").to_string(),
            gap,
            priority,
            m["setting"].as_str().unwrap_or("").to_string(),
            word(&json!(d.kind)),
            word(&json!(d.status)),
            name(d.lead),
            partners,
            lo,
            mid,
            hi,
            delivery,
            month_label(first_year, m["start_month"].as_i64().unwrap_or(0)),
            m["ramp_months"].as_i64().unwrap_or(0).to_string(),
            cost("recurrent_cost"),
            cost("double_running"),
            cost("capital"),
        ])
        .map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::internal(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::internal(e.to_string()))
}

/// A cell for a CSV file that people open in a spreadsheet: text that a spreadsheet would take
/// for a formula (starting `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with an
/// apostrophe, so that a respondent's text is never run.
pub fn safe_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}
