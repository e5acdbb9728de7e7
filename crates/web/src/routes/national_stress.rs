//! The national stress test in the app: every footprint's newest submitted or published plan,
//! run together with the national variables shared across footprints (spec section 7), as a
//! background job whose progress is written to the database as it goes; each run's summary is
//! kept and compared with the run before.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_store::Store;
use footprint_store::national::NationalRun;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Viewer;
use crate::charts::{money, percent};
use crate::error::{AppError, FieldError};
use crate::page::{Page, when};

/// The national variables the app shares across footprints: demand growth and cost inflation
/// (and their correlation), as in the national demo.
pub const NATIONAL_TOML: &str = include_str!("../../../../data/demo/national/national.toml");

/// Scenarios per footprint unless asked otherwise.
pub const DEFAULT_NATIONAL_SAMPLES: u64 = 100_000;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/national/stress", get(page).post(start))
}

/// A footprint's plan made ready for national mode: its baseline demand growth and cost
/// inflation become the national variables, and correlations that named them are left out
/// (correlations with national variables belong to the national file).
pub fn nationalise(model: &Value) -> (Value, Vec<String>) {
    let mut m = model.clone();
    let mut dropped = Vec::new();
    if let Some(b) = m.get_mut("baseline").and_then(Value::as_object_mut) {
        b.insert("demand_growth".into(), json!({"national": "demand_growth"}));
        b.insert("cost_inflation".into(), json!({"national": "cost_inflation"}));
    }
    if let Some(list) = m.get_mut("correlation").and_then(Value::as_array_mut) {
        list.retain(|c| {
            let names: Vec<&str> = c["variables"]
                .as_array()
                .map(|v| v.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let keep = !names
                .iter()
                .any(|n| *n == "baseline.demand_growth" || *n == "baseline.cost_inflation");
            if !keep {
                dropped.push(names.join(" with "));
            }
            keep
        });
    }
    if let Some(o) = m.as_object_mut() {
        o.remove("run");
    }
    (m, dropped)
}

/// Gathers the plans, runs them together and summarises the result. Progress goes to the
/// database about once a second.
pub async fn run(store: Store, id: i64, samples: u64) {
    // In a task of its own, so that even a panic ends the run as failed rather than leaving it
    // "running".
    let job = {
        let store = store.clone();
        tokio::spawn(async move { summarise(&store, id, samples).await })
    };
    let outcome = match job.await {
        Ok(o) => o,
        Err(e) => Err(format!("the run stopped: {e}")),
    };
    let saved = match &outcome {
        Ok(v) => store.finish_national_run(id, Ok(v)).await,
        Err(e) => store.finish_national_run(id, Err(e)).await,
    };
    if let Err(e) = saved {
        tracing::error!(run = id, error = %e, "could not record the end of the national run");
    }
}

async fn summarise(store: &Store, id: i64, samples: u64) -> Result<Value, String> {
    let started = std::time::Instant::now();
    let mut plans = Vec::new();
    let mut names = Vec::new();
    let mut notes = Vec::new();
    for s in store.footprints().await.map_err(|e| e.to_string())? {
        let f = s.footprint;
        let versions = store.plan_versions(f.id).await.map_err(|e| e.to_string())?;
        let Some(v) = versions
            .into_iter()
            .filter(|v| v.number.is_some())
            .max_by_key(|v| v.number)
        else {
            continue;
        };
        let doc = crate::routes::plans::document(&v).map_err(|_| format!("{}'s plan does not read", f.name))?;
        let (model, dropped) = nationalise(&doc.model);
        for d in dropped {
            notes.push(format!(
                "{}: the correlation of {d} was left out (national variables are correlated nationally)",
                f.name
            ));
        }
        let file = format!("{}.json", f.code);
        plans.push((file.clone(), model.to_string()));
        names.push((file, f.code.clone(), f.name.clone(), v.number.unwrap_or(0)));
    }
    if plans.is_empty() {
        return Err("no footprint has submitted or published a plan yet".into());
    }
    let input =
        footprint_stress::engine::parse_national("national.toml", NATIONAL_TOML, &plans).map_err(|e| e.to_string())?;
    let gathered = started.elapsed();
    let done = Arc::new(AtomicU64::new(0));
    let total = Arc::new(AtomicU64::new(samples * plans.len() as u64));
    // The writer stops as soon as the engine is done (not at the end of its next second's
    // sleep, which would add up to a second to every run).
    let finished = Arc::new(tokio::sync::Notify::new());
    let writer = {
        let (store, done, total, finished) = (store.clone(), done.clone(), total.clone(), finished.clone());
        tokio::spawn(async move {
            loop {
                let _ = store
                    .national_run_progress(
                        id,
                        done.load(Ordering::Relaxed) as i64,
                        total.load(Ordering::Relaxed) as i64,
                    )
                    .await;
                tokio::select! {
                    () = finished.notified() => break,
                    () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                }
            }
        })
    };
    let (d, t) = (done.clone(), total.clone());
    let result = tokio::task::spawn_blocking(move || {
        let progress = move |a: u64, b: u64| {
            d.store(a, Ordering::Relaxed);
            t.store(b, Ordering::Relaxed);
        };
        let opts = footprint_stress::engine::RunOptions {
            samples: Some(samples),
            progress: Some(&progress),
            // The summary keeps each footprint's distribution, not its sensitivity.
            footprint_detail: footprint_stress::engine::FootprintDetail::Statistics,
            ..Default::default()
        };
        footprint_stress::engine::run_national(&input, &opts)
    })
    .await
    .map_err(|e| e.to_string());
    // A stored permit if the writer is mid-write: it stops at its next wait.
    finished.notify_one();
    let _ = writer.await;
    let result = result?.map_err(|e| e.to_string())?;
    tracing::info!(
        run = id,
        footprints = plans.len(),
        samples,
        gather_ms = gathered.as_millis() as u64,
        engine_ms = (started.elapsed() - gathered).as_millis() as u64,
        "national stress run computed"
    );
    let national = &result.national;
    let last = national.gap.len().saturating_sub(1);
    let national_mean = national.gap[last].mean;
    let footprints: Vec<Value> = result
        .footprints
        .iter()
        .zip(&names)
        .map(|(r, (_, code, name, version))| {
            let g = &r.gap[last];
            json!({
                "code": code, "name": name, "plan_version": version,
                "gap_p10": g.p10, "gap_p50": g.p50, "gap_p90": g.p90, "gap_mean": g.mean,
                "p_balance": r.final_year.p_balance, "se_p_balance": r.final_year.se_p_balance,
                "share": if national_mean.abs() > 1e-9 { g.mean / national_mean } else { 0.0 },
            })
        })
        .collect();
    // The national assumptions, widest swing first: the final-year gap with each at its 10th and
    // 90th percentile (the rest at their medians), and its rank correlation with that gap.
    let drivers: Vec<Value> = national
        .tornado
        .iter()
        .map(|t| {
            let rho = national
                .rank_correlation
                .iter()
                .find(|r| r.variable == t.variable)
                .map(|r| r.rho);
            json!({"variable": t.variable, "low": t.low, "high": t.high, "rho": rho})
        })
        .collect();
    let g = &national.gap[last];
    Ok(json!({
        "year": national.years.get(last).cloned().unwrap_or_default(),
        "samples": samples,
        "national": {
            "gap_p10": g.p10, "gap_p50": g.p50, "gap_p90": g.p90, "gap_mean": g.mean,
            "p_balance": national.final_year.p_balance, "se_p_balance": national.final_year.se_p_balance,
            "by_year": national.gap.iter().map(|y| json!({"year": y.year, "p10": y.p10, "p50": y.p50, "p90": y.p90})).collect::<Vec<_>>(),
        },
        "footprints": footprints,
        "drivers": drivers,
        "notes": notes,
    }))
}

/// One footprint in a run's summary.
pub struct FootprintLine {
    pub code: String,
    pub name: String,
    pub version: i64,
    pub gap: String,
    pub range: String,
    pub p_balance: String,
    pub share: String,
    pub change: String,
}

/// The national stress test page.
#[derive(Template, WebTemplate)]
#[template(path = "national_stress.html")]
pub struct NationalStressPage {
    pub page: Page,
    pub latest: Option<NationalRun>,
    pub running: bool,
    pub progress: String,
    pub summary: Vec<(String, String)>,
    pub footprints: Vec<FootprintLine>,
    pub notes: Vec<String>,
    /// The national assumptions: (name, gap with it low, gap with it high, rank correlation).
    pub drivers: Vec<(String, String, String, String)>,
    pub compared: Option<String>,
    pub history: Vec<(String, String, String)>,
    pub can_run: bool,
    pub national_toml: &'static str,
    pub samples: String,
}

impl NationalStressPage {
    /// The scenario count to show in the form.
    pub fn samples_value(&self) -> &str {
        &self.samples
    }
}

/// A national variable's name in words: `national.demand_growth` is "Demand growth".
fn assumption_name(variable: &str) -> String {
    let words = variable.strip_prefix("national.").unwrap_or(variable).replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn num(v: &Value, k: &str) -> f64 {
    v.get(k).and_then(Value::as_f64).unwrap_or(0.0)
}

async fn view(
    state: &AppState,
    viewer: &Viewer,
    errors: Vec<FieldError>,
    samples: Option<String>,
) -> Result<NationalStressPage, AppError> {
    viewer.require(Action::RunNationalStress)?;
    state.store.give_up_stale_runs().await?;
    let runs = state.store.national_runs(20).await?;
    let latest = runs.first().cloned();
    let running = latest.as_ref().is_some_and(|r| r.status == "running");
    let progress = latest
        .as_ref()
        .filter(|r| r.status == "running")
        .map(|r| {
            if r.total > 0 {
                format!(
                    "{} of {} scenarios ({})",
                    r.done,
                    r.total,
                    percent(r.done as f64 / r.total as f64)
                )
            } else {
                "Starting".to_string()
            }
        })
        .unwrap_or_default();
    let done: Vec<&NationalRun> = runs.iter().filter(|r| r.status == "done").collect();
    let (mut summary, mut footprints, mut notes, mut compared) = (Vec::new(), Vec::new(), Vec::new(), None);
    let mut drivers = Vec::new();
    if let Some(r) = done.first().and_then(|r| r.result.as_ref()) {
        let n = &r["national"];
        let year = r["year"].as_str().unwrap_or("the final year");
        summary = vec![
            (format!("National gap in {year} (median)"), money(num(n, "gap_p50"))),
            (
                "Range (10th to 90th percentile)".into(),
                format!("{} to {}", money(num(n, "gap_p10")), money(num(n, "gap_p90"))),
            ),
            (
                "Chance the footprints together balance".into(),
                percent(num(n, "p_balance")),
            ),
            (
                "Scenarios per footprint".into(),
                r["samples"].as_u64().unwrap_or(0).to_string(),
            ),
        ];
        let previous = done.get(1).and_then(|p| p.result.as_ref());
        let mut list: Vec<&Value> = r["footprints"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        list.sort_by(|a, b| num(b, "gap_mean").total_cmp(&num(a, "gap_mean")));
        for f in list {
            let code = f["code"].as_str().unwrap_or("").to_string();
            let before = previous.and_then(|p| {
                p["footprints"]
                    .as_array()
                    .and_then(|a| a.iter().find(|x| x["code"].as_str() == Some(code.as_str())))
            });
            footprints.push(FootprintLine {
                name: f["name"].as_str().unwrap_or("").to_string(),
                version: f["plan_version"].as_i64().unwrap_or(0),
                gap: money(num(f, "gap_p50")),
                range: format!("{} to {}", money(num(f, "gap_p10")), money(num(f, "gap_p90"))),
                p_balance: percent(num(f, "p_balance")),
                share: percent(num(f, "share")),
                change: before.map_or_else(
                    || "New in this run".to_string(),
                    |b| {
                        let d = num(f, "gap_p50") - num(b, "gap_p50");
                        if d.abs() < 0.05 {
                            "No change".to_string()
                        } else {
                            format!("{}{}", if d > 0.0 { "+" } else { "" }, money(d))
                        }
                    },
                ),
                code,
            });
        }
        drivers = r["drivers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| {
                        (
                            assumption_name(d["variable"].as_str().unwrap_or("")),
                            money(num(d, "low")),
                            money(num(d, "high")),
                            d["rho"].as_f64().map_or_else(|| "–".to_string(), |r| format!("{r:.2}")),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        notes = r["notes"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        if let Some(p) = previous {
            let d = num(n, "gap_p50") - num(&p["national"], "gap_p50");
            compared = Some(format!(
                "Against the run before: the median national gap {} ({}), the chance of balance {} against {}.",
                if d.abs() < 0.05 {
                    "is unchanged".to_string()
                } else if d > 0.0 {
                    format!("is {} larger", money(d))
                } else {
                    format!("is {} smaller", money(-d))
                },
                money(num(&p["national"], "gap_p50")),
                percent(num(n, "p_balance")),
                percent(num(&p["national"], "p_balance"))
            ));
        }
    }
    let history = runs
        .iter()
        .map(|r| {
            (
                when(&r.started_at),
                match r.status.as_str() {
                    "done" => "Finished".to_string(),
                    "running" => "Running".to_string(),
                    _ => format!("Failed: {}", r.error),
                },
                r.started_by.clone(),
            )
        })
        .collect();
    Ok(NationalStressPage {
        page: Page::new("National stress test", viewer, "national").with_errors(errors),
        latest,
        running,
        progress,
        summary,
        footprints,
        notes,
        drivers,
        compared,
        history,
        can_run: viewer.can(Action::RunNationalStress),
        national_toml: NATIONAL_TOML,
        samples: samples.unwrap_or_else(|| DEFAULT_NATIONAL_SAMPLES.to_string()),
    })
}

async fn page(State(state): State<AppState>, viewer: Viewer) -> Result<NationalStressPage, AppError> {
    view(&state, &viewer, Vec::new(), None).await
}

async fn start(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    viewer.require(Action::RunNationalStress)?;
    let text = form
        .iter()
        .find(|(k, _)| k == "samples")
        .map_or(String::new(), |(_, v)| v.trim().replace(',', ""));
    let samples = if text.is_empty() {
        DEFAULT_NATIONAL_SAMPLES
    } else {
        match text.parse::<u64>() {
            Ok(n) if (1_000..=1_000_000).contains(&n) => n,
            _ => {
                let errors = vec![FieldError::new(
                    "samples",
                    "Enter the scenarios per footprint as a whole number from 1,000 to 1,000,000",
                )];
                return Ok(view(&state, &viewer, errors, Some(text)).await?.into_response());
            }
        }
    };
    match state.store.start_national_run(&viewer.who(), samples as i64).await {
        Ok(id) => {
            tokio::spawn(run(state.store.clone(), id, samples));
            Ok(Redirect::to("/national/stress").into_response())
        }
        Err(e) => match AppError::from(e) {
            AppError::Conflict(fe) => Ok(view(&state, &viewer, vec![fe], None).await?.into_response()),
            other => Err(other),
        },
    }
}
