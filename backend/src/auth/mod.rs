//! Who is asking, and whether they may. One middleware ([`identify`]) decides who a request
//! comes from — the local admin (`auth = "none"`), an API token (`Authorization: Bearer …`) or a
//! session cookie — and refuses what needs a credential and has none (401) and cookie writes from
//! another origin (403, CSRF). Handlers then name the role they need as an extractor
//! ([`Viewer`], [`Editor`], [`Admin`]), so a route cannot forget its check: the handler does not
//! compile without the caller, and the caller is only handed over when [`Role::may`] allows.

pub mod password;
pub mod throttle;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use phaseplan_model::access::{Action, AuthMode, Credential, Me, Role};

use crate::config::{Access, HostPattern};
use crate::error::AppError;
use crate::http::rate_limit::RateLimit;
use crate::store::{Actor, Secret, Store};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "phaseplan_session";
/// Prefixes that say what a secret is: `pp_` tokens (for secret scanners), `pps_` sessions.
pub const TOKEN_PREFIX: &str = "pp_";
pub const SESSION_PREFIX: &str = "pps_";
/// The name `auth = "none"` gives everyone.
pub const LOCAL: &str = "local";

/// Who a request comes from, as [`identify`] found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// A user's name, `token:NAME`, or `local`.
    pub name: String,
    pub role: Role,
    pub via: Credential,
    /// The client's address (see [`RateLimit::client`]), for the audit log.
    pub address: String,
}

impl Principal {
    /// The audit log's view of this caller.
    pub fn actor(&self) -> Actor<'_> {
        Actor {
            name: &self.name,
            address: &self.address,
        }
    }

    pub fn me(&self, mode: AuthMode) -> Me {
        Me {
            name: self.name.clone(),
            role: self.role,
            auth: mode,
            via: self.via,
        }
    }
}

/// The client's address, for every request (signed in or not), as [`identify`] found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// What [`identify`] needs.
#[derive(Debug, Clone)]
pub struct Gate {
    pub access: Arc<Access>,
    pub store: Store,
    /// For the client's address behind trusted proxies.
    pub rate_limit: Arc<RateLimit>,
    pub allowed_hosts: Arc<Vec<HostPattern>>,
}

/// Paths anyone may use with `auth = "users"`: health (probes), signing in, the API contract,
/// and the SPA's files (the sign-in page is one of them).
fn public(method: &Method, path: &str) -> bool {
    match path {
        "/api/v1/health" | "/api/v1/openapi.json" => true,
        "/api/v1/session" => method == Method::POST,
        "/metrics" => false,
        p => !(p == "/api" || p.starts_with("/api/")),
    }
}

/// The middleware: finds the caller, puts it in the request's extensions, and refuses what
/// needs a credential and has none.
pub async fn identify(State(gate): State<Gate>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    let client = gate.rate_limit.client(peer, req.headers());
    req.extensions_mut().insert(ClientAddress(client));
    let address = client.to_string();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let writes = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);

    let principal = match gate.access.mode {
        AuthMode::None => Some(Principal {
            name: LOCAL.to_owned(),
            role: Role::Admin,
            via: Credential::Local,
            address,
        }),
        AuthMode::Users => match caller(&gate.store, req.headers(), address).await {
            Ok(p) => p,
            Err(e) => return e.into_response(),
        },
    };
    // A browser sends Origin with every cross-site write; a write whose Origin is not this
    // server's is refused whoever it claims to be. With a session cookie (sent by the browser
    // on its own) an Origin is required outright.
    if writes {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .map(|v| v.to_str().unwrap_or("\u{0}"));
        let cookie = principal
            .as_ref()
            .is_some_and(|p| p.via == Credential::Session);
        let host = crate::http::host::requested_host(&req);
        match origin {
            Some(o) if !same_origin(o, host.as_deref(), &gate.allowed_hosts) => {
                return AppError::Forbidden(
                    "a write from another site is refused (its Origin is not this server)"
                        .to_owned(),
                )
                .into_response();
            }
            None if cookie => {
                return AppError::Forbidden(
                    "a write with a session cookie must carry an Origin header (browsers send \
                     it); scripts should use an API token"
                        .to_owned(),
                )
                .into_response();
            }
            _ => {}
        }
    }
    if path == "/metrics" && gate.access.mode == AuthMode::Users && !gate.access.metrics_public {
        match &principal {
            Some(p) if p.via == Credential::Token => {}
            Some(_) => {
                return AppError::Forbidden(
                    "/metrics needs an API token (or metrics_public = true)".to_owned(),
                )
                .into_response();
            }
            None => {
                return AppError::Unauthorized("/metrics needs an API token").into_response();
            }
        }
    }
    match principal {
        Some(p) => {
            req.extensions_mut().insert(p);
        }
        None if !(public(&method, &path) || path == "/metrics" && gate.access.metrics_public) => {
            return AppError::Unauthorized("sign in, or send an API token").into_response();
        }
        None => {}
    }
    next.run(req).await
}

/// Whether `origin` (`scheme://host[:port]`) names this server: its host is one of
/// `allowed_hosts`, or (with `*`) the request's own `Host`.
fn same_origin(origin: &str, host: Option<&str>, allowed: &[HostPattern]) -> bool {
    let Some((_, authority)) = origin.split_once("://") else {
        return false;
    };
    let authority = authority.trim_end_matches('/').to_ascii_lowercase();
    if host.is_some_and(|h| h == authority) {
        return true;
    }
    !allowed.contains(&HostPattern::Any) && allowed.iter().any(|p| p.matches(&authority))
}

/// The caller an `Authorization` header or a session cookie names. A bad bearer token is an
/// error (the client meant to authenticate); a stale cookie is only no caller (the browser keeps
/// sending it until told otherwise).
async fn caller(
    store: &Store,
    headers: &HeaderMap,
    address: String,
) -> Result<Option<Principal>, AppError> {
    let now = crate::store::now_ms();
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let text = auth.to_str().unwrap_or_default();
        let Some(secret) = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
        else {
            return Err(AppError::Unauthorized(
                "the Authorization header must be `Bearer <token>`",
            ));
        };
        let secret = Secret::presented(secret.trim());
        let token = store.token_by_secret(&secret).await?;
        return match token {
            Some(t) if t.active(now) => {
                // Recording the use is best effort: a failed write must not fail the request.
                if let Err(e) = store.touch_token(&t, now).await {
                    tracing::warn!(token = %t.name, error = %e, "could not record a token's use");
                }
                Ok(Some(Principal {
                    name: format!("token:{}", t.name),
                    role: t.role,
                    via: Credential::Token,
                    address,
                }))
            }
            // Unknown, revoked and expired tokens get the same answer.
            _ => Err(AppError::Unauthorized(
                "the API token is not valid (unknown, revoked or expired)",
            )),
        };
    }
    let Some(secret) = session_cookie(headers) else {
        return Ok(None);
    };
    Ok(store.session(&secret, now).await?.map(|c| Principal {
        name: c.name,
        role: c.role,
        via: Credential::Session,
        address,
    }))
}

/// The session secret in the `Cookie` headers, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<Secret> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| Secret::presented(value.trim()))
}

/// The caller [`identify`] put there, if any.
fn principal(parts: &Parts) -> Result<Principal, AppError> {
    parts
        .extensions
        .get::<Principal>()
        .cloned()
        .ok_or(AppError::Unauthorized("sign in, or send an API token"))
}

/// Extractors that hand over the caller only when its role may do `$action`.
macro_rules! needs {
    ($(#[$doc:meta])* $name:ident, $action:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Principal);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
                let p = principal(parts)?;
                if p.role.may($action) {
                    Ok($name(p))
                } else {
                    Err(AppError::Forbidden(format!(
                        "{} {:?} is a {}; {} needs {}",
                        if p.via == Credential::Token { "the token" } else { "the user" },
                        p.name,
                        p.role,
                        $what,
                        match $action {
                            Action::Read => "any role",
                            Action::EditScenarios => "the editor or admin role",
                            Action::Administer => "the admin role",
                        }
                    )))
                }
            }
        }
    };
}

needs!(
    /// Any signed-in caller (every role may read).
    Viewer,
    Action::Read,
    "reading"
);
needs!(
    /// A caller who may save scenarios.
    Editor,
    Action::EditScenarios,
    "changing saved scenarios"
);
needs!(
    /// A caller who may manage accounts and read the audit log.
    Admin,
    Action::Administer,
    "managing users and tokens"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_health_sign_in_the_contract_and_the_spa_are_public() {
        assert!(public(&Method::GET, "/api/v1/health"));
        assert!(public(&Method::POST, "/api/v1/session"));
        assert!(!public(&Method::DELETE, "/api/v1/session"));
        assert!(public(&Method::GET, "/"));
        assert!(public(&Method::GET, "/costs"));
        assert!(!public(&Method::GET, "/metrics"));
        assert!(!public(&Method::GET, "/api/v1/scenarios"));
        assert!(!public(&Method::GET, "/api"));
        assert!(!public(&Method::GET, "/api/v1/me"));
    }

    #[test]
    fn an_origin_is_this_server_or_not() {
        let allowed = vec![HostPattern::Name("plan.example.com".into())];
        assert!(same_origin(
            "https://plan.example.com",
            Some("plan.example.com"),
            &allowed
        ));
        assert!(same_origin("https://plan.example.com", None, &allowed));
        assert!(!same_origin(
            "https://evil.example",
            Some("plan.example.com"),
            &allowed
        ));
        assert!(!same_origin("null", Some("plan.example.com"), &allowed));
        let any = vec![HostPattern::Any];
        assert!(same_origin(
            "http://10.0.0.5:8080",
            Some("10.0.0.5:8080"),
            &any
        ));
        assert!(!same_origin(
            "http://evil.example",
            Some("10.0.0.5:8080"),
            &any
        ));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            "a=1; phaseplan_session=pps_abc ; b=2".parse().unwrap(),
        );
        assert_eq!(session_cookie(&h), Some(Secret::presented("pps_abc")));
        assert_eq!(session_cookie(&HeaderMap::new()), None);
    }
}
