//! Fresh databases for tests, on both backends: a new SQLite file, or a new PostgreSQL database
//! on the server named by `TEST_POSTGRES_URL` (tests on PostgreSQL are skipped only when it is
//! unset). Use [`crate::both_backends`] to run one test body on each.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::Store;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database made for one test.
pub struct TestDb {
    /// The store on it.
    pub store: Store,
    /// Its URL.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh SQLite database in a new file.
pub async fn sqlite() -> TestDb {
    let path = std::env::temp_dir().join(format!("{}.sqlite", unique("footprint_test")));
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url, 4).await.expect("open a test SQLite database");
    TestDb {
        store,
        url,
        cleanup: Cleanup::File(path),
    }
}

/// The URL of the PostgreSQL server for tests, if set.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty())
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let root = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// A fresh PostgreSQL database, or none when `TEST_POSTGRES_URL` is unset.
pub async fn postgres() -> Option<TestDb> {
    let admin_url = postgres_url()?;
    let name = unique("footprint_test");
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("TEST_POSTGRES_URL={admin_url}: cannot connect: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create a test database");
    admin.close().await;
    let url = with_database(&admin_url, &name);
    let store = Store::open(&url, 4).await.expect("open a test PostgreSQL database");
    Some(TestDb {
        store,
        url,
        cleanup: Cleanup::Postgres { admin_url, name },
    })
}

impl TestDb {
    /// Closes the store and removes the database.
    pub async fn finish(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(admin) = sqlx::AnyPool::connect(&admin_url).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&admin)
                    .await;
                    admin.close().await;
                }
            }
        }
    }
}

/// Runs one async test body, `|store: Store| async move { … }`, on a fresh SQLite database and
/// on a fresh PostgreSQL database: `both_backends!(name, body)` makes `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let db = $crate::testing::sqlite().await;
                ($body)(db.store.clone()).await;
                db.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = $crate::testing::postgres().await else {
                    eprintln!("TEST_POSTGRES_URL is not set: the PostgreSQL run of this test is skipped");
                    return;
                };
                ($body)(db.store.clone()).await;
                db.finish().await;
            }
        }
    };
}
