//! Footprint's store: SQLite (the embedded default) and PostgreSQL (production) behind one API.
//!
//! One code path serves both backends through sqlx's `Any` driver: the SQL is written to run on
//! both (`$1` placeholders, `RETURNING`, `ON CONFLICT`), integers are 64-bit, times are
//! milliseconds since 1970 and flags are 0 or 1. Each backend has its own migrations. Every
//! change runs in one transaction with its audit entry; on SQLite a write transaction begins
//! `IMMEDIATE`, so a read-then-write never fails to upgrade its lock. Every store test runs on
//! both backends (see [`testing`]).

pub mod audit;
pub mod backup;
pub mod consultations;
pub mod delivery;
pub mod engagement;
pub mod footprints;
pub mod governance;
pub mod national;
pub mod notifications;
pub mod organisations;
pub mod plans;
pub mod privacy;
pub mod sessions;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod transfer;
pub mod two_factor;
pub mod users;
pub mod vcs;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor, Transaction};

pub use audit::{AuditEntry, Who};

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// What can go wrong in the store, in terms a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A value that must be unique is taken: the field and the message.
    #[error("{message}")]
    Conflict {
        /// The field at fault.
        field: &'static str,
        /// What to tell the person.
        message: String,
    },
    /// A record that was referred to does not exist.
    #[error("{0} was not found")]
    NotFound(&'static str),
    /// The record changed since the person loaded it.
    #[error("{0} was changed by someone else since you opened it; reload it and make your change again")]
    Stale(&'static str),
    /// The database URL is not one Footprint can use.
    #[error("{0}")]
    Config(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A backup or restore was refused: what was wrong and what to do.
    #[error("{0}")]
    Backup(String),
    /// A footprint export cannot be imported: where in the file and what is wrong.
    #[error("the file cannot be imported: {0}")]
    Import(String),
    /// Migrating the database failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether the error is the person's to fix (not the system's).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            StoreError::Conflict { .. }
                | StoreError::NotFound(_)
                | StoreError::Stale(_)
                | StoreError::Backup(_)
                | StoreError::Import(_)
        )
    }
}

/// A refusal the person can act on: the field at fault and what to tell them.
pub(crate) fn conflict(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Conflict {
        field,
        message: message.into(),
    }
}

/// The outcome of an update guarded by a revision (`… AND revision = $n`): no row changed means
/// someone else changed the record first, between the check and the write.
pub(crate) fn one_row(result: sqlx::any::AnyQueryResult, what: &'static str) -> Result<()> {
    if result.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale(what))
    }
}

/// A result from the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Whether an error is a unique-constraint violation.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.is_unique_violation())
}

/// Whether an error is a foreign-key violation.
pub(crate) fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.is_foreign_key_violation())
}

/// The store: a pool of connections to one database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Milliseconds since 1970, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A time in milliseconds since 1970 (as the store keeps times), in UTC.
pub fn datetime(ms: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// Formats a time in milliseconds since 1970 as `23 November 2026, 14:05` (UTC).
pub fn format_time(ms: i64) -> String {
    let t = datetime(ms);
    let f = time::macros::format_description!("[day padding:none] [month repr:long] [year], [hour]:[minute] UTC");
    t.format(f).unwrap_or_default()
}

impl Store {
    /// Opens the database at `url` and brings its schema up to date. `sqlite://PATH` creates the
    /// file if it is missing; `postgres://…` connects to a server.
    pub async fn open(url: &str, max_connections: u32) -> Result<Store> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "the database URL must start with sqlite:// or postgres://, not {:?}",
                url.split(':').next().unwrap_or("")
            )));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_string(),
        };
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    // The busy timeout first: every statement after it waits for the writer's
                    // lock rather than failing. NORMAL is durable in WAL across application
                    // crashes. The journal mode is not set here: see below.
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await?;
        if backend == Backend::Sqlite {
            // WAL lets readers go on while one writer writes. It is kept in the database file,
            // so it is set once here, not on each new connection: the pool replaces its
            // connections as they age, and a connection that asked for WAL while others were
            // writing could be refused ("database is locked": changing the journal mode takes a
            // lock the busy timeout does not wait for), failing the request that wanted it.
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
        }
        let store = Store {
            pool,
            backend,
            generation: Default::default(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for queries in this crate.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a write transaction (on SQLite it takes the write lock at once).
    pub(crate) async fn write(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Commits a write transaction and counts it (see [`Store::generation`]).
    pub(crate) async fn commit(&self, tx: Transaction<'static, Any>) -> Result<()> {
        tx.commit().await?;
        self.generation.fetch_add(1, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// How many changes this process has committed: a cache of what the store returns is
    /// current while this number has not moved (changes by other processes are not counted).
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (for a clean shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A setting, if set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let v: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(v)
    }

    /// Sets a setting unless it is already set; returns the value in force.
    pub async fn setting_or_init(&self, key: &str, value: &str) -> Result<String> {
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        let v: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
        self.commit(tx).await?;
        Ok(v)
    }
}
