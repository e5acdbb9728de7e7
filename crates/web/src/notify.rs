//! Notifications: what awaits a person, worked out from the records each time (so a notice
//! goes away when the thing is done): a proposal awaiting their organisation's response, an
//! action of theirs due soon or late, a consultation of their footprint closing soon. The same
//! list makes each person's digest, sent by email when SMTP is configured.

use std::collections::HashMap;

use footprint_domain::access::{Action, can};
use footprint_domain::consultation::{Stage, days_between, long_date};
use footprint_store::notifications::{CredentialChange, Frequency};
use footprint_store::users::User;
use footprint_store::{Store, StoreError};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Days ahead an action's due date shows.
pub const ACTION_NOTICE_DAYS: i64 = 14;
/// Days ahead a consultation's closing date shows.
pub const CONSULTATION_NOTICE_DAYS: i64 = 7;

/// Something that awaits a person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notice {
    /// `proposal`, `action` or `consultation`.
    pub kind: &'static str,
    /// In words.
    pub text: String,
    /// Where to act on it (a path on the site).
    pub href: String,
    /// Whether it is late.
    pub late: bool,
}

/// A footprint's code, remembered.
async fn code_of(store: &Store, codes: &mut HashMap<i64, String>, id: i64) -> Result<String, StoreError> {
    if let Some(c) = codes.get(&id) {
        return Ok(c.clone());
    }
    let c = store.footprint(id).await?.map(|f| f.code).unwrap_or_default();
    codes.insert(id, c.clone());
    Ok(c)
}

/// What awaits `user` on `today` (`YYYY-MM-DD`).
pub async fn notices(store: &Store, user: &User, today: &str) -> Result<Vec<Notice>, StoreError> {
    let mut out = Vec::new();
    let mut codes: HashMap<i64, String> = HashMap::new();
    // Proposals awaiting a response from an organisation this person speaks for.
    for (body_id, member) in store.memberships(user.id).await? {
        let Some(body) = store.body(body_id).await? else {
            continue;
        };
        for meeting in store.meetings(body_id).await? {
            if meeting.closed_at.is_some() {
                continue;
            }
            for p in store.agenda(meeting.id).await? {
                if p.decided {
                    continue;
                }
                let responses = store.proposal_responses(p.id).await?;
                if responses.iter().any(|r| r.member_id == member.id) {
                    continue;
                }
                let code = code_of(store, &mut codes, body.footprint_id).await?;
                out.push(Notice {
                    kind: "proposal",
                    text: format!(
                        "\"{}\" awaits a response from {} ({}, {})",
                        p.title,
                        member.organisation,
                        meeting.title,
                        long_date(&meeting.held_on)
                    ),
                    href: format!("/footprints/{code}/decisions/proposals/{}", p.id),
                    late: false,
                });
            }
        }
    }
    // Actions this person owns that are due soon or late.
    for a in store.actions_owned(user.id).await? {
        let days = days_between(today, &a.due_on).unwrap_or(0);
        if days > ACTION_NOTICE_DAYS {
            continue;
        }
        let code = code_of(store, &mut codes, a.footprint_id).await?;
        let what = if a.kind == "condition" { "Condition" } else { "Action" };
        out.push(Notice {
            kind: "action",
            text: if days < 0 {
                format!("{what} \"{}\" was due on {}: it is late", a.title, long_date(&a.due_on))
            } else {
                format!("{what} \"{}\" is due on {}", a.title, long_date(&a.due_on))
            },
            href: format!("/footprints/{code}/delivery#actions"),
            late: days < 0,
        });
    }
    // Consultations closing soon in footprints whose consultations this person analyses.
    let actor = store.actor(user).await?;
    for (c, code, _, _) in store.published_consultations().await? {
        if !can(&actor, Action::AnalyseResponses(c.footprint_id)) || c.stage(today) != Stage::Open {
            continue;
        }
        let days = days_between(today, &c.closes_on).unwrap_or(i64::MAX);
        if days <= CONSULTATION_NOTICE_DAYS {
            out.push(Notice {
                kind: "consultation",
                text: format!("The consultation \"{}\" closes on {}", c.title, long_date(&c.closes_on)),
                href: format!("/footprints/{code}/consultations/{}/analysis", c.id),
                late: false,
            });
        }
    }
    Ok(out)
}

/// A digest as plain text: the notices with full links.
pub fn digest_text(user: &User, notices: &[Notice], site: &str) -> String {
    let mut s = format!(
        "Dear {},\n\nThis is what awaits you in Footprint:\n\n",
        user.display_name
    );
    for n in notices {
        s.push_str(&format!("- {}\n  {}{}\n", n.text, site.trim_end_matches('/'), n.href));
    }
    s.push_str(&format!(
        "\nYou receive this digest because of your notification settings. Change them at {}/account/notifications\n",
        site.trim_end_matches('/')
    ));
    s
}

/// How to send mail: an SMTP relay (`smtp://host:port`, for a relay on this host or private
/// network that handles onward delivery) and the sender's address.
#[derive(Debug, Clone)]
pub struct Mailer {
    host: String,
    port: u16,
    from: Mailbox,
}

impl Mailer {
    /// From an `smtp://host:port` URL and a sender address.
    pub fn new(url: &str, from: &str) -> Result<Mailer, String> {
        let rest = url
            .strip_prefix("smtp://")
            .ok_or_else(|| format!("the SMTP URL must look like smtp://host:port, not {url:?}"))?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                p.parse::<u16>()
                    .map_err(|_| format!("the port in the SMTP URL {url:?} is not a number"))?,
            ),
            None => (rest.to_string(), 25),
        };
        if host.is_empty() {
            return Err(format!("the SMTP URL {url:?} names no host"));
        }
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("the sender address {from:?} is not an email address: {e}"))?;
        Ok(Mailer { host, port, from })
    }

    /// Sends one plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("{to:?} is not an email address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// What a digest run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestReport {
    /// People whose digest was sent (or, without a mailer, printed): (email, items).
    pub sent: Vec<(String, usize)>,
    /// People with nothing waiting.
    pub empty: usize,
    /// People already sent today's digest.
    pub already: usize,
    /// Failures: (email, why). Their digests are tried again on the next run.
    pub failed: Vec<(String, String)>,
    /// The digests as text, when there is no mailer (to print).
    pub printed: Vec<String>,
}

/// Sends the digest to everyone who wants one this often and has something waiting; with no
/// mailer, gathers the digests as text instead (and records nothing as sent).
pub async fn send_digests(
    store: &Store,
    frequency: Frequency,
    mailer: Option<&Mailer>,
    site: &str,
    today: &str,
) -> Result<DigestReport, StoreError> {
    let mut report = DigestReport::default();
    for user in store.digest_recipients(frequency).await? {
        let items = notices(store, &user, today).await?;
        if items.is_empty() {
            report.empty += 1;
            continue;
        }
        let text = digest_text(&user, &items, site);
        let Some(mailer) = mailer else {
            report.printed.push(format!("To: {}\n\n{text}", user.email));
            report.sent.push((user.email.clone(), items.len()));
            continue;
        };
        if !store.claim_digest(user.id, today, items.len() as i64).await? {
            report.already += 1;
            continue;
        }
        let subject = format!(
            "Footprint: {} {} awaiting you",
            items.len(),
            if items.len() == 1 { "thing" } else { "things" }
        );
        match mailer.send(&user.email, &subject, text).await {
            Ok(()) => report.sent.push((user.email.clone(), items.len())),
            Err(e) => {
                store.release_digest(user.id, today).await?;
                report.failed.push((user.email.clone(), e));
            }
        }
    }
    Ok(report)
}

/// How far back a security notice is still news: a change older than this when the job first
/// runs (after an upgrade, say) is not sent.
pub const SECURITY_NOTICE_DAYS: i64 = 7;

/// A credential change in words, for the person whose account it is.
pub fn credential_change_text(c: &CredentialChange) -> String {
    let by = match c.actor_user_id {
        Some(id) if id == c.user_id => "by you".to_string(),
        Some(_) => format!("by {}", c.actor),
        None => format!("by a site administrator ({})", c.actor),
    };
    let when = footprint_store::format_time(c.at);
    let token = c.token.as_deref().unwrap_or("an API token");
    match c.action.as_str() {
        "user.password" => format!("Your password was set on {when} {by}. Every sign-in to your account was ended."),
        "api-token.create" => format!("The API token \"{token}\" was made for your account on {when} {by}."),
        "api-token.revoke" => format!("The API token \"{token}\" of your account was revoked on {when} {by}."),
        "user.two-factor.on" => format!("Two-factor sign-in was turned on for your account on {when} {by}."),
        "user.two-factor.off" => format!("Two-factor sign-in was turned off for your account on {when} {by}."),
        "user.recovery-codes" => {
            format!("New recovery codes were made for your account on {when} {by}; the old ones no longer work.")
        }
        "user.recovery-code.use" => format!("{} on {when}.", c.summary),
        other => format!("A change to how you sign in ({other}) was made on {when} {by}."),
    }
}

/// Wraps each line of `text` at 72 columns between words, so that mail goes as short plain lines.
fn wrap(text: &str) -> String {
    let mut out = String::new();
    for line in text.split('\n') {
        let mut column = 0;
        for (i, word) in line.split(' ').enumerate() {
            let width = word.chars().count();
            if i > 0 {
                if column + 1 + width > 72 {
                    out.push('\n');
                    column = 0;
                } else {
                    out.push(' ');
                    column += 1;
                }
            }
            out.push_str(word);
            column += width;
        }
        out.push('\n');
    }
    out.pop();
    out
}

/// A security notice as plain text, in lines of at most 72 columns.
pub fn security_notice_text(user: &User, change: &CredentialChange, site: &str) -> String {
    wrap(&format!(
        "Dear {},\n\n{}\n\nIf this was you, there is nothing more to do. If it was not, tell your footprint's \
         programme office or this site's administrator straight away: someone else may be able to sign in as you.\n\n\
         The changes to how you sign in are listed at {}/account\n\n\
         Footprint sends this notice whatever your notification settings, because it concerns your account's safety.\n",
        user.display_name,
        credential_change_text(change),
        site.trim_end_matches('/')
    ))
}

/// What a security-notice run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityReport {
    /// Notices sent (or, without a mailer, printed): (email, audit entry).
    pub sent: Vec<(String, i64)>,
    /// Failures: (email, why). They are tried again on the next run.
    pub failed: Vec<(String, String)>,
    /// The notices as text, when there is no mailer (to print).
    pub printed: Vec<String>,
}

/// Sends a notice of every credential change of the last [`SECURITY_NOTICE_DAYS`] not yet
/// told to its (active) person, whatever their digest settings; with no mailer, gathers the
/// notices as text instead and records nothing as sent.
pub async fn send_security_notices(
    store: &Store,
    mailer: Option<&Mailer>,
    site: &str,
    now_ms: i64,
) -> Result<SecurityReport, StoreError> {
    let mut report = SecurityReport::default();
    let since = now_ms - SECURITY_NOTICE_DAYS * 86_400_000;
    for change in store.credential_changes(None, since).await? {
        if change.told {
            continue;
        }
        let Some(user) = store.user(change.user_id).await?.filter(|u| u.active) else {
            continue;
        };
        let text = security_notice_text(&user, &change, site);
        let Some(mailer) = mailer else {
            report.printed.push(format!("To: {}\n\n{text}", user.email));
            report.sent.push((user.email.clone(), change.audit_id));
            continue;
        };
        if !store.claim_security_notice(change.audit_id, user.id).await? {
            continue;
        }
        let subject = match change.action.as_str() {
            "user.password" => "Footprint: your password was set",
            "api-token.create" | "api-token.revoke" => "Footprint: a change to your API tokens",
            _ => "Footprint: a change to your two-factor sign-in",
        };
        match mailer.send(&user.email, subject, text).await {
            Ok(()) => report.sent.push((user.email.clone(), change.audit_id)),
            Err(e) => {
                store.release_security_notice(change.audit_id).await?;
                report.failed.push((user.email.clone(), e));
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_keeps_every_word_in_short_lines() {
        let text = "Dear Alex,\n\nword ".repeat(3) + &"a longer sentence that goes on and on ".repeat(9) + "\n";
        let wrapped = wrap(&text);
        assert!(wrapped.lines().all(|l| l.chars().count() <= 72), "{wrapped}");
        assert_eq!(
            wrapped.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
        assert!(wrapped.starts_with("Dear Alex,\n\nword Dear Alex,") && wrapped.ends_with('\n'));
        assert_eq!(wrap("short\n\nlines"), "short\n\nlines");
    }
}
