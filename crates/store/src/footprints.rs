//! Footprints and their partner organisations.

use footprint_domain::footprint::{NewFootprint, reference_footprints};
use footprint_domain::organisation::OrgKind;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::organisations::Organisation;
use crate::{Result, Store, StoreError, Who, is_foreign_key_violation, is_unique_violation, now_ms};

/// A footprint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Footprint {
    /// Row id.
    pub id: i64,
    /// ONS code (or a code set here).
    pub code: String,
    /// Name.
    pub name: String,
    /// NHS England region.
    pub region: String,
    /// One of the 44 of March 2016.
    pub reference: bool,
    /// A fictional demo footprint.
    pub demo: bool,
}

/// A footprint in a list, with its partner count.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FootprintSummary {
    /// The footprint.
    #[serde(flatten)]
    pub footprint: Footprint,
    /// How many partner organisations it has.
    pub partners: i64,
}

/// A partner organisation of a footprint, with the other footprints it also belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Partner {
    /// The organisation.
    pub organisation: Organisation,
    /// Other footprints it is a partner in: (code, name).
    pub also_in: Vec<(String, String)>,
}

fn footprint(row: &AnyRow) -> Result<Footprint> {
    Ok(Footprint {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        region: row.try_get("region")?,
        reference: row.try_get::<i64, _>("reference")? != 0,
        demo: row.try_get::<i64, _>("demo")? != 0,
    })
}

impl Store {
    /// Loads the 44 reference footprints if they are missing; returns how many were added.
    pub async fn ensure_reference_footprints(&self) -> Result<usize> {
        let mut tx = self.write().await?;
        let mut added = 0;
        for f in reference_footprints() {
            let n = sqlx::query(
                "INSERT INTO footprints (code, name, region, reference, demo, created_at) VALUES ($1, $2, $3, 1, 0, $4) \
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(f.code.as_str())
            .bind(&f.name)
            .bind(&f.region)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            added += n as usize;
            if n > 0 {
                let id: i64 = sqlx::query_scalar("SELECT id FROM footprints WHERE code = $1")
                    .bind(f.code.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                crate::engagement::insert_default_groups(&mut tx, id).await?;
            }
        }
        if added > 0 {
            let change = Change {
                action: "footprint.reference-data",
                entity: "footprint",
                entity_id: "*".into(),
                footprint_id: None,
                summary: format!("Loaded {added} reference footprints"),
                before: None,
                after: None,
            };
            record(&mut tx, &Who::system("reference data"), change).await?;
        }
        self.commit(tx).await?;
        Ok(added)
    }

    /// Sets up a footprint (for example a demo one).
    pub async fn create_footprint(&self, who: &Who, f: &NewFootprint, demo: bool) -> Result<Footprint> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO footprints (code, name, region, reference, demo, created_at) VALUES ($1, $2, $3, 0, $4, $5) \
             RETURNING id",
        )
        .bind(f.code.as_str())
        .bind(&f.name)
        .bind(&f.region)
        .bind(i64::from(demo))
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict {
                    field: "code",
                    message: format!("A footprint with the code {} already exists", f.code),
                }
            } else {
                e.into()
            }
        })?;
        crate::engagement::insert_default_groups(&mut tx, id).await?;
        let created = Footprint {
            id,
            code: f.code.to_string(),
            name: f.name.clone(),
            region: f.region.clone(),
            reference: false,
            demo,
        };
        let change = Change {
            action: "footprint.create",
            entity: "footprint",
            entity_id: id.to_string(),
            footprint_id: Some(id),
            summary: format!("Set up footprint {} ({})", f.name, f.code),
            before: None,
            after: Some(json!(created)),
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    /// Every footprint with its partner count, by region then name.
    pub async fn footprints(&self) -> Result<Vec<FootprintSummary>> {
        let rows = sqlx::query(
            "SELECT f.id, f.code, f.name, f.region, f.reference, f.demo, \
                    (SELECT COUNT(*) FROM footprint_partners p WHERE p.footprint_id = f.id) AS partners \
             FROM footprints f ORDER BY f.region, f.name",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FootprintSummary {
                    footprint: footprint(r)?,
                    partners: r.try_get("partners")?,
                })
            })
            .collect()
    }

    /// A footprint by its code (any case).
    pub async fn footprint_by_code(&self, code: &str) -> Result<Option<Footprint>> {
        let row = sqlx::query("SELECT id, code, name, region, reference, demo FROM footprints WHERE code = $1")
            .bind(code.trim().to_ascii_uppercase())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(footprint).transpose()
    }

    /// A footprint by id.
    pub async fn footprint(&self, id: i64) -> Result<Option<Footprint>> {
        let row = sqlx::query("SELECT id, code, name, region, reference, demo FROM footprints WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(footprint).transpose()
    }

    /// A footprint's partner organisations by sector then name, each with the other footprints
    /// it belongs to.
    pub async fn partners(&self, footprint_id: i64) -> Result<Vec<Partner>> {
        let rows = sqlx::query(
            "SELECT o.id, o.name, o.kind, o.foundation_trust, o.ods_code, o.version, \
                    f.code AS other_code, f.name AS other_name \
             FROM footprint_partners p \
             JOIN organisations o ON o.id = p.organisation_id \
             LEFT JOIN footprint_partners q ON q.organisation_id = o.id AND q.footprint_id <> p.footprint_id \
             LEFT JOIN footprints f ON f.id = q.footprint_id \
             WHERE p.footprint_id = $1 \
             ORDER BY o.name, o.id, f.name",
        )
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<Partner> = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            if out.last().is_none_or(|p| p.organisation.id != id) {
                out.push(Partner {
                    organisation: crate::organisations::organisation(r)?,
                    also_in: Vec::new(),
                });
            }
            let code: Option<String> = r.try_get("other_code")?;
            let name: Option<String> = r.try_get("other_name")?;
            if let (Some(c), Some(n)) = (code, name) {
                out.last_mut().expect("pushed above").also_in.push((c, n));
            }
        }
        out.sort_by(|a, b| {
            sector_order(a.organisation.kind)
                .cmp(&sector_order(b.organisation.kind))
                .then_with(|| {
                    a.organisation
                        .name
                        .to_lowercase()
                        .cmp(&b.organisation.name.to_lowercase())
                })
        });
        Ok(out)
    }

    /// Adds an organisation as a partner of a footprint.
    pub async fn add_partner(&self, who: &Who, footprint_id: i64, organisation_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let names: Option<(String, String)> = sqlx::query(
            "SELECT f.name AS f, o.name AS o FROM footprints f, organisations o WHERE f.id = $1 AND o.id = $2",
        )
        .bind(footprint_id)
        .bind(organisation_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| Ok::<_, sqlx::Error>((r.try_get("f")?, r.try_get("o")?)))
        .transpose()?;
        let Some((footprint_name, org_name)) = names else {
            return Err(StoreError::NotFound("The footprint or the organisation"));
        };
        sqlx::query("INSERT INTO footprint_partners (footprint_id, organisation_id, added_at) VALUES ($1, $2, $3)")
            .bind(footprint_id)
            .bind(organisation_id)
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict {
                        field: "organisation",
                        message: format!("{org_name} is already a partner of {footprint_name}"),
                    }
                } else if is_foreign_key_violation(&e) {
                    StoreError::NotFound("The footprint or the organisation")
                } else {
                    e.into()
                }
            })?;
        let change = Change {
            action: "footprint.partner.add",
            entity: "footprint_partner",
            entity_id: format!("{footprint_id}/{organisation_id}"),
            footprint_id: Some(footprint_id),
            summary: format!("Added {org_name} as a partner of {footprint_name}"),
            before: None,
            after: Some(json!({"footprint_id": footprint_id, "organisation_id": organisation_id})),
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Removes a partner organisation from a footprint.
    pub async fn remove_partner(&self, who: &Who, footprint_id: i64, organisation_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let names: Option<(String, String)> = sqlx::query(
            "SELECT f.name AS f, o.name AS o FROM footprint_partners p \
             JOIN footprints f ON f.id = p.footprint_id JOIN organisations o ON o.id = p.organisation_id \
             WHERE p.footprint_id = $1 AND p.organisation_id = $2",
        )
        .bind(footprint_id)
        .bind(organisation_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| Ok::<_, sqlx::Error>((r.try_get("f")?, r.try_get("o")?)))
        .transpose()?;
        let Some((footprint_name, org_name)) = names else {
            return Err(StoreError::NotFound("That partner"));
        };
        sqlx::query("DELETE FROM footprint_partners WHERE footprint_id = $1 AND organisation_id = $2")
            .bind(footprint_id)
            .bind(organisation_id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "footprint.partner.remove",
            entity: "footprint_partner",
            entity_id: format!("{footprint_id}/{organisation_id}"),
            footprint_id: Some(footprint_id),
            summary: format!("Removed {org_name} as a partner of {footprint_name}"),
            before: Some(json!({"footprint_id": footprint_id, "organisation_id": organisation_id})),
            after: None,
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(())
    }
}

/// Orders partners by sector as [`OrgKind::sector`] groups them.
fn sector_order(kind: OrgKind) -> usize {
    OrgKind::ALL.iter().position(|k| *k == kind).unwrap_or(usize::MAX)
}
