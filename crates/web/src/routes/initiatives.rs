//! Editing an initiative of the draft plan, with every field of the stress model. The engine
//! validates the result (errors come back on the fields), a stale save is refused with the
//! person's input kept, and after a save the stress test shows what the change did.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_domain::plan::{Kind, PlanDocument, Status};
use footprint_store::StoreError;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Viewer;
use crate::charts::{money, percent};
use crate::error::{AppError, FieldError};
use crate::page::{InitiativeFormPage, Page};
use crate::routes::footprints::footprint;
use crate::routes::plans::document;
use crate::stress::month_label;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/footprints/{code}/plan/initiatives/{id}/edit",
        get(edit_form).post(save),
    )
}

/// The form's fields, all text as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct InitiativeForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub setting: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub lead: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub saving_min: String,
    #[serde(default)]
    pub saving_mode: String,
    #[serde(default)]
    pub saving_max: String,
    #[serde(default)]
    pub start_month: String,
    #[serde(default)]
    pub ramp_months: String,
    #[serde(default)]
    pub delivery: String,
    #[serde(default)]
    pub slippage_min: String,
    #[serde(default)]
    pub slippage_mode: String,
    #[serde(default)]
    pub slippage_max: String,
    #[serde(default)]
    pub recurrent_cost: String,
    #[serde(default)]
    pub double_running: String,
    #[serde(default)]
    pub capital: String,
    #[serde(default)]
    pub revision: String,
    /// Fields named by their item: `partner_<organisation id>` (that partner's part:
    /// responsible, consulted, informed), `m_<k>_title`, `m_<k>_due`, `m_<k>_done` (milestones,
    /// `new` for one to add) and `programmes` (one per line).
    #[serde(flatten)]
    pub extra: std::collections::HashMap<String, String>,
}

pub(crate) fn num(v: &Value) -> String {
    v.as_f64().map(|x| format!("{x}")).unwrap_or_default()
}

/// (min, most likely, max) of a value as typed: a fixed value fills "most likely" only.
pub(crate) fn range(v: &Value) -> (String, String, String) {
    match v.get("dist").and_then(Value::as_str) {
        Some("triangular") | Some("pert") => (num(&v["min"]), num(&v["mode"]), num(&v["max"])),
        Some("uniform") => (num(&v["min"]), String::new(), num(&v["max"])),
        Some("fixed") => (String::new(), num(&v["value"]), String::new()),
        _ => (String::new(), num(v), String::new()),
    }
}

impl InitiativeForm {
    /// The form filled from the plan.
    fn from_plan(doc: &PlanDocument, k: usize) -> Self {
        let m = &doc.model["initiative"][k];
        let d = &doc.initiatives[k];
        let (smin, smode, smax) = range(&m["saving"]);
        let (lmin, lmode, lmax) = range(m.get("slippage_months").unwrap_or(&json!(0)));
        InitiativeForm {
            name: m["name"].as_str().unwrap_or("").into(),
            description: d.description.clone(),
            setting: m["setting"].as_str().unwrap_or("").into(),
            kind: key(&d.kind),
            priority: d.priority.clone().unwrap_or_default(),
            lead: d.lead.map(|l| l.to_string()).unwrap_or_default(),
            status: key(&d.status),
            saving_min: smin,
            saving_mode: smode,
            saving_max: smax,
            start_month: m["start_month"].as_i64().unwrap_or(0).to_string(),
            ramp_months: m["ramp_months"].as_i64().unwrap_or(1).to_string(),
            delivery: m["delivery"]
                .as_str()
                .map_or_else(|| "custom".to_string(), str::to_string),
            slippage_min: lmin,
            slippage_mode: lmode,
            slippage_max: lmax,
            recurrent_cost: num(m.get("recurrent_cost").unwrap_or(&json!(0))),
            double_running: num(m.get("double_running").unwrap_or(&json!(0))),
            capital: num(m.get("capital").unwrap_or(&json!(0))),
            revision: d.revision.to_string(),
            extra: d
                .partners
                .iter()
                .map(|(o, r)| (format!("partner_{o}"), key(r)))
                .chain(d.milestones.iter().enumerate().flat_map(|(k, m)| {
                    let mut v = vec![
                        (format!("m_{k}_title"), m.title.clone()),
                        (format!("m_{k}_due"), m.due.clone()),
                    ];
                    if m.done {
                        v.push((format!("m_{k}_done"), "yes".to_string()));
                    }
                    v
                }))
                .chain(std::iter::once(("programmes".to_string(), d.programmes.join("\n"))))
                .collect(),
        }
    }
}

fn key<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A number typed in a field, or an error naming it.
pub(crate) fn parse_num(text: &str, field: &str, what: &str, errors: &mut Vec<FieldError>) -> Option<f64> {
    let t = text.trim().replace(',', "");
    let t = t.trim_start_matches('£').trim_end_matches('m');
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Some(x),
        _ => {
            errors.push(FieldError::new(
                field,
                format!("{} must be a number, like 12.5", capitalise(what)),
            ));
            None
        }
    }
}

/// A value typed as min / most likely / max: only "most likely" makes it fixed, lowest and
/// highest alone an even (uniform) range, all three a triangular range.
pub(crate) fn parse_range(
    min: &str,
    mode: &str,
    max: &str,
    field: &str,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    let (a, c, b) = (min.trim(), mode.trim(), max.trim());
    match (a.is_empty(), c.is_empty(), b.is_empty()) {
        (true, false, true) => parse_num(c, &format!("{field}_mode"), what, errors).map(|x| json!(x)),
        (false, false, false) => {
            let a = parse_num(a, &format!("{field}_min"), &format!("The lowest {what}"), errors)?;
            let c = parse_num(c, &format!("{field}_mode"), &format!("The most likely {what}"), errors)?;
            let b = parse_num(b, &format!("{field}_max"), &format!("The highest {what}"), errors)?;
            if !(a <= c && c <= b && a < b) {
                errors.push(FieldError::new(
                    &format!("{field}_min"),
                    format!(
                        "The {what} range must run from lowest to highest, with the most likely value between them"
                    ),
                ));
                return None;
            }
            Some(json!({"dist": "triangular", "min": a, "mode": c, "max": b}))
        }
        (false, true, false) => {
            let a = parse_num(a, &format!("{field}_min"), &format!("The lowest {what}"), errors)?;
            let b = parse_num(b, &format!("{field}_max"), &format!("The highest {what}"), errors)?;
            if a >= b {
                errors.push(FieldError::new(
                    &format!("{field}_min"),
                    format!("The lowest {what} must be below the highest"),
                ));
                return None;
            }
            Some(json!({"dist": "uniform", "min": a, "max": b}))
        }
        (true, true, true) => {
            errors.push(FieldError::new(&format!("{field}_mode"), format!("Enter the {what}")));
            None
        }
        _ => {
            errors.push(FieldError::new(
                &format!("{field}_min"),
                format!("Enter the {what} as one figure (most likely only), as lowest and highest, or as all three"),
            ));
            None
        }
    }
}

/// Applies the form to the plan's initiative k; the engine then validates the whole plan.
fn apply(doc: &mut PlanDocument, k: usize, form: &InitiativeForm, partners: &[i64]) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = form.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "Enter the initiative's name"));
    }
    let saving = parse_range(
        &form.saving_min,
        &form.saving_mode,
        &form.saving_max,
        "saving",
        "saving",
        &mut errors,
    );
    let slippage = parse_range(
        &form.slippage_min,
        &form.slippage_mode,
        &form.slippage_max,
        "slippage",
        "slippage in months",
        &mut errors,
    );
    let start = form.start_month.trim().parse::<i64>().ok();
    if start.is_none() {
        errors.push(FieldError::new("start_month", "Choose the month it starts"));
    }
    let ramp = form.ramp_months.trim().parse::<i64>().ok().filter(|r| *r >= 1);
    if ramp.is_none() {
        errors.push(FieldError::new(
            "ramp_months",
            "Months to full effect must be a whole number, 1 or more",
        ));
    }
    let costs: Vec<Option<f64>> = [
        (&form.recurrent_cost, "recurrent_cost", "Running cost"),
        (&form.double_running, "double_running", "Double running"),
        (&form.capital, "capital", "Capital"),
    ]
    .iter()
    .map(|(t, f, w)| {
        if t.trim().is_empty() {
            Some(0.0)
        } else {
            parse_num(t, f, w, &mut errors)
        }
    })
    .collect();
    let kind: Option<Kind> = serde_json::from_value(json!(form.kind)).ok();
    if kind.is_none() {
        errors.push(FieldError::new("kind", "Choose transformation or efficiency"));
    }
    let status: Option<Status> = serde_json::from_value(json!(form.status)).ok();
    if status.is_none() {
        errors.push(FieldError::new("status", "Choose where the initiative stands"));
    }
    let lead = match form.lead.trim() {
        "" => None,
        id => match id.parse::<i64>() {
            Ok(id) if partners.contains(&id) => Some(id),
            _ => {
                errors.push(FieldError::new(
                    "lead",
                    "Choose the lead organisation from the footprint's partners",
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let m = &mut doc.model["initiative"][k];
    m["name"] = json!(name);
    m["setting"] = json!(form.setting.trim());
    m["saving"] = saving.unwrap_or(Value::Null);
    m["start_month"] = json!(start.unwrap_or(0));
    m["ramp_months"] = json!(ramp.unwrap_or(1));
    if matches!(form.delivery.as_str(), "high" | "medium" | "low") {
        m["delivery"] = json!(form.delivery);
    }
    m["slippage_months"] = slippage.unwrap_or(json!(0));
    for (key, v) in ["recurrent_cost", "double_running", "capital"].iter().zip(&costs) {
        m[*key] = json!(v.unwrap_or(0.0));
    }
    let d = &mut doc.initiatives[k];
    d.description = form.description.trim().to_string();
    d.kind = kind.unwrap_or(Kind::Transformation);
    d.status = status.unwrap_or(Status::Proposed);
    d.priority = Some(form.priority.trim().to_string()).filter(|p| !p.is_empty());
    d.lead = lead;
    let get = |k: String| form.extra.get(&k).map(|s| s.trim().to_string()).unwrap_or_default();
    let mut milestones = Vec::new();
    let mut k = 0;
    while form.extra.contains_key(&format!("m_{k}_title")) {
        let title = get(format!("m_{k}_title"));
        if !title.is_empty() {
            milestones.push(footprint_domain::plan::Milestone {
                title,
                due: get(format!("m_{k}_due")),
                done: !get(format!("m_{k}_done")).is_empty(),
            });
        }
        k += 1;
    }
    let new_title = get("m_new_title".into());
    if !new_title.is_empty() {
        milestones.push(footprint_domain::plan::Milestone {
            title: new_title,
            due: get("m_new_due".into()),
            done: false,
        });
    }
    d.milestones = milestones;
    d.programmes = get("programmes".into())
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    d.partners = partners
        .iter()
        .filter(|o| Some(**o) != lead)
        .filter_map(|o| {
            let role = form.extra.get(&format!("partner_{o}"))?;
            serde_json::from_value::<footprint_domain::plan::PartnerRole>(json!(role))
                .ok()
                .map(|r| (*o, r))
        })
        .collect();
    d.revision += 1;
    Ok(())
}

/// The engine's errors on initiative k, put on the form's fields.
fn engine_errors(bad: &footprint_stress::BadInput, k: usize) -> Vec<FieldError> {
    let prefix = format!("initiative[{}].", k + 1);
    let details = format!("initiatives[{}].milestones[", k + 1);
    bad.errors
        .iter()
        .map(|e| {
            if let Some(rest) = e.path.strip_prefix(&details) {
                let m: usize = rest.split(']').next().and_then(|m| m.parse().ok()).unwrap_or(1);
                return FieldError::new(
                    &format!("m_{}_due", m.saturating_sub(1)),
                    format!("Milestone {m}: the due date must be a date like 2017-03-31"),
                );
            }
            let field =
                e.path
                    .strip_prefix(&prefix)
                    .map_or("name", |rest| match rest.split(['.', '[']).next().unwrap_or("") {
                        "saving" => "saving_mode",
                        "slippage_months" => "slippage_mode",
                        "start_month" => "start_month",
                        "ramp_months" => "ramp_months",
                        "recurrent_cost" => "recurrent_cost",
                        "double_running" => "double_running",
                        "capital" => "capital",
                        "setting" => "setting",
                        "delivery" => "delivery",
                        _ => "name",
                    });
            FieldError::new(field, capitalise(&e.message))
        })
        .collect()
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// What changed between two versions of an initiative's model, in words (for the audit log).
fn changes(old: &Value, new: &Value) -> String {
    let mut out = Vec::new();
    if let (Some(o), Some(n)) = (old.as_object(), new.as_object()) {
        for (k, v) in n {
            let before = o.get(k).unwrap_or(&Value::Null);
            if before != v {
                out.push(format!("{k} {before} → {v}"));
            }
        }
    }
    if out.is_empty() {
        "details".to_string()
    } else {
        out.join("; ")
    }
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    id: &str,
    form: Option<InitiativeForm>,
    errors: Vec<FieldError>,
    what_if: Option<Vec<String>>,
) -> Result<InitiativeFormPage, AppError> {
    let f = footprint(state, code).await?;
    viewer.require(Action::EditPlan(f.id))?;
    let draft = state.store.plan_draft(f.id).await?.ok_or(AppError::NotFound)?;
    let doc = document(&draft)?;
    let k = doc
        .initiatives
        .iter()
        .position(|d| d.id == id)
        .ok_or(AppError::NotFound)?;
    let form = form.unwrap_or_else(|| InitiativeForm::from_plan(&doc, k));
    let first_year = doc.model["first_year"].as_i64().unwrap_or(0);
    let years = doc.model["years"].as_i64().unwrap_or(1);
    let partners = state.store.partners(f.id).await?;
    let milestone_rows = {
        let get = |k: String| form.extra.get(&k).cloned().unwrap_or_default();
        let mut rows: Vec<crate::page::MilestoneRow> = Vec::new();
        let mut k = 0;
        while form.extra.contains_key(&format!("m_{k}_title")) {
            let error = errors
                .iter()
                .find(|e| e.field == format!("m_{k}_due"))
                .map(|e| e.message.clone());
            rows.push((
                format!("m_{k}"),
                get(format!("m_{k}_title")),
                get(format!("m_{k}_due")),
                form.extra.contains_key(&format!("m_{k}_done")),
                error,
            ));
            k += 1;
        }
        let error = errors
            .iter()
            .find(|e| e.field == format!("m_{k}_due") || e.field == "m_new_due")
            .map(|e| e.message.clone());
        rows.push((
            "m_new".into(),
            get("m_new_title".into()),
            get("m_new_due".into()),
            false,
            error,
        ));
        rows
    };
    Ok(InitiativeFormPage {
        page: Page::new(
            format!("Edit {}", doc.model["initiative"][k]["name"].as_str().unwrap_or(id)),
            viewer,
            "footprints",
        )
        .with_errors(errors),
        action: format!("/footprints/{}/plan/initiatives/{id}/edit", f.code),
        back: format!("/footprints/{}/plan#initiative-{id}", f.code),
        months: (0..12 * years)
            .map(|m| (m.to_string(), month_label(first_year, m)))
            .collect(),
        settings: footprint_stress::plan::Setting::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), s.as_str().replace('-', " ")))
            .collect(),
        priorities: doc
            .gaps
            .iter()
            .flat_map(|g| {
                g.priorities
                    .iter()
                    .map(move |p| (p.id.clone(), format!("{}: {}", g.gap.label(), p.title)))
            })
            .collect(),
        milestones: milestone_rows,
        what_if,
        programmes: form.extra.get("programmes").cloned().unwrap_or_default(),
        partner_roles: partners
            .iter()
            .map(|p| {
                let id = p.organisation.id;
                let role = form.extra.get(&format!("partner_{id}")).cloned().unwrap_or_default();
                (format!("partner_{id}"), p.organisation.name.clone(), role)
            })
            .collect(),
        organisations: partners
            .into_iter()
            .map(|p| (p.organisation.id.to_string(), p.organisation.name))
            .collect(),
        custom_delivery: doc.model["initiative"][k]["delivery"].as_str().is_none(),
        cost_overrun: crate::stress::value_label(
            doc.model["initiative"][k].get("cost_overrun").unwrap_or(&json!(1.0)),
            &|x| format!("×{x}"),
        ),
        form,
        footprint: f,
    })
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
) -> Result<InitiativeFormPage, AppError> {
    form_page(&state, &viewer, &code, &id, None, Vec::new(), None).await
}

async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, id)): Path<(String, String)>,
    Form(form): Form<InitiativeForm>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPlan(f.id))?;
    let again = |form: InitiativeForm, errors: Vec<FieldError>| {
        let (state, viewer, code, id) = (state.clone(), viewer.clone(), code.clone(), id.clone());
        async move {
            Ok::<Response, AppError>(
                form_page(&state, &viewer, &code, &id, Some(form), errors, None)
                    .await?
                    .into_response(),
            )
        }
    };
    let partners: Vec<i64> = state
        .store
        .partners(f.id)
        .await?
        .iter()
        .map(|p| p.organisation.id)
        .collect();
    // Another initiative saved at the same moment moves the draft's revision: try again on the
    // new draft, as long as this initiative itself is unchanged.
    for _ in 0..3 {
        let draft = state.store.plan_draft(f.id).await?.ok_or(AppError::NotFound)?;
        let mut doc = document(&draft)?;
        let k = doc
            .initiatives
            .iter()
            .position(|d| d.id == id)
            .ok_or(AppError::NotFound)?;
        if doc.initiatives[k].revision.to_string() != form.revision {
            let e = FieldError::new(
                "name",
                "Someone else saved this initiative since you opened it. Your changes are below but not saved: \
                 check them against the plan and save again",
            );
            let mut kept = form.clone();
            kept.revision = doc.initiatives[k].revision.to_string();
            return again(kept, vec![e]).await;
        }
        let before = doc.model["initiative"][k].clone();
        let old_doc = doc.clone();
        if let Err(errors) = apply(&mut doc, k, &form, &partners) {
            return again(form, errors).await;
        }
        if let Err(bad) = doc.validate() {
            return again(form, engine_errors(&bad, k)).await;
        }
        // "Try it without saving": the change and the draft on the same scenarios; nothing saved.
        if form.extra.get("action").map(String::as_str) == Some("what-if") {
            let (a, b) = (
                old_doc.validate().map_err(|e| AppError::internal(e.to_string()))?,
                doc.validate().map_err(|e| AppError::internal(e.to_string()))?,
            );
            let seed = a.run.seed.unwrap_or(0);
            let c = tokio::task::spawn_blocking(move || {
                footprint_stress::compare::compare_plans(&a, &b, crate::stress::LIVE_SAMPLES, seed)
            })
            .await
            .map_err(|e| AppError::internal(e.to_string()))?;
            let lines = match c {
                Ok(c) => {
                    let y = c.years.last().expect("a plan has at least one year");
                    vec![
                        format!(
                            "Chance of balance in {}: {} now, {} with this change ({}{:.1} points, standard error {:.1}).",
                            y.year,
                            percent(y.p_balance_a),
                            percent(y.p_balance_b),
                            if y.p_balance_change > 0.0 { "+" } else { "" },
                            y.p_balance_change * 100.0,
                            y.se_p_balance_change * 100.0
                        ),
                        format!(
                            "The gap in {} changes by {} on average (standard error {}); in 80% of the {} scenarios by between {} and {}.",
                            y.year,
                            money(y.gap_change.mean),
                            crate::charts::money2(y.gap_change.se_mean),
                            crate::charts::count(c.samples),
                            money(y.gap_change.p10),
                            money(y.gap_change.p90)
                        ),
                        "Nothing has been saved. Both runs use the same scenarios, so the difference comes from the change.".into(),
                    ]
                }
                Err(e) => vec![format!("The change cannot be compared: {e}")],
            };
            let mut kept = form.clone();
            kept.extra.remove("action");
            return Ok(
                form_page(&state, &viewer, &code, &id, Some(kept), Vec::new(), Some(lines))
                    .await?
                    .into_response(),
            );
        }
        // The result before the change, kept so that the stress page can show what it did.
        state
            .results
            .get((draft.id, draft.revision), &old_doc, crate::stress::LIVE_SAMPLES)
            .await?;
        let name = doc.model["initiative"][k]["name"].as_str().unwrap_or(&id).to_string();
        let summary = format!(
            "Edited initiative {name}: {}",
            changes(&before, &doc.model["initiative"][k])
        );
        let text = serde_json::to_string(&doc).map_err(|e| AppError::internal(e.to_string()))?;
        match state
            .store
            .update_plan_draft(&viewer.who(), f.id, draft.revision, &text, &summary)
            .await
        {
            Ok(_) => {
                let from = format!("{}-{}", draft.id, draft.revision);
                return Ok(
                    Redirect::to(&format!("/footprints/{}/plan/stress?changed={id}&from={from}", f.code))
                        .into_response(),
                );
            }
            Err(StoreError::Stale(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Conflict(FieldError::new(
        "plan",
        "The draft is being changed by several people at once; try again",
    )))
}
