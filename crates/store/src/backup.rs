//! Whole-database backup and restore.
//!
//! SQLite: `VACUUM INTO` writes a consistent copy of the live database (readers and the writer
//! carry on meanwhile) to a temporary file beside the destination, which is renamed into place
//! only when complete. Restore checks the backup (SQLite's integrity check, and that its
//! migrations are ones this build knows), then replaces the live database's contents in one
//! transaction: every table, index and trigger is dropped and recreated from the backup, rows
//! copied, foreign keys checked; a failure rolls everything back. A running server sees the
//! restored data at its next query.
//!
//! PostgreSQL: `pg_dump --format=custom` (consistent under concurrent writes: one snapshot) to a
//! temporary file renamed into place. Restore turns the dump into SQL with `pg_restore` and runs
//! it with `psql --single-transaction` after emptying the `public` schema, so the database holds
//! either the backup or what it held before. Both need the PostgreSQL client tools on `PATH`.
//!
//! After a restore the schema is brought up to date (a backup from an earlier release is
//! migrated forward); a backup from a later release is refused.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sqlx::{AnyConnection, Connection, Executor};

use crate::{Backend, Result, Store, StoreError};

/// What a backup or restore covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The backup file's size in bytes.
    pub bytes: u64,
    /// Footprints held.
    pub footprints: i64,
    /// Accounts held.
    pub users: i64,
    /// Audit log entries held.
    pub audit_entries: i64,
    /// The newest migration in the backup.
    pub schema_version: i64,
}

fn refuse(message: impl Into<String>) -> StoreError {
    StoreError::Backup(message.into())
}

/// The backend of a database URL.
pub fn backend_of(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::Config(format!(
            "the database URL must start with sqlite:// or postgres://, not {:?}",
            url.split(':').next().unwrap_or("")
        )))
    }
}

/// The file of a `sqlite://PATH[?options]` URL.
fn sqlite_path(url: &str) -> PathBuf {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

fn temporary_beside(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dest.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

fn check_destination(dest: &Path) -> Result<()> {
    if dest.exists() {
        return Err(refuse(format!(
            "{} already exists; choose a new file name (a backup never overwrites a file)",
            dest.display()
        )));
    }
    match dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) if !dir.is_dir() => Err(refuse(format!("the folder {} does not exist", dir.display()))),
        _ => Ok(()),
    }
}

/// What kind of backup a file is, from its first bytes.
#[derive(Debug, PartialEq, Eq)]
enum FileKind {
    Sqlite,
    PgDump,
    Other,
}

fn file_kind(path: &Path) -> Result<FileKind> {
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|e| refuse(format!("cannot read {}: {e}", path.display())))?;
    let n = f
        .read(&mut head)
        .map_err(|e| refuse(format!("cannot read {}: {e}", path.display())))?;
    Ok(if n == 16 && &head == b"SQLite format 3\0" {
        FileKind::Sqlite
    } else if n >= 5 && &head[..5] == b"PGDMP" {
        FileKind::PgDump
    } else {
        FileKind::Other
    })
}

async fn counts(conn: &mut AnyConnection) -> Result<(i64, i64, i64, i64)> {
    let one = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
    let footprints = one("SELECT COUNT(*) FROM footprints").fetch_one(&mut *conn).await?;
    let users = one("SELECT COUNT(*) FROM users").fetch_one(&mut *conn).await?;
    let audit = one("SELECT COUNT(*) FROM audit_log").fetch_one(&mut *conn).await?;
    let version = one("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut *conn)
        .await?;
    Ok((footprints, users, audit, version))
}

fn summary(path: &Path, c: (i64, i64, i64, i64)) -> Summary {
    Summary {
        bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
        footprints: c.0,
        users: c.1,
        audit_entries: c.2,
        schema_version: c.3,
    }
}

/// Writes a backup of the database at `url` to `dest`, a new file.
pub async fn backup(url: &str, dest: &Path) -> Result<Summary> {
    sqlx::any::install_default_drivers();
    check_destination(dest)?;
    let tmp = temporary_beside(dest);
    let _ = std::fs::remove_file(&tmp);
    let result = match backend_of(url)? {
        Backend::Sqlite => backup_sqlite(url, &tmp).await,
        Backend::Postgres => backup_postgres(url, &tmp).await,
    };
    let result = result.and_then(|s| {
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .and_then(|()| std::fs::rename(&tmp, dest))
            .map_err(|e| refuse(format!("cannot write {}: {e}", dest.display())))?;
        Ok(Summary {
            bytes: std::fs::metadata(dest).map_or(s.bytes, |m| m.len()),
            ..s
        })
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

async fn backup_sqlite(url: &str, tmp: &Path) -> Result<Summary> {
    let path = sqlite_path(url);
    if !path.is_file() {
        return Err(refuse(format!("there is no database at {}", path.display())));
    }
    // Opening the store first brings the schema up to date, so a backup is always current.
    let store = Store::open(url, 1).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(tmp.to_string_lossy().into_owned())
        .execute(store.pool())
        .await?;
    store.close().await;
    let mut copy = AnyConnection::connect(&format!("sqlite://{}?mode=ro", tmp.display())).await?;
    let c = counts(&mut copy).await?;
    copy.close().await?;
    Ok(summary(tmp, c))
}

async fn backup_postgres(url: &str, tmp: &Path) -> Result<Summary> {
    let store = Store::open(url, 1).await?;
    let mut conn = store.pool().acquire().await?;
    let c = counts(&mut conn).await?;
    drop(conn);
    store.close().await;
    let out = Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(tmp)
        .arg(format!("--dbname={url}"))
        .output()
        .map_err(|e| refuse(format!("cannot run pg_dump (install the PostgreSQL client tools): {e}")))?;
    if !out.status.success() {
        return Err(refuse(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(summary(tmp, c))
}

/// Replaces the database at `url` with the backup in `src`; returns what it now holds.
pub async fn restore(url: &str, src: &Path) -> Result<Summary> {
    sqlx::any::install_default_drivers();
    if !src.is_file() {
        return Err(refuse(format!("there is no backup file at {}", src.display())));
    }
    let kind = file_kind(src)?;
    match (backend_of(url)?, kind) {
        (Backend::Sqlite, FileKind::Sqlite) => restore_sqlite(url, src).await?,
        (Backend::Postgres, FileKind::PgDump) => restore_postgres(url, src).await?,
        (Backend::Sqlite, FileKind::PgDump) => {
            return Err(refuse(format!(
                "{} is a PostgreSQL backup; restore it into a postgres:// database (or move a footprint between databases with footprint export and import)",
                src.display()
            )));
        }
        (Backend::Postgres, FileKind::Sqlite) => {
            return Err(refuse(format!(
                "{} is a SQLite backup; restore it into a sqlite:// database (or move a footprint between databases with footprint export and import)",
                src.display()
            )));
        }
        (_, FileKind::Other) => {
            return Err(refuse(format!(
                "{} is not a Footprint backup (neither a SQLite database nor a pg_dump archive)",
                src.display()
            )));
        }
    }
    // Bring a backup from an earlier release up to date.
    let store = Store::open(url, 1).await?;
    let mut conn = store.pool().acquire().await?;
    let c = counts(&mut conn).await?;
    drop(conn);
    store.close().await;
    Ok(summary(src, c))
}

impl Store {
    /// Every table of Footprint's schema with its row count, by name: what a backup, restore,
    /// export or import must carry across, and what a checker compares.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let names: Vec<String> = sqlx::query_scalar(match self.backend() {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name <> '_sqlx_migrations' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = 'public' \
                 AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY 1"
            }
        })
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{name}\"")))
                .fetch_one(self.pool())
                .await?;
            out.push((name, n));
        }
        Ok(out)
    }
}

impl Store {
    /// The columns of one of Footprint's tables, in order.
    pub async fn table_columns(&self, table: &str) -> Result<Vec<String>> {
        Ok(match self.backend() {
            Backend::Sqlite => {
                sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(self.pool())
                    .await?
            }
            Backend::Postgres => {
                sqlx::query_scalar(
                    "SELECT CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_schema = 'public' \
                 AND table_name = $1 ORDER BY ordinal_position",
                )
                .bind(table)
                .fetch_all(self.pool())
                .await?
            }
        })
    }
}

/// Whether the database at `url` holds any accounts or footprints (a restore would replace them).
/// A missing SQLite file or a database without Footprint's tables holds none.
pub async fn holds_data(url: &str) -> Result<bool> {
    sqlx::any::install_default_drivers();
    let backend = backend_of(url)?;
    if backend == Backend::Sqlite && !sqlite_path(url).is_file() {
        return Ok(false);
    }
    let mut conn = AnyConnection::connect(url).await?;
    let tables: i64 = sqlx::query_scalar(match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'footprints')",
        Backend::Postgres => "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('users', 'footprints')",
    })
    .fetch_one(&mut conn)
    .await?;
    let rows: i64 = if tables == 2 {
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM footprints)")
            .fetch_one(&mut conn)
            .await?
    } else {
        0
    };
    conn.close().await?;
    Ok(rows > 0)
}

/// Checks the migrations a backup records against this build's.
fn check_migrations(src: &Path, applied: &[(i64, Vec<u8>)], backend: Backend) -> Result<()> {
    let migrator = match backend {
        Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("migrations/postgres"),
    };
    if applied.is_empty() {
        return Err(refuse(format!(
            "{} holds no Footprint schema (no migrations are recorded in it)",
            src.display()
        )));
    }
    for (version, checksum) in applied {
        match migrator.iter().find(|m| m.version == *version) {
            None => {
                return Err(refuse(format!(
                    "{} was made by a later release of Footprint (schema version {version}); restore it with that release or a newer one",
                    src.display()
                )));
            }
            Some(m) if m.checksum.as_ref() != checksum.as_slice() => {
                return Err(refuse(format!(
                    "{} records schema version {version} differently from this release; it is not a backup this release can restore",
                    src.display()
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

async fn restore_sqlite(url: &str, src: &Path) -> Result<()> {
    let src_url = format!("sqlite://{}?mode=ro", src.display());
    let mut b = AnyConnection::connect(&src_url).await?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut b)
        .await
        .map_err(|e| refuse(format!("{} cannot be read as a database: {e}", src.display())))?;
    if check != "ok" {
        return Err(refuse(format!(
            "{} is damaged (SQLite's integrity check says: {check})",
            src.display()
        )));
    }
    let has_migrations: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
            .fetch_one(&mut b)
            .await?;
    let applied: Vec<(i64, Vec<u8>)> = if has_migrations == 1 {
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut b)
            .await?
    } else {
        Vec::new()
    };
    b.close().await?;
    check_migrations(src, &applied, Backend::Sqlite)?;

    let target = sqlite_path(url);
    let mut conn = AnyConnection::connect(&format!("sqlite://{}?mode=rwc", target.display())).await?;
    conn.execute("PRAGMA busy_timeout = 10000").await?;
    conn.execute("PRAGMA journal_mode = WAL").await?;
    // Foreign keys are checked once, after every table is back (they cannot change inside a
    // transaction, and tables are recreated in their original order).
    conn.execute("PRAGMA foreign_keys = OFF").await?;
    sqlx::query("ATTACH DATABASE $1 AS backup")
        .bind(src.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await?;
    let outcome = replace_from_attached(&mut conn).await;
    let _ = conn.execute("DETACH DATABASE backup").await;
    let _ = conn.execute("PRAGMA foreign_keys = ON").await;
    conn.close().await?;
    outcome
}

async fn replace_from_attached(conn: &mut AnyConnection) -> Result<()> {
    conn.execute("BEGIN IMMEDIATE").await?;
    let result = async {
        let existing: Vec<(String, String)> = sqlx::query_as(
            "SELECT type, name FROM main.sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (kind, name) in &existing {
            let what = if kind == "view" { "VIEW" } else { "TABLE" };
            conn.execute(sqlx::AssertSqlSafe(format!("DROP {what} IF EXISTS main.\"{name}\"")))
                .await?;
        }
        let objects: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT type, name, sql FROM backup.sqlite_master \
             WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (_, name, sql) in objects.iter().filter(|o| o.0 == "table") {
            conn.execute(sqlx::AssertSqlSafe(sql.clone())).await?;
            conn.execute(sqlx::AssertSqlSafe(format!(
                "INSERT INTO main.\"{name}\" SELECT * FROM backup.\"{name}\""
            )))
            .await?;
        }
        for (_, _, sql) in objects.iter().filter(|o| o.0 != "table") {
            conn.execute(sqlx::AssertSqlSafe(sql.clone())).await?;
        }
        let broken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM main.pragma_foreign_key_check")
            .fetch_one(&mut *conn)
            .await?;
        if broken > 0 {
            return Err(refuse(format!(
                "the backup has {broken} rows whose references point at nothing; nothing was restored"
            )));
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            conn.execute("COMMIT").await?;
            Ok(())
        }
        Err(e) => {
            let _ = conn.execute("ROLLBACK").await;
            Err(e)
        }
    }
}

fn run_tool(mut cmd: Command, what: &str) -> Result<Vec<u8>> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| refuse(format!("cannot run {what} (install the PostgreSQL client tools): {e}")))?;
    if !out.status.success() {
        return Err(refuse(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

async fn restore_postgres(url: &str, src: &Path) -> Result<()> {
    let mut list = Command::new("pg_restore");
    list.arg("--list").arg(src);
    let listing = String::from_utf8_lossy(&run_tool(list, "pg_restore --list")?).into_owned();
    if !listing.contains("_sqlx_migrations") {
        return Err(refuse(format!(
            "{} is a PostgreSQL archive but holds no Footprint schema",
            src.display()
        )));
    }
    // The archive's migrations, read from its data without touching any database.
    let mut data = Command::new("pg_restore");
    data.args(["--data-only", "--table=_sqlx_migrations", "--file=-"])
        .arg(src);
    let script = String::from_utf8_lossy(&run_tool(data, "pg_restore")?).into_owned();
    check_migrations(src, &migrations_from_copy(&script), Backend::Postgres)?;

    let mut sql = Command::new("pg_restore");
    sql.args(["--no-owner", "--no-privileges", "--file=-"]).arg(src);
    let script = run_tool(sql, "pg_restore")?;
    let mut psql = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"])
        .arg(format!("--dbname={url}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| refuse(format!("cannot run psql (install the PostgreSQL client tools): {e}")))?;
    let mut stdin = psql.stdin.take().expect("psql's input");
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        stdin.write_all(b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")?;
        stdin.write_all(&script)?;
        Ok(())
    });
    let out = psql
        .wait_with_output()
        .map_err(|e| refuse(format!("psql failed: {e}")))?;
    let _ = writer.join();
    if !out.status.success() {
        return Err(refuse(format!(
            "restoring into PostgreSQL failed and nothing was changed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// The (version, checksum) rows of `_sqlx_migrations` in a pg_restore data script (a COPY block).
fn migrations_from_copy(script: &str) -> Vec<(i64, Vec<u8>)> {
    let mut out = Vec::new();
    let mut lines = script.lines();
    let Some(header) = lines
        .by_ref()
        .find(|l| l.starts_with("COPY ") && l.contains("_sqlx_migrations"))
    else {
        return out;
    };
    let columns: Vec<&str> = header
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(cols, _)| cols.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let at = |name: &str| columns.iter().position(|c| c.trim_matches('"') == name);
    let (Some(v), Some(c), Some(s)) = (at("version"), at("checksum"), at("success")) else {
        return out;
    };
    for line in lines.take_while(|l| *l != "\\.") {
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(version), Some(checksum), Some(success)) = (fields.get(v), fields.get(c), fields.get(s)) else {
            continue;
        };
        if *success != "t" {
            continue;
        }
        let hex = checksum.trim_start_matches("\\\\x");
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
            .collect();
        if let (Ok(version), Some(bytes)) = (version.parse(), bytes) {
            out.push((version, bytes));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_migrations_from_a_copy_block() {
        let script = "SET x = 1;\nCOPY public._sqlx_migrations (version, description, installed_on, success, checksum, execution_time) FROM stdin;\n\
                      1\tfoundation\t2026-01-01\tt\t\\\\x0aff\t12\n2\tplans\t2026-01-01\tf\t\\\\x01\t3\n\\.\n";
        assert_eq!(migrations_from_copy(script), vec![(1, vec![0x0a, 0xff])]);
        assert!(migrations_from_copy("nothing here").is_empty());
    }

    #[test]
    fn sqlite_paths_and_backends() {
        assert_eq!(sqlite_path("sqlite://data/f.db?mode=rwc"), PathBuf::from("data/f.db"));
        assert_eq!(sqlite_path("sqlite:///tmp/f.db"), PathBuf::from("/tmp/f.db"));
        assert_eq!(backend_of("postgres://x@h/db").unwrap(), Backend::Postgres);
        assert!(backend_of("mysql://x").is_err());
    }
}
