//! Open data: every published plan as downloads, and the data dictionary that says what each
//! file and column holds.

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
    Router::new().route("/data", get(data))
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
    })
}
