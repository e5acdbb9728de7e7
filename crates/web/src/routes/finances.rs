//! The plan's financial template: base-year funding and spend, growth assumptions and other
//! income per year, edited in a form; and the whole financial model imported from, or exported
//! to, a stress-model TOML or JSON file.

use std::collections::HashMap;

use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_domain::plan::PlanDocument;
use footprint_store::StoreError;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, FieldError};
use crate::page::{FinancesPage, ImportPage, Page};
use crate::routes::footprints::footprint;
use crate::routes::initiatives::{parse_num, parse_range, range};
use crate::routes::plans::document;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/footprints/{code}/plan/finances",
            get(finances_form).post(save_finances),
        )
        .route("/footprints/{code}/plan/import", get(import_form).post(import))
        .route("/footprints/{code}/plan/draft/{file}", get(draft_file))
}

fn pct(v: &Value) -> Value {
    match v {
        Value::Number(_) => json!(round(v.as_f64().unwrap_or(0.0) * 100.0)),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| {
                    (
                        k.clone(),
                        if k == "dist" {
                            x.clone()
                        } else {
                            json!(round(x.as_f64().unwrap_or(0.0) * 100.0))
                        },
                    )
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn unpct(v: Value, kind: Option<&str>) -> Value {
    match v {
        Value::Number(_) => json!(round(v.as_f64().unwrap_or(0.0) / 100.0)),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, x)| {
                    if k == "dist" {
                        // A three-figure range keeps the shape it had (PERT or triangular).
                        let shape = if x == "triangular" && kind == Some("pert") {
                            json!("pert")
                        } else {
                            x
                        };
                        (k, shape)
                    } else {
                        (k, json!(round(x.as_f64().unwrap_or(0.0) / 100.0)))
                    }
                })
                .collect(),
        ),
        other => other,
    }
}

/// Percentages and fractions without binary noise: 3.1% is 0.031, and 0.035 shows as 3.5%.
fn round(x: f64) -> f64 {
    (x * 1e10).round() / 1e10
}

/// The form's fields, by name, as typed.
type Fields = HashMap<String, String>;

fn fields_from(doc: &PlanDocument) -> Fields {
    let b = &doc.model["baseline"];
    let mut f = Fields::new();
    // A fixed amount may be a plain number or { dist = "fixed", value = x } (spec section 2).
    f.insert("funding".into(), range(&b["funding"]).1);
    f.insert("spend".into(), range(&b["spend"]).1);
    for (key, name) in [("demand_growth", "demand"), ("cost_inflation", "inflation")] {
        let (a, c, z) = range(&pct(&b[key]));
        f.insert(format!("{name}_min"), a);
        f.insert(format!("{name}_mode"), c);
        f.insert(format!("{name}_max"), z);
    }
    let years = doc.model["years"].as_u64().unwrap_or(0) as usize;
    for t in 0..years {
        let (a, c, z) = range(&pct(&b["funding_growth"][t]));
        f.insert(format!("growth_{t}_min"), a);
        f.insert(format!("growth_{t}_mode"), c);
        f.insert(format!("growth_{t}_max"), z);
        f.insert(
            format!("income_{t}"),
            b.get("other_income")
                .map_or_else(|| "0".to_string(), |o| range(&o[t]).1),
        );
    }
    f.insert("revision".into(), String::new());
    f
}

fn page(
    viewer: &Viewer,
    f: &footprint_store::footprints::Footprint,
    doc: &PlanDocument,
    fields: Fields,
    errors: Vec<FieldError>,
) -> FinancesPage {
    let first_year = doc.model["first_year"].as_i64().unwrap_or(0);
    let years = doc.model["years"].as_i64().unwrap_or(0);
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    FinancesPage {
        page: Page::new("The plan's finances", viewer, "footprints").with_errors(errors),
        action: format!("/footprints/{}/plan/finances", f.code),
        back: format!("/footprints/{}/plan", f.code),
        funding: get("funding"),
        spend: get("spend"),
        demand: [get("demand_min"), get("demand_mode"), get("demand_max")],
        inflation: [get("inflation_min"), get("inflation_mode"), get("inflation_max")],
        years: (0..years)
            .map(|t| {
                let y = first_year + t;
                (
                    t.to_string(),
                    format!("{y}/{:02}", (y + 1) % 100),
                    [
                        get(&format!("growth_{t}_min")),
                        get(&format!("growth_{t}_mode")),
                        get(&format!("growth_{t}_max")),
                    ],
                    get(&format!("income_{t}")),
                )
            })
            .collect(),
        base_year: format!("{}/{:02}", first_year - 1, first_year % 100),
        revision: get("revision"),
        footprint: f.clone(),
    }
}

async fn finances_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<FinancesPage, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPlan(f.id))?;
    let draft = state.store.plan_draft(f.id).await?.ok_or(AppError::NotFound)?;
    let doc = document(&draft)?;
    let mut fields = fields_from(&doc);
    fields.insert("revision".into(), draft.revision.to_string());
    Ok(page(&viewer, &f, &doc, fields, Vec::new()))
}

/// The engine's errors on the baseline, put on the form's fields.
fn engine_errors(bad: &footprint_stress::BadInput) -> Vec<FieldError> {
    bad.errors
        .iter()
        .map(|e| {
            let p = e.path.strip_prefix("baseline.").unwrap_or(&e.path);
            let field = if let Some(rest) = p.strip_prefix("funding_growth[") {
                let k: usize = rest.split(']').next().and_then(|k| k.parse().ok()).unwrap_or(1);
                format!("growth_{}_mode", k.saturating_sub(1))
            } else if let Some(rest) = p.strip_prefix("other_income[") {
                let k: usize = rest.split(']').next().and_then(|k| k.parse().ok()).unwrap_or(1);
                format!("income_{}", k.saturating_sub(1))
            } else if p.starts_with("demand_growth") {
                "demand_mode".into()
            } else if p.starts_with("cost_inflation") {
                "inflation_mode".into()
            } else if p.starts_with("spend") {
                "spend".into()
            } else {
                "funding".into()
            };
            FieldError::new(&field, crate::routes::initiatives::capitalise(&e.message))
        })
        .collect()
}

async fn save_finances(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(fields): Form<Fields>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPlan(f.id))?;
    let draft = state.store.plan_draft(f.id).await?.ok_or(AppError::NotFound)?;
    let mut doc = document(&draft)?;
    let old_doc = doc.clone();
    let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    let mut errors = Vec::new();
    let funding = parse_num(get("funding"), "funding", "Funding", &mut errors);
    let spend = parse_num(get("spend"), "spend", "Spend", &mut errors);
    let b = doc.model["baseline"].clone();
    let years = doc.model["years"].as_u64().unwrap_or(0) as usize;
    let demand = parse_range(
        get("demand_min"),
        get("demand_mode"),
        get("demand_max"),
        "demand",
        "demand growth",
        &mut errors,
    )
    .map(|v| unpct(v, b["demand_growth"]["dist"].as_str()));
    let inflation = parse_range(
        get("inflation_min"),
        get("inflation_mode"),
        get("inflation_max"),
        "inflation",
        "cost inflation",
        &mut errors,
    )
    .map(|v| unpct(v, b["cost_inflation"]["dist"].as_str()));
    let mut growth = Vec::new();
    let mut income = Vec::new();
    for t in 0..years {
        let kind = b["funding_growth"][t]["dist"].as_str();
        growth.push(
            parse_range(
                get(&format!("growth_{t}_min")),
                get(&format!("growth_{t}_mode")),
                get(&format!("growth_{t}_max")),
                &format!("growth_{t}"),
                "funding growth",
                &mut errors,
            )
            .map(|v| unpct(v, kind)),
        );
        let typed = get(&format!("income_{t}"));
        income.push(if typed.trim().is_empty() {
            Some(0.0)
        } else {
            parse_num(typed, &format!("income_{t}"), "Other income", &mut errors)
        });
    }
    let revision: i64 = get("revision").parse().unwrap_or(-1);
    if errors.is_empty() {
        let m = &mut doc.model["baseline"];
        m["funding"] = json!(funding.unwrap_or(0.0));
        m["spend"] = json!(spend.unwrap_or(0.0));
        m["demand_growth"] = demand.clone().unwrap_or(Value::Null);
        m["cost_inflation"] = inflation.clone().unwrap_or(Value::Null);
        m["funding_growth"] = Value::Array(growth.iter().map(|g| g.clone().unwrap_or(Value::Null)).collect());
        let income: Vec<f64> = income.iter().map(|x| x.unwrap_or(0.0)).collect();
        if m.get("other_income").is_some() || income.iter().any(|x| *x != 0.0) {
            m["other_income"] = json!(income);
        }
        if let Err(bad) = doc.validate() {
            errors = engine_errors(&bad);
        }
    }
    if !errors.is_empty() {
        return Ok(page(&viewer, &f, &old_doc, fields, errors).into_response());
    }
    state
        .results
        .get((draft.id, draft.revision), &old_doc, crate::stress::LIVE_SAMPLES)
        .await?;
    let text = serde_json::to_string(&doc).map_err(|e| AppError::internal(e.to_string()))?;
    match state
        .store
        .update_plan_draft(&viewer.who(), f.id, revision, &text, "Edited the plan's finances")
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/footprints/{}/plan/stress?changed=finances&from={}-{}",
            f.code, draft.id, draft.revision
        ))
        .into_response()),
        Err(StoreError::Stale(_)) => {
            let e = crate::routes::stale_draft("funding", "figures");
            let mut kept = fields.clone();
            kept.insert("revision".into(), draft.revision.to_string());
            Ok(page(&viewer, &f, &old_doc, kept, vec![e]).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn import_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<ImportPage, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPlan(f.id))?;
    Ok(ImportPage {
        page: Page::new("Import the financial model", &viewer, "footprints"),
        action: format!("/footprints/{}/plan/import", f.code),
        problems: Vec::new(),
        footprint: f,
    })
}

/// Replaces the draft's financial model with an uploaded stress-model file. Initiatives keep
/// their partnership details by id; new ones get empty details; the engine checks everything.
async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPlan(f.id))?;
    let refuse = |problems: Vec<String>| {
        let mut p = ImportPage {
            page: Page::new("Import the financial model", &viewer, "footprints").with_errors(vec![FieldError::new(
                "file",
                problems.first().cloned().unwrap_or_default(),
            )]),
            action: format!("/footprints/{}/plan/import", f.code),
            problems,
            footprint: f.clone(),
        };
        if p.problems.len() > 1 {
            p.page.errors[0].message = format!("The file has {} problems: nothing was imported", p.problems.len());
        }
        Ok::<Response, AppError>(p.into_response())
    };
    let mut upload: Option<(String, Vec<u8>)> = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| AppError::Invalid(vec![FieldError::new("file", "The upload could not be read")]))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("plan.toml").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::Invalid(vec![FieldError::new("file", "The upload could not be read")]))?;
            upload = Some((name, bytes.to_vec()));
        }
    }
    let Some((name, bytes)) = upload.filter(|(_, b)| !b.is_empty()) else {
        return refuse(vec!["Choose a plan file to upload".into()]);
    };
    let lower = name.to_lowercase();
    let imported = if lower.ends_with(".xlsx") {
        let model = match crate::xlsx::read_model(&bytes) {
            Ok(m) => m,
            Err(problems) => return refuse(problems),
        };
        match PlanDocument::from_model_text(&model.to_string(), "workbook.json") {
            Ok(d) => d,
            Err(bad) => {
                // The engine names key paths; say where they are in the workbook.
                return refuse(
                    bad.errors
                        .iter()
                        .map(|e| format!("{name}: {}: {}: {}", crate::xlsx::locate(&e.path), e.path, e.message))
                        .collect(),
                );
            }
        }
    } else if lower.ends_with(".toml") || lower.ends_with(".json") {
        let Ok(text) = String::from_utf8(bytes) else {
            return refuse(vec!["The file must be a TOML or JSON text file in UTF-8".into()]);
        };
        match PlanDocument::from_model_text(&text, &name) {
            Ok(d) => d,
            Err(bad) => return refuse(bad.errors.iter().map(ToString::to_string).collect()),
        }
    } else {
        return refuse(vec![
            "The file must be a .xlsx workbook or a .toml or .json stress-model plan".into(),
        ]);
    };
    let draft = state.store.plan_draft(f.id).await?.ok_or(AppError::NotFound)?;
    let old = document(&draft)?;
    let mut doc = old.clone();
    doc.model = imported.model;
    doc.initiatives = imported
        .initiatives
        .into_iter()
        .map(|fresh| {
            old.initiatives
                .iter()
                .find(|d| d.id == fresh.id)
                .cloned()
                .unwrap_or(fresh)
        })
        .collect();
    if let Err(bad) = doc.validate() {
        return refuse(bad.errors.iter().map(ToString::to_string).collect());
    }
    state
        .results
        .get((draft.id, draft.revision), &old, crate::stress::LIVE_SAMPLES)
        .await?;
    let text = serde_json::to_string(&doc).map_err(|e| AppError::internal(e.to_string()))?;
    state
        .store
        .update_plan_draft(
            &viewer.who(),
            f.id,
            draft.revision,
            &text,
            &format!("Imported the financial model from {name}"),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/footprints/{}/plan/stress?changed=finances&from={}-{}",
        f.code, draft.id, draft.revision
    ))
    .into_response())
}

async fn draft_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::ViewFootprintPrivate(f.id))?;
    let draft = state.store.plan_draft(f.id).await?.ok_or(AppError::NotFound)?;
    let doc = document(&draft)?;
    let (body, content_type, ext): (Vec<u8>, &str, &str) = match file.as_str() {
        "model.toml" => (doc.model_toml().into_bytes(), "application/toml; charset=utf-8", "toml"),
        "model.json" => (doc.model_json().into_bytes(), "application/json", "json"),
        "model.xlsx" => (
            crate::xlsx::write_model(&doc.model).map_err(|e| AppError::internal(format!("writing a workbook: {e}")))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => return Err(AppError::NotFound),
    };
    let disposition = format!("attachment; filename=\"{}-plan-draft.{ext}\"", f.code.to_lowercase());
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}
