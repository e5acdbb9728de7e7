//! A footprint's plan: the current plan (the draft for partners and national assurance, the
//! newest published version for everyone else), its versions, each version's stress test, and
//! each version's financial model as stress-model TOML or JSON (open data once published).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use footprint_domain::access::Action;
use footprint_domain::plan::PlanDocument;
use footprint_store::plans::{PlanVersion, VersionStatus};

use crate::AppState;
use crate::auth::Viewer;
use crate::charts::{money, percent};
use crate::error::AppError;
use crate::page::{GapView, InitiativeRow, Page, PlanPage, PlanVersionsPage, PriorityView, StressPage, when};
use crate::routes::footprints::footprint;
use crate::stress::{FULL_SAMPLES, LIVE_SAMPLES, month_label, value_label, variable_label};
use axum::extract::Query;
use footprint_store::footprints::Footprint;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/footprints/{code}/plan", get(current_plan))
        .route("/footprints/{code}/plan/stress", get(current_stress))
        .route("/footprints/{code}/plan/versions", get(versions))
        .route("/footprints/{code}/plan/publish", axum::routing::post(publish))
        .route("/footprints/{code}/plan/versions/{number}", get(version_plan))
        .route("/footprints/{code}/plan/versions/{number}/stress", get(version_stress))
        .route("/footprints/{code}/plan/versions/{number}/{file}", get(model_file))
}

/// A numbered version the viewer may read: published ones by anyone, submitted ones by the
/// footprint's partners and national assurance.
pub async fn readable_version(
    state: &AppState,
    viewer: &Viewer,
    footprint_id: i64,
    number: i64,
) -> Result<PlanVersion, AppError> {
    let v = state
        .store
        .plan_version(footprint_id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    if v.status != VersionStatus::Published {
        viewer.require(Action::ViewFootprintPrivate(footprint_id))?;
    }
    Ok(v)
}

/// A version's document.
pub fn document(v: &PlanVersion) -> Result<PlanDocument, AppError> {
    serde_json::from_str(&v.document)
        .map_err(|e| AppError::internal(format!("plan version {} does not read: {e}", v.id)))
}

async fn model_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, number, file)): Path<(String, i64, String)>,
) -> Result<Response, AppError> {
    let f = footprint(&state, &code).await?;
    let (text, content_type, ext) = match file.as_str() {
        "plan.json" | "plan.csv" => {
            let v = readable_version(&state, &viewer, f.id, number).await?;
            let doc = document(&v)?;
            let orgs: Vec<(i64, String)> = state
                .store
                .organisations()
                .await?
                .into_iter()
                .map(|o| (o.id, o.name))
                .collect();
            if file == "plan.json" {
                let body = crate::export::plan_json(&f, &v, &doc, &orgs);
                (
                    serde_json::to_string_pretty(&body).map_err(|e| AppError::internal(e.to_string()))?,
                    "application/json",
                    "json",
                )
            } else {
                (crate::export::plan_csv(&doc, &orgs)?, "text/csv; charset=utf-8", "csv")
            }
        }
        "model.toml" | "model.json" => {
            let v = readable_version(&state, &viewer, f.id, number).await?;
            let doc = document(&v)?;
            if file == "model.toml" {
                (doc.model_toml(), "application/toml; charset=utf-8", "toml")
            } else {
                (doc.model_json(), "application/json", "json")
            }
        }
        "model.xlsx" => {
            let v = readable_version(&state, &viewer, f.id, number).await?;
            let doc = document(&v)?;
            let bytes = crate::xlsx::write_model(&doc.model)
                .map_err(|e| AppError::internal(format!("writing a workbook: {e}")))?;
            let disposition = format!("attachment; filename=\"{}-plan-v{number}.xlsx\"", f.code.to_lowercase());
            return Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response());
        }
        _ => return Err(AppError::NotFound),
    };
    let suffix = if file.starts_with("plan") { "-open-data" } else { "" };
    let disposition = format!(
        "attachment; filename=\"{}-plan-v{number}{suffix}.{ext}\"",
        f.code.to_lowercase()
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        text,
    )
        .into_response())
}

/// The version a footprint's plan pages show: the draft to those who may see it, else the newest
/// published version.
pub async fn current(state: &AppState, viewer: &Viewer, f: &Footprint) -> Result<PlanVersion, AppError> {
    if viewer.can(Action::ViewFootprintPrivate(f.id))
        && let Some(d) = state.store.plan_draft(f.id).await?
    {
        return Ok(d);
    }
    state.store.latest_published_plan(f.id).await?.ok_or(AppError::NotFound)
}

fn label(v: &PlanVersion) -> (String, String) {
    match v.number {
        Some(n) => (
            format!("Version {n}"),
            match v.status {
                VersionStatus::Published => "Published".to_string(),
                _ => "Submitted".to_string(),
            },
        ),
        None => ("Draft".to_string(), "Draft".to_string()),
    }
}

fn base(f: &Footprint, v: &PlanVersion) -> String {
    match v.number {
        Some(n) => format!("/footprints/{}/plan/versions/{n}", f.code),
        None => format!("/footprints/{}/plan", f.code),
    }
}

async fn plan_page(state: &AppState, viewer: &Viewer, f: Footprint, v: PlanVersion) -> Result<PlanPage, AppError> {
    let doc = document(&v)?;
    let model = &doc.model;
    let first_year = model["first_year"].as_i64().unwrap_or(0);
    let orgs = state.store.organisations().await?;
    let org_name = |id: Option<i64>| {
        id.and_then(|id| orgs.iter().find(|o| o.id == id))
            .map_or_else(|| "Not agreed yet".to_string(), |o| o.name.clone())
    };
    let m = |x: f64| money(x);
    let share = |x: f64| percent(x);
    let empty = Vec::new();
    let model_initiatives = model["initiative"].as_array().unwrap_or(&empty);
    let rows: Vec<(Option<String>, InitiativeRow)> = model_initiatives
        .iter()
        .zip(&doc.initiatives)
        .map(|(i, d)| {
            let start = i["start_month"].as_i64().unwrap_or(0);
            let row = InitiativeRow {
                id: d.id.clone(),
                name: i["name"].as_str().unwrap_or("").to_string(),
                setting: i["setting"].as_str().unwrap_or("").replace('-', " "),
                kind: format!("{:?}", d.kind).to_lowercase(),
                lead: org_name(d.lead),
                saving: value_label(&i["saving"], &m),
                start: month_label(first_year, start),
                ramp: format!("{} months", i["ramp_months"].as_i64().unwrap_or(0)),
                delivery: value_label(&i["delivery"], &share),
                status: format!("{:?}", d.status)
                    .chars()
                    .enumerate()
                    .flat_map(|(k, c)| {
                        if k > 0 && c.is_uppercase() {
                            vec![' ', c.to_ascii_lowercase()]
                        } else {
                            vec![c]
                        }
                    })
                    .collect(),
            };
            (d.priority.clone(), row)
        })
        .collect();
    let gaps = doc
        .gaps
        .iter()
        .map(|g| GapView {
            label: g.gap.label().to_string(),
            summary: g.summary.clone(),
            priorities: g
                .priorities
                .iter()
                .map(|p| PriorityView {
                    title: p.title.clone(),
                    description: p.description.clone(),
                    initiatives: rows
                        .iter()
                        .filter(|(pr, _)| pr.as_deref() == Some(p.id.as_str()))
                        .map(|(_, r)| r.clone())
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let known: Vec<&str> = doc
        .gaps
        .iter()
        .flat_map(|g| g.priorities.iter().map(|p| p.id.as_str()))
        .collect();
    let unassigned = rows
        .iter()
        .filter(|(p, _)| p.as_deref().is_none_or(|p| !known.contains(&p)))
        .map(|(_, r)| r.clone())
        .collect();
    let b = &model["baseline"];
    let years = model["years"].as_i64().unwrap_or(0);
    let baseline = vec![
        (
            "Plan years".to_string(),
            format!("{} years from {}/{:02}", years, first_year, (first_year + 1) % 100),
        ),
        (
            "Recurrent funding in the base year".to_string(),
            value_label(&b["funding"], &m),
        ),
        ("Spend in the base year".to_string(), value_label(&b["spend"], &m)),
        (
            "Demand growth a year".to_string(),
            value_label(&b["demand_growth"], &share),
        ),
        (
            "Cost inflation a year".to_string(),
            value_label(&b["cost_inflation"], &share),
        ),
    ];
    let (label, status) = label(&v);
    let title = format!("{} plan: {}", f.name, label.to_lowercase());
    Ok(PlanPage {
        page: Page::new(title, viewer, "footprints"),
        made: format!("{}, by {}", when(&v.created_at), v.created_by),
        stress_link: format!("{}/stress", base(&f, &v)),
        edit_base: (v.number.is_none() && viewer.can(Action::EditPlan(f.id)))
            .then(|| format!("/footprints/{}/plan/initiatives", f.code)),
        can_publish: v.number.is_none() && viewer.can(Action::PublishPlan(f.id)),
        number: v.number,
        name: doc.name().to_string(),
        vision: doc.vision.clone(),
        baseline,
        gaps,
        unassigned,
        label,
        status,
        footprint: f,
    })
}

async fn current_plan(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<PlanPage, AppError> {
    let f = footprint(&state, &code).await?;
    let v = current(&state, &viewer, &f).await?;
    plan_page(&state, &viewer, f, v).await
}

async fn version_plan(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, number)): Path<(String, i64)>,
) -> Result<PlanPage, AppError> {
    let f = footprint(&state, &code).await?;
    let v = readable_version(&state, &viewer, f.id, number).await?;
    plan_page(&state, &viewer, f, v).await
}

async fn versions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<PlanVersionsPage, AppError> {
    let f = footprint(&state, &code).await?;
    let private = viewer.can(Action::ViewFootprintPrivate(f.id));
    let versions = state
        .store
        .plan_versions(f.id)
        .await?
        .into_iter()
        .filter(|v| private || v.status == VersionStatus::Published)
        .map(|v| {
            let (_, status) = label(&v);
            (v.number.unwrap_or(0), status, when(&v.created_at), v.created_by)
        })
        .collect();
    let draft = if private {
        state.store.plan_draft(f.id).await?.map(|d| when(&d.created_at))
    } else {
        None
    };
    Ok(PlanVersionsPage {
        page: Page::new(format!("Versions of the {} plan", f.name), &viewer, "footprints"),
        footprint: f,
        versions,
        draft,
    })
}

#[derive(serde::Deserialize)]
struct StressQuery {
    samples: Option<u64>,
    /// After an edit: the initiative changed.
    changed: Option<String>,
    /// After an edit: the draft and revision before it, `ID-REVISION`.
    from: Option<String>,
}

async fn stress_page(
    state: &AppState,
    viewer: &Viewer,
    f: Footprint,
    v: PlanVersion,
    q: &StressQuery,
) -> Result<StressPage, AppError> {
    let samples = samples(q);
    let doc = document(&v)?;
    let result = state.results.get((v.id, v.revision), &doc, samples).await?;
    // After an edit: the same scenarios (same seed, same streams for every unchanged value)
    // before and after, so the difference is the edit's, not chance's.
    let changed = match (&q.changed, &q.from) {
        (Some(id), Some(from)) if v.number.is_none() => {
            let name = if id == "finances" {
                Some("the plan's finances".to_string())
            } else {
                crate::stress::initiative_names(&doc.model)
                    .into_iter()
                    .find(|(i, _)| i == id)
                    .map(|(_, n)| n)
            };
            let before = from
                .split_once('-')
                .and_then(|(a, b)| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)))
                .filter(|(d, _)| *d == v.id)
                .and_then(|key| state.results.peek(key, samples));
            match (name, before) {
                (Some(name), Some(before)) => {
                    let last = |r: &footprint_stress::StressResult| r.gap.last().map_or(0.0, |y| y.p50);
                    Some((
                        format!("Saved: {name}"),
                        format!(
                            "Chance of balance in the final year: {} before, {} now. Median final-year gap: {} before, {} now. Both runs use the same scenarios, so the difference comes from the change, not from chance.",
                            percent(before.final_year.p_balance),
                            percent(result.final_year.p_balance),
                            money(last(&before)),
                            money(last(&result)),
                        ),
                    ))
                }
                (Some(name), None) => Some((format!("Saved: {name}"), String::new())),
                _ => None,
            }
        }
        _ => None,
    };
    let initiatives = crate::stress::initiative_names(&doc.model);
    let name = |n: &str| variable_label(n, &initiatives, &result.years);
    let balance = result
        .gap
        .iter()
        .map(|y| (y.year.clone(), percent(y.p_balance), percent(y.se_p_balance)))
        .collect();
    let gap = result
        .gap
        .iter()
        .map(|y| {
            [
                y.year.clone(),
                money(y.p5),
                money(y.p10),
                money(y.p50),
                money(y.p90),
                money(y.p95),
                money(y.mean),
                crate::charts::money2(y.se_mean),
            ]
        })
        .collect();
    let top: Vec<(String, &footprint_stress::result::TornadoBar)> =
        result.tornado.iter().take(10).map(|b| (name(&b.variable), b)).collect();
    let centre = result.median_plan.gap.last().copied().unwrap_or(0.0);
    let bars = top
        .iter()
        .map(|(n, b)| [n.clone(), money(b.low), money(b.high), money(b.swing)])
        .collect();
    let (label, _) = label(&v);
    let plan_link = base(&f, &v);
    Ok(StressPage {
        page: Page::new(
            format!("Stress test of the {} plan: {}", f.name, label.to_lowercase()),
            viewer,
            "footprints",
        ),
        label,
        samples: crate::charts::count(result.samples),
        seed: result.seed,
        method: result.method.replace('-', " "),
        balance,
        gap,
        final_p: percent(result.final_year.p_balance),
        final_se: percent(result.final_year.se_p_balance),
        shortfall: money(result.final_year.expected_shortfall),
        capital: format!(
            "{} (80% of scenarios between {} and {})",
            money(result.capital.p50),
            money(result.capital.p10),
            money(result.capital.p90)
        ),
        fan: crate::charts::fan("fan", &result.gap),
        tornado: crate::charts::tornado("tornado", &top, centre),
        bars,
        flags: result
            .flags
            .iter()
            .map(|fl| (fl.severity.clone(), fl.message.clone()))
            .collect(),
        full_link: (samples < FULL_SAMPLES).then(|| format!("{plan_link}/stress?samples={FULL_SAMPLES}")),
        changed,
        can_publish: v.number.is_none() && viewer.can(Action::PublishPlan(f.id)),
        plan_link,
        footprint: f,
    })
}

fn samples(q: &StressQuery) -> u64 {
    if q.samples == Some(FULL_SAMPLES) {
        FULL_SAMPLES
    } else {
        LIVE_SAMPLES
    }
}

async fn current_stress(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(q): Query<StressQuery>,
) -> Result<StressPage, AppError> {
    let f = footprint(&state, &code).await?;
    let v = current(&state, &viewer, &f).await?;
    stress_page(&state, &viewer, f, v, &q).await
}

async fn version_stress(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, number)): Path<(String, i64)>,
    Query(q): Query<StressQuery>,
) -> Result<StressPage, AppError> {
    let f = footprint(&state, &code).await?;
    let v = readable_version(&state, &viewer, f.id, number).await?;
    stress_page(&state, &viewer, f, v, &q).await
}

#[derive(serde::Deserialize)]
struct PublishForm {
    #[serde(default)]
    status: String,
}

/// Fixes the draft as the next numbered version: published (public) or submitted (to national
/// assurance).
async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    axum::Form(form): axum::Form<PublishForm>,
) -> Result<axum::response::Redirect, AppError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::PublishPlan(f.id))?;
    let status = match form.status.as_str() {
        "published" => VersionStatus::Published,
        "submitted" => VersionStatus::Submitted,
        _ => {
            return Err(AppError::Invalid(vec![crate::error::FieldError::new(
                "status",
                "Choose publish or submit",
            )]));
        }
    };
    let draft = state.store.plan_draft(f.id).await?.ok_or(AppError::NotFound)?;
    document(&draft)?
        .validate()
        .map_err(|e| AppError::internal(format!("the draft does not validate: {e}")))?;
    let v = state.store.snapshot_plan(&viewer.who(), f.id, status).await?;
    Ok(axum::response::Redirect::to(&format!(
        "/footprints/{}/plan/versions/{}",
        f.code,
        v.number.unwrap_or(0)
    )))
}
