//! A person's notifications (what awaits them) and how often they want a digest by email.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use footprint_store::notifications::Frequency;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{AppError, FieldError};
use crate::notify::{Notice, notices};
use crate::page::Page;
use crate::routes::consultations::today;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/account/notifications", get(page).post(save))
}

/// The notifications page.
#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    pub page: Page,
    pub notices: Vec<Notice>,
    pub frequency: &'static str,
    pub choices: Vec<(&'static str, &'static str)>,
}

async fn view(state: &AppState, viewer: &Viewer, errors: Vec<FieldError>) -> Result<NotificationsPage, AppError> {
    let user = viewer.signed_in()?;
    Ok(NotificationsPage {
        page: Page::new("Notifications", viewer, "").with_errors(errors),
        notices: notices(&state.store, user, &today()).await?,
        frequency: state.store.digest_frequency(user.id).await?.key(),
        choices: Frequency::ALL.iter().map(|f| (f.key(), f.label())).collect(),
    })
}

async fn page(State(state): State<AppState>, viewer: Viewer) -> Result<NotificationsPage, AppError> {
    view(&state, &viewer, Vec::new()).await
}

async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let user = viewer.signed_in()?.clone();
    let choice = form
        .iter()
        .find(|(k, _)| k == "digest")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    match Frequency::parse(choice) {
        Some(f) => {
            state.store.set_digest_frequency(&viewer.who(), user.id, f).await?;
            Ok(Redirect::to("/account/notifications").into_response())
        }
        None => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            view(
                &state,
                &viewer,
                vec![FieldError::new("digest", "Choose how often you want a digest")],
            )
            .await?,
        )
            .into_response()),
    }
}
