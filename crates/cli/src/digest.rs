//! `footprint digest`: each person's digest of what awaits them, by email through an SMTP relay,
//! or printed when none is configured. Run it from a scheduler: daily for those who want a daily
//! digest, weekly for the rest; a person gets at most one digest a day however often it runs.
//! Every run first sends the security notices not yet sent (a password set, an API token made
//! or revoked: ASVS 2.2.3), to everyone concerned whatever their digest settings;
//! `--security-only` sends just those, for a scheduler to run every few minutes.

use std::process::ExitCode;

use footprint_store::Store;
use footprint_store::notifications::Frequency;
use footprint_web::notify::{Mailer, send_digests, send_security_notices};

/// Options of `footprint digest`.
#[derive(clap::Args)]
pub struct DigestArgs {
    /// Whose digest: those who chose daily or weekly.
    #[arg(long, default_value = "weekly", value_parser = ["daily", "weekly"])]
    frequency: String,
    /// Send only the security notices not yet sent, no digests.
    #[arg(long)]
    security_only: bool,
    /// Database, as for serve.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://footprint.db")]
    database_url: String,
    /// The SMTP relay, smtp://host:port (a relay on this host or private network that handles
    /// onward delivery). Without it the digests are printed, not sent.
    #[arg(long, env = "FOOTPRINT_SMTP_URL")]
    smtp_url: Option<String>,
    /// The sender's address.
    #[arg(long, env = "FOOTPRINT_MAIL_FROM", default_value = "Footprint <footprint@localhost>")]
    mail_from: String,
    /// The site's address, for the links in the digest.
    #[arg(long, env = "FOOTPRINT_SITE_URL", default_value = "http://127.0.0.1:8080")]
    site_url: String,
}

/// Runs `footprint digest`.
pub fn run(args: DigestArgs) -> ExitCode {
    let frequency = Frequency::parse(&args.frequency).unwrap_or(Frequency::Weekly);
    let mailer = match args.smtp_url.as_deref().map(|u| Mailer::new(u, &args.mail_from)) {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            eprintln!("footprint digest: {e}");
            return ExitCode::from(2);
        }
        None => None,
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("footprint digest: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    rt.block_on(async move {
        let store = match Store::open(&args.database_url, 4).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("footprint digest: cannot open the database: {e}");
                return ExitCode::from(2);
            }
        };
        let verb = if mailer.is_some() {
            "sent"
        } else {
            "printed (no SMTP relay configured)"
        };
        let now = footprint_store::now_ms();
        let security = match send_security_notices(&store, mailer.as_ref(), &args.site_url, now).await {
            Ok(report) => report,
            Err(e) => {
                eprintln!("footprint digest: {e}");
                return ExitCode::from(1);
            }
        };
        for d in &security.printed {
            println!("{d}");
        }
        eprintln!(
            "footprint digest: {} security notices {verb}, {} failed",
            security.sent.len(),
            security.failed.len()
        );
        for (to, why) in &security.failed {
            eprintln!("  security notice not sent to {to}: {why}");
        }
        if args.security_only {
            return if security.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            };
        }
        let today = footprint_web::routes::consultations::today();
        match send_digests(&store, frequency, mailer.as_ref(), &args.site_url, &today).await {
            Ok(report) => {
                for d in &report.printed {
                    println!("{d}");
                }
                eprintln!(
                    "footprint digest: {} {verb}, {} with nothing waiting, {} already sent today, {} failed",
                    report.sent.len(),
                    report.empty,
                    report.already,
                    report.failed.len()
                );
                for (to, why) in &report.failed {
                    eprintln!("  not sent to {to}: {why}");
                }
                if report.failed.is_empty() && security.failed.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            }
            Err(e) => {
                eprintln!("footprint digest: {e}");
                ExitCode::from(1)
            }
        }
    })
}
