//! People: accounts, their organisation, their roles, and sign-in attempts.

use footprint_domain::access::{Actor, FootprintRole, SiteRole};
use footprint_domain::person::Email;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Change, record};
use crate::{Result, Store, StoreError, Who, is_unique_violation, now_ms};

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Sign-in email address.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// Site-wide role.
    pub site_role: SiteRole,
    /// Their organisation, if any.
    pub organisation_id: Option<i64>,
    /// Whether they may sign in.
    pub active: bool,
}

impl User {
    /// How the audit log names them.
    pub fn who(&self) -> Who {
        Who::user(self.id, &self.display_name, &self.email)
    }
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in email address.
    pub email: Email,
    /// Name.
    pub display_name: String,
    /// The argon2id hash of their password (PHC string).
    pub password_hash: String,
    /// Site-wide role.
    pub site_role: SiteRole,
    /// Their organisation.
    pub organisation_id: Option<i64>,
}

pub(crate) fn user(row: &AnyRow) -> Result<User> {
    let role: String = row.try_get("site_role")?;
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        site_role: SiteRole::parse(&role).ok_or_else(|| sqlx::Error::Decode(format!("site role {role:?}").into()))?,
        organisation_id: row.try_get("organisation_id")?,
        active: row.try_get::<i64, _>("active")? != 0,
    })
}

macro_rules! user_columns {
    () => {
        "id, email, display_name, site_role, organisation_id, active"
    };
}

impl Store {
    /// How many accounts exist.
    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.pool())
            .await?)
    }

    /// Creates an account.
    pub async fn create_user(&self, who: &Who, new: &NewUser) -> Result<User> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, display_name, password_hash, site_role, organisation_id, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
        )
        .bind(new.email.as_str())
        .bind(&new.display_name)
        .bind(&new.password_hash)
        .bind(new.site_role.key())
        .bind(new.organisation_id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict {
                    field: "email",
                    message: format!(
                        "An account with the email address {} already exists",
                        new.email.as_str()
                    ),
                }
            } else if crate::is_foreign_key_violation(&e) {
                StoreError::NotFound("That organisation")
            } else {
                e.into()
            }
        })?;
        let created = User {
            id,
            email: new.email.as_str().to_string(),
            display_name: new.display_name.clone(),
            site_role: new.site_role,
            organisation_id: new.organisation_id,
            active: true,
        };
        let change = Change {
            action: "user.create",
            entity: "user",
            entity_id: id.to_string(),
            footprint_id: None,
            summary: format!("Created the account of {} ({})", created.display_name, created.email),
            before: None,
            after: Some(json!(created)),
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(created)
    }

    /// Sets a person's password hash (and ends their sessions, so an old sign-in stops working).
    pub async fn set_password(&self, who: &Who, user_id: i64, password_hash: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query("UPDATE users SET password_hash = $1, version = version + 1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("That person"));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "user.password",
            entity: "user",
            entity_id: user_id.to_string(),
            footprint_id: None,
            summary: "Set a new password".into(),
            before: None,
            after: None,
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// An account by email address.
    pub async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        Ok(self.user_for_sign_in(email).await?.map(|(u, _)| u))
    }

    /// An account by id.
    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let row = sqlx::query(concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user).transpose()
    }

    /// An account and its password hash by email address.
    pub async fn user_for_sign_in(&self, email: &Email) -> Result<Option<(User, String)>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            ", password_hash FROM users WHERE email = $1"
        ))
        .bind(email.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref()
            .map(|r| Ok((user(r)?, r.try_get("password_hash")?)))
            .transpose()
    }

    /// Every account, by name.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users ORDER BY lower(display_name), id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(user).collect()
    }

    /// Gives a person a role in a footprint (no change if they hold it).
    pub async fn grant_footprint_role(
        &self,
        who: &Who,
        user_id: i64,
        footprint_id: i64,
        role: FootprintRole,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let names = sqlx::query(
            "SELECT u.display_name AS u, f.name AS f FROM users u, footprints f WHERE u.id = $1 AND f.id = $2",
        )
        .bind(user_id)
        .bind(footprint_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(names) = names else {
            return Err(StoreError::NotFound("The person or the footprint"));
        };
        let (person, footprint): (String, String) = (names.try_get("u")?, names.try_get("f")?);
        let n = sqlx::query(
            "INSERT INTO footprint_roles (user_id, footprint_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(footprint_id)
        .bind(role.key())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            let change = Change {
                action: "footprint.role.grant",
                entity: "footprint_role",
                entity_id: format!("{footprint_id}/{user_id}/{}", role.key()),
                footprint_id: Some(footprint_id),
                summary: format!("Gave {person} the role {} in {footprint}", role.role().label()),
                before: None,
                after: Some(json!({"user_id": user_id, "footprint_id": footprint_id, "role": role.key()})),
            };
            record(&mut tx, who, change).await?;
        }
        self.commit(tx).await?;
        Ok(())
    }

    /// Takes a role in a footprint from a person.
    pub async fn revoke_footprint_role(
        &self,
        who: &Who,
        user_id: i64,
        footprint_id: i64,
        role: FootprintRole,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let names = sqlx::query(
            "SELECT u.display_name AS u, f.name AS f FROM footprint_roles r JOIN users u ON u.id = r.user_id \
             JOIN footprints f ON f.id = r.footprint_id WHERE r.user_id = $1 AND r.footprint_id = $2 AND r.role = $3",
        )
        .bind(user_id)
        .bind(footprint_id)
        .bind(role.key())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(names) = names else {
            return Err(StoreError::NotFound("That role"));
        };
        let (person, footprint): (String, String) = (names.try_get("u")?, names.try_get("f")?);
        sqlx::query("DELETE FROM footprint_roles WHERE user_id = $1 AND footprint_id = $2 AND role = $3")
            .bind(user_id)
            .bind(footprint_id)
            .bind(role.key())
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "footprint.role.revoke",
            entity: "footprint_role",
            entity_id: format!("{footprint_id}/{user_id}/{}", role.key()),
            footprint_id: Some(footprint_id),
            summary: format!("Took the role {} in {footprint} from {person}", role.role().label()),
            before: Some(json!({"user_id": user_id, "footprint_id": footprint_id, "role": role.key()})),
            after: None,
        };
        record(&mut tx, who, change).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// People with roles in a footprint: (user, role), by name.
    pub async fn footprint_people(&self, footprint_id: i64) -> Result<Vec<(User, FootprintRole)>> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.display_name, u.site_role, u.organisation_id, u.active, r.role \
             FROM footprint_roles r JOIN users u ON u.id = r.user_id WHERE r.footprint_id = $1 \
             ORDER BY lower(u.display_name), u.id, r.role",
        )
        .bind(footprint_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let role: String = r.try_get("role")?;
                let role =
                    FootprintRole::parse(&role).ok_or_else(|| sqlx::Error::Decode(format!("role {role:?}").into()))?;
                Ok((user(r)?, role))
            })
            .collect()
    }

    /// What a signed-in person holds, for permission checks.
    pub async fn actor(&self, user: &User) -> Result<Actor> {
        let roles = sqlx::query("SELECT footprint_id, role FROM footprint_roles WHERE user_id = $1")
            .bind(user.id)
            .fetch_all(self.pool())
            .await?;
        let mut footprint_roles = Vec::new();
        for r in &roles {
            let role: String = r.try_get("role")?;
            if let Some(role) = FootprintRole::parse(&role) {
                footprint_roles.push((r.try_get("footprint_id")?, role));
            }
        }
        let partner_of: Vec<i64> = match user.organisation_id {
            Some(org) => {
                sqlx::query_scalar("SELECT footprint_id FROM footprint_partners WHERE organisation_id = $1")
                    .bind(org)
                    .fetch_all(self.pool())
                    .await?
            }
            None => Vec::new(),
        };
        Ok(Actor {
            user: Some(user.id),
            site_role: Some(user.site_role),
            footprint_roles,
            partner_of,
        })
    }

    /// Records a sign-in attempt.
    pub async fn record_sign_in_attempt(&self, email: &str, client: &str, succeeded: bool) -> Result<()> {
        sqlx::query("INSERT INTO login_attempts (email, client, at, succeeded) VALUES ($1, $2, $3, $4)")
            .bind(email)
            .bind(client)
            .bind(now_ms())
            .bind(i64::from(succeeded))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Failed sign-in attempts since `since_ms`: (for this email address, from this client).
    pub async fn failed_sign_ins(&self, email: &str, client: &str, since_ms: i64) -> Result<(i64, i64)> {
        let by_email: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND at >= $2 AND succeeded = 0")
                .bind(email)
                .bind(since_ms)
                .fetch_one(self.pool())
                .await?;
        let by_client: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM login_attempts WHERE client = $1 AND at >= $2 AND succeeded = 0")
                .bind(client)
                .bind(since_ms)
                .fetch_one(self.pool())
                .await?;
        Ok((by_email, by_client))
    }
}
