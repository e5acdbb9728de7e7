//! `footprint`: the one binary: `serve`, `stress`, `user`, `digest`.

mod digest;
mod output;
mod serve;
mod stress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    });
    match outcome {
        Ok(code) => code,
        Err(_) => ExitCode::from(1),
    }
}
