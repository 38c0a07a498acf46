//! The audit log (admin only): every write, newest first.

use axum::extract::State;
use phaseplan_model::access::AuditPage;
use phaseplan_model::api::ErrorBody;
use phaseplan_model::{Reason, ValidationError};

use crate::auth::Admin;
use crate::error::{AppError, AppJson, AppQuery};
use crate::store::Store;

/// Entries a page holds by default, and at most.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 500;

/// `GET /api/v1/audit` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Entries per page, 1–500 (default 100).
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "access", operation_id = "audit_log", params(AuditParams),
    responses(
        (status = 200, description = "One page of the audit log, newest first", body = AuditPage),
        (status = 422, description = "A limit out of range, or a cursor from elsewhere", body = ErrorBody),
    ))]
pub async fn page(
    Admin(_): Admin,
    State(store): State<Store>,
    AppQuery(p): AppQuery<AuditParams>,
) -> Result<AppJson<AuditPage>, AppError> {
    let limit = super::page_limit(p.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let page = store
        .audit_page(limit, p.cursor.as_deref())
        .await?
        .map_err(|e| ValidationError::new("cursor", Reason::Unreadable(e.to_string())))?;
    Ok(AppJson(page))
}
