//! Plan versions (decision 0006): one draft per footprint and numbered, fixed snapshots. The
//! store keeps each version's document as JSON text; the domain reads and checks it.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::{Result, Store, StoreError, Who, is_unique_violation, now_ms};

/// A version's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionStatus {
    /// The working copy.
    Draft,
    /// Submitted to national assurance: fixed.
    Submitted,
    /// Published: public and fixed.
    Published,
}

impl VersionStatus {
    /// The stored word.
    pub fn key(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Submitted => "submitted",
            VersionStatus::Published => "published",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [VersionStatus::Draft, VersionStatus::Submitted, VersionStatus::Published]
            .into_iter()
            .find(|v| v.key() == s)
    }
}

/// A plan version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanVersion {
    /// Row id.
    pub id: i64,
    /// The footprint.
    pub footprint_id: i64,
    /// Its number (none for the draft).
    pub number: Option<i64>,
    /// Draft, submitted or published.
    pub status: VersionStatus,
    /// The document (JSON).
    pub document: String,
    /// The draft's edit revision.
    pub revision: i64,
    /// When it was made (ms since 1970).
    pub created_at: i64,
    /// Who made it.
    pub created_by: String,
}

fn version(row: &AnyRow) -> Result<PlanVersion> {
    let status: String = row.try_get("status")?;
    Ok(PlanVersion {
        id: row.try_get("id")?,
        footprint_id: row.try_get("footprint_id")?,
        number: row.try_get("number")?,
        status: VersionStatus::parse(&status)
            .ok_or_else(|| sqlx::Error::Decode(format!("status {status:?}").into()))?,
        document: row.try_get("document")?,
        revision: row.try_get("revision")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

macro_rules! columns {
    () => {
        "id, footprint_id, number, status, document, revision, created_at, created_by"
    };
}

/// The draft, read inside a write transaction.
async fn draft_in(conn: &mut sqlx::AnyConnection, footprint_id: i64) -> Result<PlanVersion> {
    sqlx::query(concat!(
        "SELECT ",
        columns!(),
        " FROM plan_versions WHERE footprint_id = $1 AND status = 'draft'"
    ))
    .bind(footprint_id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(version)
    .transpose()?
    .ok_or(StoreError::NotFound("The draft plan"))
}

impl Store {
    /// Starts a footprint's draft plan with a document.
    pub async fn create_plan_draft(&self, who: &Who, footprint_id: i64, document: &str) -> Result<PlanVersion> {
        let mut tx = self.write().await?;
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plan_versions (footprint_id, number, status, document, revision, created_at, created_by) \
             VALUES ($1, NULL, 'draft', $2, 1, $3, $4) RETURNING id",
        )
        .bind(footprint_id)
        .bind(document)
        .bind(now)
        .bind(&who.label)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict {
                    field: "plan",
                    message: "This footprint already has a draft plan".into(),
                }
            } else if crate::is_foreign_key_violation(&e) {
                StoreError::NotFound("That footprint")
            } else {
                e.into()
            }
        })?;
        let change = Change {
            action: "plan.draft.create",
            entity: "plan_version",
            entity_id: id.to_string(),
            footprint_id: Some(footprint_id),
            summary: "Started the draft plan".into(),
            before: None,
            after: serde_json::from_str(document).ok(),
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(PlanVersion {
            id,
            footprint_id,
            number: None,
            status: VersionStatus::Draft,
            document: document.to_string(),
            revision: 1,
            created_at: now,
            created_by: who.label.clone(),
        })
    }

    /// A footprint's draft plan.
    pub async fn plan_draft(&self, footprint_id: i64) -> Result<Option<PlanVersion>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM plan_versions WHERE footprint_id = $1 AND status = 'draft'"
        ))
        .bind(footprint_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(version).transpose()
    }

    /// Replaces the draft's document if it is still at `revision` (else [`StoreError::Stale`]).
    pub async fn update_plan_draft(
        &self,
        who: &Who,
        footprint_id: i64,
        revision: i64,
        document: &str,
        summary: &str,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let before = draft_in(&mut tx, footprint_id).await?;
        if before.revision != revision {
            return Err(StoreError::Stale("The draft plan"));
        }
        sqlx::query("UPDATE plan_versions SET document = $1, revision = revision + 1 WHERE id = $2 AND revision = $3")
            .bind(document)
            .bind(before.id)
            .bind(revision)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)
            .and_then(|r| crate::one_row(r, "The draft plan"))?;
        let change = Change {
            action: "plan.draft.update",
            entity: "plan_version",
            entity_id: before.id.to_string(),
            footprint_id: Some(footprint_id),
            summary: summary.to_string(),
            before: serde_json::from_str(&before.document).ok(),
            after: serde_json::from_str(document).ok(),
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(revision + 1)
    }

    /// Fixes the draft as the next numbered version, submitted or published.
    pub async fn snapshot_plan(&self, who: &Who, footprint_id: i64, status: VersionStatus) -> Result<PlanVersion> {
        if status == VersionStatus::Draft {
            return Err(StoreError::Config("a snapshot is submitted or published".into()));
        }
        let mut tx = self.write().await?;
        let draft = draft_in(&mut tx, footprint_id).await?;
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(number) FROM plan_versions WHERE footprint_id = $1")
            .bind(footprint_id)
            .fetch_one(&mut *tx)
            .await?;
        let number = last.unwrap_or(0) + 1;
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plan_versions (footprint_id, number, status, document, revision, created_at, created_by) \
             VALUES ($1, $2, $3, $4, 1, $5, $6) RETURNING id",
        )
        .bind(footprint_id)
        .bind(number)
        .bind(status.key())
        .bind(&draft.document)
        .bind(now)
        .bind(&who.label)
        .fetch_one(&mut *tx)
        .await?;
        let change = Change {
            action: if status == VersionStatus::Published {
                "plan.publish"
            } else {
                "plan.submit"
            },
            entity: "plan_version",
            entity_id: id.to_string(),
            footprint_id: Some(footprint_id),
            summary: format!(
                "{} the plan as version {number}",
                if status == VersionStatus::Published {
                    "Published"
                } else {
                    "Submitted"
                }
            ),
            before: None,
            after: Some(json!({"number": number, "status": status.key()})),
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(PlanVersion {
            id,
            footprint_id,
            number: Some(number),
            status,
            document: draft.document,
            revision: 1,
            created_at: now,
            created_by: who.label.clone(),
        })
    }

    /// A footprint's numbered versions, newest first.
    pub async fn plan_versions(&self, footprint_id: i64) -> Result<Vec<PlanVersion>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM plan_versions WHERE footprint_id = $1 AND status <> 'draft' ORDER BY number DESC"
        ))
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(version).collect()
    }

    /// One numbered version.
    pub async fn plan_version(&self, footprint_id: i64, number: i64) -> Result<Option<PlanVersion>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM plan_versions WHERE footprint_id = $1 AND number = $2"
        ))
        .bind(footprint_id)
        .bind(number)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(version).transpose()
    }

    /// The newest published version.
    pub async fn latest_published_plan(&self, footprint_id: i64) -> Result<Option<PlanVersion>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM plan_versions WHERE footprint_id = $1 AND status = 'published' ORDER BY number DESC LIMIT 1"
        ))
        .bind(footprint_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(version).transpose()
    }

    /// Tries to change a numbered version; the database must refuse (for tests and checks).
    pub async fn try_rewrite_plan_version(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE plan_versions SET document = '{}' WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
