//! A footprint's plan versions. For now: the financial model of a version as stress-model TOML
//! or JSON (open data for published versions; partners and national assurance see submitted ones).

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
use crate::error::AppError;
use crate::routes::footprints::footprint;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/footprints/{code}/plan/versions/{number}/{file}", get(model_file))
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
        "model.toml" | "model.json" => {
            let v = readable_version(&state, &viewer, f.id, number).await?;
            let doc = document(&v)?;
            if file == "model.toml" {
                (doc.model_toml(), "application/toml; charset=utf-8", "toml")
            } else {
                (doc.model_json(), "application/json", "json")
            }
        }
        _ => return Err(AppError::NotFound),
    };
    let disposition = format!(
        "attachment; filename=\"{}-plan-v{number}.{ext}\"",
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
