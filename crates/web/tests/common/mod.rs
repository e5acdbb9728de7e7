//! Shared by the web test binaries: a running app on a fresh database with the demo loaded, a
//! client per role, and a macro that runs one body on SQLite and on PostgreSQL.
#![allow(dead_code)]

use std::time::Duration;

use footprint_store::Store;
use footprint_store::testing::TestDb;
use footprint_web::setup::{DemoAccount, load_demo};
use footprint_web::{AppState, Application, Config};
pub use reqwest::StatusCode;
use reqwest::redirect::Policy;

/// A running app on a fresh database, with the demo loaded.
pub struct App {
    pub base: String,
    pub store: Store,
    pub accounts: Vec<DemoAccount>,
    pub db: TestDb,
}

pub async fn spawn(db: TestDb) -> App {
    spawn_with(db, 5).await
}

/// The configuration of a test instance.
fn config(responses_per_hour: u32) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        secure_cookies: false,
        session_lifetime: Duration::from_secs(3600),
        responses_per_hour,
        // Short, so that the slow-client test is quick (it also closes connections idle this
        // long, so the test clients drop theirs sooner: see `client`).
        header_timeout: Duration::from_secs(3),
    }
}

/// As [`spawn`], with the spam guard's limit on responses per address and hour.
pub async fn spawn_with(db: TestDb, responses_per_hour: u32) -> App {
    let store = db.store.clone();
    footprint_web::setup::first_start(&store).await.unwrap();
    let accounts = load_demo(&store).await.unwrap();
    let state = AppState::new(store.clone(), config(responses_per_hour)).await.unwrap();
    let app = Application::build(state).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    App {
        base,
        store,
        accounts,
        db,
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        // Never reuse a connection the server may be closing for idleness (header_timeout).
        .pool_idle_timeout(Duration::from_millis(1500))
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The CSRF token in a page's forms.
pub fn csrf(html: &str) -> String {
    let at = html
        .find("name=\"csrf_token\" value=\"")
        .expect("a form with a CSRF token")
        + 25;
    html[at..at + 64].to_string()
}

impl App {
    /// A second instance of the application on the same database, with its own connections and
    /// no state shared in memory (as a second server would be); returns its base address.
    pub async fn second_instance(&self) -> String {
        let store = Store::open(&self.db.url, 4).await.unwrap();
        let state = AppState::new(store, config(5)).await.unwrap();
        let app = Application::build(state).await.unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until(std::future::pending()));
        base
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, c: &reqwest::Client, path: &str) -> (StatusCode, String) {
        let r = c.get(self.url(path)).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// A fresh CSRF token for this client (from the sign-in page, or the account page once signed in).
    pub async fn token(&self, c: &reqwest::Client) -> String {
        let (s, html) = self.get(c, "/sign-in").await;
        if s == StatusCode::SEE_OTHER {
            return csrf(&self.get(c, "/account").await.1);
        }
        csrf(&html)
    }

    pub async fn post(
        &self,
        c: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, Option<String>, String) {
        let token = self.token(c).await;
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("csrf_token", &token));
        let r = c.post(self.url(path)).form(&fields).send().await.unwrap();
        let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        (r.status(), location, r.text().await.unwrap())
    }

    pub async fn signed_in(&self, role: &str) -> reqwest::Client {
        let c = client();
        let a = self
            .accounts
            .iter()
            .find(|a| a.role == role)
            .unwrap_or_else(|| panic!("no demo {role}"));
        let (s, location, _) = self
            .post(&c, "/sign-in", &[("email", &a.email), ("password", &a.password)])
            .await;
        assert_eq!(
            (s, location.as_deref()),
            (StatusCode::SEE_OTHER, Some("/account")),
            "{role} signs in"
        );
        c
    }

    pub async fn finish(self) {
        self.db.finish().await;
    }
}

/// One row of the route × role table: method, path, form fields, allowed per role.
pub type Row = (&'static str, String, Vec<(&'static str, &'static str)>, [bool; 7]);

/// Runs one body, `async |app: &App| { … }`, on SQLite and on PostgreSQL.
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = spawn(footprint_store::testing::sqlite().await).await;
                ($body)(&app).await;
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = footprint_store::testing::postgres().await else {
                    eprintln!("TEST_POSTGRES_URL is not set: the PostgreSQL run of this test is skipped");
                    return;
                };
                let app = spawn(db).await;
                ($body)(&app).await;
                app.finish().await;
            }
        }
    };
}

pub const LEAD: &str = "Footprint lead / programme office";
pub const MEMBER: &str = "Partner organisation member";
