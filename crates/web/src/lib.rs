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
pub mod xlsx;

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
    /// How many consultation responses one address may send to one consultation in an hour.
    pub responses_per_hour: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            secure_cookies: false,
            session_lifetime: Duration::from_secs(8 * 3600),
            responses_per_hour: 30,
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
        .layer(axum::middleware::from_fn_with_state(state, security::layer))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(on_panic))
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
}

impl Application {
    /// Binds the listener (port 0 picks a free port: tests use it).
    pub async fn build(state: AppState) -> std::io::Result<Self> {
        let listener = TcpListener::bind(state.config.listen).await?;
        let port = listener.local_addr()?.port();
        Ok(Application {
            listener,
            router: router(state),
            port,
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(
            self.listener,
            self.router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}
