//! The API contract: an OpenAPI 3.1 document generated from the handlers' annotations and the
//! wire types' schemas (the model's `openapi` feature), served at `GET /api/v1/openapi.json`.
//!
//! The errors every operation can answer are added here once, from the one status table
//! ([`ErrorCode::status`]): 408 and 421 everywhere (the request timeout and the `Host` allowlist
//! wrap every route), 500 for a bug; a JSON body adds 400, 413, 415 and 422, and every write
//! (POST, PUT, DELETE) the rate limit's 429; every operation but health and this document 401 (no credential, with `auth = "users"`) and 403 (a role that does not allow it,
//! or a cross-site write). Operation-specific ones (404 for an unknown phase, 503 when the work pool is full) stay
//! on their handlers.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use phaseplan_model::api::{ErrorBody, ErrorCode};
use utoipa::OpenApi;
use utoipa::openapi::{RefOr, Response, ResponseBuilder};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Phaseplan",
        description = "Plan a web platform's scaling phases: the planning model (capacity, cost on six providers, timeline, advice, provider decision, migration, Monte Carlo), config bundles per phase and provider, and live capacity against the plan. Every error has the shape {\"error\": {\"code\", \"message\", \"field\"?}}.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        routes::health::health,
        routes::catalog::catalog,
        routes::presets::list,
        routes::phase_fit::phase_fit,
        routes::usl::fit_usl,
        routes::measurements::parse_file,
        routes::evaluate::evaluate,
        routes::bundles::default_scenario,
        routes::bundles::for_scenario,
        routes::live::snapshot,
        routes::live::history,
        routes::live::analysis,
        routes::live::calibration,
        routes::live::stream,
        routes::scenarios::list,
        routes::scenarios::create,
        routes::scenarios::get_latest,
        routes::scenarios::save,
        routes::scenarios::archive,
        routes::scenarios::restore,
        routes::scenarios::duplicate,
        routes::scenarios::revisions,
        routes::scenarios::revision,
        routes::scenarios::diff,
        routes::session::sign_in,
        routes::session::sign_out,
        routes::session::me,
        routes::users::list,
        routes::users::add,
        routes::users::remove,
        routes::users::tokens,
        routes::users::create_token,
        routes::users::revoke_token,
        routes::audit::page,
        routes::platforms::list,
        routes::platforms::create,
        routes::platforms::get,
        routes::platforms::edit,
        routes::platforms::status,
        routes::platforms::transitions,
        routes::platforms::record,
        routes::platforms::checklist,
        routes::platforms::add_item,
        routes::platforms::edit_item,
        routes::platforms::milestones,
        routes::platforms::edit_milestones,
        routes::notifications::channels,
        routes::notifications::add_channel,
        routes::notifications::edit_channel,
        routes::notifications::remove_channel,
        routes::notifications::test_channel,
        routes::notifications::rules,
        routes::notifications::add_rule,
        routes::notifications::remove_rule,
        routes::notifications::deliveries,
        routes::notifications::alertmanager,
        routes::scaling::status,
        routes::scaling::phase_summary,
        routes::scaling::deployment_configs,
        routes::scaling::transition,
        routes::openapi::openapi_json,
        routes::metrics::render,
    ),
    components(schemas(ErrorBody, ErrorCode)),
    tags(
        (name = "plan", description = "The planning model: what the SPA computes in the browser, on the server"),
        (name = "bundles", description = "Config bundles per phase and provider"),
        (name = "scenarios", description = "Saved scenarios and their revisions"),
        (name = "live", description = "Live capacity against the plan"),
        (name = "operations", description = "Platforms run from the plan: the phase each is on, its transitions, its checklist toward the next phase and its milestones"),
        (name = "notifications", description = "Channels (webhook, Slack, e-mail; admins manage them, their secrets are stored encrypted and never returned), rules per platform, and the delivery log"),
        (name = "scaling", description = "The seeds' scaling API in the seeds' shapes (camelCase, a `message` beside the payload), for `?platform=NAME` (default `default`)"),
        (name = "access", description = "Signing in, accounts, API tokens (`Authorization: Bearer …`) and the audit log. With `auth = \"none\"` (the loopback default) everyone is the local admin; with `auth = \"users\"` everything but health, sign-in and this document needs a session or a token (401), and a role that allows it (403)"),
        (name = "server", description = "The server itself"),
    )
)]
struct ApiDoc;

/// The document, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = ApiDoc::openapi();
        for (path, item) in &mut doc.paths.paths {
            let public = matches!(path.as_str(), "/api/v1/health" | "/api/v1/openapi.json");
            // (operation, whether it writes: the rate limit counts writes).
            let ops = [
                (item.get.as_mut(), false),
                (item.post.as_mut(), true),
                (item.put.as_mut(), true),
                (item.patch.as_mut(), true),
                (item.delete.as_mut(), true),
            ];
            for (op, writes) in ops {
                let Some(op) = op else { continue };
                let mut codes = vec![
                    ErrorCode::RequestTimeout,
                    ErrorCode::MisdirectedRequest,
                    ErrorCode::Internal,
                ];
                if op.request_body.is_some() {
                    codes.extend([
                        ErrorCode::MalformedJson,
                        ErrorCode::PayloadTooLarge,
                        ErrorCode::UnsupportedMediaType,
                        ErrorCode::InvalidInput,
                    ]);
                }
                if writes {
                    codes.push(ErrorCode::TooManyRequests);
                }
                if !public {
                    codes.extend([ErrorCode::Unauthorized, ErrorCode::Forbidden]);
                }
                for code in codes {
                    op.responses
                        .responses
                        .entry(code.status().to_string())
                        .or_insert_with(|| error_response(code));
                }
            }
        }
        doc
    })
}

/// A response of the error shape with `code`, described in words.
pub fn error_response(code: ErrorCode) -> RefOr<Response> {
    let what = match code {
        ErrorCode::InvalidInput => "A field has a value the model refuses; `field` names it",
        ErrorCode::InsufficientData => {
            "Too little data for an answer; the message says what is missing"
        }
        ErrorCode::MalformedJson => {
            "The body is not JSON of the expected shape; `field` names where"
        }
        ErrorCode::UnsupportedMediaType => "The body is not `application/json`",
        ErrorCode::PayloadTooLarge => "The body is larger than 1 MiB",
        ErrorCode::NotFound => "No such resource; `field` names the path segment",
        ErrorCode::MethodNotAllowed => "The method is not allowed on this path",
        ErrorCode::RequestTimeout => "The response took longer than `request_timeout_seconds`",
        ErrorCode::MisdirectedRequest => "The `Host` is not in `allowed_hosts`",
        ErrorCode::TooManyRequests => {
            "Past the client's rate limit; `Retry-After` says when to try again"
        }
        ErrorCode::ServiceUnavailable => "At capacity; `Retry-After` says when to try again",
        ErrorCode::Conflict => {
            "The save started from an older revision; `current_revision` is the latest"
        }
        ErrorCode::PreconditionRequired => {
            "A save needs `If-Match: \"N\"`, the revision it started from"
        }
        ErrorCode::Unauthorized => {
            "No valid session or token (with `auth = \"users\"`), or a failed sign-in"
        }
        ErrorCode::Forbidden => {
            "The caller's role does not allow this, or a cookie-authenticated write came from \
             another origin"
        }
        ErrorCode::Internal => "A bug; the details are in the server's log",
    };
    ResponseBuilder::new()
        .description(what)
        .content(
            "application/json",
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "ErrorBody",
                ))))
                .build(),
        )
        .build()
        .into()
}

/// `GET /api/v1/openapi.json`: this document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "server",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = Object))
)]
pub async fn openapi_json() -> impl IntoResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let json = JSON.get_or_init(|| document().to_json().unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], json.as_str())
}
