//! Where the plan lives: saved scenarios and their revisions, in SQLite (one machine, the
//! default, a file in the data directory) or PostgreSQL (several replicas behind a load
//! balancer, `database_url = "postgres://…"`). One query layer serves both: the SQL is the same
//! text on both (`$1` placeholders, `LOWER(…) LIKE`, integers for times), only the migrations
//! differ in their column types, so each query is written once and run on whichever pool is open
//! ([`on_pool!`]).
//!
//! Every write is one transaction: a save either adds its revision and moves the scenario's
//! latest revision, or changes nothing. Every write transaction's first statement writes: on
//! SQLite a transaction that reads first and then writes cannot wait for another writer (SQLite
//! refuses at once with "database is locked" rather than deadlock), while one that writes first
//! waits its turn. A save names the revision it started from; a stale one
//! is refused with the latest revision ([`StoreError::Conflict`]), so no save silently replaces
//! another.

mod accounts;
mod notifications;
mod platforms;
mod scenarios;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use accounts::{Caller, Secret, TokenRecord};
pub use notifications::{AlertNews, ChannelRow, DeliveryRow, NewChannelRow, Observed, RuleRow};
pub use platforms::{
    FirstPlatform, NewPlatformRow, NewTransitionRow, PlatformChange, PlatformRow, TransitionRow,
};
pub use scenarios::{BadCursor, Draft, ListQuery, Sort};

use crate::secret::{SourceUrl, redact};

/// The open database.
#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to whichever pool is open; the body is compiled once per
/// database, so the same query text serves both.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Who made a write and from where: every write records it in the audit log, in the write's
/// own transaction, so a change and its record are stored together or not at all.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// As `GET /api/v1/me` names it: a user, `token:NAME`, `local`, or `cli`.
    pub name: &'a str,
    /// The client's address, or `command line`.
    pub address: &'a str,
}

pub(crate) const INSERT_AUDIT: &str =
    "INSERT INTO audit (at, actor, action, target, address) VALUES ($1, $2, $3, $4, $5)";

/// Records one audited write inside the transaction `$tx`.
macro_rules! audit {
    ($tx:ident, $now:expr, $by:expr, $action:expr, $target:expr) => {
        sqlx::query($crate::store::INSERT_AUDIT)
            .bind($now)
            .bind($by.name)
            .bind($action.as_str())
            .bind($target)
            .bind($by.address)
            .execute(&mut *$tx)
            .await?
    };
}
pub(crate) use audit;

/// The saved scenarios, on either database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
}

/// Which database, for logs and `/api/v1/health`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// Why the store refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no saved scenario with id {0:?}")]
    UnknownScenario(String),
    #[error("scenario {id:?} has no revision {revision}")]
    UnknownRevision { id: String, revision: u32 },
    /// The save started from `expected`, but the latest is `current`.
    #[error("the scenario was saved since revision {expected}: the latest is revision {current}")]
    Conflict { expected: u32, current: u32 },
    #[error("the scenario {0:?} is archived: restore it before saving")]
    Archived(String),
    /// A stored revision that no longer reads as a scenario: a bug or a hand-edited database.
    #[error("revision {revision} of {id:?} cannot be read: {why}")]
    Corrupt {
        id: String,
        revision: u32,
        why: String,
    },
    #[error("no user named {0:?}")]
    UnknownUser(String),
    #[error("no token named {0:?}")]
    UnknownToken(String),
    /// A user or an active token of that name exists already.
    #[error("a {what} named {name:?} exists already")]
    NameTaken { what: &'static str, name: String },
    /// Removing or demoting the last admin would leave nobody to manage accounts.
    #[error("{0:?} is the last admin: add another admin first")]
    LastAdmin(String),
    #[error("no platform named {0:?}")]
    UnknownPlatform(String),
    /// The platform changed since the caller read it (another edit or transition).
    #[error(
        "the platform changed since it was read (its version is now {current}): reload it and try again"
    )]
    StalePlatform { current: u32 },
    #[error("the platform has no checklist item {0:?}")]
    UnknownItem(String),
    /// The item changed since the caller read it.
    #[error("checklist item {id:?} changed since it was read: its version is now {current}")]
    StaleItem { id: String, current: u32 },
    #[error("at most {0} actions may be added toward one phase")]
    TooManyItems(usize),
    #[error("no notification channel with id {0:?}")]
    UnknownChannel(String),
    #[error("no notification rule with id {0:?}")]
    UnknownRule(String),
    /// Rules still name the channel.
    #[error("the channel {id:?} is named by rules {}: change or remove them first", rules.join(", "))]
    ChannelInUse { id: String, rules: Vec<String> },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Migrations per database, embedded in the binary: a new server upgrades the schema at start.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Opens the database `database_url` names (`postgres://…`, `sqlite://…`), or else
    /// `phaseplan.db` in `data_dir`, or else (neither set: tests, a router built in code) a
    /// private in-memory database; and applies the migrations.
    pub async fn open(
        database_url: Option<&SourceUrl>,
        data_dir: Option<&Path>,
    ) -> Result<Store, StoreError> {
        match database_url {
            Some(url) => Self::open_url(url).await.map_err(|e| match e {
                // Driver messages may quote the URL; its password never reaches a log.
                StoreError::Database(e) => StoreError::Database(sqlx::Error::Configuration(
                    redact(&e.to_string(), url.expose()).into(),
                )),
                other => other,
            }),
            None => match data_dir {
                Some(dir) => Self::open_file(dir).await,
                None => Self::open_memory().await,
            },
        }
    }

    /// An in-memory SQLite database of this process alone: one connection (shared-cache
    /// in-memory databases lock whole tables, and one connection never waits), kept open so the
    /// database lives as long as the pool.
    async fn open_memory() -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(format!("phaseplan-{}", new_id()?))
            .in_memory(true)
            .shared_cache(true)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        SQLITE_MIGRATIONS.run(&pool).await?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
        })
    }

    async fn open_url(url: &SourceUrl) -> Result<Store, StoreError> {
        let raw = url.expose();
        if !(raw.starts_with("postgres://") || raw.starts_with("postgresql://")) {
            tracing::info!(database = %url, "saved scenarios in SQLite");
            return Self::sqlite(SqliteConnectOptions::from_str(raw)?).await;
        }
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(PgConnectOptions::from_str(raw)?)
            .await?;
        // Replicas starting together apply the migrations once: sqlx takes an advisory lock.
        POSTGRES_MIGRATIONS.run(&pool).await?;
        tracing::info!(database = %url, "saved scenarios in PostgreSQL");
        Ok(Store {
            pool: Pool::Postgres(pool),
        })
    }

    async fn open_file(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Database(sqlx::Error::Configuration(
                format!(
                    "cannot create the data directory {}: {e}",
                    data_dir.display()
                )
                .into(),
            ))
        })?;
        let file = data_dir.join("phaseplan.db");
        tracing::info!(file = %file.display(), "saved scenarios in SQLite");
        // Servers sharing a data directory migrate one at a time: SQLite has no advisory lock,
        // and two migrators racing would both try to create the tables.
        let lock_path = data_dir.join("phaseplan.db.migrate-lock");
        let lock = std::fs::File::create(&lock_path)
            .and_then(|f| f.lock().map(|()| f))
            .map_err(|e| {
                StoreError::Database(sqlx::Error::Configuration(
                    format!("cannot lock {}: {e}", lock_path.display()).into(),
                ))
            })?;
        let store = Self::sqlite(SqliteConnectOptions::new().filename(file)).await;
        drop(lock);
        store
    }

    /// SQLite in WAL mode: readers never wait for the writer, and with `synchronous = FULL` a
    /// commit is on disk when it returns, so a save acknowledged before a crash (or SIGKILL, or
    /// power loss) is there after it. A writer waits up to 5 s for another's lock.
    async fn sqlite(options: SqliteConnectOptions) -> Result<Store, StoreError> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        SQLITE_MIGRATIONS.run(&pool).await?;
        Ok(Store {
            pool: Pool::Sqlite(pool),
        })
    }

    pub fn kind(&self) -> Kind {
        match self.pool {
            Pool::Sqlite(_) => Kind::Sqlite,
            Pool::Postgres(_) => Kind::Postgres,
        }
    }

    /// Closes the pool: pending writes are committed or rolled back, connections closed. SQLite
    /// first folds its write-ahead log into the database file, so a cleanly stopped server
    /// leaves one file (to copy, back up or inspect) rather than a file and a log.
    pub async fn close(&self) {
        if let Pool::Sqlite(pool) = &self.pool
            && let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(pool)
                .await
        {
            tracing::warn!(error = %e, "could not checkpoint the SQLite log at shutdown");
        }
        on_pool!(self, pool => pool.close().await);
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// RFC 3339 in UTC with exactly three fractional digits (`2026-12-01T10:40:01.500Z`), so the
/// API's times sort as text the way they sort as times.
pub fn rfc3339(ms: i64) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'_>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(FORMAT).unwrap_or_default()
}

/// A new opaque, URL-safe id: 96 random bits in base64url (16 characters).
pub fn new_id() -> Result<String, StoreError> {
    use base64::Engine as _;
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| {
        StoreError::Database(sqlx::Error::Configuration(
            format!("no randomness for an id: {e}").into(),
        ))
    })?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}
