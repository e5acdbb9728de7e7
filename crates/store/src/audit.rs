//! The audit log: who changed what, when, with the record before and after. Append-only: the
//! database refuses updates and deletes of it (triggers on both backends).

use sqlx::{AnyConnection, Row};

use crate::{Result, Store, now_ms};

/// Who made a change, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// The user, if a person made it.
    pub user_id: Option<i64>,
    /// How to name them: "Ada Lovelace (ada@example.org)", or "system" for Footprint itself.
    pub label: String,
}

impl Who {
    /// Footprint itself (first start, reference data, demo data).
    pub fn system(what: &str) -> Self {
        Who {
            user_id: None,
            label: format!("system ({what})"),
        }
    }

    /// A person.
    pub fn user(id: i64, name: &str, email: &str) -> Self {
        Who {
            user_id: Some(id),
            label: format!("{name} ({email})"),
        }
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// Its number, increasing.
    pub id: i64,
    /// When, in milliseconds since 1970.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// The user id of who, if a person.
    pub actor_user_id: Option<i64>,
    /// What was done: `organisation.create`, `footprint.partner.add`, …
    pub action: String,
    /// The kind of record changed.
    pub entity: String,
    /// Which record.
    pub entity_id: String,
    /// The footprint it concerns, if any.
    pub footprint_id: Option<i64>,
    /// The change in words.
    pub summary: String,
    /// The record before (JSON), if it existed.
    pub before: Option<String>,
    /// The record after (JSON), if it still exists.
    pub after: Option<String>,
}

/// What a change is, for its audit entry.
pub(crate) struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub footprint_id: Option<i64>,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Appends an audit entry inside the change's own transaction.
pub(crate) async fn record(conn: &mut AnyConnection, who: &Who, change: Change<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_user_id, actor, action, entity, entity_id, footprint_id, summary, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(now_ms())
    .bind(who.user_id)
    .bind(&who.label)
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.footprint_id)
    .bind(change.summary)
    .bind(change.before.map(|v| v.to_string()))
    .bind(change.after.map(|v| v.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

fn entry(row: &sqlx::any::AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        actor_user_id: row.try_get("actor_user_id")?,
        action: row.try_get("action")?,
        entity: row.try_get("entity")?,
        entity_id: row.try_get("entity_id")?,
        footprint_id: row.try_get("footprint_id")?,
        summary: row.try_get("summary")?,
        before: row.try_get("before")?,
        after: row.try_get("after")?,
    })
}

macro_rules! columns {
    () => {
        "id, at, actor, actor_user_id, action, entity, entity_id, footprint_id, summary, before, after"
    };
}

impl Store {
    /// Audit entries, newest first: for one footprint or the whole site, `limit` of them, older
    /// than entry `before` if given (for paging).
    pub async fn audit_entries(
        &self,
        footprint: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let before = before.unwrap_or(i64::MAX);
        let rows = match footprint {
            Some(f) => {
                sqlx::query(concat!(
                    "SELECT ",
                    columns!(),
                    " FROM audit_log WHERE footprint_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
                ))
                .bind(f)
                .bind(before)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(concat!(
                    "SELECT ",
                    columns!(),
                    " FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2"
                ))
                .bind(before)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(entry).collect()
    }

    /// How many audit entries there are.
    pub async fn audit_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(self.pool())
            .await?)
    }

    /// Tries to rewrite an audit entry; the database must refuse. (For tests and for the
    /// operator's check that the protection is in place.)
    pub async fn try_rewrite_audit(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE audit_log SET summary = 'rewritten' WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Tries to delete an audit entry; the database must refuse.
    pub async fn try_delete_audit(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM audit_log WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
