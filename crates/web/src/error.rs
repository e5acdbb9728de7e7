//! One error type for every handler. People get a page that says what happened and what to do;
//! the detail of an internal failure goes to the log, never to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use footprint_store::StoreError;

use crate::page::ErrorPage;

/// A field that failed validation: its name and the message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The form or JSON field.
    pub field: String,
    /// What was wrong, for the person.
    pub message: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// What went wrong while answering a request.
#[derive(Debug)]
pub enum AppError {
    /// No such page or record.
    NotFound,
    /// Signed in, but not allowed.
    Forbidden,
    /// Needs signing in first.
    SignInRequired,
    /// An API token that is unknown or revoked.
    BadToken,
    /// A state-changing request without a valid CSRF token.
    Csrf,
    /// Too many failed sign-ins.
    TooManyAttempts,
    /// Input that failed validation (for the API; pages re-render their form).
    Invalid(Vec<FieldError>),
    /// A conflict or a stale edit, with the message for the person.
    Conflict(FieldError),
    /// A request body over the size limit.
    TooLarge,
    /// A request that took longer than the time limit.
    TimedOut,
    /// Something failed inside: logged, not shown.
    Internal(String),
}

impl AppError {
    /// An internal failure with its detail for the log.
    pub fn internal(detail: impl Into<String>) -> Self {
        AppError::Internal(detail.into())
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::SignInRequired | AppError::BadToken => StatusCode::UNAUTHORIZED,
            AppError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TimedOut => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A title and explanation for people.
    pub fn words(&self) -> (&'static str, String) {
        match self {
            AppError::NotFound => (
                "Page not found",
                "If you typed the web address, check it is correct. If you pasted it, check you copied all of it.".into(),
            ),
            AppError::Forbidden => (
                "You do not have access to this page",
                "Your account does not give you access to this. Ask your footprint's programme office if you think it should."
                    .into(),
            ),
            AppError::SignInRequired => ("Sign in to see this page", "You need to sign in to see this page.".into()),
            AppError::BadToken => ("API token not accepted", "The API token is unknown or has been revoked.".into()),
            AppError::Csrf => (
                "Your form could not be sent",
                "The form was out of date or came from another site. Go back, reload the page and try again.".into(),
            ),
            AppError::TooManyAttempts => (
                "Too many attempts to sign in",
                "There have been too many failed attempts to sign in. Wait 15 minutes and try again.".into(),
            ),
            AppError::Invalid(errors) => (
                "There is a problem",
                errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "),
            ),
            AppError::Conflict(e) => ("There is a problem", e.message.clone()),
            AppError::TooLarge => (
                "What you sent is too large",
                format!(
                    "Footprint takes up to {} KB of text in one form and {} MB in one upload. Nothing was saved: \
                     go back and send less, or a smaller file.",
                    crate::security::MAX_FORM / 1024,
                    crate::MAX_BODY / (1024 * 1024)
                ),
            ),
            AppError::TimedOut => (
                "Sorry, that took too long",
                "The request was not finished in time and nothing was saved. Try again in a moment.".into(),
            ),
            AppError::Internal(_) => (
                "Sorry, there is a problem with the service",
                "Try again later. What you were doing has not been saved.".into(),
            ),
        }
    }

    /// Logs an internal failure (once, where it is turned into a response).
    pub fn log(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "internal error");
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { field, message } => AppError::Conflict(FieldError::new(field, message)),
            StoreError::Stale(_) => AppError::Conflict(FieldError::new("version", e.to_string())),
            StoreError::NotFound(_) => AppError::NotFound,
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, AppError::SignInRequired) {
            return Redirect::to("/sign-in").into_response();
        }
        let status = self.status();
        let (title, body) = self.words();
        let mut r = ErrorPage::new(title, body).into_response();
        *r.status_mut() = status;
        close_if_unread(r)
    }
}

/// The same errors for the JSON API: `{"error": …, "fields": [...]}`, never internal detail.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let (title, message) = self.0.words();
        let fields = match &self.0 {
            AppError::Invalid(f) => f.clone(),
            AppError::Conflict(f) => vec![f.clone()],
            _ => Vec::new(),
        };
        let body = serde_json::json!({"error": title, "message": message, "fields": fields});
        close_if_unread((status, axum::Json(body)).into_response())
    }
}

/// A body refused as too large was not read to its end: the connection cannot carry another
/// request, so the client is told not to reuse it.
fn close_if_unread(mut r: Response) -> Response {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        r.headers_mut().insert(
            axum::http::header::CONNECTION,
            axum::http::HeaderValue::from_static("close"),
        );
    }
    r
}
