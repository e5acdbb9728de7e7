//! Who is asking: sessions (a cookie whose SHA-256 is stored), API tokens (`Authorization:
//! Bearer`), password hashing (argon2id, off the async threads) and CSRF tokens.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use footprint_domain::access::{Action, Actor, can};
use footprint_store::users::User;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::AppError;

/// `n` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random number generator");
    b
}

/// A new random secret as 64 hex digits.
pub fn random_secret() -> String {
    hex::encode(random_bytes::<32>())
}

/// SHA-256 as hex: how session ids and API tokens are stored.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Hashes a password with argon2id (OWASP's parameters: 19 MiB, 2 passes), on a blocking thread.
pub async fn hash_password(state: &AppState, password: String) -> Result<String, AppError> {
    let _permit = state
        .hashing
        .acquire()
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || hash_password_now(&password))
        .await
        .map_err(|e| AppError::internal(e.to_string()))?
}

/// Hashes a password on this thread (for the command line).
pub fn hash_password_now(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("hashing a password: {e}")))
}

/// A fixed hash to verify against when an account does not exist, so that a wrong email costs
/// as much time as a wrong password (no account enumeration by timing).
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$C1N1yMR1RFNbYX2ivQuzwJs2lyeuKRUhYCd4XDl0h3M";

/// Checks a password against a stored hash (or against a dummy when there is no account).
pub async fn verify_password(state: &AppState, password: String, hash: Option<String>) -> Result<bool, AppError> {
    let _permit = state
        .hashing
        .acquire()
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let real = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_string());
        let ok = PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        ok && real
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))
}

/// The session cookie's name (`__Host-` when cookies are Secure, which pins it to this host).
pub fn session_cookie(secure: bool) -> &'static str {
    if secure { "__Host-fp_session" } else { "fp_session" }
}

/// The anonymous visitor cookie's name: it binds a visitor's CSRF tokens before sign-in.
pub fn visitor_cookie(secure: bool) -> &'static str {
    if secure { "__Host-fp_visitor" } else { "fp_visitor" }
}

/// A cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The CSRF token for a binding (the session id's hash, or the visitor cookie).
pub fn csrf_token(key: &[u8; 32], binding: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(b"csrf\0");
    mac.update(binding.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// What a request's CSRF token must be bound to: the session, else the visitor cookie.
pub fn csrf_binding(headers: &axum::http::HeaderMap, secure: bool) -> Option<String> {
    if let Some(s) = cookie(headers, session_cookie(secure)) {
        return Some(format!("s:{}", sha256_hex(s)));
    }
    cookie(headers, visitor_cookie(secure)).map(|v| format!("v:{v}"))
}

/// The person asking, worked out once per request.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Their account, if signed in (by session or API token).
    pub user: Option<User>,
    /// What they hold.
    pub actor: Actor,
    /// The CSRF token for forms on the page.
    pub csrf: String,
    /// The hash of their session id, if signed in by cookie.
    pub session_hash: Option<String>,
}

impl Viewer {
    /// Whether they may take `action`.
    pub fn can(&self, action: Action) -> bool {
        can(&self.actor, action)
    }

    /// Refuses unless they may take `action`: sign-in first for the public, else forbidden.
    pub fn require(&self, action: Action) -> Result<(), AppError> {
        if self.can(action) {
            Ok(())
        } else if self.user.is_none() {
            Err(AppError::SignInRequired)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The signed-in user, or the sign-in page.
    pub fn signed_in(&self) -> Result<&User, AppError> {
        self.user.as_ref().ok_or(AppError::SignInRequired)
    }

    /// How the audit log names them.
    pub fn who(&self) -> footprint_store::Who {
        match &self.user {
            Some(u) => u.who(),
            None => footprint_store::Who {
                user_id: None,
                label: "member of the public".into(),
            },
        }
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(v) = parts.extensions.get::<Viewer>() {
            return Ok(v.clone());
        }
        let secure = state.config.secure_cookies;
        let mut user = None;
        let mut session_hash = None;
        if let Some(bearer) = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            user = state.store.api_token_user(&sha256_hex(bearer.trim())).await?;
            if user.is_none() {
                return Err(AppError::BadToken);
            }
        } else if let Some(s) = cookie(&parts.headers, session_cookie(secure)) {
            let h = sha256_hex(s);
            user = state.store.session_user(&h).await?;
            session_hash = user.as_ref().map(|_| h);
        }
        let actor = match &user {
            Some(u) => state.store.actor(u).await?,
            None => Actor::public(),
        };
        let csrf = csrf_binding(&parts.headers, secure)
            .map(|b| csrf_token(&state.key, &b))
            .unwrap_or_default();
        let viewer = Viewer {
            user,
            actor,
            csrf,
            session_hash,
        };
        parts.extensions.insert(viewer.clone());
        Ok(viewer)
    }
}
