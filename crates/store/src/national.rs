//! National guidance and submissions: versions of guidance (one draft at a time; a published
//! version cannot change), each footprint's checklist and the guidance its people last saw,
//! plan versions submitted against a requirement, and national assurance's feedback and rating.

use footprint_domain::guidance::{Rating, Requirement, key_of};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::{Result, Store, StoreError, Who, conflict, now_ms};

/// A version of the national guidance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GuidanceVersion {
    /// Row id.
    pub id: i64,
    /// Its number, from 1.
    pub number: i64,
    /// Title.
    pub title: String,
    /// What it is about.
    pub summary: String,
    /// When it was published (`YYYY-MM-DD`); none for the draft.
    pub published_on: Option<String>,
}

/// A plan version submitted against a requirement, with the feedback on it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Submission {
    /// Row id.
    pub id: i64,
    /// The footprint.
    pub footprint_id: i64,
    /// The plan version's number.
    pub plan_number: i64,
    /// The requirement's key.
    pub requirement_key: String,
    /// The guidance version it answered.
    pub guidance_number: i64,
    /// What the footprint said with it.
    pub note: String,
    /// When (ms since 1970).
    pub submitted_at: i64,
    /// By whom.
    pub submitted_by: String,
    /// National assurance's feedback, oldest first.
    pub feedback: Vec<Feedback>,
}

/// Feedback on a submission.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Feedback {
    /// Row id.
    pub id: i64,
    /// The rating.
    pub rating: Rating,
    /// Why that rating.
    pub reasons: String,
    /// What to do next.
    pub feedback: String,
    /// When (ms since 1970).
    pub created_at: i64,
    /// By whom.
    pub created_by: String,
}

fn version(row: &AnyRow) -> Result<GuidanceVersion> {
    Ok(GuidanceVersion {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        published_on: row.try_get("published_on")?,
    })
}

fn requirement(row: &AnyRow) -> Result<Requirement> {
    Ok(Requirement {
        key: row.try_get("key")?,
        title: row.try_get("title")?,
        detail: row.try_get("detail")?,
        due_on: row.try_get("due_on")?,
        submission: row.try_get::<i64, _>("submission")? != 0,
    })
}

async fn draft_in(conn: &mut sqlx::AnyConnection, backend: crate::Backend, id: i64) -> Result<GuidanceVersion> {
    // On PostgreSQL the row is locked, so that a change and the publishing cannot interleave.
    let sql = match backend {
        crate::Backend::Postgres => {
            "SELECT id, number, title, summary, published_on FROM guidance_versions WHERE id = $1 FOR UPDATE"
        }
        crate::Backend::Sqlite => {
            "SELECT id, number, title, summary, published_on FROM guidance_versions WHERE id = $1"
        }
    };
    let v = sqlx::query(sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(version)
        .transpose()?
        .ok_or(StoreError::NotFound("That guidance version"))?;
    if v.published_on.is_some() {
        return Err(conflict(
            "guidance",
            format!(
                "Version {} is published: it cannot change. Start a new version",
                v.number
            ),
        ));
    }
    Ok(v)
}

async fn requirements_in(conn: &mut sqlx::AnyConnection, guidance_id: i64) -> Result<Vec<Requirement>> {
    sqlx::query(
        "SELECT key, title, detail, due_on, submission FROM requirements WHERE guidance_id = $1 ORDER BY position, id",
    )
    .bind(guidance_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(requirement)
    .collect()
}

fn check_requirement(r: &Requirement) -> Result<()> {
    if r.title.trim().is_empty() {
        return Err(conflict("requirement_title", "Say what is required"));
    }
    if r.title.chars().count() > 200 {
        return Err(conflict(
            "requirement_title",
            "Keep the requirement to 200 characters or fewer",
        ));
    }
    if key_of(&r.title).is_empty() && r.key.is_empty() {
        return Err(conflict(
            "requirement_title",
            "Use some letters or numbers in the requirement",
        ));
    }
    if let Some(d) = &r.due_on
        && footprint_domain::consultation::parse_date(d).is_none()
    {
        return Err(conflict("due_day", "Enter a real date, for example 21 October 2016"));
    }
    Ok(())
}

impl Store {
    /// Every guidance version, newest first.
    pub async fn guidance_versions(&self) -> Result<Vec<GuidanceVersion>> {
        sqlx::query("SELECT id, number, title, summary, published_on FROM guidance_versions ORDER BY number DESC")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(version)
            .collect()
    }

    /// A version's requirements, in order.
    pub async fn requirements(&self, guidance_id: i64) -> Result<Vec<Requirement>> {
        let mut conn = self.pool().acquire().await?;
        requirements_in(&mut conn, guidance_id).await
    }

    /// The newest published version and its requirements.
    pub async fn current_guidance(&self) -> Result<Option<(GuidanceVersion, Vec<Requirement>)>> {
        let v = sqlx::query(
            "SELECT id, number, title, summary, published_on FROM guidance_versions WHERE published_on IS NOT NULL \
             ORDER BY number DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(version)
        .transpose()?;
        match v {
            Some(v) => {
                let r = self.requirements(v.id).await?;
                Ok(Some((v, r)))
            }
            None => Ok(None),
        }
    }

    /// Starts the next version as a draft with the current requirements; refused while a draft
    /// exists.
    pub async fn start_guidance(&self, who: &Who, title: &str, summary: &str) -> Result<i64> {
        if title.trim().is_empty() {
            return Err(conflict("title", "Enter the guidance's title"));
        }
        let mut tx = self.write().await?;
        let draft: Option<i64> =
            sqlx::query_scalar("SELECT number FROM guidance_versions WHERE published_on IS NULL LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(n) = draft {
            return Err(conflict(
                "guidance",
                format!("Version {n} is still a draft: publish it before starting another"),
            ));
        }
        let last: Option<(i64, i64)> = sqlx::query(
            "SELECT id, number FROM guidance_versions WHERE published_on IS NOT NULL ORDER BY number DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| Ok::<_, sqlx::Error>((r.try_get("id")?, r.try_get("number")?)))
        .transpose()?;
        let number = last.map_or(1, |l| l.1 + 1);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO guidance_versions (number, title, summary, created_at, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(number)
        .bind(title.trim())
        .bind(summary.trim())
        .bind(now_ms())
        .bind(&who.label)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if crate::is_unique_violation(&e) {
                conflict("guidance", "Someone else started a new version just now: reload the page")
            } else {
                e.into()
            }
        })?;
        if let Some((last_id, _)) = last {
            sqlx::query(
                "INSERT INTO requirements (guidance_id, key, title, detail, due_on, submission, position) \
                 SELECT $1, key, title, detail, due_on, submission, position FROM requirements WHERE guidance_id = $2",
            )
            .bind(id)
            .bind(last_id)
            .execute(&mut *tx)
            .await?;
        }
        record(
            &mut tx,
            who,
            Change {
                action: "guidance.start",
                entity: "guidance",
                entity_id: id.to_string(),
                footprint_id: None,
                summary: format!("Started version {number} of the guidance: {}", title.trim()),
                before: None,
                after: Some(json!({"number": number, "title": title.trim()})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// Adds a requirement to the draft, or changes the one with the same key.
    pub async fn save_requirement(&self, who: &Who, guidance_id: i64, r: &Requirement) -> Result<String> {
        check_requirement(r)?;
        let mut tx = self.write().await?;
        let v = draft_in(&mut tx, self.backend(), guidance_id).await?;
        let key = if r.key.is_empty() {
            key_of(&r.title)
        } else {
            r.key.clone()
        };
        if !key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(conflict(
                "requirement_title",
                "That requirement is not one of this version's",
            ));
        }
        let before = requirements_in(&mut tx, guidance_id).await?;
        let existing = before.iter().find(|x| x.key == key).cloned();
        if r.key.is_empty() && existing.is_some() {
            return Err(conflict(
                "requirement_title",
                format!(
                    "\"{}\" is already required: change that requirement instead",
                    r.title.trim()
                ),
            ));
        }
        if existing.is_some() {
            sqlx::query(
                "UPDATE requirements SET title = $1, detail = $2, due_on = $3, submission = $4 WHERE guidance_id = $5 AND key = $6",
            )
            .bind(r.title.trim())
            .bind(r.detail.trim())
            .bind(&r.due_on)
            .bind(i64::from(r.submission))
            .bind(guidance_id)
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        } else {
            let position: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM requirements WHERE guidance_id = $1")
                    .bind(guidance_id)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(
                "INSERT INTO requirements (guidance_id, key, title, detail, due_on, submission, position) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(guidance_id)
            .bind(&key)
            .bind(r.title.trim())
            .bind(r.detail.trim())
            .bind(&r.due_on)
            .bind(i64::from(r.submission))
            .bind(position)
            .execute(&mut *tx)
            .await?;
        }
        record(
            &mut tx,
            who,
            Change {
                action: "guidance.requirement",
                entity: "guidance",
                entity_id: guidance_id.to_string(),
                footprint_id: None,
                summary: format!(
                    "{} \"{}\" in version {} of the guidance",
                    if existing.is_some() { "Changed" } else { "Added" },
                    r.title.trim(),
                    v.number
                ),
                before: existing.map(|e| json!(e)),
                after: Some(json!(r)),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(key)
    }

    /// Removes a requirement from the draft.
    pub async fn remove_requirement(&self, who: &Who, guidance_id: i64, key: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let v = draft_in(&mut tx, self.backend(), guidance_id).await?;
        let n = sqlx::query("DELETE FROM requirements WHERE guidance_id = $1 AND key = $2")
            .bind(guidance_id)
            .bind(key)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("That requirement"));
        }
        record(
            &mut tx,
            who,
            Change {
                action: "guidance.requirement.remove",
                entity: "guidance",
                entity_id: guidance_id.to_string(),
                footprint_id: None,
                summary: format!("Removed \"{key}\" from version {} of the guidance", v.number),
                before: Some(json!({"key": key})),
                after: None,
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Publishes the draft on `today`: from then on it cannot change.
    pub async fn publish_guidance(&self, who: &Who, guidance_id: i64, today: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let v = draft_in(&mut tx, self.backend(), guidance_id).await?;
        if requirements_in(&mut tx, guidance_id).await?.is_empty() {
            return Err(conflict("guidance", "Add at least one requirement before publishing"));
        }
        sqlx::query("UPDATE guidance_versions SET published_on = $1 WHERE id = $2")
            .bind(today)
            .bind(guidance_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            who,
            Change {
                action: "guidance.publish",
                entity: "guidance",
                entity_id: guidance_id.to_string(),
                footprint_id: None,
                summary: format!("Published version {} of the guidance: {}", v.number, v.title),
                before: None,
                after: Some(json!({"published_on": today})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Tries to change a published version's requirements, its title and its draft's
    /// requirements into it; the database must refuse each. Returns how many were refused.
    pub async fn try_rewrite_guidance(&self, guidance_id: i64, draft_id: i64) -> usize {
        let attempts = [
            (
                "UPDATE requirements SET title = 'rewritten' WHERE guidance_id = $1",
                guidance_id,
            ),
            (
                "UPDATE guidance_versions SET title = 'rewritten' WHERE id = $1",
                guidance_id,
            ),
            ("DELETE FROM requirements WHERE guidance_id = $1", guidance_id),
            ("DELETE FROM guidance_versions WHERE id = $1", guidance_id),
        ];
        let mut refused = 0;
        for (sql, id) in attempts {
            if sqlx::query(sql).bind(id).execute(self.pool()).await.is_err() {
                refused += 1;
            }
        }
        let moved = sqlx::query("UPDATE requirements SET guidance_id = $1 WHERE guidance_id = $2")
            .bind(guidance_id)
            .bind(draft_id)
            .execute(self.pool())
            .await;
        refused + usize::from(moved.is_err())
    }

    /// A footprint's checklist: requirement key, done on, note.
    pub async fn checklist(&self, footprint_id: i64) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query("SELECT requirement_key, done_on, note FROM checklist WHERE footprint_id = $1")
            .bind(footprint_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("requirement_key")?, r.try_get("done_on")?, r.try_get("note")?)))
            .collect()
    }

    /// Marks a requirement done on a day for a footprint (or, with none, not done).
    pub async fn set_checklist(
        &self,
        who: &Who,
        footprint_id: i64,
        key: &str,
        done_on: Option<&str>,
        note: &str,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        match done_on {
            Some(d) => {
                sqlx::query(
                    "INSERT INTO checklist (footprint_id, requirement_key, done_on, note, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (footprint_id, requirement_key) DO UPDATE SET \
                     done_on = excluded.done_on, note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                )
                .bind(footprint_id)
                .bind(key)
                .bind(d)
                .bind(note.trim())
                .bind(now_ms())
                .bind(&who.label)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM checklist WHERE footprint_id = $1 AND requirement_key = $2")
                    .bind(footprint_id)
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        record(
            &mut tx,
            who,
            Change {
                action: "guidance.checklist",
                entity: "checklist",
                entity_id: key.to_string(),
                footprint_id: Some(footprint_id),
                summary: match done_on {
                    Some(d) => format!("Marked \"{key}\" done on {d}"),
                    None => format!("Marked \"{key}\" not done"),
                },
                before: None,
                after: Some(json!({"done_on": done_on, "note": note.trim()})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The guidance version a person last saw for a footprint.
    pub async fn guidance_seen(&self, user_id: i64, footprint_id: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT guidance_number FROM guidance_seen WHERE user_id = $1 AND footprint_id = $2")
                .bind(user_id)
                .bind(footprint_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Records that a person has seen a guidance version for a footprint.
    pub async fn mark_guidance_seen(&self, user_id: i64, footprint_id: i64, number: i64) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO guidance_seen (user_id, footprint_id, guidance_number, seen_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, footprint_id) DO UPDATE SET guidance_number = excluded.guidance_number, seen_at = excluded.seen_at",
        )
        .bind(user_id)
        .bind(footprint_id)
        .bind(number)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Submits a numbered plan version against a requirement of the current guidance that asks
    /// for a submission.
    pub async fn submit_plan(
        &self,
        who: &Who,
        footprint_id: i64,
        plan_number: i64,
        key: &str,
        note: &str,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let plan: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM plan_versions WHERE footprint_id = $1 AND number = $2 AND status <> 'draft'",
        )
        .bind(footprint_id)
        .bind(plan_number)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(plan_id) = plan else {
            return Err(conflict("plan", "Choose a submitted or published version of the plan"));
        };
        let current = sqlx::query(
            "SELECT g.number, r.title, r.submission FROM requirements r JOIN guidance_versions g ON g.id = r.guidance_id \
             WHERE g.published_on IS NOT NULL AND r.key = $1 AND g.number = (SELECT MAX(number) FROM guidance_versions WHERE published_on IS NOT NULL)",
        )
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = current else {
            return Err(conflict("requirement", "Choose a requirement of the current guidance"));
        };
        if row.try_get::<i64, _>("submission")? == 0 {
            return Err(conflict(
                "requirement",
                "That requirement is not met by submitting a plan: mark it done on the checklist",
            ));
        }
        let number: i64 = row.try_get("number")?;
        let title: String = row.try_get("title")?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO submissions (footprint_id, plan_version_id, requirement_key, guidance_number, note, submitted_at, submitted_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(footprint_id)
        .bind(plan_id)
        .bind(key)
        .bind(number)
        .bind(note.trim())
        .bind(now_ms())
        .bind(&who.label)
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            who,
            Change {
                action: "guidance.submit",
                entity: "submission",
                entity_id: id.to_string(),
                footprint_id: Some(footprint_id),
                summary: format!("Submitted plan version {plan_number} for \"{title}\""),
                before: None,
                after: Some(json!({"plan_number": plan_number, "requirement": key, "guidance": number})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// A footprint's submissions with their feedback, newest first.
    pub async fn submissions(&self, footprint_id: i64) -> Result<Vec<Submission>> {
        self.submissions_where(Some(footprint_id)).await
    }

    /// Every footprint's submissions with their feedback, newest first.
    pub async fn all_submissions(&self) -> Result<Vec<Submission>> {
        self.submissions_where(None).await
    }

    async fn submissions_where(&self, footprint_id: Option<i64>) -> Result<Vec<Submission>> {
        let rows = sqlx::query(
            "SELECT s.id, s.footprint_id, p.number AS plan_number, s.requirement_key, s.guidance_number, s.note, \
             s.submitted_at, s.submitted_by FROM submissions s JOIN plan_versions p ON p.id = s.plan_version_id \
             WHERE ($1 IS NULL OR s.footprint_id = $1) ORDER BY s.submitted_at DESC, s.id DESC",
        )
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        let feedback = sqlx::query(
            "SELECT f.id, f.submission_id, f.rating, f.reasons, f.feedback, f.created_at, f.created_by \
             FROM submission_feedback f JOIN submissions s ON s.id = f.submission_id \
             WHERE ($1 IS NULL OR s.footprint_id = $1) ORDER BY f.id",
        )
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let mut list = Vec::new();
                for f in &feedback {
                    if f.try_get::<i64, _>("submission_id")? == id {
                        let rating: String = f.try_get("rating")?;
                        list.push(Feedback {
                            id: f.try_get("id")?,
                            rating: Rating::parse(&rating)
                                .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.0.into())))?,
                            reasons: f.try_get("reasons")?,
                            feedback: f.try_get("feedback")?,
                            created_at: f.try_get("created_at")?,
                            created_by: f.try_get("created_by")?,
                        });
                    }
                }
                Ok(Submission {
                    id,
                    footprint_id: r.try_get("footprint_id")?,
                    plan_number: r.try_get("plan_number")?,
                    requirement_key: r.try_get("requirement_key")?,
                    guidance_number: r.try_get("guidance_number")?,
                    note: r.try_get("note")?,
                    submitted_at: r.try_get("submitted_at")?,
                    submitted_by: r.try_get("submitted_by")?,
                    feedback: list,
                })
            })
            .collect()
    }

    /// Records national assurance's feedback and rating on a submission (earlier feedback is
    /// kept).
    pub async fn give_feedback(
        &self,
        who: &Who,
        submission_id: i64,
        rating: Rating,
        reasons: &str,
        feedback: &str,
    ) -> Result<i64> {
        if reasons.trim().is_empty() {
            return Err(conflict("reasons", "Give the reasons for the rating"));
        }
        let mut tx = self.write().await?;
        let footprint: Option<i64> = sqlx::query_scalar("SELECT footprint_id FROM submissions WHERE id = $1")
            .bind(submission_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(footprint_id) = footprint else {
            return Err(StoreError::NotFound("That submission"));
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO submission_feedback (submission_id, rating, reasons, feedback, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(submission_id)
        .bind(rating.key())
        .bind(reasons.trim())
        .bind(feedback.trim())
        .bind(now_ms())
        .bind(&who.label)
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            who,
            Change {
                action: "guidance.feedback",
                entity: "submission",
                entity_id: submission_id.to_string(),
                footprint_id: Some(footprint_id),
                summary: format!("Rated submission {submission_id}: {}", rating.label()),
                before: None,
                after: Some(json!({"rating": rating, "reasons": reasons.trim()})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }
}

/// A national stress-test run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NationalRun {
    /// Row id.
    pub id: i64,
    /// `running`, `done` or `failed`.
    pub status: String,
    /// Scenarios per footprint.
    pub samples: i64,
    /// Scenarios done so far, of `total`.
    pub done: i64,
    /// Scenarios in all.
    pub total: i64,
    /// The summary (JSON), when done.
    pub result: Option<serde_json::Value>,
    /// Why it failed.
    pub error: String,
    /// When it started (ms since 1970).
    pub started_at: i64,
    /// When it finished.
    pub finished_at: Option<i64>,
    /// Who started it.
    pub started_by: String,
}

/// A run still "running" after this long is taken to have stopped with its process.
pub const RUN_GIVES_UP_MS: i64 = 30 * 60 * 1000;

fn run_row(row: &AnyRow) -> Result<NationalRun> {
    let result: Option<String> = row.try_get("result")?;
    Ok(NationalRun {
        id: row.try_get("id")?,
        status: row.try_get("status")?,
        samples: row.try_get("samples")?,
        done: row.try_get("done")?,
        total: row.try_get("total")?,
        result: result
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?,
        error: row.try_get("error")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        started_by: row.try_get("started_by")?,
    })
}

impl Store {
    /// Claims the national run: refused while another is running (one that has run for longer
    /// than [`RUN_GIVES_UP_MS`] is marked failed first, as its process has stopped).
    pub async fn start_national_run(&self, who: &Who, samples: i64) -> Result<i64> {
        let mut tx = self.write().await?;
        let now = now_ms();
        sqlx::query(
            "UPDATE national_runs SET status = 'failed', error = 'the run stopped before it finished', finished_at = $1 \
             WHERE status = 'running' AND started_at < $2",
        )
        .bind(now)
        .bind(now - RUN_GIVES_UP_MS)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO national_runs (status, samples, started_at, started_by) VALUES ('running', $1, $2, $3) RETURNING id",
        )
        .bind(samples)
        .bind(now)
        .bind(&who.label)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if crate::is_unique_violation(&e) {
                conflict("run", "A national run is already going: wait for it to finish")
            } else {
                e.into()
            }
        })?;
        record(
            &mut tx,
            who,
            Change {
                action: "national.run.start",
                entity: "national_run",
                entity_id: id.to_string(),
                footprint_id: None,
                summary: format!("Started the national stress test ({samples} scenarios a footprint)"),
                before: None,
                after: None,
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// Marks runs left running for longer than [`RUN_GIVES_UP_MS`] as failed: their process
    /// stopped.
    pub async fn give_up_stale_runs(&self) -> Result<()> {
        let mut tx = self.write().await?;
        let now = now_ms();
        sqlx::query(
            "UPDATE national_runs SET status = 'failed', error = 'the run stopped before it finished', finished_at = $1 \
             WHERE status = 'running' AND started_at < $2",
        )
        .bind(now)
        .bind(now - RUN_GIVES_UP_MS)
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Records a run's progress.
    pub async fn national_run_progress(&self, id: i64, done: i64, total: i64) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE national_runs SET done = $1, total = $2 WHERE id = $3 AND status = 'running'")
            .bind(done)
            .bind(total)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Records how a run ended: its summary, or why it failed.
    pub async fn finish_national_run(
        &self,
        id: i64,
        outcome: std::result::Result<&serde_json::Value, &str>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let (status, result, error) = match outcome {
            Ok(v) => ("done", Some(v.to_string()), String::new()),
            Err(e) => ("failed", None, e.to_string()),
        };
        let n = sqlx::query(
            "UPDATE national_runs SET status = $1, result = $2, error = $3, finished_at = $4, done = CASE WHEN $1 = 'done' THEN total ELSE done END \
             WHERE id = $5 AND status = 'running'",
        )
        .bind(status)
        .bind(result)
        .bind(&error)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            // Already given up (or finished): nothing to record.
            return Ok(());
        }
        record(
            &mut tx,
            &Who::system("national run"),
            Change {
                action: "national.run.finish",
                entity: "national_run",
                entity_id: id.to_string(),
                footprint_id: None,
                summary: if status == "done" {
                    "The national stress test finished".to_string()
                } else {
                    format!("The national stress test failed: {error}")
                },
                before: None,
                after: None,
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// National runs, newest first.
    pub async fn national_runs(&self, limit: i64) -> Result<Vec<NationalRun>> {
        sqlx::query("SELECT * FROM national_runs ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(run_row)
            .collect()
    }
}

/// What the national dashboard needs of every footprint, read in a few queries.
#[derive(Debug, Clone, Default)]
pub struct DashboardFacts {
    /// Top-level stakeholder groups per footprint.
    pub groups: std::collections::HashMap<i64, i64>,
    /// Top-level groups engaged at "involve" or deeper (a sub-group counts for its group).
    pub involved: std::collections::HashMap<i64, i64>,
    /// Engagement activities recorded per footprint.
    pub activities: std::collections::HashMap<i64, i64>,
    /// Bodies per footprint.
    pub bodies: std::collections::HashMap<i64, i64>,
    /// Decisions per footprint.
    pub decisions: std::collections::HashMap<i64, i64>,
    /// The newest numbered plan version per footprint: number and document.
    pub plans: std::collections::HashMap<i64, (i64, String)>,
    /// Milestones recorded done: (footprint, initiative, milestone).
    pub done: Vec<(i64, String, String)>,
    /// Submissions per footprint and the newest rating given, if any.
    pub submissions: std::collections::HashMap<i64, (i64, Option<Rating>)>,
}

impl Store {
    /// Reads what the national dashboard needs, for every footprint at once.
    pub async fn dashboard_facts(&self) -> Result<DashboardFacts> {
        let mut out = DashboardFacts::default();
        let pairs = |rows: Vec<AnyRow>| -> Result<std::collections::HashMap<i64, i64>> {
            rows.iter()
                .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?)))
                .collect()
        };
        out.groups = pairs(
            sqlx::query(
                "SELECT footprint_id, COUNT(*) FROM stakeholder_groups WHERE parent_id IS NULL GROUP BY footprint_id",
            )
            .fetch_all(self.pool())
            .await?,
        )?;
        out.involved = pairs(
            sqlx::query(
                "SELECT g.footprint_id, COUNT(DISTINCT COALESCE(g.parent_id, g.id)) FROM activity_groups ag \
                 JOIN engagement_activities a ON a.id = ag.activity_id JOIN stakeholder_groups g ON g.id = ag.group_id \
                 WHERE a.depth IN ('involve', 'collaborate', 'empower') GROUP BY g.footprint_id",
            )
            .fetch_all(self.pool())
            .await?,
        )?;
        out.activities = pairs(
            sqlx::query("SELECT footprint_id, COUNT(*) FROM engagement_activities GROUP BY footprint_id")
                .fetch_all(self.pool())
                .await?,
        )?;
        out.bodies = pairs(
            sqlx::query("SELECT footprint_id, COUNT(*) FROM bodies GROUP BY footprint_id")
                .fetch_all(self.pool())
                .await?,
        )?;
        out.decisions = pairs(
            sqlx::query("SELECT footprint_id, COUNT(*) FROM decisions GROUP BY footprint_id")
                .fetch_all(self.pool())
                .await?,
        )?;
        for r in sqlx::query(
            "SELECT p.footprint_id, p.number, p.document FROM plan_versions p WHERE p.number = \
             (SELECT MAX(q.number) FROM plan_versions q WHERE q.footprint_id = p.footprint_id)",
        )
        .fetch_all(self.pool())
        .await?
        {
            out.plans.insert(
                r.try_get("footprint_id")?,
                (r.try_get("number")?, r.try_get("document")?),
            );
        }
        for r in
            sqlx::query("SELECT footprint_id, initiative_id, milestone FROM milestone_status WHERE status = 'done'")
                .fetch_all(self.pool())
                .await?
        {
            out.done.push((
                r.try_get("footprint_id")?,
                r.try_get("initiative_id")?,
                r.try_get("milestone")?,
            ));
        }
        let counts = pairs(
            sqlx::query("SELECT footprint_id, COUNT(*) FROM submissions GROUP BY footprint_id")
                .fetch_all(self.pool())
                .await?,
        )?;
        let latest = sqlx::query(
            "SELECT s.footprint_id, f.rating FROM submission_feedback f JOIN submissions s ON s.id = f.submission_id \
             ORDER BY f.id",
        )
        .fetch_all(self.pool())
        .await?;
        for (f, n) in counts {
            out.submissions.insert(f, (n, None));
        }
        for r in latest {
            let f: i64 = r.try_get("footprint_id")?;
            let rating: String = r.try_get("rating")?;
            if let Some(e) = out.submissions.get_mut(&f) {
                e.1 = Rating::parse(&rating).ok();
            }
        }
        Ok(out)
    }
}
