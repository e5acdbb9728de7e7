//! `footprint export` and `footprint import`: one footprint as a JSON document, and back.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use footprint_store::Who;

use crate::backup::{exit_for, open_store, runtime};

/// Options of `footprint export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// The footprint's code (for example E54000005).
    #[arg(long)]
    footprint: String,
    /// Write to this new file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Database, as for serve.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://footprint.db")]
    database_url: String,
}

/// Options of `footprint import`.
#[derive(clap::Args)]
pub struct ImportArgs {
    /// A file made by `footprint export`.
    file: PathBuf,
    /// Database, as for serve.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://footprint.db")]
    database_url: String,
}

/// Runs `footprint export`.
pub fn run_export(args: ExportArgs) -> ExitCode {
    if let Some(out) = &args.out
        && out.exists()
    {
        eprintln!(
            "footprint export: {} already exists; choose a new file name",
            out.display()
        );
        return ExitCode::from(2);
    }
    let Some(rt) = runtime() else {
        return ExitCode::from(1);
    };
    rt.block_on(async {
        let store = match open_store(&args.database_url, "export").await {
            Ok(s) => s,
            Err(code) => return code,
        };
        let doc = store.export_footprint(&args.footprint).await;
        store.close().await;
        let doc = match doc {
            Ok(d) => d,
            Err(footprint_store::StoreError::NotFound(_)) => {
                eprintln!(
                    "footprint export: there is no footprint with the code {}",
                    args.footprint
                );
                return ExitCode::from(2);
            }
            Err(e) => {
                eprintln!("footprint export: {e}");
                return exit_for(&e);
            }
        };
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        match &args.out {
            None => {
                let mut out = std::io::stdout().lock();
                if out
                    .write_all(text.as_bytes())
                    .and_then(|()| out.write_all(b"\n"))
                    .is_err()
                {
                    return ExitCode::from(1);
                }
            }
            Some(path) => {
                // Written whole to a temporary file beside it, then renamed: never half a file.
                let tmp = path.with_extension("partial");
                let written = std::fs::write(&tmp, format!("{text}\n"))
                    .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
                    .and_then(|()| std::fs::rename(&tmp, path));
                if let Err(e) = written {
                    let _ = std::fs::remove_file(&tmp);
                    eprintln!("footprint export: cannot write {}: {e}", path.display());
                    return ExitCode::from(1);
                }
                let tables = doc["tables"].as_object().map_or(0, |t| {
                    t.values()
                        .map(|rows| rows.as_array().map_or(0, Vec::len))
                        .sum::<usize>()
                });
                println!("Exported {} ({tables} rows) to {}", args.footprint, path.display());
            }
        }
        ExitCode::SUCCESS
    })
}

/// Runs `footprint import`.
pub fn run_import(args: ImportArgs) -> ExitCode {
    let name = args.file.display().to_string();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("footprint import: cannot read {name}: {e}");
            return ExitCode::from(2);
        }
    };
    let doc: serde_json::Value = match serde_json::from_str(&text) {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "footprint import: {name}, line {}, column {}: not JSON: {e}",
                e.line(),
                e.column()
            );
            return ExitCode::from(2);
        }
    };
    let Some(rt) = runtime() else {
        return ExitCode::from(1);
    };
    rt.block_on(async {
        let store = match open_store(&args.database_url, "import").await {
            Ok(s) => s,
            Err(code) => return code,
        };
        let result = store.import_footprint(&Who::system("footprint import"), &doc).await;
        store.close().await;
        match result {
            Ok(done) => {
                let rows: u64 = done.rows.values().sum();
                println!(
                    "Imported {} from {name}: {rows} rows written; {} organisations and {} accounts were already here and are shared",
                    done.code, done.reused.0, done.reused.1
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("footprint import: {name}: {e}; nothing was imported");
                exit_for(&e)
            }
        }
    })
}
