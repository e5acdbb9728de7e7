//! A whole footprint as one JSON document, and back: `footprint export` and `footprint import`.
//!
//! The export holds every row that belongs to the footprint — its partners and people, plan
//! versions, engagement, consultations and their responses, governance, delivery, submissions
//! and its audit trail — and the organisations and accounts those rows refer to (accounts without
//! their password hashes, sessions or tokens). It holds personal data: keep it as carefully as
//! the database.
//!
//! Import writes it into another database in one transaction: every row gets a new id and every
//! reference (including question ids inside answers and group ids inside proposals) is mapped to
//! the new ids. Organisations already there (same ODS code, or same name) and accounts already
//! there (same email address) are reused; new accounts get no password (`footprint user
//! reset-password` gives one) and no site role. The footprint is matched by code: a footprint with that code that
//! holds nothing yet (a reference footprint) is filled; one that holds data is refused. Any
//! problem refuses the whole document, naming where it is, and nothing is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value, json};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{Change, record};
use crate::{Backend, Result, Store, StoreError, Who, now_ms};

/// The document's format name and version.
pub const FORMAT: &str = "footprint-export";
/// The version of the format this build writes and reads.
pub const VERSION: i64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Real,
    Text,
    Blob,
}

/// What a column holds, for mapping on import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ref {
    /// A plain value.
    Plain,
    /// The row's own id (a new one is given on import).
    Own,
    /// The footprint's id.
    Footprint,
    /// An id in another table of the document.
    To(&'static str),
    /// The id of the account that did something, if the account is in the document.
    MaybeUser,
    /// JSON answers `[[question id, answer], …]`.
    Answers,
    /// A JSON list of stakeholder group ids.
    Groups,
}

use Kind::{Blob, Int, Real, Text};
use Ref::{Answers, Footprint, Groups, MaybeUser, Own, Plain, To};

struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind, Ref)],
    /// Rows of footprint `$1`.
    scope: &'static str,
}

impl Table {
    fn has_id(&self) -> bool {
        self.columns.iter().any(|c| c.2 == Own)
    }
}

const IN_CONSULTATIONS: &str = "consultation_id IN (SELECT id FROM consultations WHERE footprint_id = $1)";
const IN_BODIES: &str = "body_id IN (SELECT id FROM bodies WHERE footprint_id = $1)";

/// The footprint's tables in the order they are written (every reference points backwards,
/// except those filled in a second pass: stakeholder_groups.parent_id, proposals.supersedes_id).
const TABLES: &[Table] = &[
    Table {
        name: "footprint_partners",
        columns: &[
            ("footprint_id", Int, Footprint),
            ("organisation_id", Int, To("organisations")),
            ("added_at", Int, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "footprint_roles",
        columns: &[
            ("user_id", Int, To("users")),
            ("footprint_id", Int, Footprint),
            ("role", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "engagement_network",
        columns: &[
            ("footprint_id", Int, Footprint),
            ("organisation_id", Int, To("organisations")),
            ("joined_at", Int, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "plan_versions",
        columns: &[
            ("id", Int, Own),
            ("footprint_id", Int, Footprint),
            ("number", Int, Plain),
            ("status", Text, Plain),
            ("document", Text, Plain),
            ("revision", Int, Plain),
            ("created_at", Int, Plain),
            ("created_by", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "stakeholder_groups",
        columns: &[
            ("id", Int, Own),
            ("footprint_id", Int, Footprint),
            ("name", Text, Plain),
            ("parent_id", Int, To("stakeholder_groups")),
            ("position", Int, Plain),
            ("created_at", Int, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "consultations",
        columns: &[
            ("id", Int, Own),
            ("footprint_id", Int, Footprint),
            ("title", Text, Plain),
            ("summary", Text, Plain),
            ("area_id", Text, Plain),
            ("formal", Int, Plain),
            ("opens_on", Text, Plain),
            ("closes_on", Text, Plain),
            ("min_weeks", Int, Plain),
            ("published_at", Int, Plain),
            ("plan_number", Int, Plain),
            ("decided_on", Text, Plain),
            ("you_said_we_did", Text, Plain),
            ("responded_on", Text, Plain),
            ("revision", Int, Plain),
            ("created_at", Int, Plain),
            ("created_by", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "consultation_options",
        columns: &[
            ("id", Int, Own),
            ("consultation_id", Int, To("consultations")),
            ("position", Int, Plain),
            ("title", Text, Plain),
            ("description", Text, Plain),
            ("evidence", Text, Plain),
            ("effect", Text, Plain),
            ("result", Text, Plain),
        ],
        scope: IN_CONSULTATIONS,
    },
    Table {
        name: "consultation_questions",
        columns: &[
            ("id", Int, Own),
            ("consultation_id", Int, To("consultations")),
            ("position", Int, Plain),
            ("kind", Text, Plain),
            ("prompt", Text, Plain),
            ("hint", Text, Plain),
            ("required", Int, Plain),
            ("choices", Text, Plain),
        ],
        scope: IN_CONSULTATIONS,
    },
    Table {
        name: "consultation_responses",
        columns: &[
            ("id", Int, Own),
            ("consultation_id", Int, To("consultations")),
            ("idempotency_key", Text, Plain),
            ("received_at", Int, Plain),
            ("answers", Text, Answers),
            ("respondent_name", Text, Plain),
            ("respondent_email", Text, Plain),
            ("on_behalf_of", Text, Plain),
            ("consent", Int, Plain),
            ("moderation", Text, Plain),
            ("published_answers", Text, Answers),
            ("client_key", Text, Plain),
        ],
        scope: IN_CONSULTATIONS,
    },
    Table {
        name: "response_tags",
        columns: &[
            ("response_id", Int, To("consultation_responses")),
            ("question_id", Int, To("consultation_questions")),
            ("tag", Text, Plain),
        ],
        scope: "response_id IN (SELECT r.id FROM consultation_responses r JOIN consultations c ON c.id = r.consultation_id \
                WHERE c.footprint_id = $1)",
    },
    Table {
        name: "bodies",
        columns: &[
            ("id", Int, Own),
            ("footprint_id", Int, Footprint),
            ("name", Text, Plain),
            ("form", Text, Plain),
            ("purpose", Text, Plain),
            ("rule", Text, Plain),
            ("quorum", Int, Plain),
            ("revision", Int, Plain),
            ("created_at", Int, Plain),
            ("updated_at", Int, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "body_members",
        columns: &[
            ("id", Int, Own),
            ("body_id", Int, To("bodies")),
            ("organisation_id", Int, To("organisations")),
            ("representative_id", Int, To("users")),
            ("deputy_id", Int, To("users")),
            ("added_at", Int, Plain),
            ("left_at", Int, Plain),
        ],
        scope: IN_BODIES,
    },
    Table {
        name: "required_consents",
        columns: &[
            ("body_id", Int, To("bodies")),
            ("subject", Text, Plain),
            ("member_id", Int, To("body_members")),
        ],
        scope: IN_BODIES,
    },
    Table {
        name: "meetings",
        columns: &[
            ("id", Int, Own),
            ("body_id", Int, To("bodies")),
            ("held_on", Text, Plain),
            ("title", Text, Plain),
            ("place", Text, Plain),
            ("agenda", Text, Plain),
            ("minutes", Text, Plain),
            ("confidential_minutes", Text, Plain),
            ("closed_at", Int, Plain),
            ("created_at", Int, Plain),
        ],
        scope: IN_BODIES,
    },
    Table {
        name: "proposals",
        columns: &[
            ("id", Int, Own),
            ("footprint_id", Int, Footprint),
            ("body_id", Int, To("bodies")),
            ("meeting_id", Int, To("meetings")),
            ("title", Text, Plain),
            ("what", Text, Plain),
            ("why", Text, Plain),
            ("options_considered", Text, Plain),
            ("subjects", Text, Plain),
            ("priorities", Text, Plain),
            ("initiatives", Text, Plain),
            ("effect", Text, Plain),
            ("affected_groups", Text, Groups),
            ("reconfiguration", Int, Plain),
            ("evidence", Text, Plain),
            ("confidential", Int, Plain),
            ("supersedes_id", Int, To("decisions")),
            ("stress", Text, Plain),
            ("note", Text, Plain),
            ("revision", Int, Plain),
            ("created_at", Int, Plain),
            ("created_by", Text, Plain),
            ("updated_at", Int, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "decisions",
        columns: &[
            ("id", Int, Own),
            ("footprint_id", Int, Footprint),
            ("body_id", Int, To("bodies")),
            ("meeting_id", Int, To("meetings")),
            ("proposal_id", Int, To("proposals")),
            ("decided_on", Text, Plain),
            ("title", Text, Plain),
            ("outcome", Text, Plain),
            ("record", Text, Plain),
            ("confidential", Int, Plain),
            ("supersedes_id", Int, To("decisions")),
            ("pack", Text, Plain),
            ("created_at", Int, Plain),
            ("created_by", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "proposal_responses",
        columns: &[
            ("proposal_id", Int, To("proposals")),
            ("member_id", Int, To("body_members")),
            ("response", Text, Plain),
            ("reason", Text, Plain),
            ("responded_by", Int, To("users")),
            ("responded_at", Int, Plain),
        ],
        scope: "proposal_id IN (SELECT id FROM proposals WHERE footprint_id = $1)",
    },
    Table {
        name: "documents",
        columns: &[
            ("id", Int, Own),
            ("footprint_id", Int, Footprint),
            ("consultation_id", Int, To("consultations")),
            ("title", Text, Plain),
            ("url", Text, Plain),
            ("file_name", Text, Plain),
            ("content_type", Text, Plain),
            ("size", Int, Plain),
            ("content", Blob, Plain),
            ("created_at", Int, Plain),
            ("created_by", Text, Plain),
            ("body_id", Int, To("bodies")),
            ("meeting_id", Int, To("meetings")),
            ("proposal_id", Int, To("proposals")),
            ("role", Text, Plain),
            ("confidential", Int, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "engagement_activities",
        columns: &[
            ("id", Int, Own),
            ("footprint_id", Int, Footprint),
            ("held_on", Text, Plain),
            ("title", Text, Plain),
            ("method", Text, Plain),
            ("run_by", Text, Plain),
            ("depth", Text, Plain),
            ("areas", Text, Plain),
            ("evidence_url", Text, Plain),
            ("evidence_id", Int, To("documents")),
            ("what_changed", Text, Plain),
            ("consultation_id", Int, To("consultations")),
            ("created_at", Int, Plain),
            ("created_by", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "activity_groups",
        columns: &[
            ("activity_id", Int, To("engagement_activities")),
            ("group_id", Int, To("stakeholder_groups")),
            ("people", Int, Plain),
        ],
        scope: "activity_id IN (SELECT id FROM engagement_activities WHERE footprint_id = $1)",
    },
    Table {
        name: "options_closed",
        columns: &[
            ("footprint_id", Int, Footprint),
            ("area_id", Text, Plain),
            ("closed_on", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "join_requests",
        columns: &[
            ("id", Int, Own),
            ("footprint_id", Int, Footprint),
            ("organisation_id", Int, To("organisations")),
            ("organisation", Text, Plain),
            ("contact_name", Text, Plain),
            ("contact_email", Text, Plain),
            ("message", Text, Plain),
            ("status", Text, Plain),
            ("created_at", Int, Plain),
            ("decided_at", Int, Plain),
            ("decided_by", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "actions",
        columns: &[
            ("id", Int, Own),
            ("footprint_id", Int, Footprint),
            ("decision_id", Int, To("decisions")),
            ("kind", Text, Plain),
            ("title", Text, Plain),
            ("organisation_id", Int, To("organisations")),
            ("owner_id", Int, To("users")),
            ("due_on", Text, Plain),
            ("done_on", Text, Plain),
            ("note", Text, Plain),
            ("revision", Int, Plain),
            ("created_at", Int, Plain),
            ("created_by", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "milestone_status",
        columns: &[
            ("footprint_id", Int, Footprint),
            ("initiative_id", Text, Plain),
            ("milestone", Text, Plain),
            ("status", Text, Plain),
            ("note", Text, Plain),
            ("updated_at", Int, Plain),
            ("updated_by", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "benefits_realised",
        columns: &[
            ("footprint_id", Int, Footprint),
            ("initiative_id", Text, Plain),
            ("year", Text, Plain),
            ("amount", Real, Plain),
            ("note", Text, Plain),
            ("recorded_at", Int, Plain),
            ("recorded_by", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "checklist",
        columns: &[
            ("footprint_id", Int, Footprint),
            ("requirement_key", Text, Plain),
            ("done_on", Text, Plain),
            ("note", Text, Plain),
            ("updated_at", Int, Plain),
            ("updated_by", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "guidance_seen",
        columns: &[
            ("user_id", Int, To("users")),
            ("footprint_id", Int, Footprint),
            ("guidance_number", Int, Plain),
            ("seen_at", Int, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "submissions",
        columns: &[
            ("id", Int, Own),
            ("footprint_id", Int, Footprint),
            ("plan_version_id", Int, To("plan_versions")),
            ("requirement_key", Text, Plain),
            ("guidance_number", Int, Plain),
            ("note", Text, Plain),
            ("submitted_at", Int, Plain),
            ("submitted_by", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
    Table {
        name: "submission_feedback",
        columns: &[
            ("id", Int, Own),
            ("submission_id", Int, To("submissions")),
            ("rating", Text, Plain),
            ("reasons", Text, Plain),
            ("feedback", Text, Plain),
            ("created_at", Int, Plain),
            ("created_by", Text, Plain),
        ],
        scope: "submission_id IN (SELECT id FROM submissions WHERE footprint_id = $1)",
    },
    Table {
        name: "audit_log",
        columns: &[
            ("id", Int, Own),
            ("at", Int, Plain),
            ("actor_user_id", Int, MaybeUser),
            ("actor", Text, Plain),
            ("action", Text, Plain),
            ("entity", Text, Plain),
            ("entity_id", Text, Plain),
            ("footprint_id", Int, Footprint),
            ("summary", Text, Plain),
            ("before", Text, Plain),
            ("after", Text, Plain),
        ],
        scope: "footprint_id = $1",
    },
];

const ORGANISATION_COLUMNS: &[(&str, Kind, Ref)] = &[
    ("id", Int, Own),
    ("name", Text, Plain),
    ("kind", Text, Plain),
    ("foundation_trust", Int, Plain),
    ("ods_code", Text, Plain),
    ("created_at", Int, Plain),
    ("updated_at", Int, Plain),
    ("version", Int, Plain),
    ("description", Text, Plain),
    ("area_served", Text, Plain),
    ("cvs_id", Int, To("organisations")),
];

const USER_COLUMNS: &[(&str, Kind, Ref)] = &[
    ("id", Int, Own),
    ("email", Text, Plain),
    ("display_name", Text, Plain),
    ("organisation_id", Int, To("organisations")),
    ("active", Int, Plain),
    ("created_at", Int, Plain),
    ("digest", Text, Plain),
];

/// Tables that hold no footprint's data, and why they are not exported.
pub const NOT_EXPORTED: &[(&str, &str)] = &[
    ("settings", "the site's own settings (its signing key)"),
    ("sessions", "sign-ins to this site"),
    ("api_tokens", "credentials for this site"),
    ("recovery_codes", "credentials for this site"),
    ("login_attempts", "this site's security record"),
    ("digests_sent", "this site's mail log"),
    ("security_notices_sent", "this site's mail log"),
    (
        "guidance_versions",
        "national guidance, published on each site by national assurance",
    ),
    (
        "requirements",
        "national guidance, published on each site by national assurance",
    ),
    ("national_runs", "the national stress test across all footprints"),
    (
        "consultation_response_counts",
        "derived: kept by the database from the responses as they are written",
    ),
];

/// Every table this build exports, and the columns it writes (for the schema check in tests).
pub fn exported_columns() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut out: Vec<(&'static str, Vec<&'static str>)> = vec![
        (
            "footprints",
            vec!["id", "code", "name", "region", "reference", "demo", "created_at"],
        ),
        ("organisations", ORGANISATION_COLUMNS.iter().map(|c| c.0).collect()),
        ("users", USER_COLUMNS.iter().map(|c| c.0).collect()),
    ];
    out.extend(TABLES.iter().map(|t| (t.name, t.columns.iter().map(|c| c.0).collect())));
    out
}

fn bad(path: impl std::fmt::Display, message: impl std::fmt::Display) -> StoreError {
    StoreError::Import(format!("{path}: {message}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn read_value(row: &AnyRow, column: &str, kind: Kind) -> Result<Value> {
    Ok(match kind {
        Int => row.try_get::<Option<i64>, _>(column)?.map_or(Value::Null, Value::from),
        Real => row.try_get::<Option<f64>, _>(column)?.map_or(Value::Null, Value::from),
        Text => row
            .try_get::<Option<String>, _>(column)?
            .map_or(Value::Null, Value::from),
        Blob => row
            .try_get::<Option<Vec<u8>>, _>(column)?
            .map_or(Value::Null, |b| Value::from(hex(&b))),
    })
}

async fn read_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[(&str, Kind, Ref)],
    filter: &str,
    footprint: Option<i64>,
    ids: Option<&BTreeSet<i64>>,
) -> Result<Vec<Value>> {
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    let order = if columns.iter().any(|c| c.2 == Own) {
        "id".to_string()
    } else {
        names.join(", ")
    };
    let filter = match ids {
        Some(ids) if ids.is_empty() => return Ok(Vec::new()),
        Some(ids) => format!(
            "id IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
        ),
        None => filter.to_string(),
    };
    let sql = format!(
        "SELECT {} FROM {table} WHERE {filter} ORDER BY {order}",
        names.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(f) = footprint {
        query = query.bind(f);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            let mut obj = Map::new();
            for (name, kind, _) in columns {
                obj.insert((*name).to_string(), read_value(r, name, *kind)?);
            }
            Ok(Value::Object(obj))
        })
        .collect()
}

async fn ids(conn: &mut AnyConnection, sql: &str, footprint: i64) -> Result<BTreeSet<i64>> {
    let v: Vec<Option<i64>> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(footprint)
        .fetch_all(&mut *conn)
        .await?;
    Ok(v.into_iter().flatten().collect())
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The footprint's code.
    pub code: String,
    /// Rows written per table (organisations and accounts: only those created).
    pub rows: BTreeMap<String, u64>,
    /// Organisations and accounts that were already there and were reused.
    pub reused: (u64, u64),
}

impl Store {
    /// The footprint with `code` as one JSON document (see the module's notes).
    pub async fn export_footprint(&self, code: &str) -> Result<Value> {
        // One snapshot: on PostgreSQL a repeatable-read transaction; on SQLite a read transaction.
        let mut tx = self.pool().begin().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let conn: &mut AnyConnection = &mut tx;
        let row = sqlx::query(
            "SELECT id, code, name, region, reference, demo, created_at FROM footprints WHERE lower(code) = lower($1)",
        )
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound("The footprint"))?;
        let fid: i64 = row.try_get("id")?;
        let mut footprint = Map::new();
        for (c, k) in [
            ("id", Int),
            ("code", Text),
            ("name", Text),
            ("region", Text),
            ("reference", Int),
            ("demo", Int),
            ("created_at", Int),
        ] {
            footprint.insert(c.into(), read_value(&row, c, k)?);
        }
        let mut tables = Map::new();
        for t in TABLES {
            let rows = read_rows(conn, t.name, t.columns, t.scope, Some(fid), None).await?;
            tables.insert(t.name.into(), Value::Array(rows));
        }
        // The accounts and organisations those rows refer to.
        let users = ids(
            conn,
            "SELECT user_id FROM footprint_roles WHERE footprint_id = $1 \
             UNION SELECT representative_id FROM body_members WHERE body_id IN (SELECT id FROM bodies WHERE footprint_id = $1) \
             UNION SELECT deputy_id FROM body_members WHERE body_id IN (SELECT id FROM bodies WHERE footprint_id = $1) \
             UNION SELECT responded_by FROM proposal_responses WHERE proposal_id IN (SELECT id FROM proposals WHERE footprint_id = $1) \
             UNION SELECT owner_id FROM actions WHERE footprint_id = $1 \
             UNION SELECT user_id FROM guidance_seen WHERE footprint_id = $1",
            fid,
        )
        .await?;
        let user_rows = read_rows(conn, "users", USER_COLUMNS, "", None, Some(&users)).await?;
        let mut orgs = ids(
            conn,
            "SELECT organisation_id FROM footprint_partners WHERE footprint_id = $1 \
             UNION SELECT organisation_id FROM engagement_network WHERE footprint_id = $1 \
             UNION SELECT organisation_id FROM body_members WHERE body_id IN (SELECT id FROM bodies WHERE footprint_id = $1) \
             UNION SELECT organisation_id FROM join_requests WHERE footprint_id = $1 \
             UNION SELECT organisation_id FROM actions WHERE footprint_id = $1",
            fid,
        )
        .await?;
        orgs.extend(user_rows.iter().filter_map(|u| u["organisation_id"].as_i64()));
        // And the councils for voluntary service those organisations are linked through.
        let org_rows = loop {
            let rows = read_rows(conn, "organisations", ORGANISATION_COLUMNS, "", None, Some(&orgs)).await?;
            let more: BTreeSet<i64> = rows
                .iter()
                .filter_map(|o| o["cvs_id"].as_i64())
                .filter(|id| !orgs.contains(id))
                .collect();
            if more.is_empty() {
                break rows;
            }
            orgs.extend(more);
        };
        tables.insert("organisations".into(), Value::Array(org_rows));
        tables.insert("users".into(), Value::Array(user_rows));
        let schema: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await?;
        tx.rollback().await?;
        Ok(json!({
            "format": FORMAT,
            "version": VERSION,
            "schema_version": schema,
            "exported_at": crate::datetime(now_ms())
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            "footprint": Value::Object(footprint),
            "tables": Value::Object(tables),
        }))
    }

    /// Imports a document made by [`Store::export_footprint`] (see the module's notes).
    pub async fn import_footprint(&self, who: &Who, doc: &Value) -> Result<Imported> {
        check_header(doc)?;
        let tables = doc["tables"]
            .as_object()
            .ok_or_else(|| bad("tables", "expected an object of tables"))?;
        let f = doc["footprint"]
            .as_object()
            .ok_or_else(|| bad("footprint", "expected the footprint"))?;
        let text = |key: &str| -> Result<String> {
            f.get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| bad(format!("footprint.{key}"), "expected text"))
        };
        let (code, name, region) = (text("code")?, text("name")?, text("region")?);
        for name in tables.keys() {
            if name != "organisations" && name != "users" && !TABLES.iter().any(|t| t.name == name) {
                return Err(bad(format!("tables.{name}"), "is not a table Footprint exports"));
            }
        }
        let rows_of = |name: &str| -> Result<&[Value]> {
            match tables.get(name) {
                None => Ok(&[]),
                Some(Value::Array(rows)) => Ok(rows),
                Some(_) => Err(bad(format!("tables.{name}"), "expected a list of rows")),
            }
        };
        // Check every row before writing anything.
        let mut known: HashMap<&str, BTreeSet<i64>> = HashMap::new();
        for (name, columns) in [("organisations", ORGANISATION_COLUMNS), ("users", USER_COLUMNS)]
            .into_iter()
            .chain(TABLES.iter().map(|t| (t.name, t.columns)))
        {
            for (i, row) in rows_of(name)?.iter().enumerate() {
                check_row(name, i, row, columns)?;
                if let Some(id) = row.get("id").and_then(Value::as_i64) {
                    known.entry(name).or_default().insert(id);
                }
            }
        }
        let empty = BTreeSet::new();
        for (name, columns) in [("organisations", ORGANISATION_COLUMNS), ("users", USER_COLUMNS)]
            .into_iter()
            .chain(TABLES.iter().map(|t| (t.name, t.columns)))
        {
            for (i, row) in rows_of(name)?.iter().enumerate() {
                for (column, _, r) in columns {
                    if let To(target) = r
                        && let Some(id) = row[*column].as_i64()
                        && !known.get(target).unwrap_or(&empty).contains(&id)
                    {
                        return Err(bad(
                            format!("tables.{name}[{i}].{column}"),
                            format!("{id} is not one of the {target} in this export"),
                        ));
                    }
                }
            }
        }

        let mut tx = self.write().await?;
        let conn: &mut AnyConnection = &mut tx;
        let mut map: HashMap<&'static str, HashMap<i64, i64>> = HashMap::new();
        let mut written: BTreeMap<String, u64> = BTreeMap::new();
        // The footprint: new, or an existing one that holds nothing yet.
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM footprints WHERE lower(code) = lower($1)")
            .bind(&code)
            .fetch_optional(&mut *conn)
            .await?;
        let fid = match existing {
            Some(id) => {
                let held: i64 = sqlx::query_scalar(
                    "SELECT (SELECT COUNT(*) FROM footprint_partners WHERE footprint_id = $1) \
                     + (SELECT COUNT(*) FROM footprint_roles WHERE footprint_id = $1) \
                     + (SELECT COUNT(*) FROM plan_versions WHERE footprint_id = $1) \
                     + (SELECT COUNT(*) FROM consultations WHERE footprint_id = $1) \
                     + (SELECT COUNT(*) FROM bodies WHERE footprint_id = $1) \
                     + (SELECT COUNT(*) FROM engagement_activities WHERE footprint_id = $1)",
                )
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
                if held > 0 {
                    return Err(crate::conflict(
                        "footprint",
                        format!("the footprint {code} already holds partners, people, plans or engagement here"),
                    ));
                }
                id
            }
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO footprints (code, name, region, reference, demo, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(&code)
                .bind(&name)
                .bind(&region)
                .bind(f.get("reference").and_then(Value::as_i64).unwrap_or(0))
                .bind(f.get("demo").and_then(Value::as_i64).unwrap_or(0))
                .bind(f.get("created_at").and_then(Value::as_i64).unwrap_or_else(now_ms))
                .fetch_one(&mut *conn)
                .await?;
                *written.entry("footprints".into()).or_default() += 1;
                id
            }
        };
        // Organisations: reuse by ODS code or name, else create (links between them after).
        let mut reused = (0, 0);
        let orgs = rows_of("organisations")?;
        let mut created_orgs = Vec::new();
        for row in orgs {
            let old = row["id"].as_i64().unwrap_or_default();
            let found: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM organisations WHERE (ods_code IS NOT NULL AND ods_code = $1) OR lower(name) = lower($2) \
                 ORDER BY CASE WHEN ods_code = $1 THEN 0 ELSE 1 END LIMIT 1",
            )
            .bind(row["ods_code"].as_str())
            .bind(row["name"].as_str())
            .fetch_optional(&mut *conn)
            .await?;
            let new = match found {
                Some(id) => {
                    reused.0 += 1;
                    id
                }
                None => {
                    let mut plain = row.clone();
                    plain["cvs_id"] = Value::Null;
                    created_orgs.push(old);
                    insert(conn, "organisations", ORGANISATION_COLUMNS, &plain, &map, fid).await?
                }
            };
            map.entry("organisations").or_default().insert(old, new);
        }
        for row in orgs {
            let old = row["id"].as_i64().unwrap_or_default();
            if let (true, Some(cvs)) = (created_orgs.contains(&old), row["cvs_id"].as_i64()) {
                sqlx::query("UPDATE organisations SET cvs_id = $1 WHERE id = $2")
                    .bind(lookup(&map, "organisations", cvs)?)
                    .bind(lookup(&map, "organisations", old)?)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        written.insert("organisations".into(), created_orgs.len() as u64);
        // Accounts: reuse by email, else create without a password or site role.
        let mut created_users = 0;
        for row in rows_of("users")? {
            let old = row["id"].as_i64().unwrap_or_default();
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE lower(email) = lower($1)")
                .bind(row["email"].as_str())
                .fetch_optional(&mut *conn)
                .await?;
            let new = match found {
                Some(id) => {
                    reused.1 += 1;
                    id
                }
                None => {
                    created_users += 1;
                    sqlx::query_scalar(
                        "INSERT INTO users (email, display_name, password_hash, site_role, organisation_id, active, created_at, digest) \
                         VALUES ($1, $2, '!imported', 'none', $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(row["email"].as_str())
                    .bind(row["display_name"].as_str())
                    .bind(
                        row["organisation_id"]
                            .as_i64()
                            .map(|o| lookup(&map, "organisations", o))
                            .transpose()?,
                    )
                    .bind(row["active"].as_i64().unwrap_or(1))
                    .bind(row["created_at"].as_i64().unwrap_or_else(now_ms))
                    .bind(row["digest"].as_str().unwrap_or("weekly"))
                    .fetch_one(&mut *conn)
                    .await?
                }
            };
            map.entry("users").or_default().insert(old, new);
        }
        written.insert("users".into(), created_users);
        // The footprint's own rows, in order; two references are filled in afterwards.
        let mut later: Vec<(&str, &str, i64, i64)> = Vec::new();
        for t in TABLES {
            for row in rows_of(t.name)? {
                let mut row = row.clone();
                let deferred = match t.name {
                    "stakeholder_groups" => Some("parent_id"),
                    "proposals" => Some("supersedes_id"),
                    _ => None,
                };
                if let Some(column) = deferred
                    && let (Some(target), Some(id)) = (row[column].as_i64(), row["id"].as_i64())
                {
                    later.push((t.name, column, id, target));
                    row[column] = Value::Null;
                }
                // A footprint made here has its default stakeholder groups already: same name, same group.
                if t.name == "stakeholder_groups" {
                    let found: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM stakeholder_groups WHERE footprint_id = $1 AND lower(name) = lower($2)",
                    )
                    .bind(fid)
                    .bind(row["name"].as_str())
                    .fetch_optional(&mut *conn)
                    .await?;
                    if let (Some(found), Some(old)) = (found, row["id"].as_i64()) {
                        map.entry(t.name).or_default().insert(old, found);
                        continue;
                    }
                }
                let new = insert(conn, t.name, t.columns, &row, &map, fid).await?;
                if t.has_id() {
                    map.entry(t.name)
                        .or_default()
                        .insert(row["id"].as_i64().unwrap_or_default(), new);
                }
                *written.entry(t.name.into()).or_default() += 1;
            }
        }
        for (table, column, id, target) in later {
            let target_table = if column == "parent_id" {
                "stakeholder_groups"
            } else {
                "decisions"
            };
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET {column} = $1 WHERE id = $2"
            )))
            .bind(lookup(&map, target_table, target)?)
            .bind(lookup(&map, table, id)?)
            .execute(&mut *conn)
            .await?;
        }
        record(
            conn,
            who,
            Change {
                action: "footprint.import",
                entity: "footprint",
                entity_id: fid.to_string(),
                footprint_id: Some(fid),
                summary: format!(
                    "Imported {name} ({code}) from an export made {}",
                    doc["exported_at"].as_str().unwrap_or("earlier")
                ),
                before: None,
                after: Some(json!({"rows": written})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(Imported {
            code,
            rows: written,
            reused,
        })
    }
}

fn lookup(map: &HashMap<&'static str, HashMap<i64, i64>>, table: &str, id: i64) -> Result<i64> {
    map.get(table).and_then(|m| m.get(&id)).copied().ok_or_else(|| {
        bad(
            format!("tables.{table}"),
            format!("{id} is not one of the {table} in this export"),
        )
    })
}

fn check_header(doc: &Value) -> Result<()> {
    if doc["format"] != FORMAT {
        return Err(bad(
            "format",
            format!("expected \"{FORMAT}\" (a file made by footprint export)"),
        ));
    }
    match doc["version"].as_i64() {
        Some(VERSION) => {}
        Some(v) => {
            return Err(bad(
                "version",
                format!("this release reads version {VERSION} of the format, not {v}"),
            ));
        }
        None => return Err(bad("version", "expected a number")),
    }
    let latest = sqlx::migrate!("migrations/sqlite")
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    match doc["schema_version"].as_i64() {
        Some(v) if v > latest => Err(bad(
            "schema_version",
            format!("the export was made by a later release (schema {v}; this release knows up to {latest})"),
        )),
        Some(_) => Ok(()),
        None => Err(bad("schema_version", "expected a number")),
    }
}

fn check_row(table: &str, i: usize, row: &Value, columns: &[(&str, Kind, Ref)]) -> Result<()> {
    let obj = row
        .as_object()
        .ok_or_else(|| bad(format!("tables.{table}[{i}]"), "expected an object"))?;
    for key in obj.keys() {
        if !columns.iter().any(|c| c.0 == key) {
            return Err(bad(
                format!("tables.{table}[{i}].{key}"),
                "is not a column of this table",
            ));
        }
    }
    for (column, kind, r) in columns {
        let path = || format!("tables.{table}[{i}].{column}");
        let v = obj.get(*column).ok_or_else(|| bad(path(), "is missing"))?;
        let ok = match (v, kind) {
            (Value::Null, _) => !matches!(r, Own | Footprint),
            (Value::Number(n), Int) => n.is_i64(),
            (Value::Number(_), Real) => true,
            (Value::String(_), Text) => true,
            (Value::String(s), Blob) => unhex(s).is_some(),
            _ => false,
        };
        if !ok {
            let expected = match kind {
                Int => "a whole number",
                Real => "a number",
                Text => "text",
                Blob => "hexadecimal bytes",
            };
            return Err(bad(path(), format!("expected {expected}, found {v}")));
        }
        if let (Answers, Value::String(s)) = (r, v)
            && serde_json::from_str::<Vec<(i64, Value)>>(s).is_err()
        {
            return Err(bad(path(), "expected answers as [[question id, answer], …]"));
        }
        if let (Groups, Value::String(s)) = (r, v)
            && serde_json::from_str::<Vec<i64>>(s).is_err()
        {
            return Err(bad(path(), "expected a list of stakeholder group ids"));
        }
    }
    Ok(())
}

async fn insert(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[(&str, Kind, Ref)],
    row: &Value,
    map: &HashMap<&'static str, HashMap<i64, i64>>,
    footprint: i64,
) -> Result<i64> {
    let written: Vec<&(&str, Kind, Ref)> = columns.iter().filter(|c| c.2 != Own).collect();
    let names: Vec<&str> = written.iter().map(|c| c.0).collect();
    let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let has_id = columns.iter().any(|c| c.2 == Own);
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({}){}",
        names.join(", "),
        marks.join(", "),
        if has_id { " RETURNING id" } else { "" }
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    let mapped = |target: &str, id: i64| -> Result<i64> {
        map.get(target).and_then(|m| m.get(&id)).copied().ok_or_else(|| {
            bad(
                format!("tables.{table}"),
                format!("refers to {target} {id}, which is not in this export"),
            )
        })
    };
    for (column, kind, r) in written {
        let v = &row[*column];
        q = match (r, kind) {
            (Footprint, _) => q.bind(footprint),
            (To(target), _) => q.bind(v.as_i64().map(|id| mapped(target, id)).transpose()?),
            (MaybeUser, _) => q.bind(
                v.as_i64()
                    .and_then(|id| map.get("users").and_then(|m| m.get(&id)).copied()),
            ),
            (Answers, _) => q.bind(match v.as_str() {
                None => None,
                Some(s) => {
                    let answers: Vec<(i64, Value)> = serde_json::from_str(s).unwrap_or_default();
                    let answers = answers
                        .into_iter()
                        .map(|(qid, a)| Ok((mapped("consultation_questions", qid)?, a)))
                        .collect::<Result<Vec<_>>>()?;
                    Some(serde_json::to_string(&answers).unwrap_or_default())
                }
            }),
            (Groups, _) => q.bind(match v.as_str() {
                None => None,
                Some(s) => {
                    let groups: Vec<i64> = serde_json::from_str(s).unwrap_or_default();
                    let groups = groups
                        .into_iter()
                        .map(|g| mapped("stakeholder_groups", g))
                        .collect::<Result<Vec<_>>>()?;
                    Some(serde_json::to_string(&groups).unwrap_or_default())
                }
            }),
            (_, Int) => q.bind(v.as_i64()),
            (_, Real) => q.bind(v.as_f64()),
            (_, Text) => q.bind(v.as_str().map(str::to_string)),
            (_, Blob) => q.bind(v.as_str().and_then(unhex)),
        };
    }
    if has_id {
        Ok(q.fetch_one(&mut *conn).await?.try_get::<i64, _>(0)?)
    } else {
        q.execute(&mut *conn).await?;
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_through_hex() {
        let b = vec![0u8, 15, 16, 255];
        assert_eq!(hex(&b), "000f10ff");
        assert_eq!(unhex("000f10ff"), Some(b));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
    }

    #[test]
    fn every_reference_points_backwards_or_is_filled_later() {
        let mut seen: Vec<&str> = vec!["organisations", "users"];
        for t in TABLES {
            for (column, _, r) in t.columns {
                if let To(target) = r {
                    let later = (t.name, *column) == ("stakeholder_groups", "parent_id")
                        || (t.name, *column) == ("proposals", "supersedes_id")
                        || (t.name, *column) == ("decisions", "supersedes_id");
                    assert!(
                        seen.contains(target) || later,
                        "{}.{column} refers to {target}, written later",
                        t.name
                    );
                }
            }
            seen.push(t.name);
        }
    }
}
