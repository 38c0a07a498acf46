//! The queries behind saved scenarios. Each is one SQL text that runs unchanged on SQLite and
//! PostgreSQL ([`on_pool!`]); every write is one transaction.

use base64::Engine as _;
use phaseplan_model::api::{RevisionSummary, SavedScenario, ScenarioPage, ScenarioSummary};
use phaseplan_model::scenario::Scenario;
use sqlx::FromRow;

use phaseplan_model::access::AuditAction;

use super::{Actor, Store, StoreError, audit, new_id, now_ms, on_pool, rfc3339};

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// By name, A to Z (then by id).
    Name,
    /// Most recently changed first.
    #[default]
    Updated,
}

/// One page's worth of a list: what to match, in which order, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Matched case-insensitively anywhere in the name or the description; empty matches all.
    pub q: String,
    pub sort: Sort,
    pub archived: bool,
    pub limit: u32,
    /// Where the previous page ended ([`ScenarioPage::next_cursor`]).
    pub cursor: Option<String>,
}

/// A scenario's row joined with one of its revisions.
#[derive(Debug, FromRow)]
struct Joined {
    id: String,
    name: String,
    description: String,
    revision: i64,
    latest_revision: i64,
    archived: bool,
    scenario: String,
    message: String,
    created_at: i64,
    created_by: String,
}

#[derive(Debug, FromRow)]
struct Listed {
    id: String,
    name: String,
    description: String,
    latest_revision: i64,
    archived: bool,
    updated_at: i64,
    updated_by: String,
}

#[derive(Debug, FromRow)]
struct Head {
    latest_revision: i64,
    archived: bool,
}

/// Revision numbers are stored as 64-bit integers and counted from 1; a save adds one, so they
/// stay far below `u32::MAX`.
fn number(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Joined {
    fn into_saved(self) -> Result<SavedScenario, StoreError> {
        let revision = number(self.revision);
        let scenario: Scenario =
            serde_json::from_str(&self.scenario).map_err(|e| StoreError::Corrupt {
                id: self.id.clone(),
                revision,
                why: e.to_string(),
            })?;
        Ok(SavedScenario {
            id: self.id,
            name: self.name,
            description: self.description,
            revision,
            latest_revision: number(self.latest_revision),
            archived: self.archived,
            scenario,
            message: self.message,
            created_at: rfc3339(self.created_at),
            created_by: self.created_by,
        })
    }
}

impl From<Listed> for ScenarioSummary {
    fn from(r: Listed) -> Self {
        ScenarioSummary {
            id: r.id,
            name: r.name,
            description: r.description,
            revision: number(r.latest_revision),
            archived: r.archived,
            updated_at: rfc3339(r.updated_at),
            updated_by: r.updated_by,
        }
    }
}

/// What a save writes, already validated by the caller.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub scenario: &'a Scenario,
    pub message: &'a str,
}

const SELECT_JOINED: &str = "SELECT s.id, s.name, s.description, r.revision, s.latest_revision, \
     s.archived, r.scenario, r.message, r.created_at, r.created_by \
     FROM scenarios s JOIN revisions r ON r.scenario_id = s.id ";

pub(super) const INSERT_REVISION: &str = "INSERT INTO revisions \
     (scenario_id, revision, format_version, scenario, message, created_at, created_by) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// A list page ordered by name: after the cursor's (name, id).
const LIST_BY_NAME: &str = "SELECT id, name, description, latest_revision, archived, updated_at, \
     updated_by FROM scenarios WHERE archived = $1 \
     AND ($2 = '' OR LOWER(name) LIKE $3 ESCAPE '\\' OR LOWER(description) LIKE $3 ESCAPE '\\') \
     AND (name > $4 OR (name = $4 AND id > $5)) \
     ORDER BY name, id LIMIT $6";

/// A list page, newest change first: before the cursor's (updated_at, id).
const LIST_BY_UPDATED: &str = "SELECT id, name, description, latest_revision, archived, \
     updated_at, updated_by FROM scenarios WHERE archived = $1 \
     AND ($2 = '' OR LOWER(name) LIKE $3 ESCAPE '\\' OR LOWER(description) LIKE $3 ESCAPE '\\') \
     AND (updated_at < $4 OR (updated_at = $4 AND id < $5)) \
     ORDER BY updated_at DESC, id DESC LIMIT $6";

/// Where a page ended, as the next page's cursor: the sort key and the id of its last row.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Cursor {
    name: Option<String>,
    updated_at: Option<i64>,
    id: String,
}

impl Cursor {
    fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    fn decode(text: &str) -> Option<Cursor> {
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .ok()?;
        serde_json::from_slice(&json).ok()
    }
}

/// `q` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally.
fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Why a cursor was refused: it does not come from a page of this list.
#[derive(Debug, thiserror::Error)]
#[error("the cursor is not one this server gave for this sort order")]
pub struct BadCursor;

impl Store {
    /// Saves a new scenario as its revision 1.
    pub async fn create(&self, d: &Draft<'_>, by: &Actor<'_>) -> Result<SavedScenario, StoreError> {
        self.create_as(d, by, AuditAction::ScenarioCreate).await
    }

    async fn create_as(
        &self,
        d: &Draft<'_>,
        by: &Actor<'_>,
        action: AuditAction,
    ) -> Result<SavedScenario, StoreError> {
        let id = new_id()?;
        let now = now_ms();
        let json = serde_json::to_string(d.scenario).map_err(|e| StoreError::Corrupt {
            id: id.clone(),
            revision: 1,
            why: e.to_string(),
        })?;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO scenarios (id, name, description, latest_revision, archived, \
                 created_at, updated_at, updated_by) VALUES ($1, $2, $3, 1, FALSE, $4, $4, $5)",
            )
            .bind(&id)
            .bind(d.name)
            .bind(d.description)
            .bind(now)
            .bind(by.name)
            .execute(&mut *tx)
            .await?;
            sqlx::query(INSERT_REVISION)
                .bind(&id)
                .bind(1_i64)
                .bind(i64::from(d.scenario.format_version))
                .bind(&json)
                .bind(d.message)
                .bind(now)
                .bind(by.name)
                .execute(&mut *tx)
                .await?;
            audit!(tx, now, by, action, format!("scenario {id} revision 1"));
            tx.commit().await?;
        });
        self.revision(&id, 1).await
    }

    /// Saves `d` as the next revision of `id`, if its latest is still `expected`.
    pub async fn save(
        &self,
        id: &str,
        expected: u32,
        d: &Draft<'_>,
        by: &Actor<'_>,
    ) -> Result<SavedScenario, StoreError> {
        let now = now_ms();
        let next = i64::from(expected) + 1;
        let json = serde_json::to_string(d.scenario).map_err(|e| StoreError::Corrupt {
            id: id.to_owned(),
            revision: number(next),
            why: e.to_string(),
        })?;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // The compare-and-set that makes a stale save fail instead of overwriting: only the
            // save that started from the latest revision moves it.
            let moved = sqlx::query(
                "UPDATE scenarios SET latest_revision = $1, name = $2, description = $3, \
                 updated_at = $4, updated_by = $5 \
                 WHERE id = $6 AND latest_revision = $7 AND archived = FALSE",
            )
            .bind(next)
            .bind(d.name)
            .bind(d.description)
            .bind(now)
            .bind(by.name)
            .bind(id)
            .bind(i64::from(expected))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 0 {
                let head: Option<Head> = sqlx::query_as(
                    "SELECT latest_revision, archived FROM scenarios WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                tx.rollback().await?;
                return Err(match head {
                    None => StoreError::UnknownScenario(id.to_owned()),
                    Some(h) if h.archived => StoreError::Archived(id.to_owned()),
                    Some(h) => StoreError::Conflict {
                        expected,
                        current: number(h.latest_revision),
                    },
                });
            }
            sqlx::query(INSERT_REVISION)
                .bind(id)
                .bind(next)
                .bind(i64::from(d.scenario.format_version))
                .bind(&json)
                .bind(d.message)
                .bind(now)
                .bind(by.name)
                .execute(&mut *tx)
                .await?;
            audit!(tx, now, by, AuditAction::ScenarioSave, format!("scenario {id} revision {next}"));
            tx.commit().await?;
        });
        self.revision(id, number(next)).await
    }

    /// The latest revision of `id`.
    pub async fn latest(&self, id: &str) -> Result<SavedScenario, StoreError> {
        let sql = format!("{SELECT_JOINED} WHERE s.id = $1 AND r.revision = s.latest_revision");
        let row: Option<Joined> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.ok_or_else(|| StoreError::UnknownScenario(id.to_owned()))?
            .into_saved()
    }

    /// Revision `n` of `id`.
    pub async fn revision(&self, id: &str, n: u32) -> Result<SavedScenario, StoreError> {
        let sql = format!("{SELECT_JOINED} WHERE s.id = $1 AND r.revision = $2");
        let row: Option<Joined> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(id)
                .bind(i64::from(n))
                .fetch_optional(pool)
                .await?
        });
        match row {
            Some(r) => r.into_saved(),
            None => {
                // Say which is missing: the scenario, or only the revision.
                self.latest(id).await?;
                Err(StoreError::UnknownRevision {
                    id: id.to_owned(),
                    revision: n,
                })
            }
        }
    }

    /// The history of `id`, newest first.
    pub async fn revisions(&self, id: &str) -> Result<Vec<RevisionSummary>, StoreError> {
        #[derive(FromRow)]
        struct Rev {
            revision: i64,
            message: String,
            created_at: i64,
            created_by: String,
        }
        let rows: Vec<Rev> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT revision, message, created_at, created_by FROM revisions \
                 WHERE scenario_id = $1 ORDER BY revision DESC",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        if rows.is_empty() {
            return Err(StoreError::UnknownScenario(id.to_owned()));
        }
        Ok(rows
            .into_iter()
            .map(|r| RevisionSummary {
                revision: number(r.revision),
                message: r.message,
                created_at: rfc3339(r.created_at),
                created_by: r.created_by,
            })
            .collect())
    }

    /// One page of the library.
    pub async fn list(&self, q: &ListQuery) -> Result<Result<ScenarioPage, BadCursor>, StoreError> {
        let cursor = match q.cursor.as_deref().map(Cursor::decode) {
            None => None,
            Some(Some(c)) => Some(c),
            Some(None) => return Ok(Err(BadCursor)),
        };
        let (after_name, after_updated, after_id) = match (&cursor, q.sort) {
            (None, Sort::Name) => (String::new(), i64::MAX, String::new()),
            // Ids are base64url, all below "~": every id sorts before it.
            (None, Sort::Updated) => (String::new(), i64::MAX, "~".to_owned()),
            (
                Some(Cursor {
                    name: Some(n), id, ..
                }),
                Sort::Name,
            ) => (n.clone(), 0, id.clone()),
            (
                Some(Cursor {
                    updated_at: Some(u),
                    id,
                    ..
                }),
                Sort::Updated,
            ) => (String::new(), *u, id.clone()),
            (Some(_), _) => return Ok(Err(BadCursor)),
        };
        // One row more than the page: whether there is a next page, without counting.
        let limit = i64::from(q.limit) + 1;
        let pattern = like_pattern(&q.q);
        let mut rows: Vec<Listed> = on_pool!(self, pool => {
            let query = match q.sort {
                Sort::Name => sqlx::query_as(LIST_BY_NAME)
                    .bind(q.archived)
                    .bind(&q.q)
                    .bind(&pattern)
                    .bind(&after_name),
                Sort::Updated => sqlx::query_as(LIST_BY_UPDATED)
                    .bind(q.archived)
                    .bind(&q.q)
                    .bind(&pattern)
                    .bind(after_updated),
            };
            query.bind(&after_id).bind(limit).fetch_all(pool).await?
        });
        let more = rows.len() > q.limit as usize;
        rows.truncate(q.limit as usize);
        let next_cursor = match rows.last() {
            Some(last) if more => Some(
                match q.sort {
                    Sort::Name => Cursor {
                        name: Some(last.name.clone()),
                        updated_at: None,
                        id: last.id.clone(),
                    },
                    Sort::Updated => Cursor {
                        name: None,
                        updated_at: Some(last.updated_at),
                        id: last.id.clone(),
                    },
                }
                .encode(),
            ),
            _ => None,
        };
        Ok(Ok(ScenarioPage {
            scenarios: rows.into_iter().map(ScenarioSummary::from).collect(),
            next_cursor,
        }))
    }

    /// Archives (`true`) or restores (`false`) `id`; its revisions stay as they are.
    pub async fn set_archived(
        &self,
        id: &str,
        archived: bool,
        by: &Actor<'_>,
    ) -> Result<SavedScenario, StoreError> {
        let now = now_ms();
        let action = if archived {
            AuditAction::ScenarioArchive
        } else {
            AuditAction::ScenarioRestore
        };
        let changed = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query(
                "UPDATE scenarios SET archived = $1, updated_at = $2, updated_by = $3 \
                 WHERE id = $4",
            )
            .bind(archived)
            .bind(now)
            .bind(by.name)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed > 0 {
                audit!(tx, now, by, action, format!("scenario {id}"));
            }
            tx.commit().await?;
            changed
        });
        if changed == 0 {
            return Err(StoreError::UnknownScenario(id.to_owned()));
        }
        self.latest(id).await
    }

    /// A new scenario whose revision 1 is the latest revision of `id`, named `name`.
    pub async fn duplicate(
        &self,
        id: &str,
        name: &str,
        by: &Actor<'_>,
    ) -> Result<SavedScenario, StoreError> {
        let from = self.latest(id).await?;
        let message = format!(
            "Duplicated from {:?}, revision {}",
            from.name, from.revision
        );
        self.create_as(
            &Draft {
                name,
                description: &from.description,
                scenario: &from.scenario,
                message: &message,
            },
            by,
            AuditAction::ScenarioDuplicate,
        )
        .await
    }
}
