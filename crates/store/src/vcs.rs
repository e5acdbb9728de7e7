//! The voluntary and community sector directory (what each organisation does, where, and the
//! council for voluntary service that links it), requests from such organisations to join a
//! footprint's engagement, and each footprint's engagement network.

use footprint_domain::organisation::{OrgKind, OrganisationInput};
use serde_json::json;
use sqlx::Row;

use crate::audit::{Change, record};
use crate::{Result, Store, StoreError, Who, now_ms};

/// An organisation in the directory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DirectoryEntry {
    /// Organisation id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Kind (a CVS or a voluntary or community organisation).
    pub kind: OrgKind,
    /// What it does.
    pub description: String,
    /// Where it works.
    pub area_served: String,
    /// The CVS that links it: id and name.
    pub cvs: Option<(i64, String)>,
    /// The footprints whose engagement it is part of (as a partner or in the network): codes
    /// and names.
    pub footprints: Vec<(String, String)>,
}

/// A request to join a footprint's engagement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JoinRequest {
    /// Row id.
    pub id: i64,
    /// The footprint.
    pub footprint_id: i64,
    /// The organisation, if it is already in the directory.
    pub organisation_id: Option<i64>,
    /// Its name as given.
    pub organisation: String,
    /// Who to contact.
    pub contact_name: String,
    /// Their email.
    pub contact_email: String,
    /// What they said.
    pub message: String,
    /// pending, accepted or declined.
    pub status: String,
    /// When it came (ms since 1970).
    pub created_at: i64,
}

/// A new request.
#[derive(Debug, Clone, Default)]
pub struct NewJoinRequest {
    /// The organisation, if chosen from the directory.
    pub organisation_id: Option<i64>,
    /// Its name (for a new one).
    pub organisation: String,
    /// What it does (for a new one).
    pub description: String,
    /// Where it works (for a new one).
    pub area_served: String,
    /// Contact name.
    pub contact_name: String,
    /// Contact email.
    pub contact_email: String,
    /// Their message.
    pub message: String,
}

const VOLUNTARY: [&str; 2] = ["cvs", "voluntary-organisation"];

impl Store {
    /// The directory: every CVS and voluntary or community organisation, by name.
    pub async fn vcs_directory(&self) -> Result<Vec<DirectoryEntry>> {
        let rows = sqlx::query(
            "SELECT o.id, o.name, o.kind, o.description, o.area_served, o.cvs_id, c.name AS cvs_name \
             FROM organisations o LEFT JOIN organisations c ON c.id = o.cvs_id \
             WHERE o.kind = $1 OR o.kind = $2 ORDER BY lower(o.name)",
        )
        .bind(VOLUNTARY[0])
        .bind(VOLUNTARY[1])
        .fetch_all(self.pool())
        .await?;
        let links = sqlx::query(
            "SELECT x.organisation_id, f.code, f.name FROM ( \
               SELECT organisation_id, footprint_id FROM footprint_partners \
               UNION SELECT organisation_id, footprint_id FROM engagement_network) x \
             JOIN footprints f ON f.id = x.footprint_id ORDER BY f.name",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let kind: String = r.try_get("kind")?;
                let cvs_id: Option<i64> = r.try_get("cvs_id")?;
                let cvs_name: Option<String> = r.try_get("cvs_name")?;
                let mut footprints = Vec::new();
                for l in &links {
                    if l.try_get::<i64, _>("organisation_id")? == id {
                        footprints.push((l.try_get("code")?, l.try_get("name")?));
                    }
                }
                Ok(DirectoryEntry {
                    id,
                    name: r.try_get("name")?,
                    kind: OrgKind::parse(&kind).map_err(|e| sqlx::Error::Decode(e.0.into()))?,
                    description: r.try_get("description")?,
                    area_served: r.try_get("area_served")?,
                    cvs: cvs_id.zip(cvs_name),
                    footprints,
                })
            })
            .collect()
    }

    /// Sets an organisation's directory entry: what it does, where, and its CVS.
    pub async fn set_directory_entry(
        &self,
        who: &Who,
        organisation_id: i64,
        description: &str,
        area_served: &str,
        cvs_id: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let before = sqlx::query("SELECT description, area_served, cvs_id, name FROM organisations WHERE id = $1")
            .bind(organisation_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("That organisation"))?;
        if let Some(c) = cvs_id {
            let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM organisations WHERE id = $1")
                .bind(c)
                .fetch_optional(&mut *tx)
                .await?;
            if kind.as_deref() != Some("cvs") || c == organisation_id {
                return Err(StoreError::Conflict {
                    field: "cvs",
                    message: "Choose a council for voluntary service from the list".into(),
                });
            }
        }
        sqlx::query(
            "UPDATE organisations SET description = $1, area_served = $2, cvs_id = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(description)
        .bind(area_served)
        .bind(cvs_id)
        .bind(now_ms())
        .bind(organisation_id)
        .execute(&mut *tx)
        .await?;
        let name: String = before.try_get("name")?;
        record(
            &mut tx,
            who,
            Change {
                action: "organisation.directory",
                entity: "organisation",
                entity_id: organisation_id.to_string(),
                footprint_id: None,
                summary: format!("Changed the directory entry of {name}"),
                before: Some(json!({
                    "description": before.try_get::<String, _>("description")?,
                    "area_served": before.try_get::<String, _>("area_served")?,
                    "cvs_id": before.try_get::<Option<i64>, _>("cvs_id")?,
                })),
                after: Some(json!({"description": description, "area_served": area_served, "cvs_id": cvs_id})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Records a request to join a footprint's engagement.
    pub async fn request_to_join(&self, footprint_id: i64, r: &NewJoinRequest) -> Result<i64> {
        let mut tx = self.write().await?;
        if let Some(o) = r.organisation_id {
            let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM organisations WHERE id = $1")
                .bind(o)
                .fetch_optional(&mut *tx)
                .await?;
            if !kind.as_deref().is_some_and(|k| VOLUNTARY.contains(&k)) {
                return Err(StoreError::NotFound("That organisation in the directory"));
            }
        }
        let message = if r.organisation_id.is_none() && !(r.description.is_empty() && r.area_served.is_empty()) {
            format!(
                "{}\n\nWhat it does: {}\nWhere: {}",
                r.message, r.description, r.area_served
            )
        } else {
            r.message.clone()
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO join_requests (footprint_id, organisation_id, organisation, contact_name, contact_email, message, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(footprint_id)
        .bind(r.organisation_id)
        .bind(&r.organisation)
        .bind(&r.contact_name)
        .bind(&r.contact_email)
        .bind(message.trim())
        .bind(now_ms())
        .fetch_one(&mut *tx)
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
            &Who {
                user_id: None,
                label: "member of the public".into(),
            },
            Change {
                action: "engagement.join-request",
                entity: "join_request",
                entity_id: id.to_string(),
                footprint_id: Some(footprint_id),
                summary: format!("{} asked to join the footprint's engagement", r.organisation),
                before: None,
                after: Some(json!({"organisation": r.organisation, "organisation_id": r.organisation_id})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// A footprint's requests to join, newest first.
    pub async fn join_requests(&self, footprint_id: i64) -> Result<Vec<JoinRequest>> {
        let rows = sqlx::query(
            "SELECT id, footprint_id, organisation_id, organisation, contact_name, contact_email, message, status, created_at \
             FROM join_requests WHERE footprint_id = $1 ORDER BY id DESC",
        )
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(JoinRequest {
                    id: r.try_get("id")?,
                    footprint_id: r.try_get("footprint_id")?,
                    organisation_id: r.try_get("organisation_id")?,
                    organisation: r.try_get("organisation")?,
                    contact_name: r.try_get("contact_name")?,
                    contact_email: r.try_get("contact_email")?,
                    message: r.try_get("message")?,
                    status: r.try_get("status")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Accepts or declines a pending request. Accepting adds the organisation (made in the
    /// directory if it is new, or found by name) to the footprint's engagement network.
    pub async fn decide_join_request(&self, who: &Who, footprint_id: i64, request_id: i64, accept: bool) -> Result<()> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT organisation_id, organisation, status FROM join_requests WHERE id = $1 AND footprint_id = $2",
        )
        .bind(request_id)
        .bind(footprint_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("That request"))?;
        let status: String = row.try_get("status")?;
        if status != "pending" {
            return Err(StoreError::Conflict {
                field: "request",
                message: format!("This request was already {status}"),
            });
        }
        let name: String = row.try_get("organisation")?;
        let mut organisation_id: Option<i64> = row.try_get("organisation_id")?;
        if accept && organisation_id.is_none() {
            let existing: Option<i64> =
                sqlx::query_scalar("SELECT id FROM organisations WHERE lower(name) = lower($1)")
                    .bind(&name)
                    .fetch_optional(&mut *tx)
                    .await?;
            organisation_id = Some(match existing {
                Some(id) => id,
                None => {
                    let input = OrganisationInput::parse(&name, "voluntary-organisation", false, "").map_err(|e| {
                        StoreError::Conflict {
                            field: "request",
                            message: e.first().map_or_else(String::new, |(_, m)| m.0.clone()),
                        }
                    })?;
                    let now = now_ms();
                    sqlx::query_scalar(
                        "INSERT INTO organisations (name, kind, foundation_trust, ods_code, created_at, updated_at, version) \
                         VALUES ($1, $2, 0, NULL, $3, $3, 1) RETURNING id",
                    )
                    .bind(&input.name)
                    .bind(input.kind.key())
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?
                }
            });
        }
        sqlx::query("UPDATE join_requests SET status = $1, organisation_id = $2, decided_at = $3, decided_by = $4 WHERE id = $5")
            .bind(if accept { "accepted" } else { "declined" })
            .bind(organisation_id)
            .bind(now_ms())
            .bind(&who.label)
            .bind(request_id)
            .execute(&mut *tx)
            .await?;
        if accept && let Some(o) = organisation_id {
            sqlx::query(
                "INSERT INTO engagement_network (footprint_id, organisation_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(footprint_id)
            .bind(o)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        record(
            &mut tx,
            who,
            Change {
                action: if accept {
                    "engagement.join-request.accept"
                } else {
                    "engagement.join-request.decline"
                },
                entity: "join_request",
                entity_id: request_id.to_string(),
                footprint_id: Some(footprint_id),
                summary: format!(
                    "{} the request of {name} to join the engagement",
                    if accept { "Accepted" } else { "Declined" }
                ),
                before: Some(json!({"status": status})),
                after: Some(
                    json!({"status": if accept { "accepted" } else { "declined" }, "organisation_id": organisation_id}),
                ),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// A footprint's engagement network: organisations that joined its engagement (id, name).
    pub async fn engagement_network(&self, footprint_id: i64) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT o.id, o.name FROM engagement_network n JOIN organisations o ON o.id = n.organisation_id \
             WHERE n.footprint_id = $1 ORDER BY lower(o.name)",
        )
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect()
    }
}
