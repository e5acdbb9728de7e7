//! `footprint privacy`: a person's data — what is held (subject access export), erasure, and
//! the retention rules on demand.

use std::process::ExitCode;

use footprint_store::privacy::Subject;

use crate::backup::{exit_for, open_store, runtime};

/// `footprint privacy` commands.
#[derive(clap::Subcommand)]
pub enum PrivacyCommand {
    /// Print everything Footprint holds about a person as JSON (a subject access export).
    Export(SubjectArgs),
    /// Erase a person's data: delete their consultation responses, clear their contact details,
    /// close their account (records made in an official capacity keep their name).
    Erase {
        #[command(flatten)]
        subject: SubjectArgs,
        /// Confirm: erasure cannot be undone.
        #[arg(long)]
        yes: bool,
    },
    /// Apply the retention rules now (the server applies them hourly).
    Retention {
        /// Database, as for serve.
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://footprint.db")]
        database_url: String,
    },
}

/// Whose data.
#[derive(clap::Args)]
pub struct SubjectArgs {
    /// Everything held under this email address.
    #[arg(long, conflicts_with = "response")]
    email: Option<String>,
    /// One consultation response, by the reference on its receipt.
    #[arg(long)]
    response: Option<i64>,
    /// Database, as for serve.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://footprint.db")]
    database_url: String,
}

impl SubjectArgs {
    fn subject(&self) -> Result<Subject, String> {
        match (&self.email, self.response) {
            (Some(e), None) => {
                let e = e.trim();
                if e.contains('@') && !e.contains(char::is_whitespace) {
                    Ok(Subject::Email(e.to_string()))
                } else {
                    Err(format!("--email {e:?} is not an email address"))
                }
            }
            (None, Some(r)) if r > 0 => Ok(Subject::Response(r)),
            (None, Some(r)) => Err(format!(
                "--response {r} is not a response reference (a positive number)"
            )),
            _ => Err("give --email or --response".into()),
        }
    }
}

/// Runs `footprint privacy`.
pub fn run(cmd: PrivacyCommand) -> ExitCode {
    let Some(rt) = runtime() else {
        return ExitCode::from(1);
    };
    rt.block_on(async move {
        match cmd {
            PrivacyCommand::Export(args) => {
                let subject = match args.subject() {
                    Ok(s) => s,
                    Err(m) => {
                        eprintln!("footprint privacy export: {m}");
                        return ExitCode::from(2);
                    }
                };
                let store = match open_store(&args.database_url, "privacy").await {
                    Ok(s) => s,
                    Err(code) => return code,
                };
                let result = store.subject_export(&subject).await;
                store.close().await;
                match result {
                    Ok(doc) => {
                        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("footprint privacy export: {e}");
                        exit_for(&e)
                    }
                }
            }
            PrivacyCommand::Erase { subject: args, yes } => {
                let subject = match args.subject() {
                    Ok(s) => s,
                    Err(m) => {
                        eprintln!("footprint privacy erase: {m}");
                        return ExitCode::from(2);
                    }
                };
                if !yes {
                    eprintln!(
                        "footprint privacy erase: erasure cannot be undone; run `footprint privacy export` first if the person asked for a copy, then add --yes"
                    );
                    return ExitCode::from(2);
                }
                let store = match open_store(&args.database_url, "privacy").await {
                    Ok(s) => s,
                    Err(code) => return code,
                };
                let result = store.subject_erase(&subject).await;
                store.close().await;
                match result {
                    Ok(done) if done.is_empty() => {
                        eprintln!("footprint privacy erase: nothing is held about {}", describe(&subject));
                        ExitCode::from(2)
                    }
                    Ok(done) => {
                        println!(
                            "Erased for {}: {} consultation responses deleted, {} join requests cleared, {} sign-in attempts deleted, {} accounts closed",
                            describe(&subject),
                            done.responses,
                            done.join_requests,
                            done.sign_in_attempts,
                            done.accounts.len()
                        );
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("footprint privacy erase: {e}");
                        exit_for(&e)
                    }
                }
            }
            PrivacyCommand::Retention { database_url } => {
                let store = match open_store(&database_url, "privacy").await {
                    Ok(s) => s,
                    Err(code) => return code,
                };
                let result = store.apply_retention(footprint_store::now_ms()).await;
                store.close().await;
                match result {
                    Ok(r) => {
                        println!(
                            "Retention rules applied: {} expired sessions deleted, {} old sign-in attempts deleted, {} response client keys cleared",
                            r.sessions, r.sign_in_attempts, r.client_keys
                        );
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("footprint privacy retention: {e}");
                        exit_for(&e)
                    }
                }
            }
        }
    })
}

fn describe(s: &Subject) -> String {
    match s {
        Subject::Email(e) => e.clone(),
        Subject::Response(r) => format!("response {r}"),
    }
}
