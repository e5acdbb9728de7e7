//! `footprint serve`: the web application on SQLite (default) or PostgreSQL (`DATABASE_URL`).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use footprint_store::Store;
use footprint_web::{AppState, Application, Config, setup};

/// Options of `footprint serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "FOOTPRINT_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Database: sqlite://PATH (created on first start) or postgres://USER@HOST/DB.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://footprint.db")]
    database_url: String,
    /// Mark cookies Secure: set when the site is served over HTTPS.
    #[arg(long, env = "FOOTPRINT_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Log level or filter (error, warn, info, debug, or a tracing filter).
    #[arg(long, env = "FOOTPRINT_LOG", default_value = "info")]
    log_level: String,
    /// Log as JSON lines (for log collectors) instead of text.
    #[arg(long, env = "FOOTPRINT_LOG_JSON")]
    log_json: bool,
    /// How many responses one internet address may send to one consultation in an hour (a
    /// spam guard; raise it when many people share one address; 0 sets no limit, for load tests
    /// from one machine).
    #[arg(long, env = "FOOTPRINT_RESPONSES_PER_HOUR", default_value_t = 30)]
    responses_per_hour: u32,
    /// Load the fictional demo footprint and print a password for a demo account in each role.
    #[arg(long)]
    demo: bool,
}

/// Options of `footprint user`.
#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Create an account and print its one-time password.
    Create {
        /// Sign-in email address.
        #[arg(long)]
        email: String,
        /// Name shown to others.
        #[arg(long)]
        name: String,
        /// Make them a site administrator.
        #[arg(long)]
        admin: bool,
        /// Database, as for serve.
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://footprint.db")]
        database_url: String,
    },
    /// Give an account a new one-time password (and end its sessions).
    ResetPassword {
        /// The account's sign-in email address.
        #[arg(long)]
        email: String,
        /// Database, as for serve.
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://footprint.db")]
        database_url: String,
    },
    /// Turn off an account's two-factor sign-in (for a person who has lost their phone and their
    /// recovery codes; they are told by email, and can set it up again).
    ResetTwoFactor {
        /// The account's sign-in email address.
        #[arg(long)]
        email: String,
        /// Database, as for serve.
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://footprint.db")]
        database_url: String,
    },
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()
}

fn init_logs(level: &str, json: bool) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(level).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Runs `footprint serve`.
pub fn run(args: ServeArgs) -> ExitCode {
    init_logs(&args.log_level, args.log_json);
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("footprint serve: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    rt.block_on(serve(args))
}

async fn serve(args: ServeArgs) -> ExitCode {
    let store = match Store::open(&args.database_url, 16).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "footprint serve: cannot open the database {}: {e}",
                redact(&args.database_url)
            );
            return ExitCode::from(2);
        }
    };
    match setup::first_start(&store).await {
        Ok(Some((email, password))) => {
            println!("First start: an administrator account was made. Its password is shown only this once:");
            println!("  email:    {email}");
            println!("  password: {password}");
        }
        Ok(None) => {}
        Err(e) => {
            eprintln!("footprint serve: cannot set the database up: {e}");
            return ExitCode::from(1);
        }
    }
    if args.demo {
        match setup::load_demo(&store).await {
            Ok(accounts) => {
                println!(
                    "Demo footprint: Northshire and Eastvale (fictional), at /footprints/{}",
                    setup::DEMO_CODE
                );
                println!("Demo accounts (new passwords at every start with --demo):");
                for a in accounts {
                    println!("  {:<36} {:<36} {}", a.role, a.email, a.password);
                }
            }
            Err(e) => {
                eprintln!("footprint serve: cannot load the demo: {e}");
                return ExitCode::from(1);
            }
        }
    }
    let config = Config {
        listen: args.listen,
        secure_cookies: args.secure_cookies,
        session_lifetime: Duration::from_secs(8 * 3600),
        responses_per_hour: args.responses_per_hour,
        header_timeout: Duration::from_secs(10),
    };
    let state = match AppState::new(store.clone(), config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("footprint serve: {e}");
            return ExitCode::from(1);
        }
    };
    // The retention rules (docs/security.md, "Personal data"), at start and hourly. Instances
    // sharing a database may all run them: each rule is an idempotent delete or clear.
    let retained = store.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            match retained.apply_retention(footprint_store::now_ms()).await {
                Ok(r) => tracing::info!(
                    sessions = r.sessions,
                    sign_in_attempts = r.sign_in_attempts,
                    client_keys = r.client_keys,
                    "retention rules applied"
                ),
                Err(e) => tracing::warn!(error = %e, "retention rules could not be applied; retrying in an hour"),
            }
        }
    });
    let app = match Application::build(state).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("footprint serve: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    println!(
        "Footprint is running at http://{}:{} (Ctrl-C to stop)",
        args.listen.ip(),
        app.port()
    );
    tracing::info!(listen = %args.listen, database = %redact(&args.database_url), "serving");
    let result = app.run_until(shutdown_signal()).await;
    store.close().await;
    match result {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("footprint serve: {e}");
            ExitCode::from(1)
        }
    }
}

/// Ctrl-C or SIGTERM: stop taking connections and finish the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Runs `footprint user …`.
pub fn user(cmd: UserCommand) -> ExitCode {
    let (email, name, admin, database_url) = match cmd {
        UserCommand::Create {
            email,
            name,
            admin,
            database_url,
        } => (email, name, admin, database_url),
        UserCommand::ResetPassword { email, database_url } => return reset_password(&email, &database_url),
        UserCommand::ResetTwoFactor { email, database_url } => return reset_two_factor(&email, &database_url),
    };
    let email = match footprint_domain::person::Email::parse(&email) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("footprint user create: --email: {e}");
            return ExitCode::from(2);
        }
    };
    let name = match footprint_domain::person::parse_display_name(&name) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("footprint user create: --name: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("footprint user create: {e}");
            return ExitCode::from(1);
        }
    };
    rt.block_on(async move {
        let store = match Store::open(&database_url, 2).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "footprint user create: cannot open the database {}: {e}",
                    redact(&database_url)
                );
                return ExitCode::from(2);
            }
        };
        let password = setup::random_password();
        let hash = match footprint_web::auth::hash_password_now(&password) {
            Ok(h) => h,
            Err(e) => {
                eprintln!("footprint user create: {e:?}");
                return ExitCode::from(1);
            }
        };
        let new = footprint_store::users::NewUser {
            email: email.clone(),
            display_name: name,
            password_hash: hash,
            site_role: if admin {
                footprint_domain::access::SiteRole::Admin
            } else {
                footprint_domain::access::SiteRole::None
            },
            organisation_id: None,
        };
        let code = match store
            .create_user(&footprint_store::Who::system("footprint user create"), &new)
            .await
        {
            Ok(_) => {
                println!(
                    "Created the account {}. Its password is shown only this once:",
                    email.as_str()
                );
                println!("  password: {password}");
                ExitCode::SUCCESS
            }
            Err(e) if e.is_user_error() => {
                eprintln!("footprint user create: {e}");
                ExitCode::from(2)
            }
            Err(e) => {
                eprintln!("footprint user create: {e}");
                ExitCode::from(1)
            }
        };
        store.close().await;
        code
    })
}

/// `footprint user reset-password`: a new one-time password for an account (for a person who
/// has lost theirs, or an account brought in by `footprint import`); their sessions end.
fn reset_password(email: &str, database_url: &str) -> ExitCode {
    let email = match footprint_domain::person::Email::parse(email) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("footprint user reset-password: --email: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("footprint user reset-password: {e}");
            return ExitCode::from(1);
        }
    };
    rt.block_on(async move {
        let store = match Store::open(database_url, 2).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "footprint user reset-password: cannot open the database {}: {e}",
                    redact(database_url)
                );
                return ExitCode::from(2);
            }
        };
        let code = match store.user_by_email(&email).await {
            Ok(Some(user)) if user.active => {
                let password = setup::random_password();
                let hash = match footprint_web::auth::hash_password_now(&password) {
                    Ok(h) => h,
                    Err(e) => {
                        eprintln!("footprint user reset-password: {e:?}");
                        return ExitCode::from(1);
                    }
                };
                let who = footprint_store::Who::system("footprint user reset-password");
                match store.set_password(&who, user.id, &hash).await {
                    Ok(()) => {
                        println!(
                            "A new password for {}, shown only this once (they can change it on their account page):",
                            email.as_str()
                        );
                        println!("  password: {password}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("footprint user reset-password: {e}");
                        ExitCode::from(1)
                    }
                }
            }
            Ok(Some(_)) => {
                eprintln!(
                    "footprint user reset-password: the account {} is closed",
                    email.as_str()
                );
                ExitCode::from(2)
            }
            Ok(None) => {
                eprintln!(
                    "footprint user reset-password: there is no account with the address {}",
                    email.as_str()
                );
                ExitCode::from(2)
            }
            Err(e) => {
                eprintln!("footprint user reset-password: {e}");
                ExitCode::from(1)
            }
        };
        store.close().await;
        code
    })
}

/// `footprint user reset-two-factor`: turns off an account's two-factor sign-in.
fn reset_two_factor(email: &str, database_url: &str) -> ExitCode {
    let name = "footprint user reset-two-factor";
    let email = match footprint_domain::person::Email::parse(email) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{name}: --email: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{name}: {e}");
            return ExitCode::from(1);
        }
    };
    rt.block_on(async move {
        let store = match Store::open(database_url, 2).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{name}: cannot open the database {}: {e}", redact(database_url));
                return ExitCode::from(2);
            }
        };
        let code = match store.user_by_email(&email).await {
            Ok(Some(user)) => match store
                .turn_off_two_factor(&footprint_store::Who::system(name), user.id)
                .await
            {
                Ok(true) => {
                    println!(
                        "Two-factor sign-in is off for {}; they can set it up again.",
                        email.as_str()
                    );
                    ExitCode::SUCCESS
                }
                Ok(false) => {
                    eprintln!("{name}: two-factor sign-in is not on for {}", email.as_str());
                    ExitCode::from(2)
                }
                Err(e) => {
                    eprintln!("{name}: {e}");
                    ExitCode::from(1)
                }
            },
            Ok(None) => {
                eprintln!("{name}: there is no account with the address {}", email.as_str());
                ExitCode::from(2)
            }
            Err(e) => {
                eprintln!("{name}: {e}");
                ExitCode::from(1)
            }
        };
        store.close().await;
        code
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_kept_out_of_messages() {
        assert_eq!(
            super::redact("postgres://app:s3cret@db/footprint"),
            "postgres://app:***@db/footprint"
        );
        assert_eq!(
            super::redact("postgres://app@db/footprint"),
            "postgres://app@db/footprint"
        );
        assert_eq!(super::redact("sqlite://footprint.db"), "sqlite://footprint.db");
    }
}
