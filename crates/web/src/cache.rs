//! A short-lived in-memory cache of public pages and API reads, for people who are not signed
//! in. A cached answer is used while no change has been committed through this process since it
//! was made, and for at most [`MAX_AGE`]: a change made through another instance sharing the
//! database shows within that time. Only routes listed in [`CACHEABLE`] are cached: their
//! answers to the public hold no form token and nothing personal.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::session_cookie;

/// The longest a cached answer is used.
pub const MAX_AGE: Duration = Duration::from_secs(2);
/// The most answers kept (the cache is emptied when full).
const MAX_ENTRIES: usize = 2048;
/// The largest answer kept.
const MAX_BODY: usize = 512 * 1024;

/// The route patterns whose public answers may be shared between visitors.
pub const CACHEABLE: [&str; 12] = [
    "/data",
    "/footprints/{code}/plan/versions/{number}/{file}",
    "/",
    "/footprints",
    "/footprints/{code}",
    "/organisations/{id}",
    "/api/v1/openapi.json",
    "/api/v1/footprints",
    "/api/v1/footprints/{code}",
    "/api/v1/footprints/{code}/partners",
    "/api/v1/organisations",
    "/api/v1/organisations/{id}",
];

struct Entry {
    generation: u64,
    made: Instant,
    headers: HeaderMap,
    body: Bytes,
}

/// The cache.
#[derive(Default)]
pub struct PageCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl PageCache {
    fn get(&self, key: &str, generation: u64) -> Option<Response> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let e = entries.get(key)?;
        if e.generation != generation || e.made.elapsed() > MAX_AGE {
            return None;
        }
        let mut r = Response::new(Body::from(e.body.clone()));
        *r.headers_mut() = e.headers.clone();
        Some(r)
    }

    fn put(&self, key: String, generation: u64, headers: HeaderMap, body: Bytes) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                generation,
                made: Instant::now(),
                headers,
                body,
            },
        );
    }
}

/// The middleware (inside the security layer, so cached answers get the same headers).
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let public = req.method() == Method::GET
        && !req.headers().contains_key(header::AUTHORIZATION)
        && crate::auth::cookie(req.headers(), session_cookie(state.config.secure_cookies)).is_none()
        && req
            .extensions()
            .get::<MatchedPath>()
            .is_some_and(|p| CACHEABLE.contains(&p.as_str()));
    if !public {
        return next.run(req).await;
    }
    let key = req.uri().to_string();
    // Read the generation before the answer is made: a change during the request makes the
    // entry stale at once.
    let generation = state.store.generation();
    if let Some(hit) = state.cache.get(&key, generation) {
        return hit;
    }
    let response = next.run(req).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            state.cache.put(key, generation, parts.headers.clone(), bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(_) => crate::error::AppError::internal("a cacheable answer was too large to keep").into_response(),
    }
}
