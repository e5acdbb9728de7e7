//! Two-factor sign-in (ASVS 2.7, 2.8): setting up an authenticator app, recovery codes,
//! turning it off, and the second step of signing in.
//!
//! A sign-in whose password is right, for a person with two-factor sign-in on, gets a session
//! marked pending: it shows nothing (the session lookup ignores it) until the code from their
//! app, or one of their recovery codes, is entered at `/sign-in/code`. A code works once (the
//! last time step used is kept); wrong codes count as failed sign-ins, under the same limits.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use footprint_domain::access::Action;
use footprint_domain::person::Email;
use footprint_store::two_factor::TwoFactor;
use footprint_store::users::User;

use crate::AppState;
use crate::auth::{Viewer, cookie, random_secret, session_cookie, set_cookie, sha256_hex, verify_password};
use crate::error::{AppError, FieldError};
use crate::page::Page;
use crate::routes::ClientAddr;
use crate::routes::account::{FAILURE_WINDOW_MS, MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_EMAIL, new_session};
use crate::totp;

/// How long a sign-in may wait for its second factor.
pub const PENDING_SECONDS: i64 = 10 * 60;
/// How long a secret offered for setting up stays on offer; after that a new one is offered, so
/// that a key seen on a screen some time ago cannot become someone's second factor.
pub const OFFER_SECONDS: i64 = 10 * 60;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/two-factor", get(settings).post(turn_on))
        .route("/account/two-factor/off", post(turn_off))
        .route("/account/two-factor/recovery-codes", post(new_codes))
        .route("/sign-in/code", get(code_form).post(enter_code))
}

/// Setting up, or managing, two-factor sign-in.
#[derive(Template, WebTemplate)]
#[template(path = "two_factor.html")]
pub struct TwoFactorPage {
    pub page: Page,
    pub on: bool,
    pub recovery_codes_left: i64,
    /// While setting up: the key in groups of four, and the QR code of its link.
    pub key: String,
    pub qr_svg: String,
    /// Just turned off.
    pub turned_off: bool,
}

/// Recovery codes, shown once.
#[derive(Template, WebTemplate)]
#[template(path = "recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub page: Page,
    /// Whether two-factor sign-in was just turned on (else the codes were replaced).
    pub turned_on: bool,
    pub codes: Vec<String>,
}

/// The second step of signing in.
#[derive(Template, WebTemplate)]
#[template(path = "sign_in_code.html")]
pub struct SignInCodePage {
    pub page: Page,
}

#[derive(serde::Deserialize)]
struct CodeForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    code: String,
}

/// The form that turns two-factor sign-in off: its own field names, as it shares the page with
/// the form for new recovery codes.
#[derive(serde::Deserialize)]
struct OffForm {
    #[serde(default)]
    off_password: String,
    #[serde(default)]
    off_code: String,
}

/// Whether an offered secret is still on offer at `now` (ms).
fn on_offer(tf: &TwoFactor, now: i64) -> bool {
    tf.pending.is_some() && tf.offered_at.is_some_and(|at| now - at < OFFER_SECONDS * 1000)
}

async fn settings_page(
    state: &AppState,
    viewer: &Viewer,
    errors: Vec<FieldError>,
    turned_off: bool,
) -> Result<TwoFactorPage, AppError> {
    let user = viewer.signed_in()?;
    let tf = state.store.two_factor(user.id).await?;
    let (mut key, mut qr_svg) = (String::new(), String::new());
    if !tf.on() {
        let secret = match tf.pending.clone().filter(|_| on_offer(&tf, footprint_store::now_ms())) {
            Some(s) => s,
            None => {
                let s = totp::new_secret();
                state.store.offer_two_factor(user.id, &s).await?;
                s
            }
        };
        key = totp::grouped(&secret);
        qr_svg = totp::qr_svg(&totp::otpauth_uri(&secret, &user.email, "Footprint"));
    }
    Ok(TwoFactorPage {
        page: Page::new("Two-factor sign-in", viewer, "").with_errors(errors),
        on: tf.on(),
        recovery_codes_left: tf.recovery_codes_left,
        key,
        qr_svg,
        turned_off,
    })
}

async fn settings(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<TwoFactorPage, AppError> {
    viewer.require(Action::ManageOwnAccount)?;
    settings_page(&state, &viewer, Vec::new(), query.as_deref() == Some("off")).await
}

/// Refuses when the person or their address has failed too often lately.
async fn limit(state: &AppState, email: &str, client: &str) -> Result<(), AppError> {
    let since = footprint_store::now_ms() - FAILURE_WINDOW_MS;
    let (by_email, by_client) = state.store.failed_sign_ins(email, client, since).await?;
    if by_email >= MAX_FAILURES_PER_EMAIL || by_client >= MAX_FAILURES_PER_CLIENT {
        return Err(AppError::TooManyAttempts);
    }
    Ok(())
}

/// What a code is checked against.
enum Against<'a> {
    /// The secret offered for setting up.
    Offer(&'a str),
    /// The person's app or an unused recovery code, used up `for_what` ("to sign in").
    Held(&'a str),
}

/// Checks the current password and a code entered in the fields named `fields` (password,
/// code); the errors to show, else the time step of the code. Wrong ones count as failed
/// sign-ins.
async fn check(
    state: &AppState,
    user: &User,
    client: &str,
    (password, code): (&str, &str),
    fields: (&'static str, &'static str),
    against: Against<'_>,
) -> Result<(Vec<FieldError>, Option<i64>), AppError> {
    let mut errors = Vec::new();
    if password.is_empty() {
        errors.push(FieldError::new(fields.0, "Enter your current password"));
    }
    if code.trim().is_empty() {
        errors.push(FieldError::new(
            fields.1,
            "Enter the 6-digit code from your authenticator app",
        ));
    }
    if !errors.is_empty() {
        return Ok((errors, None));
    }
    let hash = state
        .store
        .user_for_sign_in(&Email::parse(&user.email).map_err(|_| AppError::Forbidden)?)
        .await?
        .map(|(_, h)| h);
    if !verify_password(state, password.to_string(), hash).await? {
        state.store.record_sign_in_attempt(&user.email, client, false).await?;
        return Ok((
            vec![FieldError::new(fields.0, "Your current password is not right")],
            None,
        ));
    }
    let now = totp::step_at(footprint_store::now_ms());
    let step = match against {
        Against::Offer(secret) => totp::matching_step(secret, code, now),
        Against::Held(for_what) => second_factor(state, user, code, for_what).await?.then_some(now),
    };
    if step.is_none() {
        state.store.record_sign_in_attempt(&user.email, client, false).await?;
        return Ok((vec![FieldError::new(fields.1, WRONG_CODE)], None));
    }
    Ok((Vec::new(), step))
}

const WRONG_CODE: &str = "The code is not right: enter the code your app shows now (check that your phone's clock is right), or an unused recovery code";

/// Whether `entered` is the person's current code (not used before) or one of their unused
/// recovery codes, which it then uses up `for_what` (in words: "to sign in").
async fn second_factor(state: &AppState, user: &User, entered: &str, for_what: &str) -> Result<bool, AppError> {
    let tf: TwoFactor = state.store.two_factor(user.id).await?;
    let Some(secret) = tf.secret else {
        return Ok(false);
    };
    if totp::looks_like_code(entered) {
        let now = totp::step_at(footprint_store::now_ms());
        return Ok(match totp::matching_step(&secret, entered, now) {
            Some(step) => state.store.accept_step(user.id, step).await?,
            None => false,
        });
    }
    for (id, stored) in state.store.unused_recovery_codes(user.id).await? {
        if totp::recovery_matches(&stored, entered) {
            return Ok(state
                .store
                .use_recovery_code(&user.who(), user.id, id, for_what)
                .await?);
        }
    }
    Ok(false)
}

async fn turn_on(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientAddr(client): ClientAddr,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    viewer.require(Action::ManageOwnAccount)?;
    let user = viewer.signed_in()?.clone();
    limit(&state, &user.email, &client).await?;
    let tf = state.store.two_factor(user.id).await?;
    if tf.on() || tf.pending.is_none() {
        return Ok(Redirect::to("/account/two-factor").into_response());
    }
    if !on_offer(&tf, footprint_store::now_ms()) {
        // The page will offer a new key.
        let e = FieldError::new(
            "code",
            "The key you were shown has been replaced, as it was offered more than 10 minutes ago: add the new key below to your app, then enter its code",
        );
        let page = settings_page(&state, &viewer, vec![e], false).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let secret = tf.pending.unwrap_or_default();
    let (errors, step) = check(
        &state,
        &user,
        &client,
        (&form.current_password, &form.code),
        ("current_password", "code"),
        Against::Offer(&secret),
    )
    .await?;
    let Some(step) = step else {
        let page = settings_page(&state, &viewer, errors, false).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    let on = state
        .store
        .turn_on_two_factor(
            &viewer.who(),
            user.id,
            &secret,
            step,
            &hashes,
            viewer.session_hash.as_deref(),
        )
        .await?;
    if !on {
        return Ok(Redirect::to("/account/two-factor").into_response());
    }
    Ok(RecoveryCodesPage {
        page: Page::new("Two-factor sign-in is on", &viewer, ""),
        turned_on: true,
        codes,
    }
    .into_response())
}

/// For a person with two-factor sign-in on: checks their password and a code (from their app,
/// or a recovery code used up `for_what`) entered in `fields`. Ok(user) to go on; else the
/// answer to give (the settings page with the errors, or back to it when two-factor is off).
async fn confirm_held(
    state: &AppState,
    viewer: &Viewer,
    client: &str,
    entered: (&str, &str),
    fields: (&'static str, &'static str),
    for_what: &str,
) -> Result<Result<User, Response>, AppError> {
    viewer.require(Action::ManageOwnAccount)?;
    let user = viewer.signed_in()?.clone();
    limit(state, &user.email, client).await?;
    if !state.store.two_factor(user.id).await?.on() {
        return Ok(Err(Redirect::to("/account/two-factor").into_response()));
    }
    let (errors, step) = check(state, &user, client, entered, fields, Against::Held(for_what)).await?;
    if step.is_none() {
        let page = settings_page(state, viewer, errors, false).await?;
        return Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, page).into_response()));
    }
    Ok(Ok(user))
}

async fn turn_off(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientAddr(client): ClientAddr,
    Form(form): Form<OffForm>,
) -> Result<Response, AppError> {
    let entered = (form.off_password.as_str(), form.off_code.as_str());
    let for_what = "to turn off two-factor sign-in";
    let user = match confirm_held(
        &state,
        &viewer,
        &client,
        entered,
        ("off_password", "off_code"),
        for_what,
    )
    .await?
    {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    state.store.turn_off_two_factor(&viewer.who(), user.id).await?;
    Ok(Redirect::to("/account/two-factor?off").into_response())
}

async fn new_codes(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientAddr(client): ClientAddr,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let entered = (form.current_password.as_str(), form.code.as_str());
    let for_what = "to make new recovery codes";
    let user = match confirm_held(
        &state,
        &viewer,
        &client,
        entered,
        ("current_password", "code"),
        for_what,
    )
    .await?
    {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
    state
        .store
        .replace_recovery_codes(&viewer.who(), user.id, &hashes)
        .await?;
    Ok(RecoveryCodesPage {
        page: Page::new("New recovery codes", &viewer, ""),
        turned_on: false,
        codes,
    }
    .into_response())
}

/// After a right password, for a person with two-factor sign-in on: a pending session, and the
/// way to the code page.
pub async fn start_second_step(state: &AppState, user_id: i64) -> Result<Response, AppError> {
    let secret = random_secret();
    let expires = footprint_store::now_ms() + PENDING_SECONDS * 1000;
    state
        .store
        .create_pending_session(&sha256_hex(&secret), user_id, expires)
        .await?;
    let secure = state.config.secure_cookies;
    let cookie = set_cookie(session_cookie(secure), &secret, PENDING_SECONDS, secure);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/sign-in/code")).into_response())
}

/// The person whose sign-in awaits its second factor, and the hash of that session.
async fn pending(state: &AppState, headers: &HeaderMap) -> Result<Option<(User, String)>, AppError> {
    let Some(s) = cookie(headers, session_cookie(state.config.secure_cookies)) else {
        return Ok(None);
    };
    let hash = sha256_hex(s);
    Ok(state.store.pending_session_user(&hash).await?.map(|u| (u, hash)))
}

async fn code_form(State(state): State<AppState>, viewer: Viewer, headers: HeaderMap) -> Result<Response, AppError> {
    if viewer.user.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    if pending(&state, &headers).await?.is_none() {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    Ok(SignInCodePage {
        page: Page::new("Enter your code", &viewer, ""),
    }
    .into_response())
}

#[derive(serde::Deserialize)]
struct SignInCodeForm {
    #[serde(default)]
    code: String,
}

async fn enter_code(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    ClientAddr(client): ClientAddr,
    Form(form): Form<SignInCodeForm>,
) -> Result<Response, AppError> {
    if viewer.user.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    let Some((user, hash)) = pending(&state, &headers).await? else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    limit(&state, &user.email, &client).await?;
    let again = |message: &str| {
        let page = Page::new("Enter your code", &viewer, "").with_errors(vec![FieldError::new("code", message)]);
        Ok((StatusCode::UNPROCESSABLE_ENTITY, SignInCodePage { page }).into_response())
    };
    if form.code.trim().is_empty() {
        return again("Enter the 6-digit code from your authenticator app, or a recovery code");
    }
    let ok = second_factor(&state, &user, &form.code, "to sign in").await?;
    state.store.record_sign_in_attempt(&user.email, &client, ok).await?;
    if !ok {
        return again(WRONG_CODE);
    }
    state.store.delete_session(&hash).await?;
    let cookie = new_session(&state, user.id).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/account")).into_response())
}
