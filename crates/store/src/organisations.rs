//! Organisations: the directory of every organisation that takes part in any footprint.

use footprint_domain::organisation::{OrgKind, OrganisationInput};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::{Result, Store, StoreError, Who, is_unique_violation, now_ms};

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Organisation {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// For a trust: a foundation trust.
    pub foundation_trust: bool,
    /// ODS code, if known.
    pub ods_code: Option<String>,
    /// Edit version, for catching stale edits.
    pub version: i64,
}

impl Organisation {
    /// The kind in words, with "foundation trust" where it is one.
    pub fn kind_label(&self) -> String {
        if self.foundation_trust {
            format!("{} (foundation trust)", self.kind.label())
        } else {
            self.kind.label().to_string()
        }
    }
}

pub(crate) fn organisation(row: &AnyRow) -> Result<Organisation> {
    let kind: String = row.try_get("kind")?;
    Ok(Organisation {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: OrgKind::parse(&kind).map_err(|e| sqlx::Error::Decode(e.0.into()))?,
        foundation_trust: row.try_get::<i64, _>("foundation_trust")? != 0,
        ods_code: row.try_get("ods_code")?,
        version: row.try_get("version")?,
    })
}

fn conflict(e: sqlx::Error, input: &OrganisationInput) -> StoreError {
    if !is_unique_violation(&e) {
        return e.into();
    }
    let text = e.to_string();
    if text.contains("ods_code") {
        StoreError::Conflict {
            field: "ods_code",
            message: format!(
                "Another organisation already has the ODS code {}",
                input.ods_code.as_deref().unwrap_or("")
            ),
        }
    } else {
        StoreError::Conflict {
            field: "name",
            message: format!("An organisation called {} already exists", input.name),
        }
    }
}

impl Store {
    /// Adds an organisation to the directory.
    pub async fn create_organisation(&self, who: &Who, input: &OrganisationInput) -> Result<Organisation> {
        let mut tx = self.write().await?;
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (name, kind, foundation_trust, ods_code, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $5, 1) RETURNING id",
        )
        .bind(&input.name)
        .bind(input.kind.key())
        .bind(i64::from(input.foundation_trust))
        .bind(input.ods_code.as_deref())
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| conflict(e, input))?;
        let created = Organisation {
            id,
            name: input.name.clone(),
            kind: input.kind,
            foundation_trust: input.foundation_trust,
            ods_code: input.ods_code.clone(),
            version: 1,
        };
        let change = Change {
            action: "organisation.create",
            entity: "organisation",
            entity_id: id.to_string(),
            footprint_id: None,
            summary: format!("Added organisation {} ({})", created.name, created.kind_label()),
            before: None,
            after: Some(json!(created)),
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    /// Edits an organisation, if it is still at `version` (else [`StoreError::Stale`]).
    pub async fn update_organisation(
        &self,
        who: &Who,
        id: i64,
        version: i64,
        input: &OrganisationInput,
    ) -> Result<Organisation> {
        let mut tx = self.write().await?;
        let before =
            sqlx::query("SELECT id, name, kind, foundation_trust, ods_code, version FROM organisations WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .as_ref()
                .map(organisation)
                .transpose()?
                .ok_or(StoreError::NotFound("That organisation"))?;
        if before.version != version {
            return Err(StoreError::Stale("This organisation"));
        }
        sqlx::query(
            "UPDATE organisations SET name = $1, kind = $2, foundation_trust = $3, ods_code = $4, updated_at = $5, \
             version = version + 1 WHERE id = $6 AND version = $7",
        )
        .bind(&input.name)
        .bind(input.kind.key())
        .bind(i64::from(input.foundation_trust))
        .bind(input.ods_code.as_deref())
        .bind(now_ms())
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict(e, input))
        .and_then(|r| crate::one_row(r, "This organisation"))?;
        let after = Organisation {
            id,
            name: input.name.clone(),
            kind: input.kind,
            foundation_trust: input.foundation_trust,
            ods_code: input.ods_code.clone(),
            version: version + 1,
        };
        let change = Change {
            action: "organisation.update",
            entity: "organisation",
            entity_id: id.to_string(),
            footprint_id: None,
            summary: format!("Edited organisation {}", after.name),
            before: Some(json!(before)),
            after: Some(json!(after)),
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(after)
    }

    /// An organisation by id.
    pub async fn organisation(&self, id: i64) -> Result<Option<Organisation>> {
        let row =
            sqlx::query("SELECT id, name, kind, foundation_trust, ods_code, version FROM organisations WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(organisation).transpose()
    }

    /// Every organisation, by name.
    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        let rows = sqlx::query(
            "SELECT id, name, kind, foundation_trust, ods_code, version FROM organisations ORDER BY lower(name), id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(organisation).collect()
    }

    /// The footprints an organisation is a partner in: (id, code, name), by name.
    pub async fn organisation_footprints(&self, id: i64) -> Result<Vec<(i64, String, String)>> {
        let rows = sqlx::query(
            "SELECT f.id, f.code, f.name FROM footprint_partners p JOIN footprints f ON f.id = p.footprint_id \
             WHERE p.organisation_id = $1 ORDER BY f.name",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("code")?, r.try_get("name")?)))
            .collect()
    }
}
