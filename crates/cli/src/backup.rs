//! `footprint backup` and `footprint restore`: the whole database to one file and back.

use std::path::PathBuf;
use std::process::ExitCode;

use footprint_store::backup::{self, Summary};

/// Options of `footprint backup`.
#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (a new file: a backup never overwrites one).
    file: PathBuf,
    /// Database, as for serve.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://footprint.db")]
    database_url: String,
}

/// Options of `footprint restore`.
#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file to restore (from `footprint backup`).
    file: PathBuf,
    /// Database, as for serve.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://footprint.db")]
    database_url: String,
    /// Replace a database that holds accounts or footprints (everything in it is replaced).
    #[arg(long)]
    replace: bool,
}

fn describe(s: &Summary) -> String {
    format!(
        "{} footprints, {} accounts, {} audit entries, schema version {} ({} bytes)",
        s.footprints, s.users, s.audit_entries, s.schema_version, s.bytes
    )
}

pub(crate) fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("footprint: cannot start: {e}");
            None
        }
    }
}

/// The exit code for a store error: 2 when the person can fix it, 1 otherwise.
pub(crate) fn exit_for(e: &footprint_store::StoreError) -> ExitCode {
    use footprint_store::StoreError::{Backup, Config};
    if e.is_user_error() || matches!(e, Backup(_) | Config(_)) {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

/// Opens the store for a command, saying why not (and with which exit code) if it cannot.
pub(crate) async fn open_store(url: &str, command: &str) -> Result<footprint_store::Store, ExitCode> {
    footprint_store::Store::open(url, 2).await.map_err(|e| {
        eprintln!("footprint {command}: cannot open the database: {e}");
        exit_for(&e)
    })
}

/// Runs `footprint backup`.
pub fn run_backup(args: BackupArgs) -> ExitCode {
    let Some(rt) = runtime() else {
        return ExitCode::from(1);
    };
    rt.block_on(async {
        match backup::backup(&args.database_url, &args.file).await {
            Ok(s) => {
                println!("Backed up to {}: {}", args.file.display(), describe(&s));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("footprint backup: {e}");
                exit_for(&e)
            }
        }
    })
}

/// Runs `footprint restore`.
pub fn run_restore(args: RestoreArgs) -> ExitCode {
    let Some(rt) = runtime() else {
        return ExitCode::from(1);
    };
    rt.block_on(async {
        if !args.replace {
            match backup::holds_data(&args.database_url).await {
                Ok(false) => {}
                Ok(true) => {
                    eprintln!(
                        "footprint restore: the database already holds accounts or footprints; add --replace to replace everything in it with the backup"
                    );
                    return ExitCode::from(2);
                }
                Err(e) => {
                    eprintln!("footprint restore: {e}");
                    return exit_for(&e);
                }
            }
        }
        match backup::restore(&args.database_url, &args.file).await {
            Ok(s) => {
                println!("Restored {}: {}", args.file.display(), describe(&s));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("footprint restore: {e}");
                exit_for(&e)
            }
        }
    })
}
