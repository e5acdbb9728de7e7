//! Signing in and out, one's account, and API tokens.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_domain::person::Email;

use crate::AppState;
use crate::auth::{Viewer, hash_password, random_secret, session_cookie, set_cookie, sha256_hex, verify_password};
use crate::error::{AppError, FieldError};
use crate::page::{AccountPage, Page, PasswordPage, SignInPage};
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
        .route("/account/password", get(password_form).post(change_password))
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

/// The hash of the session cookie the request carries, whether its session is live, pending
/// its second factor, or gone.
fn cookie_session(state: &AppState, headers: &axum::http::HeaderMap) -> Option<String> {
    crate::auth::cookie(headers, session_cookie(state.config.secure_cookies)).map(sha256_hex)
}

async fn sign_in(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
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
    if let Some(old) = cookie_session(&state, &headers) {
        state.store.delete_session(&old).await?;
    }
    // With two-factor sign-in on, the password alone opens nothing: the code comes next.
    if state.store.two_factor(user.id).await?.on() {
        return crate::routes::two_factor::start_second_step(&state, user.id).await;
    }
    let cookie = new_session(&state, user.id).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/account")).into_response())
}

/// Starts a session for a person; returns the cookie that carries it.
pub(crate) async fn new_session(state: &AppState, user_id: i64) -> Result<String, AppError> {
    let secret = random_secret();
    let lifetime = state.config.session_lifetime;
    let expires = footprint_store::now_ms() + lifetime.as_millis() as i64;
    state
        .store
        .create_session(&sha256_hex(&secret), user_id, expires)
        .await?;
    let secure = state.config.secure_cookies;
    Ok(set_cookie(
        session_cookie(secure),
        &secret,
        lifetime.as_secs() as i64,
        secure,
    ))
}

async fn sign_out(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Result<Response, AppError> {
    // Any session the cookie names ends, a sign-in awaiting its second factor included.
    if let Some(h) = cookie_session(&state, &headers) {
        state.store.delete_session(&h).await?;
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
    let since = footprint_store::now_ms() - CREDENTIAL_HISTORY_DAYS * 86_400_000;
    let mut changes = state.store.credential_changes(Some(user.id), since).await?;
    changes.reverse();
    let credential_changes = changes.iter().map(crate::notify::credential_change_text).collect();
    let two_factor = state.store.two_factor(user.id).await?;
    Ok(AccountPage {
        page: Page::new("Your account", viewer, "").with_errors(errors),
        user,
        roles,
        tokens,
        new_token,
        token_name,
        password_changed: false,
        credential_changes,
        two_factor_on: two_factor.on(),
        recovery_codes_left: two_factor.recovery_codes_left,
    })
}

/// How far back the account page lists changes to how a person signs in.
const CREDENTIAL_HISTORY_DAYS: i64 = 90;

async fn account(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<AccountPage, AppError> {
    viewer.require(Action::ManageOwnAccount)?;
    let mut page = account_page(&state, &viewer, None, String::new(), Vec::new()).await?;
    page.password_changed = query.as_deref() == Some("password=changed");
    Ok(page)
}

async fn password_form(viewer: Viewer) -> Result<PasswordPage, AppError> {
    viewer.require(Action::ManageOwnAccount)?;
    Ok(PasswordPage::new(Page::new("Change your password", &viewer, "")))
}

#[derive(serde::Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// Changes the signed-in person's password: the current one must be right, the new one must
/// pass the password rule. Every session ends (others are signed out); this one is replaced by a
/// new session, so the person carries on.
async fn change_password(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientAddr(client): ClientAddr,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    viewer.require(Action::ManageOwnAccount)?;
    let user = viewer.signed_in()?.clone();
    let again = |errors: Vec<FieldError>| {
        let page = Page::new("Change your password", &viewer, "").with_errors(errors);
        Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, PasswordPage::new(page)).into_response())
    };
    // Wrong current passwords count as failed sign-ins: the same limits apply.
    let since = footprint_store::now_ms() - FAILURE_WINDOW_MS;
    let (by_email, by_client) = state.store.failed_sign_ins(&user.email, &client, since).await?;
    if by_email >= MAX_FAILURES_PER_EMAIL || by_client >= MAX_FAILURES_PER_CLIENT {
        return Err(AppError::TooManyAttempts);
    }
    let mut errors = Vec::new();
    if form.current_password.is_empty() {
        errors.push(FieldError::new("current_password", "Enter your current password"));
    }
    let email = Email::parse(&user.email).ok();
    if let Err(e) = footprint_domain::person::check_new_password(&form.new_password, email.as_ref()) {
        errors.push(FieldError::new("new_password", e.0));
    } else if form.new_password != form.confirm_password {
        errors.push(FieldError::new("confirm_password", "Enter the same new password twice"));
    }
    if !errors.is_empty() {
        return again(errors);
    }
    let hash = state
        .store
        .user_for_sign_in(&Email::parse(&user.email).map_err(|_| AppError::Forbidden)?)
        .await?
        .map(|(_, h)| h);
    let ok = verify_password(&state, form.current_password.clone(), hash).await?;
    if !ok {
        state.store.record_sign_in_attempt(&user.email, &client, false).await?;
        return again(vec![FieldError::new(
            "current_password",
            "Your current password is not right",
        )]);
    }
    let new_hash = hash_password(&state, form.new_password.clone()).await?;
    state.store.set_password(&viewer.who(), user.id, &new_hash).await?;
    let cookie = new_session(&state, user.id).await?;
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to("/account?password=changed"),
    )
        .into_response())
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
