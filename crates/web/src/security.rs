//! What every request passes through: a visitor cookie for CSRF binding, the CSRF check on
//! every state-changing request, and the security headers on every response.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::auth::{cookie, csrf_binding, csrf_token, random_secret, session_cookie, set_cookie, visitor_cookie};
use crate::error::{ApiError, AppError};

/// The largest form body read for the CSRF check.
pub(crate) const MAX_FORM: usize = 256 * 1024;

/// The middleware.
pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let secure = state.config.secure_cookies;
    let api = req.uri().path().starts_with("/api/");

    // A visitor without a cookie gets one, so that forms can carry a token bound to it.
    let mut new_visitor = None;
    if csrf_binding(req.headers(), secure).is_none() {
        let v = random_secret();
        let value = format!("{}={v}", visitor_cookie(secure));
        if let Ok(h) = HeaderValue::from_str(&value) {
            req.headers_mut().append(header::COOKIE, h);
        }
        new_visitor = Some(v);
    }

    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let bearer = req.headers().contains_key(header::AUTHORIZATION);
    // A program's change with neither a token nor a session: say that it must authenticate.
    if changes_state && api && !bearer && cookie(req.headers(), session_cookie(secure)).is_none() {
        return finish(ApiError(AppError::SignInRequired).into_response(), &state, None);
    }
    if changes_state && !(api && bearer) {
        match check_csrf(&state, req).await {
            Ok(r) => req = r,
            Err(e) => {
                return finish(
                    if api {
                        ApiError(e).into_response()
                    } else {
                        e.into_response()
                    },
                    &state,
                    None,
                );
            }
        }
    }
    let response = next.run(req).await;
    finish(response, &state, new_visitor)
}

/// Checks the CSRF token: from the `X-CSRF-Token` header, or the `csrf_token` field of a form.
async fn check_csrf(state: &AppState, req: Request) -> Result<Request, AppError> {
    let secure = state.config.secure_cookies;
    let expected = csrf_binding(req.headers(), secure)
        .map(|b| csrf_token(&state.key, &b))
        .ok_or(AppError::Csrf)?;
    if let Some(given) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            Ok(req)
        } else {
            Err(AppError::Csrf)
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let multipart = multer::parse_boundary(&content_type).ok();
    if !content_type.starts_with("application/x-www-form-urlencoded") && multipart.is_none() {
        return Err(AppError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let limit = if multipart.is_some() { crate::MAX_BODY } else { MAX_FORM };
    let bytes = to_bytes(body, limit).await.map_err(|_| AppError::TooLarge)?;
    let given = match multipart {
        Some(boundary) => multipart_field(bytes.clone(), boundary, "csrf_token").await,
        None => form_field(&bytes, "csrf_token"),
    }
    .ok_or(AppError::Csrf)?;
    if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(AppError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// A text field of a multipart form (an upload), read from the buffered body.
async fn multipart_field(body: axum::body::Bytes, boundary: String, name: &str) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// A field of a URL-encoded form (the token is hex, so no decoding is needed beyond the name).
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Adds the security headers (and the visitor cookie when one was made).
fn finish(mut response: Response, state: &AppState, new_visitor: Option<String>) -> Response {
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    set(
        h,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    set(h, "cross-origin-opener-policy", "same-origin");
    if state.config.secure_cookies {
        set(h, "strict-transport-security", "max-age=31536000");
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    if let Some(v) = new_visitor {
        let c = set_cookie(
            visitor_cookie(state.config.secure_cookies),
            &v,
            30 * 24 * 3600,
            state.config.secure_cookies,
        );
        if let Ok(v) = HeaderValue::from_str(&c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    response
}
