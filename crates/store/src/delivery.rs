//! Delivery: the recorded status of each milestone of a footprint's plan, and the savings each
//! initiative has brought in by plan year. Each change is audited.

use footprint_domain::delivery::MilestoneStatus;
use serde_json::json;
use sqlx::Row;

use crate::audit::{Change, record};
use crate::{Result, Store, StoreError, Who, now_ms};

/// A milestone's recorded status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MilestoneUpdate {
    /// The initiative's id in the plan.
    pub initiative_id: String,
    /// The milestone's title.
    pub milestone: String,
    /// Where it stands.
    pub status: MilestoneStatus,
    /// A note on progress.
    pub note: String,
    /// When (ms since 1970).
    pub updated_at: i64,
    /// By whom.
    pub updated_by: String,
}

/// Savings brought in by an initiative in a plan year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Benefit {
    /// The initiative's id in the plan.
    pub initiative_id: String,
    /// The plan year's label ("2016/17").
    pub year: String,
    /// £m.
    pub amount: f64,
    /// A note (the evidence).
    pub note: String,
}

impl Store {
    /// Records where a milestone stands.
    pub async fn set_milestone_status(
        &self,
        who: &Who,
        footprint_id: i64,
        milestone: (&str, &str),
        status: MilestoneStatus,
        note: &str,
    ) -> Result<()> {
        let (initiative_id, title) = milestone;
        if note.chars().count() > 2000 {
            return Err(StoreError::Conflict {
                field: "note",
                message: "Keep the note to 2,000 characters or fewer".into(),
            });
        }
        let mut tx = self.write().await?;
        let before: Option<String> = sqlx::query_scalar(
            "SELECT status FROM milestone_status WHERE footprint_id = $1 AND initiative_id = $2 AND milestone = $3",
        )
        .bind(footprint_id)
        .bind(initiative_id)
        .bind(title)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO milestone_status (footprint_id, initiative_id, milestone, status, note, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (footprint_id, initiative_id, milestone) DO UPDATE SET \
             status = excluded.status, note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(footprint_id)
        .bind(initiative_id)
        .bind(title)
        .bind(status.key())
        .bind(note.trim())
        .bind(now_ms())
        .bind(&who.label)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if crate::is_foreign_key_violation(&e) {
                StoreError::NotFound("That footprint")
            } else {
                e.into()
            }
        })?;
        record(
            &mut tx,
            who,
            Change {
                action: "delivery.milestone",
                entity: "milestone",
                entity_id: format!("{initiative_id}/{title}"),
                footprint_id: Some(footprint_id),
                summary: format!("Milestone \"{title}\" of {initiative_id}: {}", status.label()),
                before: before.map(|b| json!({"status": b})),
                after: Some(json!({"status": status, "note": note.trim()})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// A footprint's recorded milestone statuses.
    pub async fn milestone_statuses(&self, footprint_id: i64) -> Result<Vec<MilestoneUpdate>> {
        let rows = sqlx::query(
            "SELECT initiative_id, milestone, status, note, updated_at, updated_by FROM milestone_status \
             WHERE footprint_id = $1 ORDER BY initiative_id, milestone",
        )
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                Ok(MilestoneUpdate {
                    initiative_id: r.try_get("initiative_id")?,
                    milestone: r.try_get("milestone")?,
                    status: MilestoneStatus::parse(&status)
                        .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.0.into())))?,
                    note: r.try_get("note")?,
                    updated_at: r.try_get("updated_at")?,
                    updated_by: r.try_get("updated_by")?,
                })
            })
            .collect()
    }

    /// Records the savings an initiative brought in during a plan year (replacing any before).
    pub async fn record_benefit(&self, who: &Who, footprint_id: i64, b: &Benefit) -> Result<()> {
        if !b.amount.is_finite() {
            return Err(StoreError::Conflict {
                field: "amount",
                message: "Enter the amount in £ millions".into(),
            });
        }
        let mut tx = self.write().await?;
        let before: Option<f64> = sqlx::query_scalar(
            "SELECT amount FROM benefits_realised WHERE footprint_id = $1 AND initiative_id = $2 AND year = $3",
        )
        .bind(footprint_id)
        .bind(&b.initiative_id)
        .bind(&b.year)
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO benefits_realised (footprint_id, initiative_id, year, amount, note, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (footprint_id, initiative_id, year) DO UPDATE SET \
             amount = excluded.amount, note = excluded.note, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by",
        )
        .bind(footprint_id)
        .bind(&b.initiative_id)
        .bind(&b.year)
        .bind(b.amount)
        .bind(b.note.trim())
        .bind(now_ms())
        .bind(&who.label)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            who,
            Change {
                action: "delivery.benefit",
                entity: "benefit",
                entity_id: format!("{}/{}", b.initiative_id, b.year),
                footprint_id: Some(footprint_id),
                summary: format!("{} brought in £{:.2}m in {}", b.initiative_id, b.amount, b.year),
                before: before.map(|a| json!({"amount": a})),
                after: Some(json!({"amount": b.amount, "note": b.note.trim()})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// A footprint's recorded benefits.
    pub async fn benefits(&self, footprint_id: i64) -> Result<Vec<Benefit>> {
        let rows = sqlx::query(
            "SELECT initiative_id, year, amount, note FROM benefits_realised WHERE footprint_id = $1 ORDER BY initiative_id, year",
        )
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Benefit {
                    initiative_id: r.try_get("initiative_id")?,
                    year: r.try_get("year")?,
                    amount: r.try_get("amount")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }
}
