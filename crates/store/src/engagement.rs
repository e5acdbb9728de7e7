//! Engagement: each footprint's stakeholder groups, the log of engagement activities with the
//! groups they reached, when the options for each proposed change closed, and documents
//! (evidence and background papers, held here or linked).

use footprint_domain::engagement::{DEFAULT_GROUPS, Depth, Method};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::{Result, Store, StoreError, Who, is_unique_violation, now_ms};

/// A stakeholder group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Group {
    /// Row id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The group it is part of (patients and the public, for carers or a locality).
    pub parent_id: Option<i64>,
}

/// A document: a file held here or a link elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Document {
    /// Row id.
    pub id: i64,
    /// The footprint.
    pub footprint_id: i64,
    /// The consultation it is a background paper of, if any.
    pub consultation_id: Option<i64>,
    /// Its title.
    pub title: String,
    /// A link, for a document held elsewhere.
    pub url: Option<String>,
    /// The file's name, for one held here.
    pub file_name: Option<String>,
    /// Its media type.
    pub content_type: Option<String>,
    /// Its size in bytes.
    pub size: i64,
    /// Whether it is for a body's members and national assurance only.
    pub confidential: bool,
    /// The governance proposal it is a paper of, if any.
    pub proposal_id: Option<i64>,
    /// The governance body it belongs to, if any.
    pub body_id: Option<i64>,
    /// Its part in governance: `terms-of-reference`, `memorandum`, `paper`, `minutes`, or empty.
    pub role: String,
}

impl Document {
    /// Where to read it.
    pub fn href(&self) -> String {
        match &self.url {
            Some(u) => u.clone(),
            None => format!("/documents/{}", self.id),
        }
    }
}

/// A new document: a link or a file.
#[derive(Debug, Clone)]
pub enum NewDocument {
    /// A link.
    Link {
        /// Title.
        title: String,
        /// URL (http or https).
        url: String,
    },
    /// A file.
    File {
        /// Title.
        title: String,
        /// File name.
        file_name: String,
        /// Media type.
        content_type: String,
        /// Its bytes.
        content: Vec<u8>,
    },
}

/// An engagement activity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Activity {
    /// Row id.
    pub id: i64,
    /// When, `YYYY-MM-DD`.
    pub held_on: String,
    /// What it was.
    pub title: String,
    /// How.
    pub method: Method,
    /// Who ran it.
    pub run_by: String,
    /// How deep it went.
    pub depth: Depth,
    /// The plan areas covered: priority and initiative ids.
    pub areas: Vec<String>,
    /// The groups reached and how many people of each.
    pub groups: Vec<(i64, String, i64)>,
    /// Evidence: a link.
    pub evidence_url: String,
    /// Evidence: a document held here.
    pub evidence: Option<Document>,
    /// What changed because of it.
    pub what_changed: String,
    /// Who recorded it.
    pub created_by: String,
}

impl Activity {
    /// How many people it reached in all.
    pub fn people(&self) -> i64 {
        self.groups.iter().map(|g| g.2).sum()
    }
}

/// A new activity.
#[derive(Debug, Clone, Default)]
pub struct NewActivity {
    /// When, `YYYY-MM-DD`.
    pub held_on: String,
    /// What it was.
    pub title: String,
    /// How.
    pub method: Option<Method>,
    /// Who ran it.
    pub run_by: String,
    /// How deep.
    pub depth: Option<Depth>,
    /// Plan areas (priority and initiative ids).
    pub areas: Vec<String>,
    /// Groups reached (ids) with how many people.
    pub groups: Vec<(i64, i64)>,
    /// A link to evidence.
    pub evidence_url: String,
    /// What changed because of it.
    pub what_changed: String,
}

/// Puts a new footprint's default stakeholder groups in place, inside its transaction.
pub(crate) async fn insert_default_groups(conn: &mut sqlx::AnyConnection, footprint_id: i64) -> Result<()> {
    let now = now_ms();
    for (i, name) in DEFAULT_GROUPS.iter().enumerate() {
        sqlx::query(
            "INSERT INTO stakeholder_groups (footprint_id, name, position, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(footprint_id)
        .bind(*name)
        .bind(i as i64 + 1)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(crate) fn document(row: &AnyRow) -> Result<Document> {
    Ok(Document {
        id: row.try_get("id")?,
        footprint_id: row.try_get("footprint_id")?,
        consultation_id: row.try_get("consultation_id")?,
        title: row.try_get("title")?,
        url: row.try_get("url")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        confidential: row.try_get::<i64, _>("confidential")? != 0,
        proposal_id: row.try_get("proposal_id")?,
        body_id: row.try_get("body_id")?,
        role: row.try_get("role")?,
    })
}

macro_rules! document_columns {
    () => {
        "id, footprint_id, consultation_id, title, url, file_name, content_type, size, confidential, proposal_id, body_id, role"
    };
}

/// Adds a document inside a transaction; returns its id.
pub(crate) async fn insert_document(
    conn: &mut sqlx::AnyConnection,
    who: &Who,
    footprint_id: i64,
    consultation_id: Option<i64>,
    doc: &NewDocument,
) -> Result<i64> {
    let (title, url, file_name, content_type, content) = match doc {
        NewDocument::Link { title, url } => (title, Some(url.as_str()), None, None, None),
        NewDocument::File {
            title,
            file_name,
            content_type,
            content,
        } => (
            title,
            None,
            Some(file_name.as_str()),
            Some(content_type.as_str()),
            Some(content.as_slice()),
        ),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO documents (footprint_id, consultation_id, title, url, file_name, content_type, size, content, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(footprint_id)
    .bind(consultation_id)
    .bind(title)
    .bind(url)
    .bind(file_name)
    .bind(content_type)
    .bind(content.map_or(0, |c| c.len() as i64))
    .bind(content.map(<[u8]>::to_vec))
    .bind(now_ms())
    .bind(&who.label)
    .fetch_one(&mut *conn)
    .await?;
    record(
        conn,
        who,
        Change {
            action: "document.add",
            entity: "document",
            entity_id: id.to_string(),
            footprint_id: Some(footprint_id),
            summary: format!("Added document \"{title}\""),
            before: None,
            after: Some(
                json!({"title": title, "url": url, "file_name": file_name, "consultation_id": consultation_id}),
            ),
        },
    )
    .await?;
    Ok(id)
}

impl Store {
    /// A footprint's stakeholder groups, in order (sub-groups after their group).
    pub async fn groups(&self, footprint_id: i64) -> Result<Vec<Group>> {
        let rows = sqlx::query(
            "SELECT id, name, parent_id, position FROM stakeholder_groups WHERE footprint_id = $1 ORDER BY position, id",
        )
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        let all: Vec<Group> = rows
            .iter()
            .map(|r| {
                Ok(Group {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    parent_id: r.try_get("parent_id")?,
                })
            })
            .collect::<Result<_>>()?;
        // Each top-level group followed by its sub-groups.
        let mut out = Vec::with_capacity(all.len());
        for g in all.iter().filter(|g| g.parent_id.is_none()) {
            out.push(g.clone());
            out.extend(all.iter().filter(|s| s.parent_id == Some(g.id)).cloned());
        }
        Ok(out)
    }

    /// Adds a stakeholder group, or a sub-group of one.
    pub async fn add_group(&self, who: &Who, footprint_id: i64, name: &str, parent_id: Option<i64>) -> Result<Group> {
        let mut tx = self.write().await?;
        if let Some(p) = parent_id {
            let parent: Option<Option<i64>> =
                sqlx::query_scalar("SELECT parent_id FROM stakeholder_groups WHERE id = $1 AND footprint_id = $2")
                    .bind(p)
                    .bind(footprint_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            match parent {
                None => return Err(StoreError::NotFound("That group")),
                Some(Some(_)) => {
                    return Err(StoreError::Conflict {
                        field: "parent",
                        message: "A sub-group cannot have sub-groups of its own: choose a main group".into(),
                    });
                }
                Some(None) => {}
            }
        }
        let position: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM stakeholder_groups WHERE footprint_id = $1")
                .bind(footprint_id)
                .fetch_one(&mut *tx)
                .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO stakeholder_groups (footprint_id, name, parent_id, position, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(footprint_id)
        .bind(name)
        .bind(parent_id)
        .bind(position)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict {
                    field: "name",
                    message: format!("There is already a group called \"{name}\""),
                }
            } else {
                e.into()
            }
        })?;
        let group = Group {
            id,
            name: name.to_string(),
            parent_id,
        };
        record(
            &mut tx,
            who,
            Change {
                action: "engagement.group.add",
                entity: "stakeholder_group",
                entity_id: id.to_string(),
                footprint_id: Some(footprint_id),
                summary: format!("Added stakeholder group \"{name}\""),
                before: None,
                after: Some(json!(group)),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(group)
    }

    /// Records an engagement activity, with its evidence file if one is given.
    pub async fn add_activity(
        &self,
        who: &Who,
        footprint_id: i64,
        a: &NewActivity,
        evidence: Option<&NewDocument>,
    ) -> Result<i64> {
        let (Some(method), Some(depth)) = (a.method, a.depth) else {
            return Err(StoreError::Conflict {
                field: "method",
                message: "An activity needs a method and a depth".into(),
            });
        };
        let mut tx = self.write().await?;
        let evidence_id = match evidence {
            Some(d) => Some(insert_document(&mut tx, who, footprint_id, None, d).await?),
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO engagement_activities (footprint_id, held_on, title, method, run_by, depth, areas, evidence_url, evidence_id, what_changed, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(footprint_id)
        .bind(&a.held_on)
        .bind(&a.title)
        .bind(method.key())
        .bind(&a.run_by)
        .bind(depth.key())
        .bind(serde_json::to_string(&a.areas).unwrap_or_else(|_| "[]".into()))
        .bind(&a.evidence_url)
        .bind(evidence_id)
        .bind(&a.what_changed)
        .bind(now_ms())
        .bind(&who.label)
        .fetch_one(&mut *tx)
        .await?;
        for &(group, people) in &a.groups {
            let n = sqlx::query(
                "INSERT INTO activity_groups (activity_id, group_id, people) \
                 SELECT $1, id, $2 FROM stakeholder_groups WHERE id = $3 AND footprint_id = $4",
            )
            .bind(id)
            .bind(people.max(0))
            .bind(group)
            .bind(footprint_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound("One of the groups"));
            }
        }
        record(
            &mut tx,
            who,
            Change {
                action: "engagement.activity.add",
                entity: "engagement_activity",
                entity_id: id.to_string(),
                footprint_id: Some(footprint_id),
                summary: format!("Recorded engagement \"{}\" on {}", a.title, a.held_on),
                before: None,
                after: Some(json!({
                    "held_on": a.held_on, "title": a.title, "method": method.key(), "run_by": a.run_by,
                    "depth": depth.key(), "areas": a.areas, "groups": a.groups, "evidence_url": a.evidence_url,
                    "evidence_id": evidence_id, "what_changed": a.what_changed,
                })),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// A footprint's engagement log, newest first.
    pub async fn activities(&self, footprint_id: i64) -> Result<Vec<Activity>> {
        let rows = sqlx::query(
            "SELECT id, held_on, title, method, run_by, depth, areas, evidence_url, evidence_id, what_changed, created_by \
             FROM engagement_activities WHERE footprint_id = $1 ORDER BY held_on DESC, id DESC",
        )
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        let reached = sqlx::query(
            "SELECT ag.activity_id, ag.group_id, g.name, ag.people FROM activity_groups ag \
             JOIN stakeholder_groups g ON g.id = ag.group_id \
             JOIN engagement_activities a ON a.id = ag.activity_id \
             WHERE a.footprint_id = $1 ORDER BY g.position, g.id",
        )
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        let docs = sqlx::query(concat!(
            "SELECT ",
            document_columns!(),
            " FROM documents WHERE footprint_id = $1 AND consultation_id IS NULL"
        ))
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(document)
        .collect::<Result<Vec<_>>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let method: String = r.try_get("method")?;
            let depth: String = r.try_get("depth")?;
            let areas: String = r.try_get("areas")?;
            let evidence_id: Option<i64> = r.try_get("evidence_id")?;
            let mut groups = Vec::new();
            for g in &reached {
                if g.try_get::<i64, _>("activity_id")? == id {
                    groups.push((g.try_get("group_id")?, g.try_get("name")?, g.try_get("people")?));
                }
            }
            out.push(Activity {
                id,
                held_on: r.try_get("held_on")?,
                title: r.try_get("title")?,
                method: Method::parse(&method)
                    .ok_or_else(|| sqlx::Error::Decode(format!("method {method:?}").into()))?,
                run_by: r.try_get("run_by")?,
                depth: Depth::parse(&depth).ok_or_else(|| sqlx::Error::Decode(format!("depth {depth:?}").into()))?,
                areas: serde_json::from_str(&areas).map_err(|e| sqlx::Error::Decode(e.into()))?,
                groups,
                evidence_url: r.try_get("evidence_url")?,
                evidence: evidence_id.and_then(|e| docs.iter().find(|d| d.id == e).cloned()),
                what_changed: r.try_get("what_changed")?,
                created_by: r.try_get("created_by")?,
            });
        }
        Ok(out)
    }

    /// When the options for each proposed change closed: (area id, date).
    pub async fn options_closed(&self, footprint_id: i64) -> Result<Vec<(String, String)>> {
        let rows =
            sqlx::query("SELECT area_id, closed_on FROM options_closed WHERE footprint_id = $1 ORDER BY area_id")
                .bind(footprint_id)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("area_id")?, r.try_get("closed_on")?)))
            .collect()
    }

    /// Records (or clears, with none) the day the options for a proposed change closed.
    pub async fn set_options_closed(
        &self,
        who: &Who,
        footprint_id: i64,
        area_id: &str,
        closed_on: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let before: Option<String> =
            sqlx::query_scalar("SELECT closed_on FROM options_closed WHERE footprint_id = $1 AND area_id = $2")
                .bind(footprint_id)
                .bind(area_id)
                .fetch_optional(&mut *tx)
                .await?;
        match closed_on {
            Some(d) => {
                sqlx::query(
                    "INSERT INTO options_closed (footprint_id, area_id, closed_on) VALUES ($1, $2, $3) \
                     ON CONFLICT (footprint_id, area_id) DO UPDATE SET closed_on = excluded.closed_on",
                )
                .bind(footprint_id)
                .bind(area_id)
                .bind(d)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM options_closed WHERE footprint_id = $1 AND area_id = $2")
                    .bind(footprint_id)
                    .bind(area_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        record(
            &mut tx,
            who,
            Change {
                action: "engagement.options-closed",
                entity: "plan_area",
                entity_id: area_id.to_string(),
                footprint_id: Some(footprint_id),
                summary: match closed_on {
                    Some(d) => format!("Options for {area_id} closed on {d}"),
                    None => format!("Options for {area_id} open again"),
                },
                before: before.map(|b| json!({ "closed_on": b })),
                after: closed_on.map(|d| json!({ "closed_on": d })),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// A document's details.
    pub async fn document(&self, id: i64) -> Result<Option<Document>> {
        sqlx::query(concat!("SELECT ", document_columns!(), " FROM documents WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(document)
            .transpose()
    }

    /// A held document's bytes.
    pub async fn document_content(&self, id: i64) -> Result<Option<Vec<u8>>> {
        let c: Option<Option<Vec<u8>>> = sqlx::query_scalar("SELECT content FROM documents WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(c.flatten())
    }

    /// A consultation's background documents, oldest first.
    pub async fn consultation_documents(&self, consultation_id: i64) -> Result<Vec<Document>> {
        sqlx::query(concat!(
            "SELECT ",
            document_columns!(),
            " FROM documents WHERE consultation_id = $1 ORDER BY id"
        ))
        .bind(consultation_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(document)
        .collect()
    }
}
