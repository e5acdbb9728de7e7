//! Signing in and out, one's account, and API tokens.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_domain::person::Email;

use crate::AppState;
use crate::auth::{Viewer, random_secret, session_cookie, set_cookie, sha256_hex, verify_password};
use crate::error::{AppError, FieldError};
use crate::page::{AccountPage, Page, SignInPage};
use crate::routes::ClientAddr;

/// Failed sign-ins allowed per email address, and per client, in the window.
pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
/// Failed sign-ins allowed per client address in the window.
pub const MAX_FAILURES_PER_CLIENT: i64 = 20;
/// The window, in milliseconds.
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/account", get(account))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

async fn sign_in_form(viewer: Viewer) -> Response {
    if viewer.user.is_some() {
        return Redirect::to("/account").into_response();
    }
    SignInPage {
        page: Page::new("Sign in", &viewer, ""),
        email: String::new(),
    }
    .into_response()
}

#[derive(serde::Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn sign_in(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientAddr(client): ClientAddr,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let again = |errors: Vec<FieldError>| {
        SignInPage {
            page: Page::new("Sign in", &viewer, "").with_errors(errors),
            email: form.email.clone(),
        }
        .into_response()
    };
    let mut errors = Vec::new();
    let email = match Email::parse(&form.email) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.push(FieldError::new("email", e.0));
            None
        }
    };
    if form.password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Ok(again(errors));
    };
    let since = footprint_store::now_ms() - FAILURE_WINDOW_MS;
    let (by_email, by_client) = state.store.failed_sign_ins(email.as_str(), &client, since).await?;
    if by_email >= MAX_FAILURES_PER_EMAIL || by_client >= MAX_FAILURES_PER_CLIENT {
        return Err(AppError::TooManyAttempts);
    }
    let found = state.store.user_for_sign_in(&email).await?;
    let (user, hash) = match found {
        Some((u, h)) if u.active => (Some(u), Some(h)),
        _ => (None, None),
    };
    let ok = verify_password(&state, form.password.clone(), hash).await?;
    state.store.record_sign_in_attempt(email.as_str(), &client, ok).await?;
    let Some(user) = user.filter(|_| ok) else {
        return Ok(again(vec![FieldError::new(
            "email",
            "Enter a correct email address and password",
        )]));
    };
    let secret = random_secret();
    let lifetime = state.config.session_lifetime;
    let expires = footprint_store::now_ms() + lifetime.as_millis() as i64;
    state
        .store
        .create_session(&sha256_hex(&secret), user.id, expires)
        .await?;
    if let Some(old) = &viewer.session_hash {
        state.store.delete_session(old).await?;
    }
    let secure = state.config.secure_cookies;
    let cookie = set_cookie(session_cookie(secure), &secret, lifetime.as_secs() as i64, secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/account")).into_response())
}

async fn sign_out(State(state): State<AppState>, viewer: Viewer) -> Result<Response, AppError> {
    if let Some(h) = &viewer.session_hash {
        state.store.delete_session(h).await?;
    }
    let secure = state.config.secure_cookies;
    let cookie = set_cookie(session_cookie(secure), "", 0, secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

async fn account_page(
    state: &AppState,
    viewer: &Viewer,
    new_token: Option<String>,
    token_name: String,
    errors: Vec<FieldError>,
) -> Result<AccountPage, AppError> {
    let user = viewer.signed_in()?.clone();
    let mut roles = Vec::new();
    let site = viewer.actor.site_wide();
    if site != footprint_domain::access::Role::Public {
        roles.push((String::new(), String::new(), site.label()));
    }
    for (fid, role) in &viewer.actor.footprint_roles {
        if let Some(f) = state.store.footprint(*fid).await? {
            roles.push((f.code, f.name, role.role().label()));
        }
    }
    for fid in &viewer.actor.partner_of {
        if let Some(f) = state.store.footprint(*fid).await? {
            roles.push((
                f.code,
                f.name,
                footprint_domain::access::Role::OrganisationMember.label(),
            ));
        }
    }
    let tokens = state.store.api_tokens(user.id).await?;
    Ok(AccountPage {
        page: Page::new("Your account", viewer, "").with_errors(errors),
        user,
        roles,
        tokens,
        new_token,
        token_name,
    })
}

async fn account(State(state): State<AppState>, viewer: Viewer) -> Result<AccountPage, AppError> {
    viewer.require(Action::ManageOwnAccount)?;
    account_page(&state, &viewer, None, String::new(), Vec::new()).await
}

#[derive(serde::Deserialize)]
struct TokenForm {
    #[serde(default)]
    token_name: String,
}

async fn create_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<TokenForm>,
) -> Result<AccountPage, AppError> {
    viewer.require(Action::ManageOwnAccount)?;
    let user = viewer.signed_in()?;
    let name = form.token_name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        let e = FieldError::new("token_name", "Enter a name for the token, 60 characters or fewer");
        return account_page(&state, &viewer, None, form.token_name.clone(), vec![e]).await;
    }
    let secret = format!("fp_{}", random_secret());
    state
        .store
        .create_api_token(&viewer.who(), user.id, name, &sha256_hex(&secret))
        .await?;
    account_page(&state, &viewer, Some(secret), String::new(), Vec::new()).await
}

async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    viewer.require(Action::ManageOwnAccount)?;
    let user = viewer.signed_in()?;
    state.store.revoke_api_token(&viewer.who(), user.id, id).await?;
    Ok(Redirect::to("/account"))
}
