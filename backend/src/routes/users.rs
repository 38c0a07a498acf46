//! Accounts and API tokens (admin only). A token's secret is in the answer to its creation and
//! nowhere else, ever: the server keeps its SHA-256.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use phaseplan_model::access::{CreatedToken, NewToken, NewUser, Tokens, User, UserList};
use phaseplan_model::api::ErrorBody;

use crate::auth::{Admin, TOKEN_PREFIX, password};
use crate::error::{AppError, AppJson, AppPath};
use crate::store::{Secret, Store, now_ms};

#[utoipa::path(get, path = "/api/v1/users", tag = "access", operation_id = "list_users",
    responses((status = 200, description = "Every account, by name", body = UserList)))]
pub async fn list(
    Admin(_): Admin,
    State(store): State<Store>,
) -> Result<AppJson<UserList>, AppError> {
    Ok(AppJson(UserList {
        users: store.users().await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "access", operation_id = "add_user",
    request_body(content = NewUser, description = "A name (1–64 of letters, digits, `.`, `_`, `-`), a role and a password (at least 10 characters)",
        example = json!({"name": "grace", "role": "editor", "password": "a long passphrase"})),
    responses(
        (status = 201, description = "Added", body = User),
        (status = 409, description = "An account of that name exists", body = ErrorBody),
    ))]
pub async fn add(
    Admin(who): Admin,
    State(store): State<Store>,
    AppJson(body): AppJson<NewUser>,
) -> Result<Response, AppError> {
    body.validate()?;
    let hash = hash_blocking(body.password).await?;
    let user = store
        .add_user(&body.name, body.role, &hash, &who.actor())
        .await?;
    Ok((StatusCode::CREATED, AppJson(user)).into_response())
}

/// argon2id costs tens of milliseconds of CPU: off the async threads.
pub async fn hash_blocking(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password hashing: {e}")))?
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))
}

#[utoipa::path(delete, path = "/api/v1/users/{name}", tag = "access", operation_id = "remove_user",
    params(("name" = String, Path, description = "The account")),
    responses(
        (status = 204, description = "Removed, and its sessions ended everywhere"),
        (status = 404, description = "No such account (`field`: `name`)", body = ErrorBody),
        (status = 409, description = "The last admin cannot be removed", body = ErrorBody),
    ))]
pub async fn remove(
    Admin(who): Admin,
    State(store): State<Store>,
    AppPath(name): AppPath<String>,
) -> Result<StatusCode, AppError> {
    // A name no account can have is simply not there (404, like any unknown path segment).
    store.remove_user(&name, &who.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "access", operation_id = "list_tokens",
    responses((status = 200, description = "Every token, by name, revoked and expired ones included (never a secret)", body = Tokens)))]
pub async fn tokens(
    Admin(_): Admin,
    State(store): State<Store>,
) -> Result<AppJson<Tokens>, AppError> {
    Ok(AppJson(Tokens {
        tokens: store.tokens().await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "access", operation_id = "create_token",
    request_body(content = NewToken, description = "A name, a role, and optionally days until it expires",
        example = json!({"name": "ci", "role": "editor", "expires_in_days": 90})),
    responses(
        (status = 201, description = "Created: `secret` is shown this once", body = CreatedToken),
        (status = 409, description = "An active token of that name exists (revoke it first)", body = ErrorBody),
    ))]
pub async fn create_token(
    Admin(who): Admin,
    State(store): State<Store>,
    AppJson(body): AppJson<NewToken>,
) -> Result<Response, AppError> {
    body.validate()?;
    let secret = Secret::generate(TOKEN_PREFIX)?;
    let expires_at = body
        .expires_in_days
        .map(|d| now_ms() + i64::from(d) * 86_400_000);
    let token = store
        .create_token(&body.name, body.role, &secret, expires_at, &who.actor())
        .await?;
    let mut res = (
        StatusCode::CREATED,
        AppJson(CreatedToken {
            secret: secret.expose().to_owned(),
            token,
        }),
    )
        .into_response();
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

#[utoipa::path(delete, path = "/api/v1/tokens/{name}", tag = "access", operation_id = "revoke_token",
    params(("name" = String, Path, description = "The token")),
    responses(
        (status = 204, description = "Revoked: it stops working at once, on every replica"),
        (status = 404, description = "No active token of that name (`field`: `name`)", body = ErrorBody),
    ))]
pub async fn revoke_token(
    Admin(who): Admin,
    State(store): State<Store>,
    AppPath(name): AppPath<String>,
) -> Result<StatusCode, AppError> {
    store.revoke_token(&name, &who.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}
