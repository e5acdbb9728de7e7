//! Public consultations: the consultation, its options (with their stress-test effect, fixed
//! when it is published), its questions, the responses people give, staff's theme tags and
//! moderation, and the published "you said, we did".
//!
//! A response is stored once: each form carries an idempotency key and the table keeps one row
//! per (consultation, key), so a double-clicked submit finds the first response rather than
//! making a second. Questions and options are fixed once the consultation is published, so
//! every response answers the same questions.

use footprint_domain::consultation::{Answers, OptionEffect, Question, QuestionKind};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::engagement::{NewDocument, insert_document};
use crate::{Result, Store, StoreError, Who, now_ms};

/// A consultation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Consultation {
    /// Row id.
    pub id: i64,
    /// The footprint.
    pub footprint_id: i64,
    /// Its title.
    pub title: String,
    /// What it is about, for the public.
    pub summary: String,
    /// The priority or initiative it is about (an id in the plan), or empty.
    pub area_id: String,
    /// A formal consultation (the minimum length applies).
    pub formal: bool,
    /// Opening date, `YYYY-MM-DD`.
    pub opens_on: String,
    /// Closing date (responses are taken to the end of this day).
    pub closes_on: String,
    /// The weeks a formal consultation must run.
    pub min_weeks: i64,
    /// When it was published (ms since 1970), if it was.
    pub published_at: Option<i64>,
    /// The plan version its options' effects were worked out on.
    pub plan_number: Option<i64>,
    /// The day the decision that relies on it was recorded, if it was.
    pub decided_on: Option<String>,
    /// "You said, we did".
    pub you_said_we_did: String,
    /// The day "you said, we did" was published.
    pub responded_on: Option<String>,
    /// Edit revision.
    pub revision: i64,
}

impl Consultation {
    /// Its stage on a day.
    pub fn stage(&self, today: &str) -> footprint_domain::consultation::Stage {
        footprint_domain::consultation::Stage::of(
            self.published_at.is_some(),
            &self.opens_on,
            &self.closes_on,
            self.responded_on.is_some(),
            today,
        )
    }
}

/// The details staff write.
#[derive(Debug, Clone, Default)]
pub struct ConsultationInput {
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// Priority or initiative id, or empty.
    pub area_id: String,
    /// Formal.
    pub formal: bool,
    /// Opening date.
    pub opens_on: String,
    /// Closing date.
    pub closes_on: String,
    /// Minimum weeks for a formal consultation.
    pub min_weeks: i64,
}

/// An option put to the public.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConsultOption {
    /// Row id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// What it means.
    pub description: String,
    /// Its evidence.
    pub evidence: String,
    /// What it does to the initiative, for the stress test.
    pub effect: OptionEffect,
    /// Its stress-test effect, worked out on publication (JSON), if modelled.
    pub result: Option<serde_json::Value>,
}

/// A new question.
#[derive(Debug, Clone)]
pub struct NewQuestion {
    /// Its kind.
    pub kind: QuestionKind,
    /// What is asked.
    pub prompt: String,
    /// Help under it.
    pub hint: String,
    /// Whether an answer is needed.
    pub required: bool,
    /// The choices (none for free text).
    pub choices: Vec<String>,
}

/// A response, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Response {
    /// Row id (the reference given to the respondent).
    pub id: i64,
    /// When it arrived (ms since 1970).
    pub received_at: i64,
    /// The answers.
    pub answers: Answers,
    /// The name given, if any.
    pub respondent_name: String,
    /// The email given, if any.
    pub respondent_email: String,
    /// The organisation responded for, if any.
    pub on_behalf_of: String,
    /// Consent to publish (with personal data removed).
    pub consent: bool,
    /// Moderation: pending, published or withheld.
    pub moderation: String,
    /// The answers as published, personal data removed.
    pub published_answers: Option<Answers>,
}

/// A new response.
#[derive(Debug, Clone)]
pub struct NewResponse {
    /// The form's idempotency key.
    pub idempotency_key: String,
    /// The answers.
    pub answers: Answers,
    /// Name, optional.
    pub respondent_name: String,
    /// Email, optional.
    pub respondent_email: String,
    /// Organisation responded for, optional.
    pub on_behalf_of: String,
    /// Consent to publish.
    pub consent: bool,
    /// A hash of the client's address, for rate limiting.
    pub client_key: String,
}

/// What happened to a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Stored: its reference and time.
    New(i64, i64),
    /// The same form was sent before: the first one's reference and time.
    Again(i64, i64),
}

/// Why a response was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The consultation is not open on `today`: its closing date (or opening date, if not yet
    /// open).
    NotOpen {
        /// Whether it has closed (otherwise it has not opened).
        closed: bool,
        /// The date that matters.
        on: String,
    },
    /// Too many responses from one address lately.
    TooMany,
}

/// How many responses one address may send in a window (milliseconds); a `max` of 0 sets no
/// limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Most responses (0: no limit).
    pub max: i64,
    /// In this window.
    pub window_ms: i64,
}

fn consultation(row: &AnyRow) -> Result<Consultation> {
    Ok(Consultation {
        id: row.try_get("id")?,
        footprint_id: row.try_get("footprint_id")?,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        area_id: row.try_get("area_id")?,
        formal: row.try_get::<i64, _>("formal")? != 0,
        opens_on: row.try_get("opens_on")?,
        closes_on: row.try_get("closes_on")?,
        min_weeks: row.try_get("min_weeks")?,
        published_at: row.try_get("published_at")?,
        plan_number: row.try_get("plan_number")?,
        decided_on: row.try_get("decided_on")?,
        you_said_we_did: row.try_get("you_said_we_did")?,
        responded_on: row.try_get("responded_on")?,
        revision: row.try_get("revision")?,
    })
}

macro_rules! columns {
    () => {
        "id, footprint_id, title, summary, area_id, formal, opens_on, closes_on, min_weeks, published_at, \
         plan_number, decided_on, you_said_we_did, responded_on, revision"
    };
}

fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))
}

fn response(row: &AnyRow) -> Result<Response> {
    let answers: String = row.try_get("answers")?;
    let published: Option<String> = row.try_get("published_answers")?;
    Ok(Response {
        id: row.try_get("id")?,
        received_at: row.try_get("received_at")?,
        answers: decode(&answers)?,
        respondent_name: row.try_get("respondent_name")?,
        respondent_email: row.try_get("respondent_email")?,
        on_behalf_of: row.try_get("on_behalf_of")?,
        consent: row.try_get::<i64, _>("consent")? != 0,
        moderation: row.try_get("moderation")?,
        published_answers: published.as_deref().map(decode).transpose()?,
    })
}

/// Reads a consultation inside a transaction, refusing changes to a published one when
/// `draft_only`.
/// The consultation, locked for the rest of the transaction (on PostgreSQL a row lock; on SQLite
/// the write transaction already holds the database's write lock), so that a check made on it
/// still holds when the change is written.
async fn locked(
    conn: &mut sqlx::AnyConnection,
    backend: crate::Backend,
    id: i64,
    draft_only: bool,
) -> Result<Consultation> {
    let sql = match backend {
        crate::Backend::Postgres => concat!("SELECT ", columns!(), " FROM consultations WHERE id = $1 FOR UPDATE"),
        crate::Backend::Sqlite => concat!("SELECT ", columns!(), " FROM consultations WHERE id = $1"),
    };
    let c = sqlx::query(sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(consultation)
        .transpose()?
        .ok_or(StoreError::NotFound("That consultation"))?;
    if draft_only && c.published_at.is_some() {
        return Err(StoreError::Conflict {
            field: "consultation",
            message: "This consultation is published: its options and questions are fixed so that every response answers the same ones".into(),
        });
    }
    Ok(c)
}

async fn touch(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    sqlx::query("UPDATE consultations SET revision = revision + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

impl Store {
    /// Starts a consultation (a draft, not public).
    pub async fn create_consultation(
        &self,
        who: &Who,
        footprint_id: i64,
        input: &ConsultationInput,
    ) -> Result<Consultation> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO consultations (footprint_id, title, summary, area_id, formal, opens_on, closes_on, min_weeks, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(footprint_id)
        .bind(&input.title)
        .bind(&input.summary)
        .bind(&input.area_id)
        .bind(i64::from(input.formal))
        .bind(&input.opens_on)
        .bind(&input.closes_on)
        .bind(input.min_weeks)
        .bind(now_ms())
        .bind(&who.label)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if crate::is_foreign_key_violation(&e) {
                StoreError::NotFound("That footprint")
            } else {
                e.into()
            }
        })?;
        let c = locked(&mut tx, self.backend(), id, false).await?;
        record(
            &mut tx,
            who,
            Change {
                action: "consultation.create",
                entity: "consultation",
                entity_id: id.to_string(),
                footprint_id: Some(footprint_id),
                summary: format!("Started consultation \"{}\"", input.title),
                before: None,
                after: Some(json!(c)),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(c)
    }

    /// Changes a draft consultation's details, if it is still at `revision`.
    pub async fn update_consultation(
        &self,
        who: &Who,
        id: i64,
        revision: i64,
        input: &ConsultationInput,
    ) -> Result<Consultation> {
        let mut tx = self.write().await?;
        let before = locked(&mut tx, self.backend(), id, true).await?;
        if before.revision != revision {
            return Err(StoreError::Stale("The consultation"));
        }
        sqlx::query(
            "UPDATE consultations SET title = $1, summary = $2, area_id = $3, formal = $4, opens_on = $5, closes_on = $6, \
             min_weeks = $7, revision = revision + 1 WHERE id = $8 AND revision = $9",
        )
        .bind(&input.title)
        .bind(&input.summary)
        .bind(&input.area_id)
        .bind(i64::from(input.formal))
        .bind(&input.opens_on)
        .bind(&input.closes_on)
        .bind(input.min_weeks)
        .bind(id)
        .bind(revision)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)
        .and_then(|r| crate::one_row(r, "The consultation"))?;
        let after = locked(&mut tx, self.backend(), id, false).await?;
        record(
            &mut tx,
            who,
            Change {
                action: "consultation.update",
                entity: "consultation",
                entity_id: id.to_string(),
                footprint_id: Some(after.footprint_id),
                summary: format!("Changed consultation \"{}\"", after.title),
                before: Some(json!(before)),
                after: Some(json!(after)),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(after)
    }

    /// A consultation.
    pub async fn consultation(&self, id: i64) -> Result<Option<Consultation>> {
        sqlx::query(concat!("SELECT ", columns!(), " FROM consultations WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(consultation)
            .transpose()
    }

    /// A footprint's consultations, newest opening first, with how many responses each has.
    pub async fn consultations(&self, footprint_id: i64) -> Result<Vec<(Consultation, i64)>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            ", COALESCE((SELECT n.responses FROM consultation_response_counts n WHERE n.consultation_id = c.id), 0) AS responses \
             FROM consultations c WHERE footprint_id = $1 ORDER BY opens_on DESC, id DESC"
        ))
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((consultation(r)?, r.try_get("responses")?)))
            .collect()
    }

    /// Every published consultation on the site with its footprint's code and name and its
    /// response count, latest closing first.
    pub async fn published_consultations(&self) -> Result<Vec<(Consultation, String, String, i64)>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            "c.id, c.footprint_id, c.title, c.summary, c.area_id, c.formal, c.opens_on, c.closes_on, c.min_weeks, c.published_at, \
             c.plan_number, c.decided_on, c.you_said_we_did, c.responded_on, c.revision, f.code, f.name AS footprint_name, \
             COALESCE((SELECT n.responses FROM consultation_response_counts n WHERE n.consultation_id = c.id), 0) AS responses \
             FROM consultations c JOIN footprints f ON f.id = c.footprint_id \
             WHERE c.published_at IS NOT NULL ORDER BY c.closes_on DESC, c.id DESC"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    consultation(r)?,
                    r.try_get("code")?,
                    r.try_get("footprint_name")?,
                    r.try_get("responses")?,
                ))
            })
            .collect()
    }

    /// Adds an option to a draft consultation.
    pub async fn add_option(
        &self,
        who: &Who,
        id: i64,
        title: &str,
        description: &str,
        evidence: &str,
        effect: OptionEffect,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let c = locked(&mut tx, self.backend(), id, true).await?;
        let position: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM consultation_options WHERE consultation_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let oid: i64 = sqlx::query_scalar(
            "INSERT INTO consultation_options (consultation_id, position, title, description, evidence, effect) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(id)
        .bind(position)
        .bind(title)
        .bind(description)
        .bind(evidence)
        .bind(serde_json::to_string(&effect).unwrap_or_default())
        .fetch_one(&mut *tx)
        .await?;
        touch(&mut tx, id).await?;
        record(
            &mut tx,
            who,
            Change {
                action: "consultation.option.add",
                entity: "consultation",
                entity_id: id.to_string(),
                footprint_id: Some(c.footprint_id),
                summary: format!("Added option \"{title}\" to consultation \"{}\"", c.title),
                before: None,
                after: Some(json!({"option": oid, "title": title, "description": description, "evidence": evidence, "effect": effect})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(oid)
    }

    /// Adds a question to a draft consultation.
    pub async fn add_question(&self, who: &Who, id: i64, q: &NewQuestion) -> Result<i64> {
        let NewQuestion {
            kind,
            prompt,
            hint,
            required,
            choices,
        } = q;
        let (kind, required) = (*kind, *required);
        let mut tx = self.write().await?;
        let c = locked(&mut tx, self.backend(), id, true).await?;
        let position: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM consultation_questions WHERE consultation_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let qid: i64 = sqlx::query_scalar(
            "INSERT INTO consultation_questions (consultation_id, position, kind, prompt, hint, required, choices) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(id)
        .bind(position)
        .bind(kind.key())
        .bind(prompt)
        .bind(hint)
        .bind(i64::from(required))
        .bind(serde_json::to_string(choices).unwrap_or_else(|_| "[]".into()))
        .fetch_one(&mut *tx)
        .await?;
        touch(&mut tx, id).await?;
        record(
            &mut tx,
            who,
            Change {
                action: "consultation.question.add",
                entity: "consultation",
                entity_id: id.to_string(),
                footprint_id: Some(c.footprint_id),
                summary: format!("Added question \"{prompt}\" to consultation \"{}\"", c.title),
                before: None,
                after: Some(json!({"question": qid, "kind": kind.key(), "prompt": prompt, "required": required, "choices": choices})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(qid)
    }

    /// Removes an option or a question from a draft consultation.
    pub async fn remove_part(&self, who: &Who, id: i64, option: Option<i64>, question: Option<i64>) -> Result<()> {
        let mut tx = self.write().await?;
        let c = locked(&mut tx, self.backend(), id, true).await?;
        let (sql, what, part) = match (option, question) {
            (Some(o), _) => (
                "DELETE FROM consultation_options WHERE id = $1 AND consultation_id = $2",
                "option",
                o,
            ),
            (None, Some(q)) => (
                "DELETE FROM consultation_questions WHERE id = $1 AND consultation_id = $2",
                "question",
                q,
            ),
            (None, None) => return Err(StoreError::NotFound("That part of the consultation")),
        };
        let n = sqlx::query(sql)
            .bind(part)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("That part of the consultation"));
        }
        touch(&mut tx, id).await?;
        record(
            &mut tx,
            who,
            Change {
                action: "consultation.part.remove",
                entity: "consultation",
                entity_id: id.to_string(),
                footprint_id: Some(c.footprint_id),
                summary: format!("Removed {what} {part} from consultation \"{}\"", c.title),
                before: Some(json!({ what: part })),
                after: None,
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Adds a background document to a consultation.
    pub async fn add_consultation_document(&self, who: &Who, id: i64, doc: &NewDocument) -> Result<i64> {
        let mut tx = self.write().await?;
        let c = locked(&mut tx, self.backend(), id, false).await?;
        let d = insert_document(&mut tx, who, c.footprint_id, Some(id), doc).await?;
        touch(&mut tx, id).await?;
        self.commit(tx).await?;
        Ok(d)
    }

    /// A consultation's options, in order.
    pub async fn options(&self, id: i64) -> Result<Vec<ConsultOption>> {
        let rows = sqlx::query(
            "SELECT id, title, description, evidence, effect, result FROM consultation_options WHERE consultation_id = $1 ORDER BY position, id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let effect: String = r.try_get("effect")?;
                let result: Option<String> = r.try_get("result")?;
                Ok(ConsultOption {
                    id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    description: r.try_get("description")?,
                    evidence: r.try_get("evidence")?,
                    effect: decode(&effect)?,
                    result: result.as_deref().map(decode).transpose()?,
                })
            })
            .collect()
    }

    /// A consultation's questions, in order.
    pub async fn questions(&self, id: i64) -> Result<Vec<Question>> {
        let rows = sqlx::query(
            "SELECT id, kind, prompt, hint, required, choices FROM consultation_questions WHERE consultation_id = $1 ORDER BY position, id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                let choices: String = r.try_get("choices")?;
                Ok(Question {
                    id: r.try_get("id")?,
                    kind: QuestionKind::parse(&kind)
                        .ok_or_else(|| sqlx::Error::Decode(format!("kind {kind:?}").into()))?,
                    prompt: r.try_get("prompt")?,
                    hint: r.try_get("hint")?,
                    required: r.try_get::<i64, _>("required")? != 0,
                    choices: decode(&choices)?,
                })
            })
            .collect()
    }

    /// Publishes a draft consultation, fixing its options' stress-test effects (worked out on
    /// plan version `plan_number`): (option id, result JSON).
    pub async fn publish_consultation(
        &self,
        who: &Who,
        id: i64,
        revision: i64,
        plan_number: Option<i64>,
        results: &[(i64, serde_json::Value)],
    ) -> Result<Consultation> {
        let mut tx = self.write().await?;
        let before = locked(&mut tx, self.backend(), id, true).await?;
        if before.revision != revision {
            return Err(StoreError::Stale("The consultation"));
        }
        for (option, result) in results {
            sqlx::query("UPDATE consultation_options SET result = $1 WHERE id = $2 AND consultation_id = $3")
                .bind(result.to_string())
                .bind(option)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE consultations SET published_at = $1, plan_number = $2, revision = revision + 1 WHERE id = $3",
        )
        .bind(now_ms())
        .bind(plan_number)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = locked(&mut tx, self.backend(), id, false).await?;
        record(
            &mut tx,
            who,
            Change {
                action: "consultation.publish",
                entity: "consultation",
                entity_id: id.to_string(),
                footprint_id: Some(after.footprint_id),
                summary: format!(
                    "Published consultation \"{}\", open {} to {}",
                    after.title, after.opens_on, after.closes_on
                ),
                before: Some(json!(before)),
                after: Some(json!({"consultation": after, "results": results})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(after)
    }

    /// Publishes "you said, we did" (on `today`), or records the decision that relies on the
    /// consultation. Either can be set once; "you said, we did" can be corrected later, and the
    /// audit log keeps each wording.
    pub async fn record_outcome(
        &self,
        who: &Who,
        id: i64,
        you_said_we_did: Option<&str>,
        decided_on: Option<&str>,
        today: &str,
    ) -> Result<Consultation> {
        let mut tx = self.write().await?;
        let before = locked(&mut tx, self.backend(), id, false).await?;
        if before.published_at.is_none() {
            return Err(StoreError::Conflict {
                field: "consultation",
                message: "Publish the consultation first".into(),
            });
        }
        if let Some(text) = you_said_we_did {
            sqlx::query(
                "UPDATE consultations SET you_said_we_did = $1, responded_on = COALESCE(responded_on, $2), revision = revision + 1 WHERE id = $3",
            )
            .bind(text)
            .bind(today)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(d) = decided_on {
            if before.decided_on.is_some() {
                return Err(StoreError::Conflict {
                    field: "decided_on",
                    message: "A decision is already recorded for this consultation".into(),
                });
            }
            sqlx::query("UPDATE consultations SET decided_on = $1, revision = revision + 1 WHERE id = $2")
                .bind(d)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let after = locked(&mut tx, self.backend(), id, false).await?;
        record(
            &mut tx,
            who,
            Change {
                action: if decided_on.is_some() {
                    "consultation.decision"
                } else {
                    "consultation.respond-publicly"
                },
                entity: "consultation",
                entity_id: id.to_string(),
                footprint_id: Some(after.footprint_id),
                summary: if let Some(d) = decided_on {
                    format!(
                        "Recorded the decision on consultation \"{}\" as taken on {d}",
                        after.title
                    )
                } else {
                    format!("Published \"you said, we did\" for consultation \"{}\"", after.title)
                },
                before: Some(json!(before)),
                after: Some(json!(after)),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(after)
    }

    /// Takes a response, once: open on `today`, within the rate limit, one row per idempotency
    /// key. Every response stored has its audit entry (with no personal data).
    pub async fn respond(
        &self,
        id: i64,
        r: &NewResponse,
        today: &str,
        limit: RateLimit,
    ) -> Result<Result<Received, Refused>> {
        let mut tx = self.write().await?;
        let c = locked(&mut tx, self.backend(), id, false).await?;
        if let Some(row) = sqlx::query(
            "SELECT id, received_at FROM consultation_responses WHERE consultation_id = $1 AND idempotency_key = $2",
        )
        .bind(id)
        .bind(&r.idempotency_key)
        .fetch_optional(&mut *tx)
        .await?
        {
            return Ok(Ok(Received::Again(row.try_get("id")?, row.try_get("received_at")?)));
        }
        if c.published_at.is_none() || today < c.opens_on.as_str() {
            return Ok(Err(Refused::NotOpen {
                closed: false,
                on: c.opens_on,
            }));
        }
        if today > c.closes_on.as_str() {
            return Ok(Err(Refused::NotOpen {
                closed: true,
                on: c.closes_on,
            }));
        }
        let now = now_ms();
        if limit.max > 0 {
            // Counting stops at the limit: the cost does not grow with the responses received.
            let recent: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM (SELECT 1 FROM consultation_responses \
                 WHERE client_key = $1 AND received_at > $2 LIMIT $3) AS recent",
            )
            .bind(&r.client_key)
            .bind(now - limit.window_ms)
            .bind(limit.max)
            .fetch_one(&mut *tx)
            .await?;
            if recent >= limit.max {
                return Ok(Err(Refused::TooMany));
            }
        }
        let rid: Option<i64> = sqlx::query_scalar(
            "INSERT INTO consultation_responses (consultation_id, idempotency_key, received_at, answers, respondent_name, respondent_email, \
             on_behalf_of, consent, client_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (consultation_id, idempotency_key) DO NOTHING RETURNING id",
        )
        .bind(id)
        .bind(&r.idempotency_key)
        .bind(now)
        .bind(serde_json::to_string(&r.answers).unwrap_or_default())
        .bind(&r.respondent_name)
        .bind(&r.respondent_email)
        .bind(&r.on_behalf_of)
        .bind(i64::from(r.consent))
        .bind(&r.client_key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(rid) = rid else {
            // The same key arrived at the same moment on another connection (PostgreSQL).
            drop(tx);
            let row = sqlx::query("SELECT id, received_at FROM consultation_responses WHERE consultation_id = $1 AND idempotency_key = $2")
                .bind(id)
                .bind(&r.idempotency_key)
                .fetch_one(self.pool())
                .await?;
            return Ok(Ok(Received::Again(row.try_get("id")?, row.try_get("received_at")?)));
        };
        record(
            &mut tx,
            &Who {
                user_id: None,
                label: "member of the public".into(),
            },
            Change {
                action: "consultation.response",
                entity: "consultation_response",
                entity_id: rid.to_string(),
                footprint_id: Some(c.footprint_id),
                summary: format!("Response {rid} to consultation \"{}\"", c.title),
                before: None,
                after: Some(json!({"consultation": id, "answers": r.answers.len(), "consent": r.consent})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(Ok(Received::New(rid, now)))
    }

    /// A consultation's responses, oldest first.
    pub async fn responses(&self, id: i64) -> Result<Vec<Response>> {
        sqlx::query(
            "SELECT id, received_at, answers, respondent_name, respondent_email, on_behalf_of, consent, moderation, published_answers \
             FROM consultation_responses WHERE consultation_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(response)
        .collect()
    }

    /// The published responses' answers (personal data removed), oldest first.
    pub async fn published_responses(&self, id: i64) -> Result<Vec<Answers>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT published_answers FROM consultation_responses \
             WHERE consultation_id = $1 AND moderation = 'published' AND published_answers IS NOT NULL ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|t| decode(t)).collect()
    }

    /// One response to a consultation.
    pub async fn response(&self, consultation_id: i64, response_id: i64) -> Result<Option<Response>> {
        sqlx::query(
            "SELECT id, received_at, answers, respondent_name, respondent_email, on_behalf_of, consent, moderation, published_answers \
             FROM consultation_responses WHERE consultation_id = $1 AND id = $2",
        )
        .bind(consultation_id)
        .bind(response_id)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(response)
        .transpose()
    }

    /// How many responses a consultation has.
    pub async fn response_count(&self, id: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE((SELECT responses FROM consultation_response_counts WHERE consultation_id = $1), 0)",
        )
        .bind(id)
        .fetch_one(self.pool())
        .await?)
    }

    /// Publishes a response (with personal data removed: `published` holds the answers as they
    /// will be read) or withholds it. Only a response given with consent can be published.
    pub async fn moderate(
        &self,
        who: &Who,
        consultation_id: i64,
        response_id: i64,
        published: Option<&Answers>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let c = locked(&mut tx, self.backend(), consultation_id, false).await?;
        let consent: Option<i64> =
            sqlx::query_scalar("SELECT consent FROM consultation_responses WHERE id = $1 AND consultation_id = $2")
                .bind(response_id)
                .bind(consultation_id)
                .fetch_optional(&mut *tx)
                .await?;
        let consent = consent.ok_or(StoreError::NotFound("That response"))?;
        if published.is_some() && consent == 0 {
            return Err(StoreError::Conflict {
                field: "moderation",
                message: "This person did not agree to their response being published".into(),
            });
        }
        sqlx::query("UPDATE consultation_responses SET moderation = $1, published_answers = $2 WHERE id = $3")
            .bind(if published.is_some() { "published" } else { "withheld" })
            .bind(published.map(|p| serde_json::to_string(p).unwrap_or_default()))
            .bind(response_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            who,
            Change {
                action: if published.is_some() {
                    "consultation.response.publish"
                } else {
                    "consultation.response.withhold"
                },
                entity: "consultation_response",
                entity_id: response_id.to_string(),
                footprint_id: Some(c.footprint_id),
                summary: format!(
                    "{} response {response_id} to \"{}\"",
                    if published.is_some() { "Published" } else { "Withheld" },
                    c.title
                ),
                before: None,
                after: published.map(|p| json!(p)),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Adds or removes a theme tag on a response's answer to a question.
    pub async fn tag_response(
        &self,
        who: &Who,
        consultation_id: i64,
        response_id: i64,
        question_id: i64,
        tag: &str,
        add: bool,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let c = locked(&mut tx, self.backend(), consultation_id, false).await?;
        let known: Option<i64> =
            sqlx::query_scalar("SELECT id FROM consultation_responses WHERE id = $1 AND consultation_id = $2")
                .bind(response_id)
                .bind(consultation_id)
                .fetch_optional(&mut *tx)
                .await?;
        known.ok_or(StoreError::NotFound("That response"))?;
        if add {
            sqlx::query(
                "INSERT INTO response_tags (response_id, question_id, tag) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(response_id)
            .bind(question_id)
            .bind(tag)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("DELETE FROM response_tags WHERE response_id = $1 AND question_id = $2 AND tag = $3")
                .bind(response_id)
                .bind(question_id)
                .bind(tag)
                .execute(&mut *tx)
                .await?;
        }
        record(
            &mut tx,
            who,
            Change {
                action: if add {
                    "consultation.tag.add"
                } else {
                    "consultation.tag.remove"
                },
                entity: "consultation_response",
                entity_id: response_id.to_string(),
                footprint_id: Some(c.footprint_id),
                summary: format!(
                    "{} theme \"{tag}\" on response {response_id}",
                    if add { "Tagged" } else { "Untagged" }
                ),
                before: None,
                after: Some(json!({"question": question_id, "tag": tag})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// A consultation's theme tags: (response id, question id, tag).
    pub async fn response_tags(&self, consultation_id: i64) -> Result<Vec<(i64, i64, String)>> {
        let rows = sqlx::query(
            "SELECT t.response_id, t.question_id, t.tag FROM response_tags t \
             JOIN consultation_responses r ON r.id = t.response_id WHERE r.consultation_id = $1 ORDER BY t.tag, t.response_id",
        )
        .bind(consultation_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("response_id")?, r.try_get("question_id")?, r.try_get("tag")?)))
            .collect()
    }
}
