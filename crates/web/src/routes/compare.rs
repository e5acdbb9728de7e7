//! Comparing two versions of a plan (or the draft): what changed, in words and numbers, and what
//! the change does to the finances, on common random numbers so that a small change is not lost
//! in the noise of two separate runs.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use footprint_domain::access::Action;
use footprint_domain::plan::{PlanDocument, diff};
use footprint_store::plans::{PlanVersion, VersionStatus};
use serde_json::Value;

use crate::AppState;
use crate::auth::Viewer;
use crate::charts::{money, percent};
use crate::error::AppError;
use crate::page::{ComparePage, Page};
use crate::routes::footprints::footprint;
use crate::routes::plans::document;
use crate::stress::{LIVE_SAMPLES, month_label, value_label};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/footprints/{code}/plan/compare", get(compare))
}

#[derive(serde::Deserialize)]
struct CompareQuery {
    from: Option<String>,
    to: Option<String>,
}

/// A version by its name in the query: a number, or "draft".
async fn pick(state: &AppState, viewer: &Viewer, footprint_id: i64, which: &str) -> Result<PlanVersion, AppError> {
    if which == "draft" {
        viewer.require(Action::ViewFootprintPrivate(footprint_id))?;
        return state.store.plan_draft(footprint_id).await?.ok_or(AppError::NotFound);
    }
    let n: i64 = which.parse().map_err(|_| AppError::NotFound)?;
    crate::routes::plans::readable_version(state, viewer, footprint_id, n).await
}

fn name(v: &PlanVersion) -> String {
    match v.number {
        Some(n) => format!("version {n}"),
        None => "the draft".into(),
    }
}

/// A value of the plan in words, by the field it is in.
fn words(field: &str, v: &Option<Value>, first_year: i64, orgs: &[(i64, String)]) -> String {
    let Some(v) = v else {
        return "–".into();
    };
    let m = |x: f64| money(x);
    let p = |x: f64| percent(x);
    let org = |v: &Value| {
        v.as_i64()
            .and_then(|id| orgs.iter().find(|(i, _)| *i == id))
            .map_or_else(|| "none".to_string(), |(_, n)| n.clone())
    };
    match field {
        "saving" | "recurrent_cost" | "double_running" | "capital" | "funding" | "spend" => value_label(v, &m),
        "demand_growth" | "cost_inflation" | "delivery" => value_label(v, &p),
        "funding_growth" => v.as_array().map_or_else(
            || value_label(v, &p),
            |a| a.iter().map(|x| value_label(x, &p)).collect::<Vec<_>>().join("; "),
        ),
        "other_income" => v.as_array().map_or_else(
            || value_label(v, &m),
            |a| a.iter().map(|x| value_label(x, &m)).collect::<Vec<_>>().join("; "),
        ),
        "slippage_months" => value_label(v, &|x| format!("{x} months")),
        "ramp_months" => format!("{} months", v),
        "start_month" => v.as_i64().map_or_else(|| v.to_string(), |m| month_label(first_year, m)),
        "lead" => org(v),
        "partners" => v
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|pair| format!("{} ({})", org(&pair[0]), pair[1].as_str().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "none".into()),
        _ => match v {
            Value::String(s) if s.is_empty() => "(empty)".into(),
            Value::String(s) => s.replace('-', " "),
            Value::Null => "none".into(),
            other => other.to_string(),
        },
    }
}

async fn compare(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(q): Query<CompareQuery>,
) -> Result<ComparePage, AppError> {
    let f = footprint(&state, &code).await?;
    let private = viewer.can(Action::ViewFootprintPrivate(f.id));
    // The choices: every version the viewer may read, and the draft for partners.
    let mut choices: Vec<(String, String)> = state
        .store
        .plan_versions(f.id)
        .await?
        .into_iter()
        .filter(|v| private || v.status == VersionStatus::Published)
        .map(|v| {
            let n = v.number.unwrap_or(0);
            let status = if v.status == VersionStatus::Published {
                "published"
            } else {
                "submitted"
            };
            (n.to_string(), format!("Version {n} ({status})"))
        })
        .collect();
    if private && state.store.plan_draft(f.id).await?.is_some() {
        choices.insert(0, ("draft".into(), "The draft".into()));
    }
    let default_to = choices.first().map(|c| c.0.clone()).unwrap_or_default();
    let default_from = choices.get(1).map_or_else(|| default_to.clone(), |c| c.0.clone());
    let (from, to) = (q.from.unwrap_or(default_from), q.to.unwrap_or(default_to));
    let (a, b) = (
        pick(&state, &viewer, f.id, &from).await?,
        pick(&state, &viewer, f.id, &to).await?,
    );
    let (da, db): (PlanDocument, PlanDocument) = (document(&a)?, document(&b)?);
    let first_year = db.model["first_year"].as_i64().unwrap_or(0);
    let orgs: Vec<(i64, String)> = state
        .store
        .organisations()
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let changes: Vec<[String; 4]> = diff(&da, &db)
        .into_iter()
        .map(|d| {
            let field = if d.field.is_empty() {
                if d.before.is_none() {
                    "added".to_string()
                } else {
                    "removed".to_string()
                }
            } else {
                d.field.replace('_', " ")
            };
            [
                d.part.clone(),
                field,
                words(&d.field, &d.before, first_year, &orgs),
                words(&d.field, &d.after, first_year, &orgs),
            ]
        })
        .collect();
    let (pa, pb) = (
        da.validate()
            .map_err(|e| AppError::internal(format!("a stored plan does not validate: {e}")))?,
        db.validate()
            .map_err(|e| AppError::internal(format!("a stored plan does not validate: {e}")))?,
    );
    let seed = pb.run.seed.unwrap_or(0);
    let result =
        tokio::task::spawn_blocking(move || footprint_stress::compare::compare_plans(&pa, &pb, LIVE_SAMPLES, seed))
            .await
            .map_err(|e| AppError::internal(format!("the comparison failed: {e}")))?;
    let (years, final_line, not_comparable) = match result {
        Ok(c) => {
            let rows = c
                .years
                .iter()
                .map(|y| {
                    [
                        y.year.clone(),
                        percent(y.p_balance_a),
                        percent(y.p_balance_b),
                        format!(
                            "{}{} (± {})",
                            if y.p_balance_change > 0.0 { "+" } else { "" },
                            points(y.p_balance_change),
                            points(y.se_p_balance_change)
                        ),
                        format!(
                            "{} (± {})",
                            money(y.gap_change.mean),
                            crate::charts::money2(y.gap_change.se_mean)
                        ),
                    ]
                })
                .collect();
            let last = c.years.last();
            let line = last.map(|y| {
                format!(
                    "In the final year the gap changes by {} on average (standard error {}); in 80% of scenarios the change is between {} and {}. Both runs use the same {} scenarios.",
                    money(y.gap_change.mean),
                    crate::charts::money2(y.gap_change.se_mean),
                    money(y.gap_change.p10),
                    money(y.gap_change.p90),
                    crate::charts::count(c.samples),
                )
            });
            (rows, line, None)
        }
        Err(e) => (
            Vec::new(),
            None,
            Some(format!("The finances cannot be compared year by year: {e}.")),
        ),
    };
    Ok(ComparePage {
        page: Page::new(
            format!("Compare versions of the {} plan", f.name),
            &viewer,
            "footprints",
        ),
        from_label: name(&a),
        to_label: name(&b),
        from,
        to,
        choices,
        changes,
        years,
        final_line,
        not_comparable,
        footprint: f,
    })
}

/// A change in a share, in percentage points.
fn points(x: f64) -> String {
    let v = x * 100.0;
    if v.abs() < 10.0 {
        format!("{v:.1} points")
    } else {
        format!("{v:.0} points")
    }
}
