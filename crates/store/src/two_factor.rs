//! Two-factor sign-in: each person's authenticator secret, the last time step used (so that a
//! code works once), their single-use recovery codes (stored as hashes), and sign-ins that have
//! passed their password and await the second factor.

use serde_json::json;
use sqlx::Row;

use crate::audit::{Change, record};
use crate::users::User;
use crate::{Result, Store, StoreError, Who, now_ms};

/// A person's two-factor state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TwoFactor {
    /// The authenticator secret (base32) once two-factor sign-in is on.
    pub secret: Option<String>,
    /// A secret offered for setting up, not yet confirmed, and when it was offered.
    pub pending: Option<String>,
    /// When the pending secret was offered (ms since 1970).
    pub offered_at: Option<i64>,
    /// The last time step whose code was accepted.
    pub last_step: i64,
    /// Recovery codes not yet used.
    pub recovery_codes_left: i64,
}

impl TwoFactor {
    /// Whether sign-in asks for a second factor.
    pub fn on(&self) -> bool {
        self.secret.is_some()
    }
}

fn change(action: &'static str, user_id: i64, summary: &str, after: Option<serde_json::Value>) -> Change<'static> {
    Change {
        action,
        entity: "user",
        entity_id: user_id.to_string(),
        footprint_id: None,
        summary: summary.into(),
        before: None,
        after,
    }
}

impl Store {
    /// A person's two-factor state.
    pub async fn two_factor(&self, user_id: i64) -> Result<TwoFactor> {
        let row = sqlx::query(
            "SELECT totp_secret, totp_pending, totp_offered_at, totp_last_step, \
                    (SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL) AS left_codes \
             FROM users u WHERE u.id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("That person"))?;
        Ok(TwoFactor {
            secret: row.try_get("totp_secret")?,
            pending: row.try_get("totp_pending")?,
            offered_at: row.try_get("totp_offered_at")?,
            last_step: row.try_get("totp_last_step")?,
            recovery_codes_left: row.try_get("left_codes")?,
        })
    }

    /// Offers a secret for setting up an authenticator app (replacing any offered before).
    pub async fn offer_two_factor(&self, user_id: i64, secret: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE users SET totp_pending = $1, totp_offered_at = $2 WHERE id = $3")
            .bind(secret)
            .bind(now_ms())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Turns two-factor sign-in on with the offered secret `secret`, confirmed by a code of time
    /// step `step`, and gives the person new recovery codes (their hashes). Every other sign-in
    /// of theirs ends (`keep` is the hash of the session that did this). False if the offer has
    /// changed since (the person set up again in another window).
    pub async fn turn_on_two_factor(
        &self,
        who: &Who,
        user_id: i64,
        secret: &str,
        step: i64,
        recovery_hashes: &[String],
        keep: Option<&str>,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_offered_at = NULL, \
                    totp_last_step = $1, version = version + 1 \
             WHERE id = $2 AND totp_pending = $3",
        )
        .bind(step)
        .bind(user_id)
        .bind(secret)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        replace_codes(&mut tx, user_id, recovery_hashes).await?;
        end_other_sessions(&mut tx, user_id, keep).await?;
        record(
            &mut tx,
            who,
            change(
                "user.two-factor.on",
                user_id,
                "Turned on two-factor sign-in",
                Some(json!({"recovery_codes": recovery_hashes.len()})),
            ),
        )
        .await?;
        self.commit(tx).await?;
        Ok(true)
    }

    /// Turns two-factor sign-in off and removes the recovery codes; false if it was off.
    pub async fn turn_off_two_factor(&self, who: &Who, user_id: i64) -> Result<bool> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_offered_at = NULL, version = version + 1 \
             WHERE id = $1 AND totp_secret IS NOT NULL",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            who,
            change("user.two-factor.off", user_id, "Turned off two-factor sign-in", None),
        )
        .await?;
        self.commit(tx).await?;
        Ok(true)
    }

    /// Accepts time step `step` for a person if it is later than every step accepted before
    /// (so that each code works once, even with two requests at once).
    pub async fn accept_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1 AND totp_secret IS NOT NULL",
        )
        .bind(step)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        self.commit(tx).await?;
        Ok(n == 1)
    }

    /// A person's unused recovery codes: (id, stored hash).
    pub async fn unused_recovery_codes(&self, user_id: i64) -> Result<Vec<(i64, String)>> {
        let rows =
            sqlx::query("SELECT id, code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL ORDER BY id")
                .bind(user_id)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("code_hash")?)))
            .collect()
    }

    /// Replaces a person's recovery codes with new ones (their hashes).
    pub async fn replace_recovery_codes(&self, who: &Who, user_id: i64, hashes: &[String]) -> Result<()> {
        let mut tx = self.write().await?;
        replace_codes(&mut tx, user_id, hashes).await?;
        record(
            &mut tx,
            who,
            change(
                "user.recovery-codes",
                user_id,
                "Made new recovery codes",
                Some(json!({"recovery_codes": hashes.len()})),
            ),
        )
        .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// Uses up recovery code `code_id` of a person, for `purpose` (in words, for the audit log
    /// and the notice: "to sign in"); true once, false if it was already used.
    pub async fn use_recovery_code(&self, who: &Who, user_id: i64, code_id: i64, purpose: &str) -> Result<bool> {
        let mut tx = self.write().await?;
        let n =
            sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE id = $2 AND user_id = $3 AND used_at IS NULL")
                .bind(now_ms())
                .bind(code_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        let summary = format!("A recovery code was used {purpose}");
        record(&mut tx, who, change("user.recovery-code.use", user_id, &summary, None)).await?;
        self.commit(tx).await?;
        Ok(true)
    }

    /// Starts a sign-in that awaits its second factor.
    pub async fn create_pending_session(&self, id_hash: &str, user_id: i64, expires_at: i64) -> Result<()> {
        self.insert_session(id_hash, user_id, expires_at, true).await
    }

    /// The active person of a live sign-in awaiting its second factor.
    pub async fn pending_session_user(&self, id_hash: &str) -> Result<Option<User>> {
        self.live_session_user(id_hash, true).await
    }
}

async fn replace_codes(tx: &mut sqlx::AnyConnection, user_id: i64, hashes: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for h in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(h)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

async fn end_other_sessions(tx: &mut sqlx::AnyConnection, user_id: i64, keep: Option<&str>) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(&mut *tx)
        .await?;
    Ok(())
}
