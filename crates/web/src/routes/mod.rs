//! Every route, by the part of the site it serves. Each module exposes `router()`.

pub mod account;
pub mod admin;
pub mod api;
mod api_doc;
pub mod assets;
pub mod compare;
pub mod consultations;
pub mod dashboard;
pub mod data;
pub mod delivery;
pub mod engagement;
pub mod finances;
pub mod footprints;
pub mod governance;
pub mod health;
pub mod initiatives;
pub mod national;
pub mod national_stress;
pub mod notifications;
pub mod organisations;
pub mod people;
pub mod plans;
pub mod portfolio;
pub mod two_factor;
pub mod vcs;
pub mod vision;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::response::IntoResponse;

use crate::AppState;
use crate::error::AppError;

/// The router of the whole site.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(footprints::router())
        .merge(organisations::router())
        .merge(people::router())
        .merge(plans::router())
        .merge(initiatives::router())
        .merge(compare::router())
        .merge(finances::router())
        .merge(portfolio::router())
        .merge(data::router())
        .merge(vision::router())
        .merge(engagement::router())
        .merge(consultations::router())
        .merge(vcs::router())
        .merge(governance::router())
        .merge(delivery::router())
        .merge(notifications::router())
        .merge(national::router())
        .merge(dashboard::router())
        .merge(national_stress::router())
        .merge(two_factor::router())
        .merge(account::router())
        .merge(admin::router())
        .merge(health::router())
        .merge(assets::router())
        .nest(
            "/api/v1",
            api::router().layer(axum::middleware::from_fn_with_state(state.clone(), api::identify)),
        )
        .fallback(not_found)
        .with_state(state)
}

async fn not_found() -> impl IntoResponse {
    AppError::NotFound
}

/// The client's address (for sign-in rate limiting), or "unknown" when not served over TCP.
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string()),
        ))
    }
}

/// The message for a form saved over a draft that someone else changed meanwhile: the person's
/// input (`what`) is shown again, not saved.
pub fn stale_draft(field: &str, what: &str) -> crate::error::FieldError {
    crate::error::FieldError::new(
        field,
        format!(
            "Someone else changed the draft since you opened this page. Your {what} are below but not saved: check them against the plan and save again"
        ),
    )
}

/// Turns domain validation errors into field errors.
pub fn field_errors(errors: Vec<(&'static str, footprint_domain::Invalid)>) -> Vec<crate::error::FieldError> {
    errors
        .into_iter()
        .map(|(f, e)| crate::error::FieldError::new(f, e.0))
        .collect()
}

/// A form sent as pairs (so that a field may repeat, as checkboxes do).
pub type Pairs = Vec<(String, String)>;

/// The first value of a form field, trimmed ("" if absent).
pub fn one(form: &Pairs, k: &str) -> String {
    form.iter()
        .find(|(key, _)| key == k)
        .map_or("", |(_, v)| v.trim())
        .to_string()
}

/// A store refusal as the field errors of a form; any other error passes through.
pub fn conflict_errors(e: crate::error::AppError) -> Result<Vec<crate::error::FieldError>, crate::error::AppError> {
    match e {
        crate::error::AppError::Conflict(fe) => Ok(vec![fe]),
        other => Err(other),
    }
}
