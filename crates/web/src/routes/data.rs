//! Open data: every published plan, the decision register, consultations and the dashboard's
//! figures (from published material only) as downloads, and the data dictionary that says what
//! each file and column holds.

use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::export::CSV_COLUMNS;
use crate::page::{DataPage, Page};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/data", get(data))
        .route("/data/{file}", get(download))
}

/// The open-data tables: (file stem, columns with what each holds).
pub const TABLES: [(&str, &[(&str, &str)]); 3] = [
    (
        "footprints",
        &[
            (
                "code",
                "The footprint's code (ONS E54…, or the code it was set up with)",
            ),
            ("name", "The footprint's name"),
            ("region", "NHS England region"),
            ("plan_version", "Its newest published plan version (empty if none)"),
            (
                "final_year_gap_p50",
                "£m: the median final-year gap in the latest national stress test, where that run used the published plan",
            ),
            (
                "p_balance",
                "The chance (0 to 1) the plan balances in its final year, from the same run",
            ),
            (
                "savings_share",
                "Planned final-year savings as a share of base-year spend (0 to 1)",
            ),
            (
                "engagement_share",
                "Share of its stakeholder groups engaged at \"involve\" or deeper (0 to 1)",
            ),
            (
                "body",
                "Whether a decision-making body with a rule is set up (true or false)",
            ),
            ("decisions", "Decisions recorded in its register"),
            ("milestones", "Milestones in its published plan"),
            ("milestones_late", "Of those, past their date and not done"),
            (
                "rating",
                "The dashboard rating from these figures (outstanding, advanced, making-progress, needs-most-improvement), empty when fewer than three of finance, engagement, governance and delivery are known",
            ),
        ],
    ),
    (
        "decisions",
        &[
            ("footprint", "The footprint's code"),
            ("id", "The decision's number"),
            ("decided_on", "The date, YYYY-MM-DD"),
            ("body", "The body that decided"),
            (
                "confidential",
                "true for a confidential decision, of which only the date and body are published",
            ),
            ("title", "What was decided"),
            ("outcome", "carried, not-carried, blocked or consent-missing"),
            ("agreed", "Organisations that consented, separated by semicolons"),
            (
                "dissented",
                "Organisations that objected or blocked, each with its reason",
            ),
            ("abstained", "Organisations that abstained"),
            ("supersedes", "The number of the decision it replaces"),
            ("superseded_by", "The number of the decision that replaces it"),
        ],
    ),
    (
        "consultations",
        &[
            ("footprint", "The footprint's code"),
            ("id", "The consultation's number"),
            ("title", "Its title"),
            ("formal", "true for a formal public consultation"),
            ("opens_on", "Opening date"),
            ("closes_on", "Closing date (responses taken until the end of that day)"),
            ("responses", "Responses received"),
            ("decided_on", "When the decision that relies on it was taken"),
            (
                "you_said_we_did",
                "What the footprint published it did with what people said",
            ),
        ],
    ),
];

fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => crate::export::safe_cell(s),
        other => other.to_string(),
    }
}

async fn rows(state: &AppState, stem: &str) -> Result<Vec<serde_json::Value>, AppError> {
    use serde_json::json;
    Ok(match stem {
        "footprints" => crate::routes::dashboard::lines(state, true)
            .await?
            .0
            .iter()
            .map(|l| {
                json!({
                    "code": l.code, "name": l.name, "region": l.region, "plan_version": l.plan,
                    "final_year_gap_p50": l.gap, "p_balance": l.p_balance, "savings_share": l.savings,
                    "engagement_share": l.engagement, "body": l.has_body, "decisions": l.decisions,
                    "milestones": l.late.map(|x| x.0), "milestones_late": l.late.map(|x| x.1),
                    "rating": l.assessment.rating.map(|r| r.key()),
                })
            })
            .collect(),
        "decisions" => {
            let mut out = Vec::new();
            for f in state.store.footprints().await? {
                let f = f.footprint;
                let decisions = state.store.decisions(f.id).await?;
                if decisions.is_empty() {
                    continue;
                }
                for d in decisions {
                    // Open data is public: a confidential decision gives its date and body only,
                    // whoever downloads it.
                    out.push(if d.confidential {
                        json!({"footprint": f.code, "id": d.id, "decided_on": d.decided_on, "body": d.body,
                               "confidential": true, "title": null, "outcome": null, "agreed": null,
                               "dissented": null, "abstained": null, "supersedes": d.supersedes_id,
                               "superseded_by": d.superseded_by})
                    } else {
                        json!({"footprint": f.code, "id": d.id, "decided_on": d.decided_on, "body": d.body,
                               "confidential": false, "title": d.title,
                               "outcome": serde_json::to_value(&d.outcome).ok().and_then(|v| v["kind"].as_str().map(str::to_string)),
                               "agreed": d.agreed.join("; "),
                               "dissented": d.dissented.iter().map(|(o, why)| format!("{o}: {why}")).collect::<Vec<_>>().join("; "),
                               "abstained": d.abstained.join("; "), "supersedes": d.supersedes_id,
                               "superseded_by": d.superseded_by})
                    });
                }
            }
            out
        }
        "consultations" => state
            .store
            .published_consultations()
            .await?
            .into_iter()
            .map(|(c, code, _, responses)| {
                json!({"footprint": code, "id": c.id, "title": c.title, "formal": c.formal,
                       "opens_on": c.opens_on, "closes_on": c.closes_on, "responses": responses,
                       "decided_on": c.decided_on, "you_said_we_did": if c.responded_on.is_some() { Some(c.you_said_we_did) } else { None }})
            })
            .collect(),
        _ => return Err(AppError::NotFound),
    })
}

async fn download(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<axum::response::Response, AppError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let (stem, ext) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let columns = TABLES
        .iter()
        .find(|(s, _)| *s == stem)
        .map(|(_, c)| *c)
        .ok_or(AppError::NotFound)?;
    let rows = rows(&state, stem).await?;
    match ext {
        "json" => Ok((
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ stem: rows }).to_string(),
        )
            .into_response()),
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(columns.iter().map(|(c, _)| *c))
                .map_err(|e| AppError::internal(e.to_string()))?;
            for r in &rows {
                w.write_record(columns.iter().map(|(c, _)| cell(&r[*c])))
                    .map_err(|e| AppError::internal(e.to_string()))?;
            }
            let bytes = w.into_inner().map_err(|e| AppError::internal(e.to_string()))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{stem}.csv\""),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        _ => Err(AppError::NotFound),
    }
}

async fn data(State(state): State<AppState>, viewer: Viewer) -> Result<DataPage, AppError> {
    let mut plans = Vec::new();
    for f in state.store.footprints().await? {
        if let Some(v) = state.store.latest_published_plan(f.footprint.id).await? {
            plans.push((
                f.footprint.code.clone(),
                f.footprint.name.clone(),
                v.number.unwrap_or(0),
                crate::page::when(&v.created_at),
            ));
        }
    }
    Ok(DataPage {
        page: Page::new("Open data", &viewer, ""),
        plans,
        columns: CSV_COLUMNS
            .iter()
            .map(|(c, d)| (c.to_string(), d.to_string()))
            .collect(),
        tables: TABLES
            .iter()
            .map(|(stem, cols)| {
                (
                    stem.to_string(),
                    cols.iter().map(|(c, d)| (c.to_string(), d.to_string())).collect(),
                )
            })
            .collect(),
    })
}
