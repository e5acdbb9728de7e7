//! Footprint's web application: server-rendered pages in the NHS.UK design system, the JSON API
//! under `/api/v1`, sign-in and sessions, and the static assets, on one axum router.
//!
//! Layers: a request comes in at a route (`routes/`), the viewer is worked out from the session
//! cookie or API token (`auth`), the domain decides what they may do (`footprint_domain::access`),
//! the store persists (`footprint_store`), and a template renders the answer.

mod asset_list;
pub mod auth;
mod cache;
pub mod charts;
pub mod error;
pub mod export;
pub mod notify;
mod page;
pub mod routes;
mod security;
pub mod setup;
pub mod stress;
pub mod totp;
/// The financial model as an XLSX workbook (its own crate, so that it can be fuzzed alone).
pub use footprint_xlsx as xlsx;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use footprint_store::Store;
use tokio::net::TcpListener;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Mark cookies `Secure` (set when the site is served over TLS, directly or by a proxy).
    pub secure_cookies: bool,
    /// How long a sign-in lasts.
    pub session_lifetime: Duration,
    /// How many consultation responses one address may send to one consultation in an hour
    /// (0: no limit).
    pub responses_per_hour: u32,
    /// How long a client may take to send a request's headers (a slow client holding a
    /// connection open is cut off after this). It also closes a kept-alive connection idle this
    /// long, so a reverse proxy in front must keep its idle upstream connections for less.
    pub header_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            secure_cookies: false,
            session_lifetime: Duration::from_secs(8 * 3600),
            responses_per_hour: 30,
            header_timeout: Duration::from_secs(10),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The server's configuration.
    pub config: Arc<Config>,
    /// The key that signs CSRF tokens (kept in the database so that every instance shares it).
    pub(crate) key: Arc<[u8; 32]>,
    /// Bounds concurrent password hashing, which is memory- and CPU-hard by design.
    pub(crate) hashing: Arc<tokio::sync::Semaphore>,
    /// Public answers shared between visitors for a moment.
    pub(crate) cache: Arc<cache::PageCache>,
    /// Stress test results kept per plan version and revision.
    pub(crate) results: Arc<stress::Results>,
}

impl AppState {
    /// State for a store and configuration; loads (or creates) the signing key.
    pub async fn new(store: Store, config: Config) -> Result<Self, footprint_store::StoreError> {
        let fresh = hex::encode(auth::random_bytes::<32>());
        let stored = store.setting_or_init("csrf_key", &fresh).await?;
        let mut key = [0u8; 32];
        hex::decode_to_slice(stored.trim(), &mut key).map_err(|_| {
            footprint_store::StoreError::Config("the stored csrf_key setting is not 64 hex digits".into())
        })?;
        Ok(AppState {
            store,
            config: Arc::new(config),
            key: Arc::new(key),
            hashing: Arc::new(tokio::sync::Semaphore::new(4)),
            cache: Arc::new(cache::PageCache::default()),
            results: Arc::new(stress::Results::default()),
        })
    }
}

/// The largest request body accepted (forms and JSON).
pub const MAX_BODY: usize = 1024 * 1024;

impl AppState {
    /// Forgets every kept stress result, so the next stress page runs the engine again (for
    /// benchmarks, and for operators after changing the engine).
    pub fn forget_stress_results(&self) {
        self.results.forget();
    }
}

/// The whole router with its middleware: security (CSRF, headers), a tracing span per request,
/// a body limit, a time limit, and a panic turned into the plain error page.
pub fn router(state: AppState) -> Router {
    routes::router(state.clone())
        .layer(axum::middleware::from_fn_with_state(state.clone(), cache::layer))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn(plain_refusals))
        .layer(axum::middleware::from_fn_with_state(state, security::layer))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(on_panic))
}

/// The limits' own refusals (a bare 413 or 503 in plain text) as the site's error page, or the
/// API's JSON error under `/api/`.
async fn plain_refusals(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    let error = match response.status() {
        axum::http::StatusCode::PAYLOAD_TOO_LARGE if plain => error::AppError::TooLarge,
        axum::http::StatusCode::SERVICE_UNAVAILABLE if plain => error::AppError::TimedOut,
        // An address whose id is not a number (or too large to be one) names nothing.
        axum::http::StatusCode::BAD_REQUEST if plain => {
            let (parts, body) = response.into_parts();
            let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
            if text.starts_with(b"Invalid URL") {
                error::AppError::NotFound
            } else {
                return axum::response::Response::from_parts(parts, axum::body::Body::from(text));
            }
        }
        _ => return response,
    };
    if api {
        axum::response::IntoResponse::into_response(error::ApiError(error))
    } else {
        axum::response::IntoResponse::into_response(error)
    }
}

/// A panic in a handler: logged, and the person gets the plain error page.
fn on_panic(detail: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let what = detail
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| detail.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    axum::response::IntoResponse::into_response(error::AppError::internal(format!("handler panicked: {what}")))
}

/// A server bound to its address, ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    port: u16,
    header_timeout: Duration,
}

impl Application {
    /// Binds the listener (port 0 picks a free port: tests use it).
    pub async fn build(state: AppState) -> std::io::Result<Self> {
        let listener = TcpListener::bind(state.config.listen).await?;
        let port = listener.local_addr()?.port();
        Ok(Application {
            listener,
            header_timeout: state.config.header_timeout,
            router: router(state),
            port,
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    ///
    /// Each connection is served by hyper's HTTP/1 server with a timer, so that a client that
    /// sends its headers too slowly is cut off (`Config::header_timeout`); a body sent too slowly
    /// meets the 30-second limit on a whole request.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        use hyper_util::rt::{TokioIo, TokioTimer};
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new()).header_read_timeout(self.header_timeout);
        tokio::pin!(shutdown);
        loop {
            let (stream, addr) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a moment, keep serving.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            let router = self.router.clone();
            let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(axum::extract::ConnectInfo(addr));
                tower::ServiceExt::oneshot(router.clone(), request)
            });
            // No upgrades are served (no WebSockets), so a plain HTTP/1 connection.
            let connection = http.serve_connection(TokioIo::new(stream), service);
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
        }
        drop(self.listener);
        graceful.shutdown().await;
        Ok(())
    }
}
