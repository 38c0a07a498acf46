//! Accounts, API tokens, sessions and the audit log. Secrets never reach this module in the
//! clear except a password hash (argon2id, made by [`crate::auth::password`]) and the SHA-256 of
//! a token or session secret ([`Secret::hash`]); nothing here can print one.

use base64::Engine as _;
use phaseplan_model::access::{AuditAction, AuditEntry, AuditPage, Role, Token, User};
use sha2::{Digest, Sha256};
use sqlx::FromRow;

use super::{Actor, Store, StoreError, audit, now_ms, on_pool, rfc3339};

/// A token or session secret as the client holds it: 256 random bits, base64url, with a prefix
/// that says what it is (`pp_` tokens, which secret scanners can look for).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A new secret with `prefix`.
    pub fn generate(prefix: &str) -> Result<Secret, StoreError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| {
            StoreError::Database(sqlx::Error::Configuration(
                format!("no randomness for a secret: {e}").into(),
            ))
        })?;
        Ok(Secret(format!(
            "{prefix}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        )))
    }

    /// A secret a client presented.
    pub fn presented(text: &str) -> Secret {
        Secret(text.to_owned())
    }

    /// What is stored and looked up: hex SHA-256. A secret has 256 bits of entropy, so a fast
    /// hash is enough (no dictionary to try), and a lookup is one index probe.
    pub fn hash(&self) -> String {
        use std::fmt::Write as _;
        Sha256::digest(self.0.as_bytes())
            .iter()
            .fold(String::with_capacity(64), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            })
    }

    /// The secret itself, to hand to its owner once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The caller a session or token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

/// A token as stored (for authentication: its state decides whether it works now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub name: String,
    pub role: Role,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl TokenRecord {
    /// Whether the token works at `now` (ms).
    pub fn active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }
}

/// Roles are stored by their wire name; a row with any other is a hand-edited database.
fn role(text: &str) -> Result<Role, StoreError> {
    Role::parse("role", text)
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(format!("stored role: {e}").into())))
}

#[derive(FromRow)]
struct UserRow {
    name: String,
    role: String,
    created_at: i64,
}

#[derive(FromRow)]
struct TokenRow {
    name: String,
    role: String,
    created_at: i64,
    created_by: String,
    last_used_at: Option<i64>,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TokenRow {
    fn into_token(self) -> Result<Token, StoreError> {
        Ok(Token {
            role: role(&self.role)?,
            name: self.name,
            created_at: rfc3339(self.created_at),
            created_by: self.created_by,
            last_used_at: self.last_used_at.map(rfc3339),
            expires_at: self.expires_at.map(rfc3339),
            revoked_at: self.revoked_at.map(rfc3339),
        })
    }
}

const TOKEN_COLUMNS: &str =
    "name, role, created_at, created_by, last_used_at, expires_at, revoked_at";

/// A token's use is written at most this often (ms): one write a minute, not one a request.
const TOUCH_EVERY_MS: i64 = 60_000;

/// Audit entries a page holds at most.
pub const MAX_AUDIT_PAGE: u32 = 500;

impl Store {
    /// Adds an account. The first admin is usually made with `phaseplan user add`.
    pub async fn add_user(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
        by: &Actor<'_>,
    ) -> Result<User, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(role.as_str())
            .bind(password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                tx.rollback().await?;
                return Err(StoreError::NameTaken { what: "user", name: name.to_owned() });
            }
            audit!(tx, now, by, AuditAction::UserAdd, format!("user {name} ({role})"));
            tx.commit().await?;
        });
        Ok(User {
            name: name.to_owned(),
            role,
            created_at: rfc3339(now),
        })
    }

    /// Every account, by name.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows: Vec<UserRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT name, role, created_at FROM users ORDER BY name")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(User {
                    role: role(&r.role)?,
                    name: r.name,
                    created_at: rfc3339(r.created_at),
                })
            })
            .collect()
    }

    /// An account's role and password hash, to check a sign-in against.
    pub async fn credentials(&self, name: &str) -> Result<Option<(Role, String)>, StoreError> {
        let row: Option<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT role, password_hash FROM users WHERE name = $1")
                .bind(name)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(r, h)| Ok((role(&r)?, h))).transpose()
    }

    /// Sets a new password hash and ends the account's sessions everywhere.
    pub async fn set_password(
        &self,
        name: &str,
        password_hash: &str,
        by: &Actor<'_>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query("UPDATE users SET password_hash = $1 WHERE name = $2")
                .bind(password_hash)
                .bind(name)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                tx.rollback().await?;
                return Err(StoreError::UnknownUser(name.to_owned()));
            }
            sqlx::query("DELETE FROM sessions WHERE user_name = $1")
                .bind(name)
                .execute(&mut *tx)
                .await?;
            audit!(tx, now, by, AuditAction::UserPassword, format!("user {name}"));
            tx.commit().await?;
        });
        Ok(())
    }

    /// Removes an account and its sessions; never the last admin.
    pub async fn remove_user(&self, name: &str, by: &Actor<'_>) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // A write first: a SQLite transaction that reads and then writes cannot wait for
            // another writer (it would deadlock, so SQLite answers "database is locked" at
            // once); one that writes first waits its turn (busy_timeout). Rolled back below if
            // the account may not go.
            sqlx::query("DELETE FROM sessions WHERE user_name = $1")
                .bind(name)
                .execute(&mut *tx)
                .await?;
            let role_of: Option<(String,)> = sqlx::query_as("SELECT role FROM users WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((r,)) = role_of else {
                tx.rollback().await?;
                return Err(StoreError::UnknownUser(name.to_owned()));
            };
            if role(&r)? == Role::Admin {
                let (admins,): (i64,) =
                    sqlx::query_as("SELECT COUNT(*) FROM users WHERE role = 'admin'")
                        .fetch_one(&mut *tx)
                        .await?;
                if admins <= 1 {
                    tx.rollback().await?;
                    return Err(StoreError::LastAdmin(name.to_owned()));
                }
            }
            sqlx::query("DELETE FROM users WHERE name = $1")
                .bind(name)
                .execute(&mut *tx)
                .await?;
            audit!(tx, now, by, AuditAction::UserRemove, format!("user {name}"));
            tx.commit().await?;
        });
        Ok(())
    }

    /// Stores a new token under `name` (replacing a revoked one of that name; an active one is
    /// [`StoreError::NameTaken`]).
    pub async fn create_token(
        &self,
        name: &str,
        role: Role,
        secret: &Secret,
        expires_at: Option<i64>,
        by: &Actor<'_>,
    ) -> Result<Token, StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM tokens WHERE name = $1 AND revoked_at IS NOT NULL")
                .bind(name)
                .execute(&mut *tx)
                .await?;
            let inserted = sqlx::query(
                "INSERT INTO tokens (name, role, secret_hash, created_at, created_by, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(role.as_str())
            .bind(secret.hash())
            .bind(now)
            .bind(by.name)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                tx.rollback().await?;
                return Err(StoreError::NameTaken { what: "token", name: name.to_owned() });
            }
            audit!(tx, now, by, AuditAction::TokenCreate, format!("token {name} ({role})"));
            tx.commit().await?;
        });
        Ok(Token {
            name: name.to_owned(),
            role,
            created_at: rfc3339(now),
            created_by: by.name.to_owned(),
            last_used_at: None,
            expires_at: expires_at.map(rfc3339),
            revoked_at: None,
        })
    }

    /// Every token, by name, revoked and expired ones included.
    pub async fn tokens(&self) -> Result<Vec<Token>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY name");
        let rows: Vec<TokenRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        });
        rows.into_iter().map(TokenRow::into_token).collect()
    }

    /// Revokes `name` at once, on every replica (they all read this table).
    pub async fn revoke_token(&self, name: &str, by: &Actor<'_>) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                tx.rollback().await?;
                return Err(StoreError::UnknownToken(name.to_owned()));
            }
            audit!(tx, now, by, AuditAction::TokenRevoke, format!("token {name}"));
            tx.commit().await?;
        });
        Ok(())
    }

    /// The token whose secret this is, whatever its state.
    pub async fn token_by_secret(
        &self,
        secret: &Secret,
    ) -> Result<Option<TokenRecord>, StoreError> {
        let row: Option<TokenRow> = on_pool!(self, pool => {
            sqlx::query_as(&format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE secret_hash = $1"))
                .bind(secret.hash())
                .fetch_optional(pool)
                .await?
        });
        row.map(|r| {
            Ok(TokenRecord {
                role: role(&r.role)?,
                name: r.name,
                last_used_at: r.last_used_at,
                expires_at: r.expires_at,
                revoked_at: r.revoked_at,
            })
        })
        .transpose()
    }

    /// Records that `token` was used at `now`, unless that was recorded under a minute ago.
    pub async fn touch_token(&self, token: &TokenRecord, now: i64) -> Result<(), StoreError> {
        if token.last_used_at.is_some_and(|t| now - t < TOUCH_EVERY_MS) {
            return Ok(());
        }
        on_pool!(self, pool => {
            sqlx::query("UPDATE tokens SET last_used_at = $1 WHERE name = $2")
                .bind(now)
                .bind(&token.name)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Starts a session for `user` until `expires_at` (ms), and drops sessions that have
    /// expired (anyone's), so the table holds only live ones.
    pub async fn create_session(
        &self,
        secret: &Secret,
        user: &str,
        expires_at: i64,
        by: &Actor<'_>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (secret_hash, user_name, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(secret.hash())
            .bind(user)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            audit!(tx, now, by, AuditAction::SignIn, format!("user {user}"));
            tx.commit().await?;
        });
        Ok(())
    }

    /// Who a live session belongs to (with the account's role now, so a changed role applies
    /// at once).
    pub async fn session(&self, secret: &Secret, now: i64) -> Result<Option<Caller>, StoreError> {
        let row: Option<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT u.name, u.role FROM sessions s JOIN users u ON u.name = s.user_name \
                 WHERE s.secret_hash = $1 AND s.expires_at > $2",
            )
            .bind(secret.hash())
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(name, r)| {
            Ok(Caller {
                name,
                role: role(&r)?,
            })
        })
        .transpose()
    }

    /// Ends a session on every replica.
    pub async fn end_session(&self, secret: &Secret, by: &Actor<'_>) -> Result<(), StoreError> {
        let now = now_ms();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let ended = sqlx::query("DELETE FROM sessions WHERE secret_hash = $1")
                .bind(secret.hash())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if ended > 0 {
                audit!(tx, now, by, AuditAction::SignOut, format!("user {}", by.name));
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// A page of the audit log, newest first; `before` is a previous page's cursor.
    pub async fn audit_page(
        &self,
        limit: u32,
        before: Option<&str>,
    ) -> Result<Result<AuditPage, super::BadCursor>, StoreError> {
        #[derive(FromRow)]
        struct Row {
            id: i64,
            at: i64,
            actor: String,
            action: String,
            target: String,
            address: String,
        }
        let before = match before {
            None => i64::MAX,
            Some(c) => match base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|t| t.strip_prefix("audit:")?.parse::<i64>().ok())
            {
                Some(id) => id,
                None => return Ok(Err(super::BadCursor)),
            },
        };
        let limit = limit.clamp(1, MAX_AUDIT_PAGE);
        let mut rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, at, actor, action, target, address FROM audit WHERE id < $1 \
                 ORDER BY id DESC LIMIT $2",
            )
            .bind(before)
            .bind(i64::from(limit) + 1)
            .fetch_all(pool)
            .await?
        });
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = rows.last().filter(|_| more).map(|r| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("audit:{}", r.id))
        });
        let entries = rows
            .into_iter()
            .map(|r| {
                let action = AuditAction::parse(&r.action).ok_or_else(|| {
                    StoreError::Database(sqlx::Error::Decode(
                        format!("stored audit action {:?}", r.action).into(),
                    ))
                })?;
                Ok(AuditEntry {
                    at: rfc3339(r.at),
                    actor: r.actor,
                    action,
                    target: r.target,
                    address: r.address,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Ok(AuditPage {
            entries,
            next_cursor,
        }))
    }
}
