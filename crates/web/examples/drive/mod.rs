//! Driving a running Footprint as its users do, for the reliability tools (`crash_check`,
//! `soak`): sign in, respond to a consultation, vote on a proposal, update a milestone. Each
//! call reports the status the server gave, so that a tool can count what was acknowledged.

#![allow(dead_code)]

use std::time::Duration;

/// The text between `start` and the next `end` after it.
pub fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let at = text.find(start)? + start.len();
    let rest = &text[at..];
    Some(&rest[..rest.find(end)?])
}

/// The demo accounts `footprint serve --demo` printed: (role, email, password).
pub fn demo_accounts(serve_output: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut listing = false;
    for line in serve_output.lines() {
        if line.starts_with("Demo accounts") {
            listing = true;
            continue;
        }
        if listing {
            if !line.starts_with("  ") {
                break;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(at) = words.iter().position(|w| w.contains('@'))
                && at + 1 < words.len()
            {
                out.push((words[..at].join(" "), words[at].to_string(), words[at + 1].to_string()));
            }
        }
    }
    out
}

/// The (email, password) of the demo account in `role`, from what `footprint serve --demo` printed.
pub fn demo_account(serve_output: &str, role: &str) -> (String, String) {
    demo_accounts(serve_output)
        .into_iter()
        .find(|a| a.0 == role)
        .map(|a| (a.1, a.2))
        .unwrap_or_else(|| panic!("no demo {role} in:\n{serve_output}"))
}

/// A new HTTP client with its own cookies (one person's browser).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(64)
        .build()
        .expect("an HTTP client")
}

/// The site at `base`.
#[derive(Clone)]
pub struct Site {
    pub base: String,
}

/// What a write got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Acknowledged: the server said it was done (with a reference where there is one).
    Done(Option<i64>),
    /// Refused with this status (not an error of the server).
    Refused(u16),
    /// A server error or no answer.
    Failed(String),
}

impl Site {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A page's text and status.
    pub async fn get(&self, c: &reqwest::Client, path: &str) -> Result<(u16, String), String> {
        let r = c.get(self.url(path)).send().await.map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        Ok((status, r.text().await.map_err(|e| e.to_string())?))
    }

    /// A CSRF token for this client, from a page with a form.
    pub async fn token(&self, c: &reqwest::Client, path: &str) -> Result<String, String> {
        let (_, html) = self.get(c, path).await?;
        between(&html, "name=\"csrf_token\" value=\"", "\"")
            .map(str::to_string)
            .ok_or_else(|| format!("no form on {path}"))
    }

    /// Signs in; the client keeps the session.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<reqwest::Client, String> {
        let c = browser();
        let token = self.token(&c, "/sign-in").await?;
        let r = c
            .post(self.url("/sign-in"))
            .form(&[("email", email), ("password", password), ("csrf_token", &token)])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if r.status().as_u16() == 303 {
            Ok(c)
        } else {
            Err(format!("signing in as {email}: {}", r.status()))
        }
    }

    async fn post(&self, c: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> Result<(u16, String), String> {
        let r = c
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        Ok((status, r.text().await.unwrap_or_default()))
    }

    /// The consultation response form's fields: (token, question field, first choice).
    pub async fn respond_form(
        &self,
        c: &reqwest::Client,
        consultation: &str,
    ) -> Result<(String, String, String), String> {
        let (_, form) = self.get(c, &format!("{consultation}/respond")).await?;
        let token = between(&form, "name=\"csrf_token\" value=\"", "\"").ok_or("no CSRF token")?;
        let choice = between(&form, "type=\"radio\" value=\"", "\"").ok_or("no choice")?;
        let at = form.find("type=\"radio\" value=\"").ok_or("no choice")?;
        let name_at = form[..at].rfind("name=\"").ok_or("no name")? + 6;
        let field = form[name_at..].split('"').next().ok_or("no name")?;
        Ok((token.into(), field.into(), choice.into()))
    }

    /// Sends a consultation response with its own idempotency key.
    pub async fn respond(
        &self,
        c: &reqwest::Client,
        consultation: &str,
        fields: &(String, String, String),
        key: &str,
    ) -> Outcome {
        let form = [
            ("csrf_token", fields.0.as_str()),
            ("idempotency_key", key),
            (fields.1.as_str(), fields.2.as_str()),
            ("consent", "no"),
        ];
        match self.post(c, &format!("{consultation}/respond"), &form).await {
            Ok((200, html)) => match between(&html, "Your reference is", "</").map(|t| {
                t.chars()
                    .skip_while(|c| !c.is_ascii_digit())
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            }) {
                Some(r) if !r.is_empty() => Outcome::Done(r.parse().ok()),
                _ => Outcome::Refused(200),
            },
            Ok((s, _)) if s >= 500 => Outcome::Failed(format!("status {s}")),
            Ok((s, _)) => Outcome::Refused(s),
            Err(e) => Outcome::Failed(e),
        }
    }

    /// A vote (an objection carrying `reason`) on a proposal for a member organisation.
    pub async fn vote(&self, c: &reqwest::Client, token: &str, proposal: &str, member: i64, reason: &str) -> Outcome {
        let member = member.to_string();
        let form = [
            ("csrf_token", token),
            ("member", member.as_str()),
            ("response", "object"),
            ("reason", reason),
        ];
        self.acknowledged(self.post(c, &format!("{proposal}/respond"), &form).await)
    }

    /// Records where a milestone stands, with a note.
    pub async fn milestone(
        &self,
        c: &reqwest::Client,
        token: &str,
        footprint: &str,
        (initiative, title): (&str, &str),
        note: &str,
    ) -> Outcome {
        let form = [
            ("csrf_token", token),
            ("initiative", initiative),
            ("milestone", title),
            ("status", "on-track"),
            ("note", note),
        ];
        self.acknowledged(
            self.post(c, &format!("/footprints/{footprint}/delivery/milestones"), &form)
                .await,
        )
    }

    fn acknowledged(&self, r: Result<(u16, String), String>) -> Outcome {
        match r {
            Ok((303, _)) => Outcome::Done(None),
            Ok((s, _)) if s >= 500 => Outcome::Failed(format!("status {s}")),
            Ok((s, _)) => Outcome::Refused(s),
            Err(e) => Outcome::Failed(e),
        }
    }

    /// The first milestone on a footprint's delivery page: (initiative id, title).
    pub async fn first_milestone(&self, c: &reqwest::Client, footprint: &str) -> Result<(String, String), String> {
        let (_, html) = self.get(c, &format!("/footprints/{footprint}/delivery")).await?;
        let initiative = between(&html, "name=\"initiative\" value=\"", "\"").ok_or("no milestone form")?;
        let title = between(&html, "name=\"milestone\" value=\"", "\"").ok_or("no milestone form")?;
        Ok((initiative.into(), html_unescape(title)))
    }
}

/// Undoes the template's escaping of a value (for sending it back).
pub fn html_unescape(s: &str) -> String {
    s.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#x22;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The server's resident memory in KiB, from /proc.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
