//! Digests: how often each person wants one, and which were sent (at most one a day each).

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
