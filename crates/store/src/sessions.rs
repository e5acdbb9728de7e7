//! Sign-in sessions and API tokens, stored in the database so that several server instances
//! can share them. Only a SHA-256 hash of each secret is stored.

use serde_json::json;
use sqlx::Row;

use crate::audit::{Change, record};
use crate::users::User;
use crate::{Result, Store, StoreError, Who, now_ms};

/// An API token as its owner sees it (never the secret, which is shown once).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiToken {
    /// Row id.
    pub id: i64,
    /// The owner's name for it.
    pub name: String,
    /// When it was created (ms since 1970).
    pub created_at: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

impl Store {
    /// Starts a session for a user.
    pub async fn create_session(&self, id_hash: &str, user_id: i64, expires_at: i64) -> Result<()> {
        self.insert_session(id_hash, user_id, expires_at, false).await
    }

    /// The active user of a live session (not one awaiting its second factor).
    pub async fn session_user(&self, id_hash: &str) -> Result<Option<User>> {
        self.live_session_user(id_hash, false).await
    }

    /// Stores a session; `pending` when it awaits its second factor (it then shows nothing).
    pub(crate) async fn insert_session(
        &self,
        id_hash: &str,
        user_id: i64,
        expires_at: i64,
        pending: bool,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at, pending) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(now_ms())
        .bind(expires_at)
        .bind(i64::from(pending))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The active user of a live session, pending its second factor or not as asked.
    pub(crate) async fn live_session_user(&self, id_hash: &str, pending: bool) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.display_name, u.site_role, u.organisation_id, u.active \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND s.pending = $3 AND u.active = 1",
        )
        .bind(id_hash)
        .bind(now_ms())
        .bind(i64::from(pending))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(crate::users::user).transpose()
    }

    /// Ends a session.
    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes expired sessions; returns how many.
    pub async fn purge_sessions(&self) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now_ms())
            .execute(self.pool())
            .await?
            .rows_affected())
    }

    /// Creates an API token for a user; `token_hash` is the SHA-256 of the secret.
    pub async fn create_api_token(&self, who: &Who, user_id: i64, name: &str, token_hash: &str) -> Result<ApiToken> {
        let mut tx = self.write().await?;
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let token = ApiToken {
            id,
            name: name.to_string(),
            created_at: now,
            revoked_at: None,
        };
        let change = Change {
            action: "api-token.create",
            entity: "api_token",
            entity_id: id.to_string(),
            footprint_id: None,
            summary: format!("Created the API token {name:?}"),
            before: None,
            after: Some(json!(token)),
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(token)
    }

    /// A user's API tokens, newest first.
    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let rows =
            sqlx::query("SELECT id, name, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC")
                .bind(user_id)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes one of a user's API tokens.
    pub async fn revoke_api_token(&self, who: &Who, user_id: i64, token_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let n =
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
                .bind(now_ms())
                .bind(token_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("That API token"));
        }
        let change = Change {
            action: "api-token.revoke",
            entity: "api_token",
            entity_id: token_id.to_string(),
            footprint_id: None,
            summary: "Revoked an API token".into(),
            before: None,
            after: None,
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The active user of an unrevoked API token.
    pub async fn api_token_user(&self, token_hash: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.display_name, u.site_role, u.organisation_id, u.active \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(crate::users::user).transpose()
    }
}
