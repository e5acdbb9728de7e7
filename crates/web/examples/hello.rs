//! An axum "hello world" on the same runtime and build profile as Footprint: the baseline that
//! `bench/load/run.sh` measures beside the real pages.

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18091".to_string());
    let app = Router::new().route("/", get(|| async { "Hello, world!" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("hello world at http://{addr}");
    axum::serve(listener, app).await
}
