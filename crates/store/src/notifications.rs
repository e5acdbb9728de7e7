//! Digests: how often each person wants one, and which were sent (at most one a day each).
//! Security notices: the changes to a person's credentials, and which they have been told of.

use sqlx::Row;

use crate::audit::{Change, record};
use crate::users::User;
use crate::{Result, Store, StoreError, Who, now_ms};

/// How often a person wants a digest of what awaits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Frequency {
    /// Every day there is something.
    Daily,
    /// Once a week.
    Weekly,
    /// No email: the notifications page only.
    Never,
}

impl Frequency {
    /// Every choice.
    pub const ALL: [Frequency; 3] = [Frequency::Daily, Frequency::Weekly, Frequency::Never];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::Never => "never",
        }
    }

    /// Words for it.
    pub fn label(self) -> &'static str {
        match self {
            Frequency::Daily => "Every day there is something for me",
            Frequency::Weekly => "Once a week",
            Frequency::Never => "Never: I will look at my notifications here",
        }
    }

    /// Parses a key.
    pub fn parse(key: &str) -> Option<Self> {
        Frequency::ALL.into_iter().find(|f| f.key() == key.trim())
    }
}

impl Store {
    /// A person's digest frequency.
    pub async fn digest_frequency(&self, user_id: i64) -> Result<Frequency> {
        let key: Option<String> = sqlx::query_scalar("SELECT digest FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        key.as_deref()
            .and_then(Frequency::parse)
            .ok_or(StoreError::NotFound("That person"))
    }

    /// Sets a person's digest frequency.
    pub async fn set_digest_frequency(&self, who: &Who, user_id: i64, f: Frequency) -> Result<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE users SET digest = $1 WHERE id = $2")
            .bind(f.key())
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("That person"));
        }
        record(
            &mut tx,
            who,
            Change {
                action: "user.digest",
                entity: "user",
                entity_id: user_id.to_string(),
                footprint_id: None,
                summary: format!("Digest: {}", f.key()),
                before: None,
                after: Some(serde_json::json!({"digest": f.key()})),
            },
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The active people who want a digest this often.
    pub async fn digest_recipients(&self, f: Frequency) -> Result<Vec<User>> {
        let ids: Vec<i64> = sqlx::query("SELECT id FROM users WHERE digest = $1 AND active = 1 ORDER BY id")
            .bind(f.key())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?;
        let all = self.users().await?;
        Ok(all.into_iter().filter(|u| ids.contains(&u.id)).collect())
    }

    /// Records that a person's digest for `day` is being sent; false if one was already sent
    /// that day (so a job run twice sends once).
    pub async fn claim_digest(&self, user_id: i64, day: &str, items: i64) -> Result<bool> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "INSERT INTO digests_sent (user_id, sent_on, items, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(day)
        .bind(items)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        self.commit(tx).await?;
        Ok(n == 1)
    }

    /// Forgets a claimed digest that could not be sent, so that the next run tries again.
    pub async fn release_digest(&self, user_id: i64, day: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM digests_sent WHERE user_id = $1 AND sent_on = $2")
            .bind(user_id)
            .bind(day)
            .execute(&mut *tx)
            .await?;
        self.commit(tx).await?;
        Ok(())
    }
}

/// The audit actions that change how a person signs in: each is told to the person
/// (ASVS 2.2.3). The same list, in the same order, is in the index of migration 0008.
pub const CREDENTIAL_ACTIONS: [&str; 7] = [
    "user.password",
    "user.two-factor.on",
    "user.two-factor.off",
    "user.recovery-codes",
    "user.recovery-code.use",
    "api-token.create",
    "api-token.revoke",
];

/// A change to how a person signs in, read from the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialChange {
    /// The audit entry.
    pub audit_id: i64,
    /// Whose credentials changed.
    pub user_id: i64,
    /// When, in milliseconds since 1970.
    pub at: i64,
    /// One of [`CREDENTIAL_ACTIONS`].
    pub action: String,
    /// Who made the change, as the audit log names them.
    pub actor: String,
    /// The person who made it, if a person did.
    pub actor_user_id: Option<i64>,
    /// The API token's name, for a token change.
    pub token: Option<String>,
    /// The change in words, as the audit log has it.
    pub summary: String,
    /// Whether the person has been sent a notice of it.
    pub told: bool,
}

impl Store {
    /// Changes to people's credentials made at or after `since_ms`, oldest first: everyone's, or
    /// one person's. A token change whose token has since been erased (with its account) is
    /// left out: there is no one to tell.
    pub async fn credential_changes(&self, user: Option<i64>, since_ms: i64) -> Result<Vec<CredentialChange>> {
        let actions = CREDENTIAL_ACTIONS.map(|a| format!("'{a}'")).join(", ");
        let sql = format!(
            "SELECT a.id, a.at, a.actor, a.actor_user_id, a.action, a.entity, a.entity_id, a.summary, \
                    t.user_id AS token_user, t.name AS token_name, \
                    (SELECT COUNT(*) FROM security_notices_sent s WHERE s.audit_id = a.id) AS told \
             FROM audit_log a \
             LEFT JOIN api_tokens t ON a.entity = 'api_token' AND CAST(t.id AS TEXT) = a.entity_id \
             WHERE a.action IN ({actions}) AND a.at >= $1 \
             ORDER BY a.id"
        );
        // The list is this module's constants, not input.
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(since_ms)
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let entity: String = r.try_get("entity")?;
            let user_id = if entity == "user" {
                r.try_get::<String, _>("entity_id")?.parse::<i64>().ok()
            } else {
                r.try_get::<Option<i64>, _>("token_user")?
            };
            let Some(user_id) = user_id else { continue };
            if user.is_some_and(|u| u != user_id) {
                continue;
            }
            out.push(CredentialChange {
                audit_id: r.try_get("id")?,
                user_id,
                at: r.try_get("at")?,
                action: r.try_get("action")?,
                actor: r.try_get("actor")?,
                actor_user_id: r.try_get("actor_user_id")?,
                token: r.try_get("token_name")?,
                summary: r.try_get("summary")?,
                told: r.try_get::<i64, _>("told")? > 0,
            });
        }
        Ok(out)
    }

    /// Records that the notice of audit entry `audit_id` is being sent to `user_id`; false if it
    /// already was (so that two runs at once send it once).
    pub async fn claim_security_notice(&self, audit_id: i64, user_id: i64) -> Result<bool> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "INSERT INTO security_notices_sent (audit_id, user_id, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(audit_id)
        .bind(user_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        self.commit(tx).await?;
        Ok(n == 1)
    }

    /// Forgets a claimed notice that could not be sent, so that the next run tries again.
    pub async fn release_security_notice(&self, audit_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM security_notices_sent WHERE audit_id = $1")
            .bind(audit_id)
            .execute(&mut *tx)
            .await?;
        self.commit(tx).await?;
        Ok(())
    }
}
