//! Config bundles as downloads: `GET /api/v1/bundles/{phase}/{provider}.zip` (or `.tar.gz`) for
//! the default scenario, `POST` to the same path with a scenario body for any other. The bytes
//! are those the SPA builds in the browser: both call `phaseplan_model::bundle`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use phaseplan_model::api::ErrorBody;
use phaseplan_model::bundle::archive::{self, Format};
use phaseplan_model::bundle::{BundleError, BundleSpec, SavedRevision, render};
use phaseplan_model::cost::catalog::{Catalog, ProviderId};
use phaseplan_model::presets::default_preset;
use phaseplan_model::scenario::Scenario;

use crate::error::{AppError, AppJson, AppPath, AppQuery};
use crate::http::work::WorkPool;
use crate::routes::scenarios::{SavedRef, citation};
use crate::store::Store;

/// The two path segments of a bundle download.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct BundlePath {
    /// A phase key of the scenario (`launch`, `growth`, `scale`, `enterprise` for the default).
    #[param(pattern = "^[a-z0-9][a-z0-9-]{0,31}$", example = "growth")]
    phase: String,
    /// `<provider>.zip` or `<provider>.tar.gz`; providers: aws, gcp, azure, linode,
    /// digitalocean, hetzner.
    #[param(
        pattern = "^(aws|gcp|azure|linode|digitalocean|hetzner)\\.(zip|tar\\.gz)$",
        example = "aws.zip"
    )]
    file: String,
}

#[utoipa::path(get, path = "/api/v1/bundles/{phase}/{file}", tag = "bundles", params(BundlePath, SavedRef),
    responses(
        (status = 200, description = "The bundle of the phase on the provider: of the default scenario, or of the saved revision `?scenario=&revision=` names (its README cites it)", content((Vec<u8> = "application/zip"), (Vec<u8> = "application/gzip"))),
        (status = 404, description = "Unknown phase, provider, archive format, saved scenario or revision; `field` names which", body = ErrorBody),
        (status = 422, description = "A query parameter is not a number, or `revision` names no scenario (`field` says which)", body = ErrorBody),
        (status = 503, description = "The work queue is full; `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub async fn default_scenario(
    State(catalog): State<Arc<Catalog>>,
    State(work): State<Arc<WorkPool>>,
    State(store): State<Store>,
    AppPath((phase, file)): AppPath<(String, String)>,
    AppQuery(saved): AppQuery<SavedRef>,
) -> Result<Response, AppError> {
    match saved.load(&store).await? {
        Some(s) => {
            let cite = citation(&s);
            respond(catalog, work, s.scenario, Some(cite), phase, file).await
        }
        None => respond(catalog, work, default_preset().scenario, None, phase, file).await,
    }
}

#[utoipa::path(post, path = "/api/v1/bundles/{phase}/{file}", tag = "bundles", params(BundlePath),
    request_body(content = Scenario, example = json!(default_preset().scenario)),
    responses(
        (status = 200, description = "The bundle of the posted scenario's phase on the provider", content((Vec<u8> = "application/zip"), (Vec<u8> = "application/gzip"))),
        (status = 404, description = "Unknown phase, provider or archive format; `field` names which", body = ErrorBody),
        (status = 503, description = "The work queue is full; `Retry-After` says when to try again", body = ErrorBody),
    ))]
pub async fn for_scenario(
    State(catalog): State<Arc<Catalog>>,
    State(work): State<Arc<WorkPool>>,
    AppPath((phase, file)): AppPath<(String, String)>,
    AppJson(scenario): AppJson<Scenario>,
) -> Result<Response, AppError> {
    respond(catalog, work, scenario, None, phase, file).await
}

async fn respond(
    catalog: Arc<Catalog>,
    work: Arc<WorkPool>,
    scenario: Scenario,
    saved: Option<SavedRevision>,
    phase: String,
    file: String,
) -> Result<Response, AppError> {
    let (provider_key, format) =
        Format::from_file_name(&file).ok_or_else(|| AppError::UnknownInPath {
            field: "format",
            message: format!("{file:?}: ask for <provider>.zip or <provider>.tar.gz"),
        })?;
    let provider =
        ProviderId::parse("provider", provider_key).map_err(|_| AppError::UnknownInPath {
            field: "provider",
            message: format!(
                "unknown provider {provider_key:?}; known: {}",
                ProviderId::ALL.map(ProviderId::key).join(", ")
            ),
        })?;
    let valid = scenario.validate()?;
    // Generation and compression take a few milliseconds of CPU: in the bounded work pool.
    let (name, bytes) = work
        .run("the bundle", move || {
            let mut spec = BundleSpec::new(&valid, &catalog, &phase, provider)?;
            spec.saved = saved;
            let bundle = render(&spec)?;
            let bytes =
                archive::write(&bundle, format).map_err(|e| AppError::Internal(e.into()))?;
            Ok::<_, AppError>((bundle.name(), bytes))
        })
        .await??;
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{}\"", format.extension()),
            ),
            (header::CACHE_CONTROL, "no-cache".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

impl From<BundleError> for AppError {
    fn from(e: BundleError) -> Self {
        match e {
            BundleError::UnknownPhase { .. } => AppError::UnknownInPath {
                field: "phase",
                message: e.to_string(),
            },
            other => AppError::Internal(other.into()),
        }
    }
}
