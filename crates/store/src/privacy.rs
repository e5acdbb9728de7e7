//! Personal data: what Footprint holds about a person (a subject access export), erasure, and
//! the retention rules applied on a schedule. What is held, why and for how long is set out in
//! `docs/security.md` ("Personal data").
//!
//! A person is found by email address (an account, consultation responses that gave it, requests
//! to join an engagement network, sign-in attempts) or, for a consultation response given without
//! one, by the reference shown on its receipt.
//!
//! Erasure deletes consultation responses outright, clears the contact details of join requests,
//! deletes sign-in attempts and closes an account: the sign-in address, name and password are
//! replaced, sessions, tokens and roles removed, and the person is taken off any body they sat on
//! and any action they owned. Records made in an official capacity (decisions, members'
//! responses to proposals, the audit log) keep the name under which they were made: they are the
//! public record of how public bodies decided, which UK GDPR Article 17(3)(b) and (e) exempt from
//! erasure. New audit entries about an erasure name no one.

use serde_json::{Value, json};
use sqlx::{AnyConnection, Row};

use crate::audit::{Change, record};
use crate::{Result, Store, StoreError, Who, conflict, now_ms};

/// Sign-in attempts are kept this long (for investigating attacks), then deleted.
pub const SIGN_IN_ATTEMPTS_KEPT_MS: i64 = 30 * 24 * 3_600_000;
/// A response's client key (a hash of the sender's address, for the spam guard) is cleared
/// after this long.
pub const CLIENT_KEY_KEPT_MS: i64 = 24 * 3_600_000;

/// Whose data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// Everything held under an email address.
    Email(String),
    /// One consultation response, by the reference on its receipt.
    Response(i64),
}

impl Subject {
    fn email(&self) -> Option<String> {
        match self {
            Subject::Email(e) => Some(e.trim().to_lowercase()),
            Subject::Response(_) => None,
        }
    }
}

/// What an erasure did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Erasure {
    /// Consultation responses deleted.
    pub responses: u64,
    /// Join requests whose contact details were cleared.
    pub join_requests: u64,
    /// Sign-in attempts deleted.
    pub sign_in_attempts: u64,
    /// Accounts closed (the id of each).
    pub accounts: Vec<i64>,
}

impl Erasure {
    /// Whether anything was found to erase.
    pub fn is_empty(&self) -> bool {
        self.responses == 0 && self.join_requests == 0 && self.sign_in_attempts == 0 && self.accounts.is_empty()
    }
}

/// What the retention rules removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retention {
    /// Expired sessions deleted.
    pub sessions: u64,
    /// Old sign-in attempts deleted.
    pub sign_in_attempts: u64,
    /// Response client keys cleared.
    pub client_keys: u64,
}

/// Columns that record who did something by name and email ("Name (email)").
const LABEL_COLUMNS: &[(&str, &str)] = &[
    ("plan_versions", "created_by"),
    ("documents", "created_by"),
    ("engagement_activities", "created_by"),
    ("consultations", "created_by"),
    ("decisions", "created_by"),
    ("proposals", "created_by"),
    ("actions", "created_by"),
    ("milestone_status", "updated_by"),
    ("benefits_realised", "recorded_by"),
    ("guidance_versions", "created_by"),
    ("checklist", "updated_by"),
    ("submissions", "submitted_by"),
    ("submission_feedback", "created_by"),
    ("national_runs", "started_by"),
    ("join_requests", "decided_by"),
];

fn time(ms: i64) -> Value {
    crate::datetime(ms)
        .format(&time::format_description::well_known::Rfc3339)
        .map_or(Value::Null, Value::String)
}

fn opt_time(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, time)
}

fn parse_json(text: Option<String>) -> Value {
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
}

async fn responses(conn: &mut AnyConnection, subject: &Subject) -> Result<Vec<Value>> {
    let sql = "SELECT r.id, r.received_at, r.answers, r.respondent_name, r.respondent_email, r.on_behalf_of, \
               r.consent, r.moderation, r.published_answers, c.id AS consultation_id, c.title, f.code, f.name AS footprint \
               FROM consultation_responses r JOIN consultations c ON c.id = r.consultation_id \
               JOIN footprints f ON f.id = c.footprint_id WHERE ";
    let rows = match subject {
        Subject::Email(_) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{sql}lower(r.respondent_email) = $1 ORDER BY r.id"
            )))
            .bind(subject.email())
            .fetch_all(&mut *conn)
            .await?
        }
        Subject::Response(id) => {
            sqlx::query(sqlx::AssertSqlSafe(format!("{sql}r.id = $1")))
                .bind(*id)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let mut out = Vec::new();
    for r in rows {
        let id: i64 = r.try_get("id")?;
        let tags: Vec<String> =
            sqlx::query_scalar("SELECT tag FROM response_tags WHERE response_id = $1 ORDER BY question_id, tag")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
        out.push(json!({
            "reference": id,
            "received_at": time(r.try_get("received_at")?),
            "consultation": {
                "id": r.try_get::<i64, _>("consultation_id")?,
                "title": r.try_get::<String, _>("title")?,
                "footprint": r.try_get::<String, _>("code")?,
                "footprint_name": r.try_get::<String, _>("footprint")?,
            },
            "respondent_name": r.try_get::<String, _>("respondent_name")?,
            "respondent_email": r.try_get::<String, _>("respondent_email")?,
            "on_behalf_of": r.try_get::<String, _>("on_behalf_of")?,
            "consent_to_publish": r.try_get::<i64, _>("consent")? == 1,
            "moderation": r.try_get::<String, _>("moderation")?,
            "answers": parse_json(r.try_get("answers")?),
            "published_answers": parse_json(r.try_get("published_answers")?),
            "themes_tagged": tags,
        }));
    }
    Ok(out)
}

impl Store {
    /// Everything Footprint holds about a person, as one JSON document.
    pub async fn subject_export(&self, subject: &Subject) -> Result<Value> {
        let mut conn = self.pool().acquire().await?;
        let conn = &mut *conn;
        let mut doc = json!({
            "format": 1,
            "exported_at": time(now_ms()),
            "subject": match subject {
                Subject::Email(_) => json!({"email": subject.email()}),
                Subject::Response(id) => json!({"response_reference": id}),
            },
            "consultation_responses": responses(conn, subject).await?,
        });
        let Some(email) = subject.email() else {
            return Ok(doc);
        };
        let joins = sqlx::query(
            "SELECT j.id, j.organisation, j.contact_name, j.contact_email, j.message, j.status, j.created_at, j.decided_at, f.code \
             FROM join_requests j JOIN footprints f ON f.id = j.footprint_id WHERE lower(j.contact_email) = $1 ORDER BY j.id",
        )
        .bind(&email)
        .fetch_all(&mut *conn)
        .await?;
        let mut join_out = Vec::new();
        for j in joins {
            join_out.push(json!({
                "id": j.try_get::<i64, _>("id")?,
                "footprint": j.try_get::<String, _>("code")?,
                "organisation": j.try_get::<String, _>("organisation")?,
                "contact_name": j.try_get::<String, _>("contact_name")?,
                "contact_email": j.try_get::<String, _>("contact_email")?,
                "message": j.try_get::<String, _>("message")?,
                "status": j.try_get::<String, _>("status")?,
                "sent_at": time(j.try_get("created_at")?),
                "decided_at": opt_time(j.try_get("decided_at")?),
            }));
        }
        doc["join_requests"] = Value::Array(join_out);
        let attempts =
            sqlx::query("SELECT at, client, succeeded FROM login_attempts WHERE lower(email) = $1 ORDER BY id")
                .bind(&email)
                .fetch_all(&mut *conn)
                .await?;
        let mut attempt_out = Vec::new();
        for a in attempts {
            attempt_out.push(json!({
                "at": time(a.try_get("at")?),
                "client_address": a.try_get::<String, _>("client")?,
                "succeeded": a.try_get::<i64, _>("succeeded")? == 1,
            }));
        }
        doc["sign_in_attempts"] = Value::Array(attempt_out);
        doc["account"] = match account(conn, &email).await? {
            Some(a) => a,
            None => Value::Null,
        };
        Ok(doc)
    }

    /// Erases what is held about a person (see the module's notes); returns what was done. An
    /// account that is the only active site administrator is not closed.
    pub async fn subject_erase(&self, subject: &Subject) -> Result<Erasure> {
        let mut tx = self.write().await?;
        let mut done = Erasure::default();
        let (clause, by_id) = match subject {
            Subject::Email(_) => ("lower(r.respondent_email) = $1 ORDER BY r.id", None),
            Subject::Response(id) => ("r.id = $1", Some(*id)),
        };
        let query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT r.id, c.footprint_id FROM consultation_responses r JOIN consultations c ON c.id = r.consultation_id \
             WHERE {clause}"
        )));
        let query = match by_id {
            Some(id) => query.bind(id),
            None => query.bind(subject.email()),
        };
        let found = id_and_footprint(&query.fetch_all(&mut *tx).await?)?;
        for (id, footprint_id) in found {
            sqlx::query("DELETE FROM response_tags WHERE response_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM consultation_responses WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            erased(
                &mut tx,
                ("consultation.response.erase", "consultation_response"),
                id,
                Some(footprint_id),
                format!("Response {id} erased at the respondent's request"),
            )
            .await?;
            done.responses += 1;
        }
        if let Some(email) = subject.email() {
            let joins = id_and_footprint(
                &sqlx::query("SELECT id, footprint_id FROM join_requests WHERE lower(contact_email) = $1")
                    .bind(&email)
                    .fetch_all(&mut *tx)
                    .await?,
            )?;
            for (id, footprint_id) in joins {
                sqlx::query("UPDATE join_requests SET contact_name = '(erased)', contact_email = '' WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                erased(
                    &mut tx,
                    ("engagement.join-request.erase", "join_request"),
                    id,
                    Some(footprint_id),
                    format!("Contact details of join request {id} erased at the contact's request"),
                )
                .await?;
                done.join_requests += 1;
            }
            done.sign_in_attempts = sqlx::query("DELETE FROM login_attempts WHERE lower(email) = $1")
                .bind(&email)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let account: Option<(i64, String, i64)> =
                sqlx::query("SELECT id, site_role, active FROM users WHERE lower(email) = $1")
                    .bind(&email)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| Ok::<_, StoreError>((r.try_get("id")?, r.try_get("site_role")?, r.try_get("active")?)))
                    .transpose()?;
            if let Some((id, role, active)) = account {
                if role == "admin" && active == 1 {
                    let admins: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE site_role = 'admin' AND active = 1")
                            .fetch_one(&mut *tx)
                            .await?;
                    if admins <= 1 {
                        return Err(conflict(
                            "email",
                            "this is the only active site administrator's account; make another administrator before closing it",
                        ));
                    }
                }
                close_account(&mut tx, id).await?;
                erased(
                    &mut tx,
                    ("user.erase", "user"),
                    id,
                    None,
                    format!("Account {id} closed and its personal details erased at the person's request"),
                )
                .await?;
                done.accounts.push(id);
            }
        }
        self.commit(tx).await?;
        Ok(done)
    }

    /// Applies the retention rules: expired sessions and sign-in attempts older than
    /// [`SIGN_IN_ATTEMPTS_KEPT_MS`] deleted, response client keys older than
    /// [`CLIENT_KEY_KEPT_MS`] cleared.
    pub async fn apply_retention(&self, now: i64) -> Result<Retention> {
        let mut tx = self.write().await?;
        let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let sign_in_attempts = sqlx::query("DELETE FROM login_attempts WHERE at < $1")
            .bind(now - SIGN_IN_ATTEMPTS_KEPT_MS)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let client_keys = sqlx::query(
            "UPDATE consultation_responses SET client_key = '' WHERE client_key <> '' AND received_at < $1",
        )
        .bind(now - CLIENT_KEY_KEPT_MS)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(Retention {
            sessions,
            sign_in_attempts,
            client_keys,
        })
    }
}

/// (id, footprint_id) of each row.
fn id_and_footprint(rows: &[sqlx::any::AnyRow]) -> Result<Vec<(i64, i64)>> {
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("footprint_id")?)))
        .collect()
}

/// The audit entry of an erasure: what was erased, never whose it was.
async fn erased(
    tx: &mut AnyConnection,
    (action, entity): (&str, &str),
    id: i64,
    footprint_id: Option<i64>,
    summary: String,
) -> Result<()> {
    let change = Change {
        action,
        entity,
        entity_id: id.to_string(),
        footprint_id,
        summary,
        before: None,
        after: None,
    };
    record(tx, &Who::system("privacy erasure"), change).await
}

async fn close_account(tx: &mut AnyConnection, id: i64) -> Result<()> {
    for sql in [
        "DELETE FROM sessions WHERE user_id = $1",
        "DELETE FROM api_tokens WHERE user_id = $1",
        "DELETE FROM footprint_roles WHERE user_id = $1",
        "DELETE FROM digests_sent WHERE user_id = $1",
        "DELETE FROM security_notices_sent WHERE user_id = $1",
        "DELETE FROM recovery_codes WHERE user_id = $1",
        "DELETE FROM guidance_seen WHERE user_id = $1",
        "UPDATE body_members SET representative_id = NULL WHERE representative_id = $1",
        "UPDATE body_members SET deputy_id = NULL WHERE deputy_id = $1",
        "UPDATE actions SET owner_id = NULL WHERE owner_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    sqlx::query(
        "UPDATE users SET email = $1, display_name = $2, password_hash = '!erased', active = 0, \
         organisation_id = NULL, digest = 'never', totp_secret = NULL, totp_pending = NULL, \
         totp_offered_at = NULL, version = version + 1 WHERE id = $3",
    )
    .bind(format!("erased-{id}@erased.invalid"))
    .bind(format!("Erased account {id}"))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn account(conn: &mut AnyConnection, email: &str) -> Result<Option<Value>> {
    let Some(u) = sqlx::query(
        "SELECT u.id, u.email, u.display_name, u.site_role, u.active, u.created_at, u.digest, o.name AS organisation \
         FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id WHERE lower(u.email) = $1",
    )
    .bind(email)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let id: i64 = u.try_get("id")?;
    let escaped: String = u
        .try_get::<String, _>("email")?
        .chars()
        .flat_map(|c| match c {
            '\\' | '%' | '_' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let label = format!("%({escaped})");
    let roles: Vec<Value> = sqlx::query(
        "SELECT f.code, f.name, r.role FROM footprint_roles r JOIN footprints f ON f.id = r.footprint_id \
         WHERE r.user_id = $1 ORDER BY f.code, r.role",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(
            json!({"footprint": r.try_get::<String, _>("code")?, "footprint_name": r.try_get::<String, _>("name")?,
                   "role": r.try_get::<String, _>("role")?}),
        )
    })
    .collect::<Result<_>>()?;
    let sessions: Vec<Value> = sqlx::query(
        "SELECT created_at, expires_at FROM sessions WHERE user_id = $1 ORDER BY created_at",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok(json!({"signed_in_at": time(r.try_get("created_at")?), "expires_at": time(r.try_get("expires_at")?)})))
    .collect::<Result<_>>()?;
    let tokens: Vec<Value> =
        sqlx::query("SELECT name, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(
                    json!({"name": r.try_get::<String, _>("name")?, "created_at": time(r.try_get("created_at")?),
                       "revoked_at": opt_time(r.try_get("revoked_at")?)}),
                )
            })
            .collect::<Result<_>>()?;
    let memberships: Vec<Value> = sqlx::query(
        "SELECT b.name, o.name AS organisation, CASE WHEN m.representative_id = $1 THEN 'representative' ELSE 'deputy' END AS seat, \
         m.added_at, m.left_at FROM body_members m JOIN bodies b ON b.id = m.body_id JOIN organisations o ON o.id = m.organisation_id \
         WHERE m.representative_id = $1 OR m.deputy_id = $1 ORDER BY m.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(json!({"body": r.try_get::<String, _>("name")?, "organisation": r.try_get::<String, _>("organisation")?,
                   "seat": r.try_get::<String, _>("seat")?, "added_at": time(r.try_get("added_at")?),
                   "left_at": opt_time(r.try_get("left_at")?)}))
    })
    .collect::<Result<_>>()?;
    let proposal_responses: Vec<Value> = sqlx::query(
        "SELECT p.title, r.response, r.reason, r.responded_at FROM proposal_responses r JOIN proposals p ON p.id = r.proposal_id \
         WHERE r.responded_by = $1 ORDER BY r.responded_at",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(json!({"proposal": r.try_get::<String, _>("title")?, "response": r.try_get::<String, _>("response")?,
                   "reason": r.try_get::<String, _>("reason")?, "at": time(r.try_get("responded_at")?)}))
    })
    .collect::<Result<_>>()?;
    let actions: Vec<Value> = sqlx::query("SELECT title, due_on, done_on FROM actions WHERE owner_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(
                json!({"title": r.try_get::<String, _>("title")?, "due_on": r.try_get::<String, _>("due_on")?,
                       "done_on": r.try_get::<Option<String>, _>("done_on")?}),
            )
        })
        .collect::<Result<_>>()?;
    let audit: Vec<Value> = sqlx::query(
        "SELECT at, action, summary FROM audit_log WHERE actor_user_id = $1 OR (actor_user_id IS NULL AND actor LIKE $2 ESCAPE '\\') ORDER BY id",
    )
    .bind(id)
    .bind(&label)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(json!({"at": time(r.try_get("at")?), "action": r.try_get::<String, _>("action")?,
                   "summary": r.try_get::<String, _>("summary")?}))
    })
    .collect::<Result<_>>()?;
    let mut named = Vec::new();
    for (table, column) in LABEL_COLUMNS {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table} WHERE {column} LIKE $1 ESCAPE '\\'"
        )))
        .bind(&label)
        .fetch_one(&mut *conn)
        .await?;
        if n > 0 {
            named.push(json!({"table": table, "column": column, "records": n}));
        }
    }
    Ok(Some(json!({
        "id": id,
        "email": u.try_get::<String, _>("email")?,
        "name": u.try_get::<String, _>("display_name")?,
        "site_role": u.try_get::<String, _>("site_role")?,
        "organisation": u.try_get::<Option<String>, _>("organisation")?,
        "active": u.try_get::<i64, _>("active")? == 1,
        "created_at": time(u.try_get("created_at")?),
        "digest": u.try_get::<String, _>("digest")?,
        "footprint_roles": roles,
        "sessions": sessions,
        "api_tokens": tokens,
        "body_memberships": memberships,
        "responses_to_proposals": proposal_responses,
        "actions_owned": actions,
        "audit_entries": audit,
        "records_naming_you": named,
    })))
}
