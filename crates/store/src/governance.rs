//! Governance: a footprint's decision-making bodies (form, rule, quorum, required consents),
//! their members (organisations, each with a representative and a deputy), meetings, proposals
//! and members' responses, the final decisions a closed meeting records, and conditions and
//! actions.
//!
//! A decision is final: the database refuses to change or delete one. A later decision
//! supersedes it by linking to it (a decision is superseded at most once). A response is taken
//! only from the representative or deputy of a member, only while the proposal is on the agenda
//! of a meeting that has not closed; closing the meeting applies the body's rule to the
//! responses ([`footprint_domain::governance::outcome`]) and records a decision for each
//! proposal that reached its quorum. A proposal without a quorum is not decided: it leaves the
//! agenda with the reason, to go to a later meeting.

use std::collections::BTreeMap;

use footprint_domain::consultation::OptionEffect;
use footprint_domain::governance::{self, BodyForm, DecisionRule, Outcome, Response, Rule};
use serde_json::{Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::engagement::{Document, NewDocument, insert_document};
use crate::{Result, Store, StoreError, Who, conflict, now_ms};

/// A decision-making body.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Body {
    /// Row id.
    pub id: i64,
    /// The footprint.
    pub footprint_id: i64,
    /// Its name ("Northshire Partnership Board").
    pub name: String,
    /// Its form.
    pub form: BodyForm,
    /// What it is for.
    pub purpose: String,
    /// How it decides.
    pub rule: Rule,
    /// How many members must respond for a decision.
    pub quorum: i64,
    /// Edit revision.
    pub revision: i64,
}

/// What a body is set up with.
#[derive(Debug, Clone)]
pub struct BodyInput {
    /// Name.
    pub name: String,
    /// Form.
    pub form: BodyForm,
    /// Purpose.
    pub purpose: String,
    /// Rule.
    pub rule: Rule,
    /// Quorum (at least 1).
    pub quorum: i64,
}

/// A member of a body: an organisation with its representative and deputy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    /// Row id.
    pub id: i64,
    /// The body.
    pub body_id: i64,
    /// The organisation.
    pub organisation_id: i64,
    /// Its name.
    pub organisation: String,
    /// Its kind key (`ccg`, `council`, …).
    pub organisation_kind: String,
    /// The representative: user id and name.
    pub representative: Option<(i64, String)>,
    /// The deputy: user id and name.
    pub deputy: Option<(i64, String)>,
}

impl Member {
    /// Whether `user` may respond for this member.
    pub fn speaks_for(&self, user: i64) -> bool {
        self.representative.as_ref().is_some_and(|r| r.0 == user) || self.deputy.as_ref().is_some_and(|d| d.0 == user)
    }
}

/// A meeting of a body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Meeting {
    /// Row id.
    pub id: i64,
    /// The body.
    pub body_id: i64,
    /// The day, `YYYY-MM-DD`.
    pub held_on: String,
    /// Title.
    pub title: String,
    /// Where.
    pub place: String,
    /// The agenda in words (the proposals on it are listed with it).
    pub agenda: String,
    /// The minutes, once written (public).
    pub minutes: String,
    /// The minutes of confidential items (for members and national assurance).
    pub confidential_minutes: String,
    /// When it closed (ms since 1970): no responses after.
    pub closed_at: Option<i64>,
}

/// What a meeting is set up with.
#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    /// The day, `YYYY-MM-DD`.
    pub held_on: String,
    /// Title.
    pub title: String,
    /// Where.
    pub place: String,
    /// Agenda.
    pub agenda: String,
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProposalStatus {
    /// Being written.
    Draft,
    /// On a meeting's agenda, taking responses.
    OnAgenda,
    /// Decided: a decision records what became of it.
    Decided,
}

impl ProposalStatus {
    /// Words for it.
    pub fn label(self) -> &'static str {
        match self {
            ProposalStatus::Draft => "Draft",
            ProposalStatus::OnAgenda => "On the agenda",
            ProposalStatus::Decided => "Decided",
        }
    }
}

/// A proposal for decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Proposal {
    /// Row id.
    pub id: i64,
    /// The footprint.
    pub footprint_id: i64,
    /// The body that decides it.
    pub body_id: i64,
    /// The meeting whose agenda it is on.
    pub meeting_id: Option<i64>,
    /// Title.
    pub title: String,
    /// What is proposed.
    pub what: String,
    /// Why.
    pub why: String,
    /// The options considered and why they were not chosen.
    pub options_considered: String,
    /// Subject keys ([`governance::SUBJECTS`]).
    pub subjects: Vec<String>,
    /// The plan's priorities it serves.
    pub priorities: Vec<String>,
    /// The plan's initiatives it changes (ids).
    pub initiatives: Vec<String>,
    /// What carrying it does to those initiatives in the stress test.
    pub effect: OptionEffect,
    /// The stakeholder groups it affects (ids).
    pub affected_groups: Vec<i64>,
    /// Whether it is a service reconfiguration (NHS England's tests apply).
    pub reconfiguration: bool,
    /// Evidence for each reconfiguration test, by test key.
    pub evidence: BTreeMap<String, String>,
    /// Whether it is for members and national assurance only.
    pub confidential: bool,
    /// The decision it would supersede, if carried.
    pub supersedes_id: Option<i64>,
    /// The stress-test effect worked out for the pack.
    pub stress: Option<Value>,
    /// Why it left an agenda undecided, if it did.
    pub note: String,
    /// Edit revision.
    pub revision: i64,
    /// Who wrote it.
    pub created_by: String,
    /// Whether a decision records it.
    pub decided: bool,
}

impl Proposal {
    /// Where it stands.
    pub fn status(&self) -> ProposalStatus {
        if self.decided {
            ProposalStatus::Decided
        } else if self.meeting_id.is_some() {
            ProposalStatus::OnAgenda
        } else {
            ProposalStatus::Draft
        }
    }
}

/// What a proposal is written with.
#[derive(Debug, Clone)]
pub struct ProposalInput {
    /// The body that decides it.
    pub body_id: i64,
    /// Title.
    pub title: String,
    /// What.
    pub what: String,
    /// Why.
    pub why: String,
    /// Options considered.
    pub options_considered: String,
    /// Subjects.
    pub subjects: Vec<String>,
    /// Priorities.
    pub priorities: Vec<String>,
    /// Initiative ids.
    pub initiatives: Vec<String>,
    /// Effect on the initiatives.
    pub effect: OptionEffect,
    /// Affected group ids.
    pub affected_groups: Vec<i64>,
    /// A service reconfiguration.
    pub reconfiguration: bool,
    /// Evidence by test key.
    pub evidence: BTreeMap<String, String>,
    /// Confidential.
    pub confidential: bool,
    /// The decision it supersedes.
    pub supersedes_id: Option<i64>,
    /// The stress-test effect for the pack (worked out by the caller).
    pub stress: Option<Value>,
}

/// A member's recorded response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MemberResponse {
    /// The member.
    pub member_id: i64,
    /// The organisation's name.
    pub organisation: String,
    /// The response.
    pub response: Response,
    /// Who gave it (name).
    pub responded_by: String,
    /// When (ms since 1970).
    pub responded_at: i64,
}

/// A final decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DecisionRecord {
    /// Row id.
    pub id: i64,
    /// The footprint.
    pub footprint_id: i64,
    /// The body.
    pub body_id: i64,
    /// The body's name.
    pub body: String,
    /// The meeting.
    pub meeting_id: i64,
    /// The proposal.
    pub proposal_id: i64,
    /// The day, `YYYY-MM-DD`.
    pub decided_on: String,
    /// The proposal's title.
    pub title: String,
    /// What became of it.
    pub outcome: Outcome,
    /// Reasons in words.
    pub reasons: Vec<String>,
    /// Organisations that agreed.
    pub agreed: Vec<String>,
    /// Organisations that dissented, with their reasons.
    pub dissented: Vec<(String, String)>,
    /// Organisations that abstained.
    pub abstained: Vec<String>,
    /// Whether it is confidential.
    pub confidential: bool,
    /// The decision it supersedes.
    pub supersedes_id: Option<i64>,
    /// The later decision that supersedes it.
    pub superseded_by: Option<i64>,
    /// The decision pack as it stood when decided.
    pub pack: Value,
    /// When it was recorded (ms since 1970).
    pub created_at: i64,
}

/// A condition of a decision or an action.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ActionItem {
    /// Row id.
    pub id: i64,
    /// The footprint.
    pub footprint_id: i64,
    /// The decision it comes from.
    pub decision_id: Option<i64>,
    /// `condition` or `action`.
    pub kind: String,
    /// What is to be done.
    pub title: String,
    /// The organisation that owns it: id and name.
    pub organisation: Option<(i64, String)>,
    /// The person who owns it: id and name.
    pub owner: Option<(i64, String)>,
    /// When it is due, `YYYY-MM-DD`.
    pub due_on: String,
    /// When it was done.
    pub done_on: Option<String>,
    /// A note on progress.
    pub note: String,
    /// Edit revision.
    pub revision: i64,
}

/// A new condition or action.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    /// The decision it comes from.
    pub decision_id: Option<i64>,
    /// `condition` or `action`.
    pub kind: String,
    /// What.
    pub title: String,
    /// Owning organisation.
    pub organisation_id: Option<i64>,
    /// Owning person.
    pub owner_id: Option<i64>,
    /// Due, `YYYY-MM-DD`.
    pub due_on: String,
}

/// What closing a meeting did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Closed {
    /// Proposals decided: proposal id, decision id, outcome.
    pub decided: Vec<(i64, i64, Outcome)>,
    /// Proposals not decided, with the reason (no quorum).
    pub not_decided: Vec<(i64, String)>,
}

fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))
}

fn date(text: &str, field: &'static str) -> Result<()> {
    match footprint_domain::consultation::parse_date(text) {
        Some(_) => Ok(()),
        None => Err(conflict(field, "Enter a real date, for example 2017-03-27")),
    }
}

fn body(row: &AnyRow) -> Result<Body> {
    let form: String = row.try_get("form")?;
    let rule: String = row.try_get("rule")?;
    Ok(Body {
        id: row.try_get("id")?,
        footprint_id: row.try_get("footprint_id")?,
        name: row.try_get("name")?,
        form: BodyForm::parse(&form).ok_or_else(|| StoreError::Database(sqlx::Error::Decode(form.into())))?,
        purpose: row.try_get("purpose")?,
        rule: decode(&rule)?,
        quorum: row.try_get("quorum")?,
        revision: row.try_get("revision")?,
    })
}

fn meeting(row: &AnyRow) -> Result<Meeting> {
    Ok(Meeting {
        id: row.try_get("id")?,
        body_id: row.try_get("body_id")?,
        held_on: row.try_get("held_on")?,
        title: row.try_get("title")?,
        place: row.try_get("place")?,
        agenda: row.try_get("agenda")?,
        minutes: row.try_get("minutes")?,
        confidential_minutes: row.try_get("confidential_minutes")?,
        closed_at: row.try_get("closed_at")?,
    })
}

macro_rules! proposal_columns {
    () => {
        "p.id, p.footprint_id, p.body_id, p.meeting_id, p.title, p.what, p.why, p.options_considered, p.subjects, \
         p.priorities, p.initiatives, p.effect, p.affected_groups, p.reconfiguration, p.evidence, p.confidential, \
         p.supersedes_id, p.stress, p.note, p.revision, p.created_by, \
         (SELECT COUNT(*) FROM decisions d WHERE d.proposal_id = p.id) AS decided"
    };
}

fn proposal(row: &AnyRow) -> Result<Proposal> {
    let text = |c: &str| -> Result<String> { Ok(row.try_get::<String, _>(c)?) };
    let stress: Option<String> = row.try_get("stress")?;
    Ok(Proposal {
        id: row.try_get("id")?,
        footprint_id: row.try_get("footprint_id")?,
        body_id: row.try_get("body_id")?,
        meeting_id: row.try_get("meeting_id")?,
        title: text("title")?,
        what: text("what")?,
        why: text("why")?,
        options_considered: text("options_considered")?,
        subjects: decode(&text("subjects")?)?,
        priorities: decode(&text("priorities")?)?,
        initiatives: decode(&text("initiatives")?)?,
        effect: decode(&text("effect")?)?,
        affected_groups: decode(&text("affected_groups")?)?,
        reconfiguration: row.try_get::<i64, _>("reconfiguration")? != 0,
        evidence: decode(&text("evidence")?)?,
        confidential: row.try_get::<i64, _>("confidential")? != 0,
        supersedes_id: row.try_get("supersedes_id")?,
        stress: stress.as_deref().map(decode).transpose()?,
        note: text("note")?,
        revision: row.try_get("revision")?,
        created_by: text("created_by")?,
        decided: row.try_get::<i64, _>("decided")? > 0,
    })
}

macro_rules! decision_columns {
    () => {
        "d.id, d.footprint_id, d.body_id, b.name AS body_name, d.meeting_id, d.proposal_id, d.decided_on, d.title, \
         d.outcome, d.record, d.confidential, d.supersedes_id, d.pack, d.created_at, \
         (SELECT s.id FROM decisions s WHERE s.supersedes_id = d.id) AS superseded_by"
    };
}

fn outcome_key(o: &Outcome) -> &'static str {
    match o {
        Outcome::Carried => "carried",
        Outcome::NotCarried => "not-carried",
        Outcome::Blocked => "blocked",
        Outcome::NoQuorum => "no-quorum",
        Outcome::ConsentMissing => "consent-missing",
    }
}

fn parse_outcome(key: &str) -> Result<Outcome> {
    Ok(match key {
        "carried" => Outcome::Carried,
        "not-carried" => Outcome::NotCarried,
        "blocked" => Outcome::Blocked,
        "no-quorum" => Outcome::NoQuorum,
        "consent-missing" => Outcome::ConsentMissing,
        other => return Err(StoreError::Database(sqlx::Error::Decode(other.to_string().into()))),
    })
}

/// The stored record of who agreed and dissented (names, not ids, so that the record stands
/// when a member later leaves).
#[derive(serde::Serialize, serde::Deserialize)]
struct Record {
    reasons: Vec<String>,
    agreed: Vec<String>,
    dissented: Vec<(String, String)>,
    abstained: Vec<String>,
}

fn decision(row: &AnyRow) -> Result<DecisionRecord> {
    let record: String = row.try_get("record")?;
    let record: Record = decode(&record)?;
    let pack: String = row.try_get("pack")?;
    let outcome: String = row.try_get("outcome")?;
    Ok(DecisionRecord {
        id: row.try_get("id")?,
        footprint_id: row.try_get("footprint_id")?,
        body_id: row.try_get("body_id")?,
        body: row.try_get("body_name")?,
        meeting_id: row.try_get("meeting_id")?,
        proposal_id: row.try_get("proposal_id")?,
        decided_on: row.try_get("decided_on")?,
        title: row.try_get("title")?,
        outcome: parse_outcome(&outcome)?,
        reasons: record.reasons,
        agreed: record.agreed,
        dissented: record.dissented,
        abstained: record.abstained,
        confidential: row.try_get::<i64, _>("confidential")? != 0,
        supersedes_id: row.try_get("supersedes_id")?,
        superseded_by: row.try_get("superseded_by")?,
        pack: decode(&pack)?,
        created_at: row.try_get("created_at")?,
    })
}

fn action(row: &AnyRow) -> Result<ActionItem> {
    let org_id: Option<i64> = row.try_get("organisation_id")?;
    let org_name: Option<String> = row.try_get("organisation_name")?;
    let owner_id: Option<i64> = row.try_get("owner_id")?;
    let owner_name: Option<String> = row.try_get("owner_name")?;
    Ok(ActionItem {
        id: row.try_get("id")?,
        footprint_id: row.try_get("footprint_id")?,
        decision_id: row.try_get("decision_id")?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        organisation: org_id.zip(org_name),
        owner: owner_id.zip(owner_name),
        due_on: row.try_get("due_on")?,
        done_on: row.try_get("done_on")?,
        note: row.try_get("note")?,
        revision: row.try_get("revision")?,
    })
}

macro_rules! action_columns {
    () => {
        "a.id, a.footprint_id, a.decision_id, a.kind, a.title, a.organisation_id, o.name AS organisation_name, \
         a.owner_id, u.display_name AS owner_name, a.due_on, a.done_on, a.note, a.revision"
    };
}

macro_rules! member_query {
    () => {
        "SELECT m.id, m.body_id, m.organisation_id, o.name AS organisation, o.kind, \
         m.representative_id, r.display_name AS representative, m.deputy_id, d.display_name AS deputy \
         FROM body_members m JOIN organisations o ON o.id = m.organisation_id \
         LEFT JOIN users r ON r.id = m.representative_id LEFT JOIN users d ON d.id = m.deputy_id "
    };
}

fn member(row: &AnyRow) -> Result<Member> {
    let rep: Option<i64> = row.try_get("representative_id")?;
    let rep_name: Option<String> = row.try_get("representative")?;
    let dep: Option<i64> = row.try_get("deputy_id")?;
    let dep_name: Option<String> = row.try_get("deputy")?;
    Ok(Member {
        id: row.try_get("id")?,
        body_id: row.try_get("body_id")?,
        organisation_id: row.try_get("organisation_id")?,
        organisation: row.try_get("organisation")?,
        organisation_kind: row.try_get("kind")?,
        representative: rep.zip(rep_name),
        deputy: dep.zip(dep_name),
    })
}

fn check_body_input(b: &BodyInput) -> Result<()> {
    if b.name.trim().is_empty() {
        return Err(conflict("name", "Enter the body's name"));
    }
    if b.quorum < 1 {
        return Err(conflict("quorum", "The quorum must be at least 1 member"));
    }
    Ok(())
}

async fn body_in(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Body> {
    sqlx::query("SELECT * FROM bodies WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(body)
        .transpose()?
        .ok_or(StoreError::NotFound("That body"))
}

async fn proposal_in(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Proposal> {
    sqlx::query(concat!(
        "SELECT ",
        proposal_columns!(),
        " FROM proposals p WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(proposal)
    .transpose()?
    .ok_or(StoreError::NotFound("That proposal"))
}

async fn meeting_in(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Meeting> {
    sqlx::query("SELECT * FROM meetings WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(meeting)
        .transpose()?
        .ok_or(StoreError::NotFound("That meeting"))
}

/// A meeting read for a change that depends on whether it has closed: on PostgreSQL the row is
/// locked until the transaction ends, so a response, a scheduling and the closing cannot
/// interleave (SQLite's write transactions are already one at a time).
async fn meeting_for_update(conn: &mut sqlx::AnyConnection, backend: crate::Backend, id: i64) -> Result<Meeting> {
    let sql = match backend {
        crate::Backend::Postgres => "SELECT * FROM meetings WHERE id = $1 FOR UPDATE",
        crate::Backend::Sqlite => "SELECT * FROM meetings WHERE id = $1",
    };
    sqlx::query(sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(meeting)
        .transpose()?
        .ok_or(StoreError::NotFound("That meeting"))
}

/// Whether a person belongs to a footprint: on the staff of a partner organisation, or holding a
/// role in it.
async fn of_footprint(conn: &mut sqlx::AnyConnection, footprint_id: i64, user_id: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users u WHERE u.id = $1 AND u.active = 1 AND ( \
           EXISTS (SELECT 1 FROM footprint_partners p WHERE p.footprint_id = $2 AND p.organisation_id = u.organisation_id) \
           OR EXISTS (SELECT 1 FROM footprint_roles r WHERE r.footprint_id = $2 AND r.user_id = u.id))",
    )
    .bind(user_id)
    .bind(footprint_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

async fn members_in(conn: &mut sqlx::AnyConnection, body_id: i64) -> Result<Vec<Member>> {
    sqlx::query(concat!(
        member_query!(),
        "WHERE m.body_id = $1 AND m.left_at IS NULL ORDER BY lower(o.name)"
    ))
    .bind(body_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(member)
    .collect()
}

async fn required_in(conn: &mut sqlx::AnyConnection, body_id: i64) -> Result<Vec<(String, Vec<i64>)>> {
    let rows = sqlx::query(
        "SELECT rc.subject, rc.member_id FROM required_consents rc JOIN body_members m ON m.id = rc.member_id \
         WHERE rc.body_id = $1 AND m.left_at IS NULL ORDER BY rc.subject, rc.member_id",
    )
    .bind(body_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<(String, Vec<i64>)> = Vec::new();
    for r in rows {
        let subject: String = r.try_get("subject")?;
        let member: i64 = r.try_get("member_id")?;
        match out.last_mut() {
            Some((s, ms)) if *s == subject => ms.push(member),
            _ => out.push((subject, vec![member])),
        }
    }
    Ok(out)
}

async fn responses_in(conn: &mut sqlx::AnyConnection, proposal_id: i64) -> Result<Vec<MemberResponse>> {
    let rows = sqlx::query(
        "SELECT r.member_id, o.name AS organisation, r.response, r.reason, u.display_name, r.responded_at \
         FROM proposal_responses r JOIN body_members m ON m.id = r.member_id \
         JOIN organisations o ON o.id = m.organisation_id JOIN users u ON u.id = r.responded_by \
         WHERE r.proposal_id = $1 ORDER BY lower(o.name)",
    )
    .bind(proposal_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("response")?;
            let reason: String = r.try_get("reason")?;
            let response = match kind.as_str() {
                "consent" => Response::Consent,
                "abstain" => Response::Abstain,
                "object" => Response::Object(reason),
                _ => Response::Block(reason),
            };
            Ok(MemberResponse {
                member_id: r.try_get("member_id")?,
                organisation: r.try_get("organisation")?,
                response,
                responded_by: r.try_get("display_name")?,
                responded_at: r.try_get("responded_at")?,
            })
        })
        .collect()
}

fn check_proposal(p: &ProposalInput) -> Result<()> {
    if p.title.trim().is_empty() {
        return Err(conflict("title", "Enter the proposal's title"));
    }
    if p.what.trim().is_empty() {
        return Err(conflict("what", "Say what is proposed"));
    }
    if p.why.trim().is_empty() {
        return Err(conflict("why", "Say why it is proposed"));
    }
    if p.effect != OptionEffect::NotModelled && p.initiatives.is_empty() {
        return Err(conflict(
            "initiatives",
            "Choose the initiatives the proposal changes, or say its effect is not modelled",
        ));
    }
    Ok(())
}

fn proposal_json(p: &ProposalInput) -> Value {
    json!({
        "body_id": p.body_id, "title": p.title, "what": p.what, "why": p.why,
        "options_considered": p.options_considered, "subjects": p.subjects, "priorities": p.priorities,
        "initiatives": p.initiatives, "effect": p.effect, "affected_groups": p.affected_groups,
        "reconfiguration": p.reconfiguration, "evidence": p.evidence, "confidential": p.confidential,
        "supersedes_id": p.supersedes_id,
    })
}

fn to_text(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("governance values serialise")
}

impl Store {
    /// Sets up a body.
    pub async fn create_body(&self, who: &Who, footprint_id: i64, b: &BodyInput) -> Result<i64> {
        check_body_input(b)?;
        let mut tx = self.write().await?;
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bodies (footprint_id, name, form, purpose, rule, quorum, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(footprint_id)
        .bind(b.name.trim())
        .bind(b.form.key())
        .bind(b.purpose.trim())
        .bind(to_text(&b.rule))
        .bind(b.quorum)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if crate::is_unique_violation(&e) {
                conflict(
                    "name",
                    format!("The footprint already has a body called \"{}\"", b.name.trim()),
                )
            } else if crate::is_foreign_key_violation(&e) {
                StoreError::NotFound("That footprint")
            } else {
                e.into()
            }
        })?;
        record(
            &mut tx,
            who,
            Change {
                action: "governance.body.create",
                entity: "body",
                entity_id: id.to_string(),
                footprint_id: Some(footprint_id),
                summary: format!("Set up {} ({})", b.name.trim(), b.form.label()),
                before: None,
                after: Some(json!({"name": b.name, "form": b.form, "rule": b.rule, "quorum": b.quorum})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// Changes a body's name, form, purpose, rule or quorum; refused if it changed since
    /// `revision`. Decisions already recorded keep the rule they were taken under.
    pub async fn update_body(&self, who: &Who, id: i64, revision: i64, b: &BodyInput) -> Result<()> {
        check_body_input(b)?;
        let mut tx = self.write().await?;
        let before = body_in(&mut tx, id).await?;
        if before.revision != revision {
            return Err(StoreError::Stale("This body"));
        }
        sqlx::query(
            "UPDATE bodies SET name = $1, form = $2, purpose = $3, rule = $4, quorum = $5, revision = revision + 1, \
             updated_at = $6 WHERE id = $7 AND revision = $8",
        )
        .bind(b.name.trim())
        .bind(b.form.key())
        .bind(b.purpose.trim())
        .bind(to_text(&b.rule))
        .bind(b.quorum)
        .bind(now_ms())
        .bind(id)
        .bind(revision)
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if crate::is_unique_violation(&e) {
                conflict(
                    "name",
                    format!("The footprint already has a body called \"{}\"", b.name.trim()),
                )
            } else {
                e.into()
            }
        })
        .and_then(|r| crate::one_row(r, "This body"))?;
        record(
            &mut tx,
            who,
            Change {
                action: "governance.body.update",
                entity: "body",
                entity_id: id.to_string(),
                footprint_id: Some(before.footprint_id),
                summary: format!("Changed {}", b.name.trim()),
                before: Some(json!({"name": before.name, "form": before.form, "rule": before.rule, "quorum": before.quorum, "purpose": before.purpose})),
                after: Some(json!({"name": b.name, "form": b.form, "rule": b.rule, "quorum": b.quorum, "purpose": b.purpose})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// A footprint's bodies, by name.
    pub async fn bodies(&self, footprint_id: i64) -> Result<Vec<Body>> {
        sqlx::query("SELECT * FROM bodies WHERE footprint_id = $1 ORDER BY lower(name)")
            .bind(footprint_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(body)
            .collect()
    }

    /// One body.
    pub async fn body(&self, id: i64) -> Result<Option<Body>> {
        sqlx::query("SELECT * FROM bodies WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(body)
            .transpose()
    }

    /// A body's rule with its quorum and required consents, ready for
    /// [`governance::outcome`].
    pub async fn decision_rule(&self, body_id: i64) -> Result<DecisionRule> {
        let mut conn = self.pool().acquire().await?;
        let b = body_in(&mut conn, body_id).await?;
        Ok(DecisionRule {
            rule: b.rule,
            quorum: b.quorum.max(1) as usize,
            required: required_in(&mut conn, body_id).await?,
        })
    }

    /// Adds a member organisation (a partner of the footprint) with its representative and
    /// deputy; an organisation that left is brought back.
    pub async fn add_member(
        &self,
        who: &Who,
        body_id: i64,
        organisation_id: i64,
        people: (Option<i64>, Option<i64>),
    ) -> Result<i64> {
        let (representative, deputy) = people;
        if representative.is_some() && representative == deputy {
            return Err(conflict("deputy", "Choose a deputy other than the representative"));
        }
        let mut tx = self.write().await?;
        let b = body_in(&mut tx, body_id).await?;
        let partner: Option<String> = sqlx::query_scalar(
            "SELECT o.name FROM footprint_partners p JOIN organisations o ON o.id = p.organisation_id \
             WHERE p.footprint_id = $1 AND p.organisation_id = $2",
        )
        .bind(b.footprint_id)
        .bind(organisation_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(name) = partner else {
            return Err(conflict(
                "organisation",
                "Choose one of the footprint's partner organisations: only partners can be members",
            ));
        };
        for (field, user) in [("representative", representative), ("deputy", deputy)] {
            if let Some(u) = user
                && !of_footprint(&mut tx, b.footprint_id, u).await?
            {
                return Err(conflict(
                    field,
                    "Choose a person of one of the footprint's partner organisations or with a role in the footprint",
                ));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO body_members (body_id, organisation_id, representative_id, deputy_id, added_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (body_id, organisation_id) DO UPDATE SET representative_id = excluded.representative_id, \
             deputy_id = excluded.deputy_id, left_at = NULL RETURNING id",
        )
        .bind(body_id)
        .bind(organisation_id)
        .bind(representative)
        .bind(deputy)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            who,
            Change {
                action: "governance.member.add",
                entity: "body_member",
                entity_id: id.to_string(),
                footprint_id: Some(b.footprint_id),
                summary: format!("{name} joined {}", b.name),
                before: None,
                after: Some(json!({"organisation_id": organisation_id, "representative_id": representative, "deputy_id": deputy})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// A member leaves the body (its past responses and the decisions they made stand).
    pub async fn remove_member(&self, who: &Who, member_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let m = sqlx::query(concat!(member_query!(), "WHERE m.id = $1 AND m.left_at IS NULL"))
            .bind(member_id)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(member)
            .transpose()?
            .ok_or(StoreError::NotFound("That member"))?;
        let b = body_in(&mut tx, m.body_id).await?;
        sqlx::query("UPDATE body_members SET left_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            who,
            Change {
                action: "governance.member.remove",
                entity: "body_member",
                entity_id: member_id.to_string(),
                footprint_id: Some(b.footprint_id),
                summary: format!("{} left {}", m.organisation, b.name),
                before: Some(json!({"organisation_id": m.organisation_id})),
                after: None,
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// A body's current members, by organisation name.
    pub async fn members(&self, body_id: i64) -> Result<Vec<Member>> {
        let mut conn = self.pool().acquire().await?;
        members_in(&mut conn, body_id).await
    }

    /// Every body on which a user represents or deputises for a member: (body, member).
    pub async fn memberships(&self, user_id: i64) -> Result<Vec<(i64, Member)>> {
        let rows = sqlx::query(concat!(
            member_query!(),
            "WHERE (m.representative_id = $1 OR m.deputy_id = $1) AND m.left_at IS NULL ORDER BY m.id"
        ))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("body_id")?, member(r)?))).collect()
    }

    /// Sets the members whose consent a subject needs on a body (replacing any before).
    pub async fn set_required_consents(
        &self,
        who: &Who,
        body_id: i64,
        subject: &str,
        member_ids: &[i64],
    ) -> Result<()> {
        self.set_all_required_consents(who, body_id, &[(subject.to_string(), member_ids.to_vec())])
            .await
    }

    /// Sets the members whose consent each of several subjects needs, in one transaction:
    /// either every subject is changed or none.
    pub async fn set_all_required_consents(
        &self,
        who: &Who,
        body_id: i64,
        subjects: &[(String, Vec<i64>)],
    ) -> Result<()> {
        let keys: Vec<String> = subjects.iter().map(|(s, _)| s.clone()).collect();
        governance::parse_subjects(&keys).map_err(|e| conflict("subject", e.0))?;
        let mut tx = self.write().await?;
        let b = body_in(&mut tx, body_id).await?;
        let members = members_in(&mut tx, body_id).await?;
        let before = required_in(&mut tx, body_id).await?;
        let mut summaries = Vec::new();
        for (subject, member_ids) in subjects {
            for m in member_ids {
                if !members.iter().any(|x| x.id == *m) {
                    return Err(conflict("members", "Choose members of this body"));
                }
            }
            sqlx::query("DELETE FROM required_consents WHERE body_id = $1 AND subject = $2")
                .bind(body_id)
                .bind(subject)
                .execute(&mut *tx)
                .await?;
            for m in member_ids {
                sqlx::query(
                    "INSERT INTO required_consents (body_id, subject, member_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(body_id)
                .bind(subject)
                .bind(m)
                .execute(&mut *tx)
                .await?;
            }
            let names: Vec<&str> = members
                .iter()
                .filter(|m| member_ids.contains(&m.id))
                .map(|m| m.organisation.as_str())
                .collect();
            summaries.push(if names.is_empty() {
                format!("on {}, no member's consent", governance::subject_label(subject))
            } else {
                format!(
                    "on {}, the consent of {}",
                    governance::subject_label(subject),
                    names.join(", ")
                )
            });
        }
        record(
            &mut tx,
            who,
            Change {
                action: "governance.consents",
                entity: "body",
                entity_id: body_id.to_string(),
                footprint_id: Some(b.footprint_id),
                summary: format!("{} needs {}", b.name, summaries.join("; ")),
                before: Some(json!(before)),
                after: Some(json!(subjects)),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// A body's required consents: (subject, member ids).
    pub async fn required_consents(&self, body_id: i64) -> Result<Vec<(String, Vec<i64>)>> {
        let mut conn = self.pool().acquire().await?;
        required_in(&mut conn, body_id).await
    }

    /// Adds a governance document: a body's terms of reference or memorandum of understanding
    /// (`role`), a meeting's papers or minutes, or a proposal's paper. A proposal's papers are
    /// confidential when it is.
    pub async fn add_governance_document(
        &self,
        who: &Who,
        attach: GovernanceDocument,
        doc: &NewDocument,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let (footprint_id, body_id, meeting_id, proposal_id, role, confidential) = match attach {
            GovernanceDocument::TermsOfReference(b) | GovernanceDocument::Memorandum(b) => {
                let body = body_in(&mut tx, b).await?;
                let role = if matches!(attach, GovernanceDocument::TermsOfReference(_)) {
                    "terms-of-reference"
                } else {
                    "memorandum"
                };
                (body.footprint_id, Some(b), None, None, role, false)
            }
            GovernanceDocument::Minutes {
                meeting: m,
                confidential,
            }
            | GovernanceDocument::MeetingPaper {
                meeting: m,
                confidential,
            } => {
                let meeting = meeting_in(&mut tx, m).await?;
                let body = body_in(&mut tx, meeting.body_id).await?;
                let role = if matches!(attach, GovernanceDocument::Minutes { .. }) {
                    "minutes"
                } else {
                    "paper"
                };
                (body.footprint_id, Some(body.id), Some(m), None, role, confidential)
            }
            GovernanceDocument::ProposalPaper(p) => {
                let proposal = proposal_in(&mut tx, p).await?;
                if proposal.decided {
                    return Err(conflict("document", "This proposal is decided: its papers are fixed"));
                }
                (
                    proposal.footprint_id,
                    Some(proposal.body_id),
                    proposal.meeting_id,
                    Some(p),
                    "paper",
                    proposal.confidential,
                )
            }
        };
        let id = insert_document(&mut tx, who, footprint_id, None, doc).await?;
        sqlx::query(
            "UPDATE documents SET body_id = $1, meeting_id = $2, proposal_id = $3, role = $4, confidential = $5 WHERE id = $6",
        )
        .bind(body_id)
        .bind(meeting_id)
        .bind(proposal_id)
        .bind(role)
        .bind(i64::from(confidential))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// A body's documents (terms of reference, memoranda), oldest first.
    pub async fn body_documents(&self, body_id: i64) -> Result<Vec<Document>> {
        self.documents_where("SELECT id, footprint_id, consultation_id, title, url, file_name, content_type, size, confidential, proposal_id, body_id, role FROM documents WHERE body_id = $1 AND meeting_id IS NULL AND proposal_id IS NULL ORDER BY id", body_id).await
    }

    /// A meeting's papers and minutes (not its proposals' papers), oldest first.
    pub async fn meeting_documents(&self, meeting_id: i64) -> Result<Vec<Document>> {
        self.documents_where("SELECT id, footprint_id, consultation_id, title, url, file_name, content_type, size, confidential, proposal_id, body_id, role FROM documents WHERE meeting_id = $1 AND proposal_id IS NULL ORDER BY id", meeting_id).await
    }

    /// A proposal's papers, oldest first.
    pub async fn proposal_documents(&self, proposal_id: i64) -> Result<Vec<Document>> {
        self.documents_where("SELECT id, footprint_id, consultation_id, title, url, file_name, content_type, size, confidential, proposal_id, body_id, role FROM documents WHERE proposal_id = $1 ORDER BY id", proposal_id).await
    }

    async fn documents_where(&self, sql: &'static str, id: i64) -> Result<Vec<Document>> {
        sqlx::query(sql)
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(crate::engagement::document)
            .collect()
    }

    /// Calls a meeting.
    pub async fn create_meeting(&self, who: &Who, body_id: i64, m: &MeetingInput) -> Result<i64> {
        if m.title.trim().is_empty() {
            return Err(conflict("title", "Enter the meeting's title"));
        }
        date(&m.held_on, "held_on")?;
        let mut tx = self.write().await?;
        let b = body_in(&mut tx, body_id).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO meetings (body_id, held_on, title, place, agenda, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(body_id)
        .bind(&m.held_on)
        .bind(m.title.trim())
        .bind(m.place.trim())
        .bind(m.agenda.trim())
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            who,
            Change {
                action: "governance.meeting.create",
                entity: "meeting",
                entity_id: id.to_string(),
                footprint_id: Some(b.footprint_id),
                summary: format!("Called {} of {} on {}", m.title.trim(), b.name, m.held_on),
                before: None,
                after: Some(json!({"held_on": m.held_on, "title": m.title, "place": m.place, "agenda": m.agenda})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// A body's meetings, latest first.
    pub async fn meetings(&self, body_id: i64) -> Result<Vec<Meeting>> {
        sqlx::query("SELECT * FROM meetings WHERE body_id = $1 ORDER BY held_on DESC, id DESC")
            .bind(body_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(meeting)
            .collect()
    }

    /// One meeting.
    pub async fn meeting(&self, id: i64) -> Result<Option<Meeting>> {
        sqlx::query("SELECT * FROM meetings WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(meeting)
            .transpose()
    }

    /// Drafts a proposal.
    pub async fn create_proposal(&self, who: &Who, footprint_id: i64, p: &ProposalInput) -> Result<i64> {
        check_proposal(p)?;
        let mut tx = self.write().await?;
        self.check_proposal_links(&mut tx, footprint_id, p).await?;
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO proposals (footprint_id, body_id, title, what, why, options_considered, subjects, priorities, \
             initiatives, effect, affected_groups, reconfiguration, evidence, confidential, supersedes_id, stress, \
             created_at, created_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $17) RETURNING id",
        )
        .bind(footprint_id)
        .bind(p.body_id)
        .bind(p.title.trim())
        .bind(p.what.trim())
        .bind(p.why.trim())
        .bind(p.options_considered.trim())
        .bind(to_text(&p.subjects))
        .bind(to_text(&p.priorities))
        .bind(to_text(&p.initiatives))
        .bind(to_text(&p.effect))
        .bind(to_text(&p.affected_groups))
        .bind(i64::from(p.reconfiguration))
        .bind(to_text(&p.evidence))
        .bind(i64::from(p.confidential))
        .bind(p.supersedes_id)
        .bind(p.stress.as_ref().map(to_text))
        .bind(now)
        .bind(&who.label)
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            who,
            Change {
                action: "governance.proposal.create",
                entity: "proposal",
                entity_id: id.to_string(),
                footprint_id: Some(footprint_id),
                summary: format!("Drafted the proposal \"{}\"", p.title.trim()),
                before: None,
                after: Some(proposal_json(p)),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    async fn check_proposal_links(
        &self,
        tx: &mut sqlx::AnyConnection,
        footprint_id: i64,
        p: &ProposalInput,
    ) -> Result<()> {
        let b = body_in(tx, p.body_id).await?;
        if b.footprint_id != footprint_id {
            return Err(conflict("body", "Choose one of this footprint's bodies"));
        }
        if let Some(d) = p.supersedes_id {
            let row = sqlx::query(
                "SELECT footprint_id, outcome, (SELECT COUNT(*) FROM decisions s WHERE s.supersedes_id = d.id) AS later \
                 FROM decisions d WHERE d.id = $1",
            )
            .bind(d)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                return Err(conflict(
                    "supersedes",
                    "Choose a decision of this footprint to supersede",
                ));
            };
            if row.try_get::<i64, _>("footprint_id")? != footprint_id {
                return Err(conflict(
                    "supersedes",
                    "Choose a decision of this footprint to supersede",
                ));
            }
            if row.try_get::<String, _>("outcome")? != "carried" {
                return Err(conflict(
                    "supersedes",
                    format!("Decision {d} was not carried: there is nothing to supersede"),
                ));
            }
            if row.try_get::<i64, _>("later")? > 0 {
                return Err(conflict(
                    "supersedes",
                    format!("Decision {d} is already superseded: supersede the later decision instead"),
                ));
            }
        }
        for g in &p.affected_groups {
            let owner: Option<i64> = sqlx::query_scalar("SELECT footprint_id FROM stakeholder_groups WHERE id = $1")
                .bind(g)
                .fetch_optional(&mut *tx)
                .await?;
            if owner != Some(footprint_id) {
                return Err(conflict(
                    "groups",
                    "Choose the affected groups from this footprint's groups",
                ));
            }
        }
        Ok(())
    }

    /// Changes a proposal that no member has responded to yet; refused if it changed since
    /// `revision`.
    pub async fn update_proposal(&self, who: &Who, id: i64, revision: i64, p: &ProposalInput) -> Result<()> {
        check_proposal(p)?;
        let mut tx = self.write().await?;
        let before = proposal_in(&mut tx, id).await?;
        if before.revision != revision {
            return Err(StoreError::Stale("This proposal"));
        }
        if before.decided {
            return Err(conflict("proposal", "This proposal is decided: a decision is final"));
        }
        let answered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM proposal_responses WHERE proposal_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if answered > 0 {
            return Err(conflict(
                "proposal",
                "Members have responded to this proposal as it stands: draft a new proposal rather than change this one",
            ));
        }
        self.check_proposal_links(&mut tx, before.footprint_id, p).await?;
        if p.body_id != before.body_id && before.meeting_id.is_some() {
            return Err(conflict(
                "body",
                "Take the proposal off the agenda before sending it to another body",
            ));
        }
        sqlx::query(
            "UPDATE proposals SET body_id = $1, title = $2, what = $3, why = $4, options_considered = $5, subjects = $6, \
             priorities = $7, initiatives = $8, effect = $9, affected_groups = $10, reconfiguration = $11, evidence = $12, \
             confidential = $13, supersedes_id = $14, stress = $15, revision = revision + 1, updated_at = $16 WHERE id = $17 AND revision = $18",
        )
        .bind(p.body_id)
        .bind(p.title.trim())
        .bind(p.what.trim())
        .bind(p.why.trim())
        .bind(p.options_considered.trim())
        .bind(to_text(&p.subjects))
        .bind(to_text(&p.priorities))
        .bind(to_text(&p.initiatives))
        .bind(to_text(&p.effect))
        .bind(to_text(&p.affected_groups))
        .bind(i64::from(p.reconfiguration))
        .bind(to_text(&p.evidence))
        .bind(i64::from(p.confidential))
        .bind(p.supersedes_id)
        .bind(p.stress.as_ref().map(to_text))
        .bind(now_ms())
        .bind(id)
        .bind(revision)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)
        .and_then(|r| crate::one_row(r, "This proposal"))?;
        sqlx::query("UPDATE documents SET confidential = $1 WHERE proposal_id = $2")
            .bind(i64::from(p.confidential))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            who,
            Change {
                action: "governance.proposal.update",
                entity: "proposal",
                entity_id: id.to_string(),
                footprint_id: Some(before.footprint_id),
                summary: format!("Changed the proposal \"{}\"", p.title.trim()),
                before: Some(json!({"title": before.title, "what": before.what, "why": before.why, "confidential": before.confidential})),
                after: Some(proposal_json(p)),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Puts a proposal on a meeting's agenda (or, with none, takes it off). The meeting must be
    /// one of the proposal's body's that has not closed; a proposal with responses stays where
    /// it is.
    pub async fn schedule_proposal(&self, who: &Who, id: i64, meeting_id: Option<i64>) -> Result<()> {
        let mut tx = self.write().await?;
        // Lock the meeting the proposal is on and the one it goes to (in id order, so that two
        // moves in opposite directions cannot deadlock), then read the proposal as it now is.
        let current = proposal_in(&mut tx, id).await?.meeting_id;
        let mut locks: Vec<i64> = current.into_iter().chain(meeting_id).collect();
        locks.sort_unstable();
        locks.dedup();
        for m in locks {
            meeting_for_update(&mut tx, self.backend(), m).await?;
        }
        let p = proposal_in(&mut tx, id).await?;
        if p.meeting_id != current {
            return Err(conflict(
                "meeting",
                "The proposal was moved by someone else just now: reload the page and try again",
            ));
        }
        if p.decided {
            return Err(conflict("meeting", "This proposal is decided"));
        }
        if let Some(current) = p.meeting_id {
            let answered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM proposal_responses WHERE proposal_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            if answered > 0 && Some(current) != meeting_id {
                return Err(conflict(
                    "meeting",
                    "Members have responded to this proposal at its meeting: it is decided when that meeting closes",
                ));
            }
        }
        let summary = match meeting_id {
            Some(m) => {
                let meeting = meeting_in(&mut tx, m).await?;
                if meeting.body_id != p.body_id {
                    return Err(conflict(
                        "meeting",
                        "Choose a meeting of the body that decides this proposal",
                    ));
                }
                if meeting.closed_at.is_some() {
                    return Err(conflict("meeting", "That meeting has closed: choose a later one"));
                }
                format!(
                    "Put \"{}\" on the agenda of {} ({})",
                    p.title, meeting.title, meeting.held_on
                )
            }
            None => format!("Took \"{}\" off the agenda", p.title),
        };
        sqlx::query(
            "UPDATE proposals SET meeting_id = $1, note = '', revision = revision + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(meeting_id)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE documents SET meeting_id = $1 WHERE proposal_id = $2")
            .bind(meeting_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            who,
            Change {
                action: "governance.proposal.schedule",
                entity: "proposal",
                entity_id: id.to_string(),
                footprint_id: Some(p.footprint_id),
                summary,
                before: Some(json!({"meeting_id": p.meeting_id})),
                after: Some(json!({"meeting_id": meeting_id})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Stores the stress-test effect worked out for a proposal's pack.
    pub async fn set_proposal_stress(&self, id: i64, stress: &Value) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE proposals SET stress = $1 WHERE id = $2")
            .bind(to_text(stress))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// One proposal.
    pub async fn proposal(&self, id: i64) -> Result<Option<Proposal>> {
        let mut conn = self.pool().acquire().await?;
        match proposal_in(&mut conn, id).await {
            Ok(p) => Ok(Some(p)),
            Err(StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A footprint's proposals, newest first.
    pub async fn proposals(&self, footprint_id: i64) -> Result<Vec<Proposal>> {
        sqlx::query(concat!(
            "SELECT ",
            proposal_columns!(),
            " FROM proposals p WHERE p.footprint_id = $1 ORDER BY p.id DESC"
        ))
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(proposal)
        .collect()
    }

    /// The proposals on a meeting's agenda, in the order they were added.
    pub async fn agenda(&self, meeting_id: i64) -> Result<Vec<Proposal>> {
        sqlx::query(concat!(
            "SELECT ",
            proposal_columns!(),
            " FROM proposals p WHERE p.meeting_id = $1 ORDER BY p.id"
        ))
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(proposal)
        .collect()
    }

    /// Records a member's response to a proposal, given by its representative or deputy
    /// (`user_id`); a later response from the member replaces its earlier one until the meeting
    /// closes. Refused, with the reason, when the proposal is not on an agenda, the meeting has
    /// closed, or the person does not speak for a member of the body.
    pub async fn respond_to_proposal(
        &self,
        who: &Who,
        user_id: i64,
        proposal_id: i64,
        member_id: i64,
        response: &Response,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let p = proposal_in(&mut tx, proposal_id).await?;
        if p.decided {
            return Err(conflict("response", "This proposal is decided: responses are closed"));
        }
        let Some(meeting_id) = p.meeting_id else {
            return Err(conflict(
                "response",
                "This proposal is not on a meeting's agenda yet: responses open when it is",
            ));
        };
        let m = meeting_for_update(&mut tx, self.backend(), meeting_id).await?;
        let p = proposal_in(&mut tx, proposal_id).await?;
        if p.meeting_id != Some(meeting_id) || p.decided {
            return Err(conflict(
                "response",
                "The proposal was moved or decided just now: reload the page to see where it stands",
            ));
        }
        if let Some(closed) = m.closed_at {
            return Err(conflict(
                "response",
                format!(
                    "The meeting closed at {}: responses are no longer taken",
                    crate::format_time(closed)
                ),
            ));
        }
        let members = members_in(&mut tx, p.body_id).await?;
        let b = body_in(&mut tx, p.body_id).await?;
        let Some(member) = members.iter().find(|x| x.id == member_id) else {
            return Err(conflict(
                "response",
                format!("That organisation is not a member of {}", b.name),
            ));
        };
        if !member.speaks_for(user_id) {
            return Err(conflict(
                "response",
                format!(
                    "Only the representative or deputy of {} on {} can respond for it",
                    member.organisation, b.name
                ),
            ));
        }
        let before: Option<String> =
            sqlx::query_scalar("SELECT response FROM proposal_responses WHERE proposal_id = $1 AND member_id = $2")
                .bind(proposal_id)
                .bind(member_id)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO proposal_responses (proposal_id, member_id, response, reason, responded_by, responded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (proposal_id, member_id) DO UPDATE SET \
             response = excluded.response, reason = excluded.reason, responded_by = excluded.responded_by, \
             responded_at = excluded.responded_at",
        )
        .bind(proposal_id)
        .bind(member_id)
        .bind(response.key())
        .bind(response.reason())
        .bind(user_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            who,
            Change {
                action: "governance.respond",
                entity: "proposal",
                entity_id: proposal_id.to_string(),
                footprint_id: Some(p.footprint_id),
                summary: format!(
                    "{} responded \"{}\" to \"{}\"",
                    member.organisation,
                    response.label(),
                    p.title
                ),
                before: before.map(|b| json!({"response": b})),
                after: Some(json!({"member_id": member_id, "response": response})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The responses recorded on a proposal, by organisation.
    pub async fn proposal_responses(&self, proposal_id: i64) -> Result<Vec<MemberResponse>> {
        let mut conn = self.pool().acquire().await?;
        responses_in(&mut conn, proposal_id).await
    }

    /// Closes a meeting with its minutes (public, and confidential): for each proposal on its agenda the body's rule is
    /// applied to the responses. A proposal that reached its quorum gets a final decision, with
    /// `packs` (proposal id → the decision pack as it stands); one that did not leaves the agenda
    /// with the reason. All in one transaction: either every decision is recorded or none.
    pub async fn close_meeting(
        &self,
        who: &Who,
        meeting_id: i64,
        minutes: (&str, &str),
        today: &str,
        packs: &BTreeMap<i64, Value>,
    ) -> Result<Closed> {
        let mut tx = self.write().await?;
        let m = meeting_for_update(&mut tx, self.backend(), meeting_id).await?;
        if m.closed_at.is_some() {
            return Err(conflict("meeting", "This meeting is already closed"));
        }
        let b = body_in(&mut tx, m.body_id).await?;
        let members = members_in(&mut tx, b.id).await?;
        let rule = DecisionRule {
            rule: b.rule,
            quorum: b.quorum.max(1) as usize,
            required: required_in(&mut tx, b.id).await?,
        };
        let named: Vec<(i64, String)> = members.iter().map(|x| (x.id, x.organisation.clone())).collect();
        let name = |id: i64| {
            named
                .iter()
                .find(|n| n.0 == id)
                .map_or_else(|| format!("member {id}"), |n| n.1.clone())
        };
        let agenda: Vec<Proposal> = sqlx::query(concat!(
            "SELECT ",
            proposal_columns!(),
            " FROM proposals p WHERE p.meeting_id = $1 ORDER BY p.id"
        ))
        .bind(meeting_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(proposal)
        .collect::<Result<_>>()?;
        if let Some(p) = agenda.iter().find(|p| !p.decided && !packs.contains_key(&p.id)) {
            return Err(conflict(
                "meeting",
                format!(
                    "\"{}\" was put on the agenda while the meeting was being closed: close the meeting again",
                    p.title
                ),
            ));
        }
        let now = now_ms();
        let mut closed = Closed::default();
        for p in agenda.iter().filter(|p| !p.decided) {
            let responses: Vec<(i64, Response)> = responses_in(&mut tx, p.id)
                .await?
                .into_iter()
                .map(|r| (r.member_id, r.response))
                .collect();
            let d = governance::outcome(&rule, &named, &responses, &p.subjects);
            if d.outcome == Outcome::NoQuorum {
                let why = format!("Not decided at {} ({}): {}", m.title, m.held_on, d.reasons.join("; "));
                sqlx::query("UPDATE proposals SET meeting_id = NULL, note = $1, revision = revision + 1 WHERE id = $2")
                    .bind(&why)
                    .bind(p.id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE documents SET meeting_id = NULL WHERE proposal_id = $1")
                    .bind(p.id)
                    .execute(&mut *tx)
                    .await?;
                closed.not_decided.push((p.id, why));
                continue;
            }
            let rec = Record {
                reasons: d.reasons.clone(),
                agreed: d.agreed.iter().map(|a| name(*a)).collect(),
                dissented: d.dissented.iter().map(|(a, why)| (name(*a), why.clone())).collect(),
                abstained: d.abstained.iter().map(|a| name(*a)).collect(),
            };
            let supersedes = if d.outcome == Outcome::Carried {
                p.supersedes_id
            } else {
                None
            };
            let pack = packs.get(&p.id).cloned().unwrap_or_default();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO decisions (footprint_id, body_id, meeting_id, proposal_id, decided_on, title, outcome, record, \
                 confidential, supersedes_id, pack, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            )
            .bind(p.footprint_id)
            .bind(b.id)
            .bind(meeting_id)
            .bind(p.id)
            .bind(today)
            .bind(&p.title)
            .bind(outcome_key(&d.outcome))
            .bind(to_text(&rec))
            .bind(i64::from(p.confidential))
            .bind(supersedes)
            .bind(to_text(&pack))
            .bind(now)
            .bind(&who.label)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                if crate::is_unique_violation(&e) {
                    conflict(
                        "meeting",
                        format!("\"{}\" would supersede a decision that another decision already supersedes", p.title),
                    )
                } else {
                    e.into()
                }
            })?;
            record(
                &mut tx,
                who,
                Change {
                    action: "governance.decide",
                    entity: "decision",
                    entity_id: id.to_string(),
                    footprint_id: Some(p.footprint_id),
                    summary: format!("{}: \"{}\" — {}", b.name, p.title, d.outcome.label()),
                    before: None,
                    after: Some(
                        json!({"proposal_id": p.id, "outcome": d.outcome, "record": rec, "supersedes_id": supersedes}),
                    ),
                },
            )
            .await?;
            closed.decided.push((p.id, id, d.outcome));
        }
        sqlx::query("UPDATE meetings SET closed_at = $1, minutes = $2, confidential_minutes = $3 WHERE id = $4")
            .bind(now)
            .bind(minutes.0.trim())
            .bind(minutes.1.trim())
            .bind(meeting_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            who,
            Change {
                action: "governance.meeting.close",
                entity: "meeting",
                entity_id: meeting_id.to_string(),
                footprint_id: Some(b.footprint_id),
                summary: format!(
                    "Closed {} of {}: {} decided, {} not decided",
                    m.title,
                    b.name,
                    closed.decided.len(),
                    closed.not_decided.len()
                ),
                before: None,
                after: Some(json!({"minutes": minutes.0.trim(), "confidential_minutes": !minutes.1.trim().is_empty()})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(closed)
    }

    /// A footprint's decisions, newest first (confidential ones included: the caller shows
    /// only that they were taken to those who may not read them).
    pub async fn decisions(&self, footprint_id: i64) -> Result<Vec<DecisionRecord>> {
        sqlx::query(concat!(
            "SELECT ",
            decision_columns!(),
            " FROM decisions d JOIN bodies b ON b.id = d.body_id WHERE d.footprint_id = $1 \
             ORDER BY d.decided_on DESC, d.id DESC"
        ))
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(decision)
        .collect()
    }

    /// One decision.
    pub async fn decision(&self, id: i64) -> Result<Option<DecisionRecord>> {
        sqlx::query(concat!(
            "SELECT ",
            decision_columns!(),
            " FROM decisions d JOIN bodies b ON b.id = d.body_id WHERE d.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(decision)
        .transpose()
    }

    /// Tries to change a decision's outcome; the database must refuse (a decision is final).
    pub async fn try_rewrite_decision(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE decisions SET outcome = 'carried', title = 'rewritten' WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Tries to delete a decision; the database must refuse.
    pub async fn try_delete_decision(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM decisions WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Adds a condition of a decision or an action.
    pub async fn add_action(&self, who: &Who, footprint_id: i64, a: &ActionInput) -> Result<i64> {
        if a.title.trim().is_empty() {
            return Err(conflict("title", "Say what is to be done"));
        }
        if !["condition", "action"].contains(&a.kind.as_str()) {
            return Err(conflict("kind", "Choose whether it is a condition or an action"));
        }
        date(&a.due_on, "due_on")?;
        if a.organisation_id.is_none() && a.owner_id.is_none() {
            return Err(conflict(
                "organisation",
                "Choose who owns it: an organisation, a person or both",
            ));
        }
        let mut tx = self.write().await?;
        if let Some(o) = a.organisation_id {
            let partner: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM footprint_partners WHERE footprint_id = $1 AND organisation_id = $2",
            )
            .bind(footprint_id)
            .bind(o)
            .fetch_one(&mut *tx)
            .await?;
            if partner == 0 {
                return Err(conflict(
                    "organisation",
                    "Choose one of the footprint's partner organisations",
                ));
            }
        }
        if let Some(u) = a.owner_id
            && !of_footprint(&mut tx, footprint_id, u).await?
        {
            return Err(conflict(
                "owner",
                "Choose a person of one of the footprint's partner organisations or with a role in the footprint",
            ));
        }
        if let Some(d) = a.decision_id {
            let f: Option<i64> = sqlx::query_scalar("SELECT footprint_id FROM decisions WHERE id = $1")
                .bind(d)
                .fetch_optional(&mut *tx)
                .await?;
            if f != Some(footprint_id) {
                return Err(StoreError::NotFound("That decision"));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO actions (footprint_id, decision_id, kind, title, organisation_id, owner_id, due_on, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(footprint_id)
        .bind(a.decision_id)
        .bind(&a.kind)
        .bind(a.title.trim())
        .bind(a.organisation_id)
        .bind(a.owner_id)
        .bind(&a.due_on)
        .bind(now_ms())
        .bind(&who.label)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if crate::is_foreign_key_violation(&e) {
                conflict("organisation", "Choose an organisation and a person that exist")
            } else {
                e.into()
            }
        })?;
        record(
            &mut tx,
            who,
            Change {
                action: "governance.action.add",
                entity: "action",
                entity_id: id.to_string(),
                footprint_id: Some(footprint_id),
                summary: format!("Added the {} \"{}\", due {}", a.kind, a.title.trim(), a.due_on),
                before: None,
                after: Some(json!({"decision_id": a.decision_id, "kind": a.kind, "title": a.title, "organisation_id": a.organisation_id, "owner_id": a.owner_id, "due_on": a.due_on})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(id)
    }

    /// Records an action's progress: done on a day (or not done), with a note.
    pub async fn update_action(
        &self,
        who: &Who,
        id: i64,
        revision: i64,
        done_on: Option<&str>,
        note: &str,
    ) -> Result<()> {
        if let Some(d) = done_on {
            date(d, "done_on")?;
        }
        let mut tx = self.write().await?;
        let before = sqlx::query(concat!(
            "SELECT ",
            action_columns!(),
            " FROM actions a LEFT JOIN organisations o ON o.id = a.organisation_id \
             LEFT JOIN users u ON u.id = a.owner_id WHERE a.id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(action)
        .transpose()?
        .ok_or(StoreError::NotFound("That action"))?;
        if before.revision != revision {
            return Err(StoreError::Stale("This action"));
        }
        sqlx::query(
            "UPDATE actions SET done_on = $1, note = $2, revision = revision + 1 WHERE id = $3 AND revision = $4",
        )
        .bind(done_on)
        .bind(note.trim())
        .bind(id)
        .bind(revision)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)
        .and_then(|r| crate::one_row(r, "This action"))?;
        record(
            &mut tx,
            who,
            Change {
                action: "governance.action.update",
                entity: "action",
                entity_id: id.to_string(),
                footprint_id: Some(before.footprint_id),
                summary: match done_on {
                    Some(d) => format!("\"{}\" done on {d}", before.title),
                    None => format!("Updated \"{}\"", before.title),
                },
                before: Some(json!({"done_on": before.done_on, "note": before.note})),
                after: Some(json!({"done_on": done_on, "note": note.trim()})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// A footprint's conditions and actions, by due date.
    pub async fn actions(&self, footprint_id: i64) -> Result<Vec<ActionItem>> {
        sqlx::query(concat!(
            "SELECT ",
            action_columns!(),
            " FROM actions a LEFT JOIN organisations o ON o.id = a.organisation_id \
             LEFT JOIN users u ON u.id = a.owner_id WHERE a.footprint_id = $1 ORDER BY a.due_on, a.id"
        ))
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(action)
        .collect()
    }

    /// The open actions a person owns, across footprints, by due date.
    pub async fn actions_owned(&self, user_id: i64) -> Result<Vec<ActionItem>> {
        sqlx::query(concat!(
            "SELECT ",
            action_columns!(),
            " FROM actions a LEFT JOIN organisations o ON o.id = a.organisation_id \
             LEFT JOIN users u ON u.id = a.owner_id WHERE a.owner_id = $1 AND a.done_on IS NULL ORDER BY a.due_on, a.id"
        ))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(action)
        .collect()
    }
}

/// What a governance document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GovernanceDocument {
    /// A body's terms of reference.
    TermsOfReference(i64),
    /// A body's memorandum of understanding.
    Memorandum(i64),
    /// A meeting's minutes (confidential ones are for members and national assurance).
    Minutes {
        /// The meeting.
        meeting: i64,
        /// For members and national assurance only.
        confidential: bool,
    },
    /// A meeting's paper.
    MeetingPaper {
        /// The meeting.
        meeting: i64,
        /// For members and national assurance only.
        confidential: bool,
    },
    /// A proposal's paper.
    ProposalPaper(i64),
}
