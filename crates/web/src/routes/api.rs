//! The JSON API under `/api/v1`: the same resources as the pages, the same permissions, and an
//! OpenAPI document at `/api/v1/openapi.json`. Programs sign in with `Authorization: Bearer`
//! (an API token); a browser session works too, with the `X-CSRF-Token` header on changes.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use footprint_domain::access::Action;
use footprint_domain::organisation::OrganisationInput;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{ApiError, AppError, FieldError};
use crate::routes::field_errors;
use crate::routes::footprints::footprint;

/// The routes (nested under `/api/v1`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/footprints", get(footprints))
        .route("/footprints/{code}", get(one_footprint))
        .route("/footprints/{code}/partners", get(partners).post(add_partner))
        .route("/footprints/{code}/partners/{organisation}", delete(remove_partner))
        .route("/footprints/{code}/decisions", get(decisions))
        .route("/organisations", get(organisations).post(create_organisation))
        .route("/organisations/{id}", get(one_organisation))
        .fallback(|| async { ApiError(AppError::NotFound) })
}

/// Works out the viewer for every API request, so that an unknown or revoked token is refused
/// everywhere, reads included, with a JSON error.
pub async fn identify(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    if let Err(e) = Viewer::from_request_parts(&mut parts, &state).await {
        return ApiError(e).into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

fn body<T>(r: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    r.map(|Json(v)| v)
        .map_err(|e| ApiError(AppError::Invalid(vec![FieldError::new("body", e.body_text())])))
}

async fn footprints(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "footprints": state.store.footprints().await? })))
}

async fn one_footprint(State(state): State<AppState>, Path(code): Path<String>) -> Result<Json<Value>, ApiError> {
    let f = footprint(&state, &code).await?;
    let partners = state.store.partners(f.id).await?;
    Ok(Json(json!({ "footprint": f, "partners": partners })))
}

async fn partners(State(state): State<AppState>, Path(code): Path<String>) -> Result<Json<Value>, ApiError> {
    let f = footprint(&state, &code).await?;
    Ok(Json(json!({ "partners": state.store.partners(f.id).await? })))
}

/// The decision register: a confidential decision says only when it was taken and by which
/// body, unless the caller may read it.
async fn decisions(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let f = footprint(&state, &code).await?;
    let readers = crate::routes::governance::confidential_readers(&state, &viewer, &f).await?;
    let list: Vec<Value> = state
        .store
        .decisions(f.id)
        .await?
        .into_iter()
        .map(|d| {
            let href = format!("/footprints/{}/decisions/{}", f.code, d.id);
            if d.confidential && !readers.get(&d.body_id).copied().unwrap_or(false) {
                json!({"id": d.id, "decided_on": d.decided_on, "body": d.body, "confidential": true,
                       "supersedes_id": d.supersedes_id, "superseded_by": d.superseded_by, "href": href})
            } else {
                json!({"id": d.id, "decided_on": d.decided_on, "body": d.body, "confidential": d.confidential,
                       "title": d.title, "outcome": d.outcome.label(), "reasons": d.reasons, "agreed": d.agreed,
                       "dissented": d.dissented.iter().map(|(o, why)| json!({"organisation": o, "reason": why})).collect::<Vec<_>>(),
                       "abstained": d.abstained, "supersedes_id": d.supersedes_id, "superseded_by": d.superseded_by,
                       "href": href})
            }
        })
        .collect();
    Ok(Json(json!({ "decisions": list })))
}

#[derive(serde::Deserialize)]
struct NewPartner {
    #[serde(deserialize_with = "whole_number")]
    organisation_id: i64,
}

/// A JSON Schema `integer` is any number whose fractional part is zero, so
/// `5.0` names the same id as `5`; serde alone would refuse the former.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    use serde::Deserialize;
    use serde::de::Error;
    let n = serde_json::Number::deserialize(d)?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    // -2^63 and 2^63 are exact in f64: the range is [-2^63, 2^63).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) => Ok(f as i64),
        _ => Err(D::Error::custom(format!("expected a whole number, found {n}"))),
    }
}

async fn add_partner(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    json: Result<Json<NewPartner>, JsonRejection>,
) -> Result<Response, ApiError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPartners(f.id))?;
    let new = body(json)?;
    match state.store.add_partner(&viewer.who(), f.id, new.organisation_id).await {
        Ok(()) => {}
        Err(footprint_store::StoreError::NotFound(_)) => {
            // The organisation it names does not exist: not found, with the field at fault.
            let error = json!({
                "error": "Not found",
                "message": "No organisation has that id",
                "fields": [{"field": "organisation_id", "message": "No organisation has that id"}],
            });
            return Ok((StatusCode::NOT_FOUND, Json(error)).into_response());
        }
        Err(e) => return Err(e.into()),
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({ "partners": state.store.partners(f.id).await? })),
    )
        .into_response())
}

async fn remove_partner(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((code, organisation)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let f = footprint(&state, &code).await?;
    viewer.require(Action::EditPartners(f.id))?;
    state.store.remove_partner(&viewer.who(), f.id, organisation).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn organisations(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "organisations": state.store.organisations().await? })))
}

async fn one_organisation(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Value>, ApiError> {
    let o = state.store.organisation(id).await?.ok_or(AppError::NotFound)?;
    let footprints: Vec<Value> = state
        .store
        .organisation_footprints(id)
        .await?
        .into_iter()
        .map(|(_, code, name)| json!({"code": code, "name": name}))
        .collect();
    Ok(Json(json!({ "organisation": o, "footprints": footprints })))
}

#[derive(serde::Deserialize)]
struct NewOrganisation {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    foundation_trust: bool,
    #[serde(default)]
    ods_code: Option<String>,
}

async fn create_organisation(
    State(state): State<AppState>,
    viewer: Viewer,
    json: Result<Json<NewOrganisation>, JsonRejection>,
) -> Result<Response, ApiError> {
    viewer.require(Action::CreateOrganisation)?;
    let new = body(json)?;
    let input = OrganisationInput::parse(
        &new.name,
        &new.kind,
        new.foundation_trust,
        new.ods_code.as_deref().unwrap_or(""),
    )
    .map_err(|e| ApiError(AppError::Invalid(field_errors(e))))?;
    let created = state.store.create_organisation(&viewer.who(), &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "organisation": created }))).into_response())
}

async fn openapi() -> impl IntoResponse {
    Json(crate::routes::api_doc::document())
}
