//! Signing in and out, and who the server takes the caller for. A sign-in that fails says only
//! that the name or the password is wrong (never which), costs the same time either way (an
//! unknown name is checked against a decoy hash), and slows further attempts for that name and
//! address ([`SignInThrottle`]).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use phaseplan_model::access::{AuthMode, Credential, Me, SignIn, check_name};
use phaseplan_model::api::ErrorBody;

use crate::auth::throttle::SignInThrottle;
use crate::auth::{
    ClientAddress, SESSION_COOKIE, SESSION_PREFIX, Viewer, password, session_cookie,
};
use crate::config::Access;
use crate::error::{AppError, AppJson};
use crate::store::{Actor, Secret, Store, now_ms};

const WRONG: &str = "the name or the password is wrong";

/// The `Set-Cookie` value of a session (or, with `None`, of its removal).
fn cookie(secret: Option<&Secret>, access: &Access) -> Option<HeaderValue> {
    let secure = if access.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let value = match secret {
        Some(s) => format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            s.expose(),
            access.session.as_secs()
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&value).ok()
}

#[utoipa::path(post, path = "/api/v1/session", tag = "access", operation_id = "sign_in",
    request_body(content = SignIn, description = "An account's name and password",
        example = json!({"name": "ada", "password": "correct horse battery staple"})),
    responses(
        (status = 200, description = "Signed in: the session cookie is set (HttpOnly, SameSite=Strict)", body = Me),
        (status = 401, description = "The name or the password is wrong (which, is not said)", body = ErrorBody),
        (status = 409, description = "This server has no sign-in (`auth = \"none\"`)", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins for this name or address; `Retry-After`", body = ErrorBody),
    ))]
pub async fn sign_in(
    State(store): State<Store>,
    State(access): State<Arc<Access>>,
    State(throttle): State<Arc<SignInThrottle>>,
    axum::Extension(ClientAddress(ip)): axum::Extension<ClientAddress>,
    AppJson(body): AppJson<SignIn>,
) -> Result<Response, AppError> {
    if access.mode == AuthMode::None {
        return Err(AppError::Conflict {
            message: "this server has no sign-in (auth = \"none\"): everyone is the local admin"
                .to_owned(),
            current_revision: None,
            field: None,
        });
    }
    check_name("name", &body.name)?;
    let address = ip.to_string();
    if let Some(wait) = throttle.wait(&body.name, ip, Instant::now()) {
        return Err(AppError::SignInThrottled { retry_after: wait });
    }
    let stored = store.credentials(&body.name).await?;
    let (role, hash) = match &stored {
        Some((role, hash)) => (Some(*role), hash.clone()),
        None => (None, password::decoy().to_owned()),
    };
    let given = body.password;
    let matches = tokio::task::spawn_blocking(move || password::verify(&given, &hash))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password check: {e}")))?
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    let Some(role) = role.filter(|_| matches) else {
        throttle.failed(&body.name, ip, Instant::now());
        tracing::info!(%address, "failed sign-in");
        return Err(AppError::Unauthorized(WRONG));
    };
    throttle.succeeded(&body.name, ip);
    let secret = Secret::generate(SESSION_PREFIX)?;
    let expires = now_ms() + i64::try_from(access.session.as_millis()).unwrap_or(i64::MAX / 2);
    store
        .create_session(
            &secret,
            &body.name,
            expires,
            &Actor {
                name: &body.name,
                address: &address,
            },
        )
        .await?;
    let me = Me {
        name: body.name,
        role,
        auth: access.mode,
        via: Credential::Session,
    };
    let mut res = (StatusCode::OK, AppJson(me)).into_response();
    if let Some(v) = cookie(Some(&secret), &access) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    // Never cached by anything in between.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[utoipa::path(delete, path = "/api/v1/session", tag = "access", operation_id = "sign_out",
    responses(
        (status = 204, description = "Signed out: the session ends on every replica and the cookie is cleared"),
    ))]
pub async fn sign_out(
    Viewer(who): Viewer,
    State(store): State<Store>,
    State(access): State<Arc<Access>>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if who.via == Credential::Session
        && let Some(secret) = session_cookie(&headers)
    {
        store.end_session(&secret, &who.actor()).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Some(v) = cookie(None, &access) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "access", operation_id = "me",
    responses(
        (status = 200, description = "Who the server takes the caller for, and whether it has sign-in", body = Me),
    ))]
pub async fn me(Viewer(who): Viewer, State(access): State<Arc<Access>>) -> AppJson<Me> {
    AppJson(who.me(access.mode))
}
