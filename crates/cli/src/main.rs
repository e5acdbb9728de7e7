//! `footprint`: the one binary: `serve`, `stress`, `user`, `digest`, `backup`, `restore`,
//! `privacy`, `export`, `import`.

mod backup;
mod digest;
mod output;
mod privacy;
mod serve;
mod stress;
mod transfer;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc rather than glibc's malloc: under a long mixed load glibc's per-thread arenas
/// (the SQLite driver runs a thread per connection) held freed memory and the server's resident
/// size kept rising; see docs/reliability.md, "Soak".
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Footprint: the platform for a footprint's Sustainability and Transformation Plan.
#[derive(Parser)]
#[command(name = "footprint", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application (SQLite by default; PostgreSQL with DATABASE_URL).
    Serve(serve::ServeArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(serve::UserCommand),
    /// Stress-test a plan: the distribution of the gap, P(balance) by year, what drives it.
    Stress(stress::StressArgs),
    /// Send each person's digest of what awaits them (or print them, without an SMTP relay).
    Digest(digest::DigestArgs),
    /// Write a backup of the whole database to a new file (online: the server may keep running).
    Backup(backup::BackupArgs),
    /// Replace the database with a backup made by `footprint backup`.
    Restore(backup::RestoreArgs),
    /// A person's data: export what is held, erase it, apply the retention rules.
    #[command(subcommand)]
    Privacy(privacy::PrivacyCommand),
    /// Write one footprint, with everything it holds, as a JSON document.
    Export(transfer::ExportArgs),
    /// Add a footprint exported by `footprint export` (from this or another site).
    Import(transfer::ImportArgs),
}

fn main() -> ExitCode {
    // An internal failure exits 1 with a short message; bad input exits 2.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("footprint: internal error: {info}");
    }));
    let cli = Cli::parse();
    let outcome = std::panic::catch_unwind(|| match cli.command {
        Command::Stress(args) => stress::run(args),
        Command::Serve(args) => serve::run(args),
        Command::User(cmd) => serve::user(cmd),
        Command::Digest(args) => digest::run(args),
        Command::Backup(args) => backup::run_backup(args),
        Command::Restore(args) => backup::run_restore(args),
        Command::Privacy(cmd) => privacy::run(cmd),
        Command::Export(args) => transfer::run_export(args),
        Command::Import(args) => transfer::run_import(args),
    });
    match outcome {
        Ok(code) => code,
        Err(_) => ExitCode::from(1),
    }
}
